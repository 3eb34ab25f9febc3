"""verify: a passing model exits 0; a firmware with one corrupted layer is caught, and the first
layer whose tensor differs from TFLM's is named."""
from __future__ import annotations

import re

import pytest

from compiler_support import shared_model
from mcusim.api import RunOptions
from mcusim.boards import load_board
from mcusim.cli import main as cli_main
from mcusim.compiler import build as cbuild
from mcusim.compiler.optimize import root
from mcusim.compiler.verify import verify
from mcusim.errors import EXIT_MISMATCH

HELLO = "tflite_micro/hello_world_int8.tflite"


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MCUSIM_CACHE", str(tmp_path / "cache"))


def test_cli_verify_passes(capsys):
    assert cli_main(["verify", str(shared_model(HELLO)), "--board", "stm32f4", "-n", "2"]) == 0
    out = capsys.readouterr().out
    assert out.count("largest difference 0") == 4 and "PASS" in out


def test_corrupted_layer_is_found(monkeypatch):
    real = cbuild.generate

    def corrupt(opt, core, dsp, optimized=True):
        gen = real(opt, core, dsp, optimized)
        node = opt.graph.nodes[1]                    # layer 1's output lives in the arena
        off = gen.plan.offsets[root(opt.graph, node.outputs[0])]
        c = gen.files["model.c"]
        call = f"if ((rc = {gen.layers[1].function}(input, output)) != 0)\n        return rc;\n"
        flip = f"    for (int i = 0; i < 16; i++)\n        model_arena[{off} + i] ^= 0x40;\n"
        assert call in c
        gen.files["model.c"] = c.replace(call, call + flip)   # after layer 1, before layer 2
        return gen

    monkeypatch.setattr(cbuild, "generate", corrupt)
    lines = []
    rep = verify(shared_model(HELLO), load_board("stm32f4"), RunOptions(), n=1,
                 say=lines.append)
    assert not rep.ok and rep.exit_code == EXIT_MISMATCH
    assert re.match(r"layer 1 FULLY_CONNECTED \(TFLite node 1\), tensor \d+ \[1, 16\]: 16 of 16 "
                    r"values differ", rep.first_bad_layer), rep.first_bad_layer
    assert "FAIL" in lines[-1]
