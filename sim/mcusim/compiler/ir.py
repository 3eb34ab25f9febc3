"""The compiler's graph IR: what the TFLite importer produces and every later pass consumes.

Tensors and nodes keep their TFLite indices so error messages and verify can name them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Tensor:
    index: int
    name: str
    shape: tuple[int, ...]
    dtype: str                          # "int8", "int16", "int32", "int64", "uint8", "float32", ...
    scale: np.ndarray | None = None     # float32 per-tensor (len 1) or per-channel
    zero_point: np.ndarray | None = None  # int64, same length as scale
    quantized_dimension: int = 0
    data: np.ndarray | None = None      # constant data (weights, biases); None for activations
    alias_of: int | None = None         # set by optimizations: shares storage with that tensor

    @property
    def is_const(self) -> bool:
        return self.data is not None

    @property
    def nbytes(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n * np.dtype(self.dtype).itemsize

    @property
    def per_channel(self) -> bool:
        return self.scale is not None and len(self.scale) > 1


@dataclass
class Node:
    index: int                          # operator index in the TFLite subgraph
    op: str                             # builtin name, e.g. "CONV_2D"
    inputs: list[int]                   # tensor indices; -1 for an absent optional input
    outputs: list[int]
    options: dict[str, Any] = field(default_factory=dict)
    # options use TFLite's field names in snake_case with enums as strings, e.g.
    # {"padding": "SAME", "stride_w": 1, "stride_h": 1, "dilation_w_factor": 1,
    #  "dilation_h_factor": 1, "fused_activation_function": "RELU6", "depth_multiplier": 1}


@dataclass
class Graph:
    tensors: list[Tensor]
    nodes: list[Node]
    inputs: list[int]
    outputs: list[int]
    name: str = ""

    def t(self, index: int) -> Tensor:
        return self.tensors[index]
