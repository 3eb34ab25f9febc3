"""The generated project, the build cache, refusing what does not fit, and run's I/O handling."""
from __future__ import annotations

import dataclasses
import shutil
import subprocess

import numpy as np
import pytest

from compiler_support import shared_model
from mcusim.api import RunOptions, run
from mcusim.boards import load_board
from mcusim.compiler import build as cbuild
from mcusim.compiler.build import compile_model
from mcusim.errors import BadInput

HELLO = "tflite_micro/hello_world_int8.tflite"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MCUSIM_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_project_layout_and_makefile_rebuilds_same_elf(tmp_path):
    out = tmp_path / "proj"
    built = compile_model(shared_model(HELLO), load_board("stm32f4"), out_dir=out)
    for f in ("model.h", "model.c", "weights.c", "weights.h", "main.c", "Makefile", "mcusim.ld",
              "runtime/startup.c", "runtime/include/mcusim_nn.h", "model.elf"):
        assert (out / f).is_file(), f
    h = (out / "model.h").read_text()
    assert "int model_invoke(const int8_t *input, int8_t *output);" in h
    c = (out / "model.c").read_text()
    assert c.count("__attribute__((noinline)) int mcusim_layer_") == len(built.layers) == 3
    assert "mcusim_layer_0_fully_connected" in c and ".noinit.model_arena" in c
    assert "-mcpu=cortex-m4" in (out / "Makefile").read_text()
    from mcusim.sim.elf import load_elf
    elf = load_elf(out / "model.elf")
    assert elf.section_at(elf.symbol("model_arena")).name == ".noinit"
    if shutil.which("make"):
        first = (out / "model.elf").read_bytes()
        subprocess.run(["make", "-B", "-s"], cwd=out, check=True, capture_output=True)
        assert (out / "model.elf").read_bytes() == first


def test_cache_hit_and_key(cache):
    board = load_board("stm32f4")
    a = compile_model(shared_model(HELLO), board)
    b = compile_model(shared_model(HELLO), board)
    assert not a.cached and b.cached and a.elf == b.elf
    c = compile_model(shared_model(HELLO), load_board("rp2040"))
    assert c.elf != a.elf and "-mcpu=cortex-m0plus" in (c.dir / "Makefile").read_text()


def _small(board, **mem):
    memories = [dataclasses.replace(m, size=mem.get(m.kind, m.size)) for m in board.memories]
    return dataclasses.replace(board, memories=memories)


def test_too_big_refused_before_compiling(tmp_path, monkeypatch):
    def no_gcc(*a, **k):
        raise AssertionError("gcc must not run")
    monkeypatch.setattr(cbuild, "run_gcc", no_gcc)
    board = load_board("stm32f4")
    path = shared_model("mlperf_tiny/ad01_int8.tflite")
    with pytest.raises(BadInput, match=r"does not fit .*weights need 2\d\d,\d\d\d B of flash"):
        compile_model(path, _small(board, flash=128 * 1024), out_dir=tmp_path / "a")
    with pytest.raises(BadInput, match=r"does not fit .*arena .* exceed the 2,048 B"):
        compile_model(path, _small(board, ram=2048), out_dir=tmp_path / "b")


def test_run_input_errors(tmp_path, cache):
    path = shared_model(HELLO)
    bad = tmp_path / "bad.npy"
    np.save(bad, np.zeros((3, 3), np.int8))
    with pytest.raises(BadInput, match=r"expected shape \[1, 1\]"):
        run(path, "stm32f4", RunOptions(input_path=bad))
    np.save(bad, np.zeros((1, 1), np.int32))
    with pytest.raises(BadInput, match="expected int8 or float"):
        run(path, "stm32f4", RunOptions(input_path=bad))
    (tmp_path / "junk.npy").write_bytes(b"not numpy")
    with pytest.raises(BadInput, match="not a readable"):
        run(path, "stm32f4", RunOptions(input_path=tmp_path / "junk.npy"))


def test_run_float_input_is_quantized_like_tflm(tmp_path, cache):
    """A float .npy into an int8 model: quantized with the input's parameters, then the same
    output as TFLM fed the int8 codes."""
    from mcusim.compiler import modelio, tflm
    path = shared_model(HELLO)
    x = np.array([[0.73]], np.float32)
    np.save(tmp_path / "x.npy", x)
    r = run(path, "stm32f4", RunOptions(input_path=tmp_path / "x.npy",
                                        output_path=tmp_path / "y.npy"))
    assert r.exit_code == 0
    it = tflm.interpreter(path.read_bytes())
    q = modelio.quantize(x, r.model["inputs"][0]["scale"], r.model["inputs"][0]["zero_point"])
    (want,) = tflm.invoke(it, [q], 1)
    assert np.array_equal(np.load(tmp_path / "y.npy"), want)


def test_two_input_model_takes_npz(tmp_path, cache):
    from mcusim.compiler import tflm
    path = shared_model("tflite_micro/simple_add_model.tflite")
    rng = np.random.default_rng(5)
    a, b = (rng.integers(-128, 128, (1, 128, 128, 1)).astype(np.int8) for _ in range(2))
    np.savez(tmp_path / "x.npz", a, b)
    r = run(path, "stm32f4", RunOptions(input_path=tmp_path / "x.npz",
                                        output_path=tmp_path / "y.npy"))
    assert r.exit_code == 0
    (want,) = tflm.invoke(tflm.interpreter(path.read_bytes()), [a, b], 1)
    assert np.array_equal(np.load(tmp_path / "y.npy"), want)
    np.save(tmp_path / "one.npy", a)
    with pytest.raises(BadInput, match="the model has 2 inputs"):
        run(path, "stm32f4", RunOptions(input_path=tmp_path / "one.npy"))


