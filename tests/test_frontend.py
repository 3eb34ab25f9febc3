"""The audio front end (firmware/dsp, sim/mcusim/frontend) against CMSIS-DSP itself.

Every comparison is exact (0 difference): the firmware runs in the simulator on a Cortex-M4
board (stm32l4r5: the DSP-extension paths) and a Cortex-M0+ board (stm32g0b1: portable C), and
cmsisdsp (optional extra `frontend`) computes the same frames on the host."""
from __future__ import annotations

import numpy as np
import pytest

from conftest import needs_gcc
from mcusim.boards import load_board
from mcusim.errors import BadInput
from mcusim.frontend import codegen, harness, presets, tables

import frontend_support as fs

BOARDS = ["stm32l4r5", "stm32g0b1"]           # M4 with DSP, M0+ without
KWS_SCALE, KWS_ZP = 0.5847, 83                 # kws_ref_model.tflite's input quantization


@pytest.fixture(scope="module")
def cm():
    pytest.importorskip("cmsisdsp")
    return fs.load()


@pytest.fixture(scope="module")
def elves(tmp_path_factory):
    built = {}

    def get(preset: str, board: str):
        if (preset, board) not in built:
            b = load_board(board)
            out = tmp_path_factory.mktemp(f"fe-{preset}-{board}")
            built[preset, board] = (harness.build(presets.get(preset), b, input_scale=KWS_SCALE,
                                                  input_zero_point=KWS_ZP, out_dir=out,
                                                  q31=True, f32=True), b)
        return built[preset, board]
    return get


# ------------------------------------------------------------------ host: tables, presets

def test_tables_equal_cmsisdsp_helpers(cm):
    import cmsisdsp.mfcc as mfcc
    from cmsisdsp.datatype import Q15
    for fmin, fmax, n_mel, n in ((20, 4000, 40, 512), (125, 7500, 40, 512), (20, 8000, 64, 1024)):
        mine = tables.mel_filters(fmin, fmax, n_mel, 16000, n)
        ref = mfcc.melFilterMatrix(Q15, fmin, fmax, n_mel, 16000, n)
        for a, b in zip(mine, ref):
            assert np.array_equal(np.asarray(a), np.asarray(b))
    assert np.array_equal(tables.dct_q15(10, 40), mfcc.dctMatrix(Q15, 10, 40))


def test_bitrev_swaps_put_every_bin_in_place():
    for n in (16, 32, 64, 128, 256, 512, 1024, 2048):
        bits = n.bit_length() - 1
        buf = np.array([tables.bit_reverse(k, bits) for k in range(n)])
        for a, b in tables.bitrev_swaps(n).reshape(-1, 2):
            buf[a], buf[b] = buf[b], buf[a]
        assert np.array_equal(buf, np.arange(n))


def test_mlperf_kws_preset_shape():
    p = presets.get("mlperf-kws")
    assert (p.n_frames, p.width, p.fft_len, p.frame_len, p.frame_step) == (49, 10, 512, 480, 320)
    assert presets.get("micro-speech").n_features == 1960


def test_quantization_params_track_the_float_scale():
    mult, shift, zp = codegen.quant_params(KWS_SCALE, KWS_ZP)
    assert mult < 2 ** 15 and abs(mult / 2 ** shift - 1 / (128 * KWS_SCALE)) < 1e-4 / KWS_SCALE
    x = np.arange(-32768, 32768, 7, dtype=np.int16)
    q = codegen.quantize_reference(x, mult, shift, zp).astype(int)
    exact = np.clip(np.round(x / 128 / KWS_SCALE) + zp, -128, 127)
    assert np.abs(q - exact).max() <= 1            # ties and the multiplier's rounding only


@pytest.mark.parametrize("table, msg", [
    ({"preset": "nope"}, "not one of"),
    ({"preset": "mlperf-kws", "fft_len": 500}, "fft_len must be one of"),
    ({"preset": "mlperf-kws", "frame_len": 1024}, "frame_len must be"),
    ({"preset": "mlperf-kws", "fmax": 9000}, "fmax"),
    ({"preset": "mlperf-kws", "n_mel": 200}, "n_mel"),
    ({"preset": "mlperf-kws", "windw": 3}, "unknown key 'windw'"),
    ({"preset": "mlperf-kws", "n_dct": "ten"}, "n_dct must be a number"),
])
def test_bad_frontend_tables_are_one_line(table, msg):
    with pytest.raises(BadInput, match=msg):
        presets.from_table(table)


