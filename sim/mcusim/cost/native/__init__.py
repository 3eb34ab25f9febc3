"""Build (once, cached by source hash) and load the native block hook, mcusim_hook.c.

The library is compiled with the host C compiler into mcusim.paths.cache_dir(); Unicorn gets
its functions as plain C function pointers through uc_hook_add on the engine handle.
"""
from __future__ import annotations

import ctypes as C
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from mcusim.errors import McusimError
from mcusim.paths import cache_dir

SOURCE = Path(__file__).with_name("mcusim_hook.c")
# compiled with it: the native classifier (same rules as classify.py/superscalar.py)
SOURCES = (SOURCE, SOURCE.with_name("mcusim_classify.c"), SOURCE.with_name("mcusim_scoreboard.c"))
HEADERS = (SOURCE.with_name("mcusim_classify.h"),)
CLASSIFY_CB = C.CFUNCTYPE(C.c_int, C.c_uint32, C.c_uint32)
# (a_addr, a_size, b_addr, b_size, out): a fall-through edge's deltas (mcusim_hook.c edge_fn)
EDGE_CB = C.CFUNCTYPE(C.c_int, C.c_uint32, C.c_uint32, C.c_uint32, C.c_uint32,
                      C.POINTER(C.c_int32))
BLOCK_CB = C.CFUNCTYPE(None, C.c_void_p, C.c_uint64, C.c_uint32, C.c_void_p)


class Live(C.Structure):
    """mcs_live in mcusim_hook.c: counters read while the program runs."""
    _fields_ = [("cycles", C.c_uint64), ("max_cycles", C.c_uint64),
                ("fetch_stall", C.c_uint64), ("data_stall", C.c_uint64),
                ("limit_hit", C.c_int32), ("depth", C.c_int32),
                ("stop_at", C.c_uint64), ("deadline", C.c_uint64), ("exc_cycles", C.c_uint64),
                ("deadline_hit", C.c_int32), ("spin", C.c_int32),
                ("mispredict_cycles", C.c_uint64)]


_lib = None


def _compiler() -> str:
    for cc in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if cc and shutil.which(cc):
            return cc
    raise McusimError("no host C compiler (cc/gcc/clang) to build the profiler's native hook: "
                      "install gcc (Debian: apt-get install gcc)")


CFLAGS = ["-O3", "-shared", "-fPIC"]


def _capstone() -> tuple[Path, Path]:
    """The capstone headers and shared library the Python package ships: the native
    classifier decodes with the very library classify.py uses."""
    import capstone
    root = Path(capstone.__file__).parent
    lib = next(iter(sorted((root / "lib").glob("libcapstone*.so*"))), None)
    if lib is None or not (root / "include" / "capstone" / "capstone.h").exists():
        raise McusimError(f"the capstone package at {root} lacks its C headers or library "
                          "(reinstall it: pip install --force-reinstall capstone)")
    return root / "include", lib


