"""firmware/dsp's portable C compiled for the host against cmsisdsp, over every FFT size and a
few MFCC configurations (the simulator tests cover the presets on the boards; this covers the
sizes and tables the presets do not use, in a second)."""
from __future__ import annotations

import ctypes as C
import shutil
import subprocess

import numpy as np
import pytest

from mcusim.frontend import tables
from mcusim.paths import firmware_dir

P = lambda a: a.ctypes.data_as(C.c_void_p)     # noqa: E731


class Cfft(C.Structure):
    _fields_ = [("n", C.c_uint16), ("bl", C.c_uint16), ("tw", C.c_void_p), ("br", C.c_void_p)]


class Rfft(C.Structure):
    _fields_ = [("n", C.c_uint16), ("cfft", C.POINTER(Cfft)), ("a", C.c_void_p),
                ("b", C.c_void_p)]


class Mfcc(C.Structure):
    _fields_ = [("n", C.c_uint16), ("nmel", C.c_uint16), ("ndct", C.c_uint16),
                ("bins", C.c_uint16), ("win", C.c_void_p), ("fp", C.c_void_p),
                ("fl", C.c_void_p), ("fc", C.c_void_p),
                ("dct", C.c_void_p), ("rfft", C.POINTER(Rfft))]


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no host C compiler")
    out = tmp_path_factory.mktemp("dsp") / "libdsp.so"
    fw = firmware_dir()
    subprocess.run([cc, "-O2", "-shared", "-fPIC", f"-I{fw / 'include'}",
                    *map(str, sorted((fw / "dsp").glob("*.c"))), "-o", str(out)], check=True)
    return C.CDLL(str(out))


@pytest.fixture(scope="module")
def cm():
    return pytest.importorskip("cmsisdsp")


class Instances:
    def __init__(self, n: int, q31: bool):
        self.keep = []
        tw = tables.twiddle_q31(n // 2) if q31 else tables.twiddle_q15(n // 2)
        br = tables.bitrev_swaps(n // 2)
        a, b = tables.split_q31(n) if q31 else tables.split_q15(n)
        self.keep += [tw, br, a, b]
        self.cfft = Cfft(n // 2, len(br) // 2, P(tw), P(br))
        self.rfft = Rfft(n, C.pointer(self.cfft), P(a), P(b))


@pytest.mark.parametrize("q31", [False, True])
def test_rfft_every_size(lib, cm, q31):
    rng = np.random.default_rng(1)
    for n in (64, 128, 256, 512, 1024, 2048, 4096):
        inst = Instances(n, q31)
        ref = (cm.arm_rfft_instance_q31 if q31 else cm.arm_rfft_instance_q15)()
        (cm.arm_rfft_init_q31 if q31 else cm.arm_rfft_init_q15)(ref, n, 0, 1)
        top = 2 ** 31 - 1 if q31 else 32767
        dtype = np.int32 if q31 else np.int16
        for amp in (top, top // 10, top // 3000):
            x = np.clip(rng.standard_normal(n) * amp, -top - 1, top).astype(dtype)
            dst = np.zeros(n + 2, dtype)
            (lib.mcusim_rfft_q31 if q31 else lib.mcusim_rfft_q15)(C.byref(inst.rfft),
                                                                   P(x.copy()), P(dst))
            want = (cm.arm_rfft_q31 if q31 else cm.arm_rfft_q15)(ref, x.copy())[:n + 2]
            assert np.array_equal(dst, want), (n, amp)


@pytest.mark.parametrize("q31", [False, True])
@pytest.mark.parametrize("n, n_mel, n_dct, fmin, fmax, frame", [
    (256, 20, 10, 20, 4000, 256), (512, 40, 10, 20, 4000, 480), (1024, 40, 13, 20, 8000, 1024),
    (2048, 64, 20, 50, 8000, 1600)])
def test_mfcc_configurations(lib, cm, q31, n, n_mel, n_dct, fmin, fmax, frame):
    conv = tables.to_q31 if q31 else tables.to_q15
    flen, fpos, fcoef = tables.mel_filters(fmin, fmax, n_mel, 16000, n, conv=conv)
    dct = tables.dct_q15(n_dct, n_mel, conv=conv)
    win = tables.hann_q15(frame, n, conv=conv)
    inst = Instances(n, q31)
    from mcusim.frontend.codegen import mag_bins
    m = Mfcc(n, n_mel, n_dct, mag_bins(fpos, flen), P(win), P(fpos), P(flen), P(fcoef), P(dct),
             C.pointer(inst.rfft))
    ref = (cm.arm_mfcc_instance_q31 if q31 else cm.arm_mfcc_instance_q15)()
    (cm.arm_mfcc_init_q31 if q31 else cm.arm_mfcc_init_q15)(ref, n, n_mel, n_dct, dct, fpos,
                                                            flen, fcoef, win)
    rng = np.random.default_rng(n)
    dtype, top = (np.int32, 2 ** 31 - 1) if q31 else (np.int16, 32767)
    for amp in (top, top // 10, top // 1000, 5, 0):
        x = np.clip(rng.standard_normal(n) * amp, -top - 1, top).astype(dtype)
        dst = np.zeros(n_dct, dtype)
        tmp = np.zeros(n + n_mel + 2, np.int32)
        (lib.mcusim_mfcc_q31 if q31 else lib.mcusim_mfcc_q15)(C.byref(m), P(x.copy()), P(dst),
                                                              P(tmp))
        status, want = (cm.arm_mfcc_q31 if q31 else cm.arm_mfcc_q15)(
            ref, x.copy(), np.zeros(2 * n, np.int32))
        assert np.array_equal(dst, want), amp