def test_too_many_mel_bands_for_the_fft_is_refused():
    p = presets.from_table({"preset": "mlperf-kws", "fft_len": 64, "frame_len": 64, "n_mel": 40})
    with pytest.raises(BadInput, match="covers no FFT bin"):
        codegen.frontend_sources(p)


# ------------------------------------------------------------------ firmware vs cmsisdsp

@needs_gcc
@pytest.mark.parametrize("board", BOARDS)
def test_rfft_magnitude_vlog_blocks_bit_exact(cm, elves, board):
    elf, b = elves("mlperf-kws", board)
    n = 512
    rng = np.random.default_rng(7)
    rfft = cm.arm_rfft_instance_q15()
    cm.arm_rfft_init_q15(rfft, n, 0, 1)
    for x in (fs.clip("chirp")[4000:4000 + n], rng.integers(-32768, 32768, n).astype(np.int16),
              np.full(n, -32768, np.int16)):
        _, out = harness.run(elf, b, x, "rfft")
        assert np.array_equal(out["feat"][:n + 2], cm.arm_rfft_q15(rfft, x.copy())[:n + 2])
    z = rng.integers(-32768, 32768, n).astype(np.int16)
    z[:4] = -32768                                  # |(-1, -1)|: the squares' sum wraps
    _, out = harness.run(elf, b, z, "mag")
    assert np.array_equal(out["feat"][:n // 2], cm.arm_cmplx_mag_q15(z))
    v = np.concatenate([[0, 1, 2, 2 ** 31 - 1, -5, -2 ** 31],
                        rng.integers(1, 2 ** 31, n // 4 - 6)]).astype(np.int32)
    _, out = harness.run(elf, b, v, "vlog")
    assert np.array_equal(out["feat"].view(np.int32)[:n // 4], cm.arm_vlog_q31(v))


@needs_gcc
@pytest.mark.parametrize("board", BOARDS)
def test_one_frame_equals_arm_mfcc_q15(cm, elves, board):
    elf, b = elves("mlperf-kws", board)
    c = fs.Cmsis(presets.get("mlperf-kws"))
    for kind in ("chirp", "quiet", "loud", "silence"):
        frame = fs.frames(c.p, fs.clip(kind))[10]
        _, out = harness.run(elf, b, frame, "mfcc")
        assert np.array_equal(out["feat"][:10], c.arm_mfcc(frame)), kind


@needs_gcc
@pytest.mark.parametrize("board", BOARDS)
def test_q31_rfft_and_mfcc_equal_arm_mfcc_q31(cm, elves, board):
    """The q31 chain (SMMULR/SMMLAR/SMMLSR on the M4, 64-bit C on the M0+)."""
    elf, b = elves("mlperf-kws", board)
    p, n = presets.get("mlperf-kws"), 512
    rfft = cm.arm_rfft_instance_q31()
    cm.arm_rfft_init_q31(rfft, n, 0, 1)
    x = fs.clip("noise")[:n].astype(np.int32) << 16
    _, out = harness.run(elf, b, x, "rfft_q31")
    want = cm.arm_rfft_q31(rfft, x.copy())[:n + 2]
    assert np.array_equal(out["feat"].view(np.int32)[:n + 2], want)
    q31 = tables.to_q31
    flen, fpos, fcoef = tables.mel_filters(p.fmin, p.fmax, p.n_mel, p.sample_rate, n, conv=q31)
    m = cm.arm_mfcc_instance_q31()
    cm.arm_mfcc_init_q31(m, n, p.n_mel, p.n_dct, tables.dct_q15(p.n_dct, p.n_mel, conv=q31),
                         fpos, flen, fcoef, tables.hann_q15(p.frame_len, n, conv=q31))
    for kind in ("chirp", "quiet", "loud", "silence"):
        frame = fs.frames(p, fs.clip(kind))[10].astype(np.int32) << 16
        if kind == "quiet":
            frame >>= 12                               # far below q15's resolution
        _, out = harness.run(elf, b, frame, "mfcc_q31")
        status, want = cm.arm_mfcc_q31(m, frame.copy(), np.zeros(2 * n, np.int32))
        assert np.array_equal(out["feat"].view(np.int32)[:p.n_dct], want), kind


F32_TOLERANCE = 1e-4          # MFCC units; docs/frontend.md quotes the measured figures


@needs_gcc
@pytest.mark.parametrize("board", BOARDS)
def test_f32_mfcc_within_tolerance_of_arm_mfcc_f32(cm, elves, board):
    """Float is not bit-exact (a radix-2 FFT and logf against CMSIS's radix-8/4/2 FFT and
    arm_vlog_f32): within F32_TOLERANCE, except where arm_vlog_f32's approximation of ln(1e-6)
    (a silent frame) makes the difference larger (<= 5e-3)."""
    elf, b = elves("mlperf-kws", board)
    p, n = presets.get("mlperf-kws"), 512
    f32 = tables.to_f32
    flen, fpos, fcoef = tables.mel_filters(p.fmin, p.fmax, p.n_mel, p.sample_rate, n, conv=f32)
    m = cm.arm_mfcc_instance_f32()
    cm.arm_mfcc_init_f32(m, n, p.n_mel, p.n_dct, tables.dct_q15(p.n_dct, p.n_mel, conv=f32),
                         fpos, flen, fcoef, tables.hann_q15(p.frame_len, n, conv=f32))
    for kind, tol in (("chirp", F32_TOLERANCE), ("quiet", F32_TOLERANCE),
                      ("loud", F32_TOLERANCE), ("silence", 5e-3)):
        frame = fs.frames(p, fs.clip(kind))[10].astype(np.float32) / 32768
        _, out = harness.run(elf, b, frame, "mfcc_f32")
        want = cm.arm_mfcc_f32(m, frame.copy(), np.zeros(n + 2, np.float32))
        assert np.abs(out["feat"].view(np.float32)[:p.n_dct] - want).max() <= tol, kind


@needs_gcc
@pytest.mark.parametrize("board", BOARDS)
@pytest.mark.parametrize("kind", ["chirp", "gaps"])
def test_mlperf_kws_clip_end_to_end(cm, elves, board, kind):
    """49 x 10 MFCC of a 1 s clip equal arm_mfcc_q15's frame by frame, and the int8 model input
    equals the quantization reference."""
    elf, b = elves("mlperf-kws", board)
    p = presets.get("mlperf-kws")
    audio = fs.clip(kind, seed=3)
    r, out = harness.run(elf, b, audio)
    assert r.exit_code == 0
    want = fs.Cmsis(p).features(audio)
    assert np.array_equal(out["feat"][:p.n_features], want)
    mult, shift, zp = codegen.quant_params(KWS_SCALE, KWS_ZP)
    assert np.array_equal(out["out"][:p.n_features],
                          codegen.quantize_reference(want, mult, shift, zp))


@needs_gcc
def test_micro_speech_log_mel_clip(cm, elves):
    """log-mel (no DCT): the energies arm_mfcc_q15 computes before its DCT, on the M4."""
    elf, b = elves("micro-speech", "stm32l4r5")
    p = presets.get("micro-speech")
    audio = fs.clip("noise", seed=5)
    _, out = harness.run(elf, b, audio)
    assert np.array_equal(out["feat"][:p.n_features], fs.Cmsis(p).features(audio))


def test_composed_log_mel_is_arm_mfcc_before_its_dct(cm):
    """The oracle of the log-mel test is arm_mfcc_q15 itself: its DCT gives arm_mfcc_q15."""
    c = fs.Cmsis(presets.get("mlperf-kws"))
    for kind in ("chirp", "loud", "silence"):
        for f in fs.frames(c.p, fs.clip(kind))[::12]:
            assert np.array_equal(c.dct_of(c.log_mel(f)), c.arm_mfcc(f))