def library_path() -> Path:
    inc, caplib = _capstone()
    src = b"".join(p.read_bytes() for p in (*SOURCES, *HEADERS))
    key = hashlib.sha256(src + " ".join(CFLAGS).encode() + str(caplib).encode()
                         + caplib.read_bytes()[:4096]).hexdigest()[:16]
    out = cache_dir() / f"mcusim_hook-{key}.so"
    if out.exists():
        return out
    fd, tmp = tempfile.mkstemp(suffix=".so", dir=cache_dir())
    os.close(fd)
    proc = subprocess.run([_compiler(), *CFLAGS, f"-I{inc}", "-o", tmp, *map(str, SOURCES),
                           str(caplib), f"-Wl,-rpath,{caplib.parent}"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        os.unlink(tmp)
        first = (proc.stderr.strip().splitlines() or ["no output"])[0]
        raise McusimError(f"building the profiler's native hook failed: {first}")
    os.replace(tmp, out)      # atomic: concurrent first uses do not see a half-written file
    return out


def lib() -> C.CDLL:
    global _lib
    if _lib is None:
        L = C.CDLL(str(library_path()))
        P, u32, u64, i32, i64 = C.c_void_p, C.c_uint32, C.c_uint64, C.c_int32, C.c_int64
        sig = {
            "mcs_new": (P, [u32, P, P, P, P, P, u64, u64, u32]),
            "mcs_live_ptr": (C.POINTER(Live), [P]),
            "mcs_set_func_flags": (None, [P, u32, u32]),
            "mcs_add_fetch": (C.c_int, [P, u32, u32, u32, u32, u32]),
            "mcs_add_data": (C.c_int, [P, u32, u32, u32, u32, u32, u32]),
            "mcs_add_block": (i64, [P, u32, u32, u32, u32, u32, i32, u32, u32, u32, u32,
                                    C.POINTER(u32), u32, C.POINTER(i32)]),
            "mcs_rewind": (None, [P, u32, C.c_int]),
            "mcs_unwind": (None, [P]),
            "mcs_instructions": (u64, [P]),
            "mcs_settle": (None, [P, u32]),
            "mcs_nfuncs": (u32, [P]),
            "mcs_get_funcs": (None, [P, C.POINTER(u64)]),
            "mcs_get_incl_insns": (None, [P, C.POINTER(u64)]),
            "mcs_nnodes": (u32, [P]),
            "mcs_get_nodes": (None, [P, C.POINTER(u32), C.POINTER(i32), C.POINTER(u64)]),
            "mcs_nevents": (u64, [P]),
            "mcs_get_events": (None, [P, C.POINTER(i32), C.POINTER(u32), C.POINTER(u64)]),
            "mcs_nblocks": (u32, [P]),
            "mcs_get_stack": (u32, [P, C.POINTER(i32), u32]),
            "mcs_free": (None, [P]),
            "mcs_arm": (None, [P, u64]),
            "mcs_set_mispredict": (None, [P, u32]),
            "mcs_cycles_at": (u64, [P, u32]),
            "mcs_set_miss": (None, [P, i32, i32, u32]),
            "mcs_exc_enter": (None, [P, i32, u64, u32]),
            "mcs_exc_exit": (None, [P, u64, u32]),
            "mcs_spin_forward": (None, [P, u64]),
            "mcs_block_cycles": (u64, [P]),
            "mcs_native_init": (C.c_int, [P, P, C.POINTER(i32), i32, u32, C.POINTER(u32),
                                          C.POINTER(u32), u32, C.POINTER(u32)]),
            "mcs_native_blocks": (u32, [P]),
            "mcs_set_block_classes": (None, [P, u32, C.POINTER(u32)]),
            "mcs_breakdown": (None, [P, C.POINTER(u64)]),
            "mcs_set_edge_cb": (None, [P, P]),
            "mcs_nedges": (u32, [P]),
            "mcs_nclasses": (u32, []),
            "mcs_model_size": (u32, []),
        }
        for name, (res, args) in sig.items():
            fn = getattr(L, name)
            fn.restype, fn.argtypes = res, args
        _lib = L
    return _lib


class ClassCost(C.Structure):
    """mcs_cc in mcusim_classify.h (one class of a profile; -1: not given)."""
    _fields_ = [(n, C.c_int32) for n in (
        "cycles", "per_reg", "taken", "pipelined", "use_stall", "flags_extra", "latency",
        "latency_narrow", "regs_per_cycle", "after_load", "reg_offset_extra")]


def model_struct(model, classes: tuple[str, ...]):
    """mcs_model for a CoreModel: its classes in `classes` order, then the pipeline fields."""
    pipeline = ("dual_issue", "agu_stall", "dual_issue_16", "shifted_use_stall", "scoreboard",
                "early_operand", "store_load_stall", "register_target_extra",
                "unaligned_target_extra", "extend_add_use_stall")

    class Model(C.Structure):
        _fields_ = [("cls", ClassCost * len(classes))] + [(n, C.c_int32) for n in pipeline]
    m = Model()
    for i, name in enumerate(classes):
        cc = model.classes[name]
        m.cls[i] = ClassCost(cc.cycles, cc.per_reg, cc.taken,
                             -1 if cc.pipelined is None else cc.pipelined, cc.use_stall,
                             cc.flags_extra, cc.latency, cc.latency_narrow, cc.regs_per_cycle,
                             -1 if cc.after_load is None else cc.after_load, cc.reg_offset_extra)
    for n in pipeline:
        setattr(m, n, int(getattr(model, n)))
    return m


def fn_addr(library: C.CDLL, name: str) -> int:
    """Address of an exported C function, to hand to Unicorn as a hook callback."""
    return C.cast(getattr(library, name), C.c_void_p).value
