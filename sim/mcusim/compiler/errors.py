"""Errors of the model compiler. Each is one line that names what is wrong and where."""
from __future__ import annotations

from mcusim.errors import BadInput


class UnsupportedModel(BadInput):
    """A well-formed model that mcusim cannot run (operator, data type, float or hybrid model)."""


class BadModel(BadInput):
    """A file that is not a valid TFLite model (corrupt, truncated, inconsistent)."""
