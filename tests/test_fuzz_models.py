"""Bounded fuzz of the model front end (import, validation, optimization, plan, codegen; no gcc)
seeded from models/kws_ref_model.tflite: every mutant builds or is refused with a McusimError
(one line); any other exception is an internal error. The long run: bench/fuzz_models.py."""
from __future__ import annotations

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402

import model_fuzz  # noqa: E402
from compiler_support import REPO, SHARED  # noqa: E402
from mcusim.errors import McusimError  # noqa: E402

SEED = (REPO / "models" / "kws_ref_model.tflite").read_bytes()


@settings(max_examples=1500, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(model_fuzz.edits, model_fuzz.flips)
def test_mutated_models_are_built_or_refused_in_one_line(edit_list, flip_list):
    _built_or_refused_in_one_line(SEED, edit_list, flip_list)


SHARED_SEEDS = sorted(SHARED.rglob("*.tflite")) if SHARED.is_dir() else []


@pytest.mark.skipif(not SHARED_SEEDS, reason=f"shared models not found ({SHARED}); set "
                                              f"MCUSIM_SHARED_MODELS")
@settings(max_examples=1000, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(hypothesis.strategies.integers(0, max(len(SHARED_SEEDS) - 1, 0)), model_fuzz.edits,
       model_fuzz.flips)
def test_mutated_shared_models_are_built_or_refused_in_one_line(i, edit_list, flip_list):
    """The same over every shared model (float and hybrid ones are refused, as they should)."""
    _built_or_refused_in_one_line(SHARED_SEEDS[i].read_bytes(), edit_list, flip_list)


def _built_or_refused_in_one_line(seed: bytes, edit_list, flip_list) -> None:
    data = model_fuzz.mutate(seed, edit_list, flip_list[:1] if len(edit_list) == 4 else [])
    if data is None:
        return
    try:
        model_fuzz.front_end(data)
    except McusimError as e:
        assert "\n" not in str(e)