def test_flash_overflow_found_by_the_linker_is_one_line(tmp_path):
    """Weights alone fit, weights + code do not: the linker's overflow, said plainly."""
    board = _small(load_board("stm32f4"), flash=272 * 1024)
    with pytest.raises(BadInput, match=r"does not fit stm32f4: region FLASH overflowed by "
                                       r"[\d,]+ B \(weights 2\d\d,\d\d\d B"):
        compile_model(shared_model("mlperf_tiny/ad01_int8.tflite"), board, out_dir=tmp_path)


def test_layer_instructions_are_inclusive():
    """Each layer counts its kernels' instructions: together they are the whole run but start-up."""
    from pathlib import Path
    kws = Path(__file__).resolve().parent.parent / "models" / "kws_ref_model.tflite"
    r = run(kws, "stm32f4", RunOptions(echo_stdout=False))
    per_layer = [L.instructions for L in r.layers]
    assert all(n > 0 for n in per_layer)
    # a layer function itself is a few dozen instructions; its kernel, hundreds of thousands
    assert max(per_layer) > 100_000
    assert 0.99 * r.instructions < sum(per_layer) < r.instructions


def test_portable_kernels_on_armv6m_are_the_c_reference(tmp_path):
    """`--kernels portable` means the C reference kernels on every core: on the M0+ no
    build-time packed variant (pairs, quads, packed depthwise), and the same output."""
    from compiler_support import REPO
    model = REPO / "models" / "kws_ref_model.tflite"
    outs, kernels = {}, {}
    for k in ("portable", "optimized"):
        built = compile_model(model, load_board("rp2040"), kernels=k, out_dir=tmp_path / k)
        kernels[k] = {layer["kernel"] for layer in built.layers}
        out = tmp_path / f"{k}.npy"
        run(str(model), "rp2040", RunOptions(kernels=k, output_path=out))
        outs[k] = np.load(out)
    packed = ("_pairs_", "_quads_", "_packed_")
    assert not [n for n in kernels["portable"] if any(p in n for p in packed)], kernels["portable"]
    assert [n for n in kernels["optimized"] if any(p in n for p in packed)]
    assert np.array_equal(outs["portable"], outs["optimized"])


def test_pointwise_links_only_the_record_loops_it_names(tmp_path):
    """A 1x1 layer over 64 input channels on the Cortex-M4 names its record loops in a table
    (MCUSIM_PW_LOOPS), so --gc-sections drops the other straight-line loops (several KB each)."""
    from mcusim.compiler import modelgen as mg
    from mcusim.sim.elf import load_elf
    r = np.random.default_rng(7)
    data, _ = mg.conv_2d(r, [1, 4, 4, 64], 16, (1, 1), padding="VALID", activation="RELU6")
    model = tmp_path / "pw64.tflite"
    model.write_bytes(data)
    out = tmp_path / "proj"
    compile_model(model, load_board("stm32l4r5"), out_dir=out)
    assert "MCUSIM_PW_LOOPS(mcusim_mm4x2_rqm64_s16" in (out / "model.c").read_text()
    elf = load_elf(out / "model.elf")
    assert elf.symbol("mcusim_mm4x2_rqm64_s16") is not None
    for unused in ("mcusim_mm4x2_rqm128_s16", "mcusim_mm4x2_rqh128_s16",
                   "mcusim_mm4x2_rqh64_s16", "mcusim_mm4x2_rqh32x2_s16"):
        assert elf.symbol(unused) is None, unused


def test_small_k_layers_link_only_the_routines_they_name(tmp_path):
    """VWW's first layers over prescaled records (1x1 8 -> 16 and 16 -> 32) name their assembly
    routines (MCUSIM_SMALL_K_ROW), so --gc-sections drops the generic small-K ones (several KB
    each); its RGB -> 8 at stride 2 takes mcusim_convolve_rgb3x3_s2_r_s8 on the M33 (input rows
    widened once), so none of the widened-window RGB routines is linked."""
    from mcusim.compiler import mlperf_models
    from mcusim.sim.elf import load_elf
    model = tmp_path / "vww.tflite"
    model.write_bytes(mlperf_models.vww())
    out = tmp_path / "proj"
    compile_model(model, load_board("stm32u575"), out_dir=out)
    src = (out / "model.c").read_text()
    elf = load_elf(out / "model.elf")
    for used in ("mcusim_conv1x1_g8_o16_s16", "mcusim_conv1x1_g16_o32_s16"):
        assert f"MCUSIM_SMALL_K_ROW({used})" in src and elf.symbol(used) is not None, used
    assert "mcusim_convolve_rgb3x3_s2_r_s8(" in src
    assert elf.symbol("mcusim_rgb_s2_row_o8_s16") is not None
    for unused in ("mcusim_rgb_row_q7_o8_s16", "mcusim_rgb_row_q7_o16_s16",
                   "mcusim_rgb_row_q7_s16", "mcusim_conv1x1_g8_s16", "mcusim_conv1x1_g16_s16"):
        assert elf.symbol(unused) is None, unused
