"""Mutations of the input files a user hands mcusim, for the fuzz tests (tests/test_fuzz_inputs.py)
and the long run (bench/fuzz_inputs.py). Each kind has seeds (real files of the project), a
hypothesis strategy of edits, `mutate(seed, edits) -> bytes | None` and `check(data, ctx)`, the
reader under test. The property: `check` returns (accepted) or raises McusimError (refused in
one line); any other exception is an internal error, and `guard` turns a hang into `Hang`.

Kinds:
  elf     - mcusim.sim.elf.load_elf + mcusim.sim.memory.check_placement, seeded from firmware
            the project builds: ELF/program/section header fields, symbols, string tables,
            truncation, byte flips.
  board   - mcusim.boards.load_board on a board TOML (boards/*.toml)
  budget  - mcusim.budget_file.load (examples/budgets.toml and one with every key)
  regmap  - boards/svd/*.toml through mcusim.sim.svd_files.load_register_file as svd.install
            uses it (RegisterFile, its pages on the board)
            the three TOML kinds: values, types, keys, nesting (tree edits, dumped by tomlkit),
            then text edits: byte flips, truncation, lines dropped or doubled, snippets.
  npy     - mcusim.compiler.modelio.read_arrays + to_firmware (the model-input read path):
            .npy header text (descr, shape, order, extra keys), version, header length, data
            length, byte flips; .npz members (names, count, compression) and raw zip flips.
"""
from __future__ import annotations

import copy
import datetime
import io
import math
import signal
import struct
import warnings
import zipfile
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np
from hypothesis import strategies as st

from mcusim.boards import tomllib

REPO = Path(__file__).resolve().parent.parent
KINDS = ("elf", "board", "budget", "regmap", "npy")


class Hang(BaseException):
    """An input that took longer than the per-example deadline (a BaseException, so that no
    `except Exception` in the code under test can turn it into a refusal)."""


@contextmanager
def guard(seconds: float):
    """Raise Hang in the main thread when the body runs longer than `seconds` (SIGALRM)."""
    def on_alarm(signum, frame):
        raise Hang(f"no answer in {seconds} s")
    try:
        old = signal.signal(signal.SIGALRM, on_alarm)
    except ValueError:          # not the main thread: no deadline, still fuzzed
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


U32 = [0, 1, 2, 3, 4, 7, 8, 16, 31, 32, 40, 52, 64, 0xFF, 0x100, 0x1000, 0xFFFF, 0x10000,
       0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF, 0x08000000, 0x20000000, 0x1FFFFFFF,
       0xE0000000, 0x10000000, 0x00100000]
u32 = st.one_of(st.sampled_from(U32), st.integers(0, 0xFFFFFFFF))
flips = st.lists(st.tuples(st.integers(0, 1 << 30), st.integers(0, 255)), max_size=6)


# --- ELF -----------------------------------------------------------------------------------------

# (offset, struct format) of every field, by table; 32-bit little-endian (ELF gABI, Figures 1-3,
# 2-1, 1-8 and 1-16).
EHDR = [(16, "H"), (18, "H"), (20, "I"), (24, "I"), (28, "I"), (32, "I"), (36, "I"), (40, "H"),
        (42, "H"), (44, "H"), (46, "H"), (48, "H"), (50, "H"), (4, "B"), (5, "B"), (6, "B")]
PHDR = [(o, "I") for o in range(0, 32, 4)]
SHDR = [(o, "I") for o in range(0, 40, 4)]
SYM = [(0, "I"), (4, "I"), (8, "I"), (12, "B"), (13, "B"), (14, "H")]
ELF_EDITS = ["ehdr", "phdr", "shdr", "sym", "strtab", "truncate", "extend"]


def elf_layout(raw: bytes) -> dict:
    """Where the tables of a seed ELF are: program/section headers, .symtab, string tables."""
    phoff, shoff = struct.unpack_from("<II", raw, 28)
    phnum, shentsize, shnum, shstrndx = struct.unpack_from("<HHHH", raw, 44)
    secs = [struct.unpack_from("<10I", raw, shoff + i * shentsize) for i in range(shnum)]
    syms, strs = [], []
    for s in secs:
        typ, off, size = s[1], s[4], s[5]
        if typ == 2:                                   # SHT_SYMTAB
            syms += [off + 16 * i for i in range(size // 16)]
        elif typ == 3:                                 # SHT_STRTAB
            strs.append((off, size))
    return {"ph": [phoff + 32 * i for i in range(phnum)],
            "sh": [shoff + 40 * i for i in range(shnum)], "sym": syms, "str": strs}


elf_edits = st.lists(st.tuples(st.sampled_from(ELF_EDITS), st.integers(0, 4000),
                               st.integers(0, 40), st.booleans(), u32, st.integers(-64, 64)),
                     min_size=1, max_size=4)


def _set_field(data: bytearray, pos: int, fmt: str, relative: bool, value: int, delta: int):
    if pos + struct.calcsize(fmt) > len(data):
        return
    bits = 8 * struct.calcsize(fmt)
    old = struct.unpack_from("<" + fmt, data, pos)[0]
    new = (old + delta) if relative else value
    struct.pack_into("<" + fmt, data, pos, new % (1 << bits))


def mutate_elf(seed: tuple[bytes, dict], edits, flip_list) -> bytes:
    raw, lay = seed
    data = bytearray(raw)
    for kind, a, b, relative, value, delta in edits:
        if kind == "ehdr":
            pos, fmt = EHDR[b % len(EHDR)]
            _set_field(data, pos, fmt, relative, value, delta)
        elif kind in ("phdr", "shdr", "sym"):
            bases = lay[{"phdr": "ph", "shdr": "sh", "sym": "sym"}[kind]]
            fields = {"phdr": PHDR, "shdr": SHDR, "sym": SYM}[kind]
            if bases:
                off, fmt = fields[b % len(fields)]
                _set_field(data, bases[a % len(bases)] + off, fmt, relative, value, delta)
        elif kind == "strtab" and lay["str"]:
            off, size = lay["str"][b % len(lay["str"])]
            if size:
                pos = off + a % size
                if pos < len(data):
                    data[pos] = 0x41 if relative else value & 0xFF   # 'A': a string's NUL gone
        elif kind == "truncate":
            cut = value % (len(data) + 1) if relative else a * len(data) // 4001
            del data[cut:]
            if not data:
                break
        elif kind == "extend":
            data += bytes([value & 0xFF]) * (a % 257)
    for pos, val in flip_list:
        if data:
            data[pos % len(data)] = val
    return bytes(data)


def elf_seeds(cache: Path) -> list[tuple[str, bytes, str]]:
    """(name, ELF bytes, board) of real programs the project builds: a C program with the
    start-up code and C library (hello.c, stm32f4), the memory-map probe on the F7 (DTCM and
    SRAM, memmap.c) and an assembly program without start-up code on the M0+ (faults.S)."""
    from mcusim.boards import load_board
    from mcusim.firmware import build_elf
    tests = REPO / "firmware" / "tests"
    out = []
    for name, board, startup in (("hello.c", "stm32f4", True), ("memmap.c", "stm32f746", True),
                                 ("faults.S", "rp2040", False)):
        elf = cache / f"fuzz-{Path(name).stem}-{board}.elf"
        if not elf.is_file():
            build_elf([tests / name], load_board(board), elf, startup=startup)
        out.append((name, elf.read_bytes(), board))
    return out


def _raised_in_mcusim(e: BaseException) -> bool:
    tb = e.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and "/mcusim/" in tb.tb_frame.f_code.co_filename.replace("\\", "/")


def check_elf(data: bytes, ctx: dict) -> None:
    """ctx: 'path' (a scratch file), 'board' (a Board)."""
    from mcusim.sim import memory
    from mcusim.sim.elf import load_elf
    from mcusim.errors import BadInput
    ctx["path"].write_bytes(data)
    try:
        elf = load_elf(ctx["path"])
    except BadInput as e:
        # load_elf refuses whatever pyelftools raises on a corrupt file (its catch-all); an
        # exception raised in mcusim's own code behind that refusal is still a bug.
        inner = e.__context__
        if inner is not None and not isinstance(inner, BadInput) and _raised_in_mcusim(inner):
            raise inner from None
        raise
    memory.check_placement(elf, ctx["board"])
    for s in elf.sections[:8]:          # what a report asks of an accepted ELF
        elf.symbolize(s.address)
        elf.section_at(s.address)


# --- TOML (board, budget, register map) ----------------------------------------------------------

VALUES = [0, 1, -1, 7, 1024, 0x400, 0x08000000, 0x20000000, 0xE0000000, 0xFFFFFFFF, 1 << 32,
          (1 << 63) - 1, -(1 << 63), 0.0, -0.0, 0.5, -1.5, 1e308, math.inf, -math.inf, math.nan,
          "", "x", "stm32f4", "flash", "ram", "pl011", "stm32", "rp2040", "nrf52", "../x.toml",
          "/", "80MHz", "auto", " ", "a" * 300, "\u00e9\u4e2d", True, False, [], [0], [1, 2],
          [[0, 1]], ["a", "b"], [[1, 2], [3, 4]], {}, {"a": 1}, {"name": "x"},
          datetime.date(2020, 1, 1), datetime.time(12, 0),
          datetime.datetime(2020, 1, 1, 0, 0)]
SNIPPETS = ["[[memory]]\n", "[[budget]]\n", "[[peripheral]]\n", "[power]\n", "= ", "\"", "'''",
            "{", "}", "[", "]", ",", "\n", "#", "\x00", "a.b.c = 1\n", "x = 1\n", "[a]\n[a]\n",
            "key = \"", "= [\n", "\\u0000", "0x", "1e999", "inf", "nan", "=", "\t", "\r\n"]
TOML_EDITS = ["set", "tweak", "delete", "add", "wrap", "dup", "swap", "unwrap"]
TEXT_EDITS = ["flip", "truncate", "drop_line", "dup_line", "insert"]

toml_values = st.one_of(st.sampled_from(VALUES), st.integers(), st.text(max_size=12),
                        st.floats(allow_nan=True))
toml_edits = st.lists(st.tuples(st.sampled_from(TOML_EDITS), st.integers(0, 100000),
                                st.integers(0, 100000), toml_values), max_size=4)
text_edits = st.lists(st.tuples(st.sampled_from(TEXT_EDITS), st.integers(0, 1 << 20),
                                st.integers(0, 255), st.sampled_from(SNIPPETS)), max_size=3)


def _slots(node, out: list) -> list:
    """Every (container, key) of a parsed TOML tree, tables and arrays alike, in a fixed order."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for k, v in items:
        out.append((node, k))
        if isinstance(v, (dict, list)):
            _slots(v, out)
    return out


def _keys(node, out: set) -> set:
    if isinstance(node, dict):
        out.update(node)
    for v in (node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()):
        _keys(v, out)
    return out


def _tweak(v, b: int):
    if isinstance(v, bool):
        return not v
    if isinstance(v, int):
        return (v + b - 50, -v, v * 2 + 1, v >> 1, v << 31, v - 1)[b % 6]
    if isinstance(v, float):
        return (v * 1e300, -v, v / 1e300, v + 1.0)[b % 4]
    if isinstance(v, str):
        return (v[:b % (len(v) + 1)], v + v, v.upper(), v[::-1])[b % 4]
    return v


def mutate_toml(seed: tuple[str, dict, list], edits, text_list) -> bytes | None:
    """The seed's tree with the edits, written by tomlkit, then the text edits. With no tree
    edits the seed's own text is used (comments, number style and all)."""
    import tomlkit
    text, tree, keys = seed
    if edits:
        tree = copy.deepcopy(tree)
        for kind, a, b, value in edits:
            value = copy.deepcopy(value)        # never the strategy's own list or table
            slots = _slots(tree, [])
            if not slots:
                tree["x"] = value
                continue
            node, key = slots[a % len(slots)]
            if kind == "set":
                node[key] = value
            elif kind == "tweak":
                node[key] = _tweak(node[key], b)
            elif kind == "delete":
                del node[key]
            elif kind == "add":
                target = node[key] if isinstance(node[key], dict) else node
                name = keys[b % len(keys)] if b % 3 else f"unknown_{b}"
                if isinstance(target, dict):
                    target[name] = value
                else:
                    target.append(value)
            elif kind == "wrap":
                node[key] = [node[key]] if b % 2 else {keys[b % len(keys)]: node[key]}
            elif kind == "unwrap" and isinstance(node[key], (dict, list)) and node[key]:
                inner = node[key]
                node[key] = next(iter(inner.values())) if isinstance(inner, dict) else inner[0]
            elif kind == "dup" and isinstance(node[key], list) and node[key]:
                node[key].append(copy.deepcopy(node[key][b % len(node[key])]))
            elif kind == "swap":
                other, okey = slots[b % len(slots)]
                node[key], other[okey] = copy.deepcopy(other[okey]), copy.deepcopy(node[key])
        try:
            text = tomlkit.dumps(tree)
        except Exception:      # noqa: BLE001 - a tree tomlkit cannot write: nothing to fuzz
            return None
    data = bytearray(text.encode("utf-8"))
    for kind, pos, val, snippet in text_list:
        if kind == "flip" and data:
            data[pos % len(data)] = val
        elif kind == "truncate":
            del data[pos % (len(data) + 1):]
        elif kind in ("drop_line", "dup_line"):
            lines = bytes(data).split(b"\n")
            i = pos % len(lines)
            lines[i:i + 1] = [] if kind == "drop_line" else [lines[i], lines[i]]
            data = bytearray(b"\n".join(lines))
        elif kind == "insert":
            at = pos % (len(data) + 1)
            data[at:at] = snippet.encode("utf-8")
    return bytes(data)


# Every key a budget entry may have, with a value of the right type (budget_file.py).
BUDGET_ALL_KEYS = """\
tolerance = 0.05

[[budget]]
name = "every key"
target = "model.tflite"
board = "stm32f4"
tolerance = 0.02
clock = "80MHz"
kernels = "optimized"
seed = 3
input = "x.npy"
max_cycles = 1_200_000
max_arena_bytes = 16000
max_flash_bytes = 50512
max_ram_bytes = 35256
max_stack_bytes = 564
max_energy_uj = 85.5

[budget.layers]
CONV_2D = 7404745
0 = 1000

[budget.functions]
main = 123456

[[budget]]
target = "../models/kws_ref_model.tflite"
board = "board.toml"
clock = 48000000
max_cycles = 100
"""


def toml_seeds(kind: str) -> list[tuple[str, Path | str]]:
    """(name, path or text) of the real files a kind is seeded from."""
    if kind == "board":
        return [(p.name, p) for p in sorted((REPO / "boards").glob("*.toml"))]
    if kind == "regmap":
        return [(p.name, p) for p in sorted((REPO / "boards" / "svd").glob("*.toml"))]
    return [("budgets.toml", REPO / "examples" / "budgets.toml"),
            ("every-key.toml", BUDGET_ALL_KEYS)]


def budget_dir(root: Path) -> Path:
    """A folder laid out like examples/ for the budget seeds: the targets, input and board file
    they name exist, so the reader gets past them to the rest of the entry."""
    d = root / "budgets"
    d.mkdir(parents=True, exist_ok=True)
    (root / "models").mkdir(exist_ok=True)
    (root / "models" / "kws_ref_model.tflite").write_bytes(b"TFL3")
    for name in ("model.tflite", "x.npy"):
        (d / name).write_bytes(b"\0")
    (d / "board.toml").write_text((REPO / "boards" / "stm32f4.toml").read_text())
    return d / "budgets.toml"


def check_board(data: bytes, ctx: dict) -> None:
    from mcusim.boards import load_board
    from mcusim.sim.linker import linker_script
    ctx["path"].write_bytes(data)
    board = load_board(ctx["path"])
    board.describe_memories()
    board.flash, board.ram
    linker_script(board)                # what build_elf writes from a user's board


def check_budget(data: bytes, ctx: dict) -> None:
    from mcusim import budget_file
    ctx["path"].write_bytes(data)
    budget_file.load(ctx["path"])


def check_regmap(data: bytes, ctx: dict) -> None:
    """As svd.install: load_register_file (a refusal is a one-line warning), then the pages."""
    from mcusim.errors import BadInput
    from mcusim.sim.svd_files import load_register_file
    ctx["path"].write_bytes(data)
    regfile, note = load_register_file(replace(ctx["board"], svd=str(ctx["path"])))
    if regfile is None:
        assert note and "\n" not in note, note
        raise BadInput(note)
    regfile.pages(ctx["board"])
    for start, _, _ in regfile.blocks[:4]:
        regfile.name(start)


# --- .npy / .npz ---------------------------------------------------------------------------------

DESCRS = ["|i1", "<f4", "<f8", "<f2", ">f4", "|u1", "<i4", "|b1", "|O", "<c8", "|V4", "<U3",
          "|S2", "<M8[s]", "f4", "i1", "", "zz", "|i1,|i1", "[('a', '|i1')]", "0", "None"]
SHAPES = ["(1, 49, 10, 1)", "(490,)", "(49, 10)", "()", "(0,)", "(-490,)", "(490", "490",
          "(1e3,)", "(10000000000000,)", "(4294967295, 4294967295)", "(True,)", "('a',)",
          "(490.0,)", "[490]", "(1, 49, 10, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)",
          "(2**40,)", "(490L,)", "None"]
ORDERS = ["False", "True", "0", "1", "None", "'no'"]
NPY_EDITS = ["descr", "shape", "order", "extra_key", "drop_key", "header_text", "version",
             "header_len", "data_trunc", "data_extend", "npz_names", "npz_count", "npz_store"]

npy_edits = st.lists(st.tuples(st.sampled_from(NPY_EDITS), st.integers(0, 1 << 16),
                               st.integers(0, 255), st.sampled_from(SNIPPETS)), max_size=4)


def _npy(header: bytes, version: tuple[int, int], body: bytes, hlen: int | None = None) -> bytes:
    fixed = 10 if version == (1, 0) else 12          # magic, version, header length
    h = header + b" " * ((-(len(header) + fixed + 1)) % 64) + b"\n"
    n = len(h) if hlen is None else hlen
    size = struct.pack("<H", n % 65536) if version == (1, 0) else struct.pack("<I", n % (1 << 32))
    return b"\x93NUMPY" + bytes(version) + size + h + body


def npy_seed_arrays() -> list[tuple[str, dict]]:
    """(name, {member: array}) seeds: the KWS input (1x49x10x1) as int8 and float32, one .npy
    each, and a two-member .npz; a float64 array in Fortran order."""
    rng = np.random.default_rng(0)
    x8 = rng.integers(-128, 128, (1, 49, 10, 1), dtype=np.int64).astype(np.int8)
    xf = rng.uniform(-2, 2, (1, 49, 10, 1)).astype(np.float32)
    return [("int8.npy", {"": x8}), ("float32.npy", {"": xf}),
            ("fortran.npy", {"": np.asfortranarray(rng.uniform(-1, 1, (49, 10)))}),
            ("two.npz", {"a.npy": x8, "b.npy": xf})]


def mutate_npy(seed: tuple[str, dict], edits, flip_list) -> bytes:
    """The seed's .npy (or each .npz member) written with a header dict that the edits change,
    then raw byte flips of the whole file."""
    name, arrays = seed
    members = []
    for mname, x in arrays.items():
        buf = io.BytesIO()
        np.save(buf, x)
        members.append([mname, x, buf.getvalue()])
    store = zipfile.ZIP_STORED
    for kind, a, b, snippet in edits:
        m = members[a % len(members)]
        x = m[1]
        d = {"descr": np.lib.format.dtype_to_descr(x.dtype).__repr__(),
             "fortran_order": str(x.flags.f_contiguous and not x.flags.c_contiguous),
             "shape": repr(x.shape)}
        body = m[2][-x.nbytes:] if x.nbytes else b""
        version, hlen, extra = (1, 0), None, ""
        if kind == "descr":
            d["descr"] = repr(DESCRS[b % len(DESCRS)]) if b % 5 else DESCRS[b % len(DESCRS)]
        elif kind == "shape":
            d["shape"] = SHAPES[b % len(SHAPES)]
        elif kind == "order":
            d["fortran_order"] = ORDERS[b % len(ORDERS)]
        elif kind == "extra_key":
            extra = f"'k{b}': {snippet!r}, "
        elif kind == "drop_key":
            d.pop(sorted(d)[b % 3])
        elif kind == "version":
            version = [(1, 0), (2, 0), (3, 0), (0, 0), (4, 0), (1, 1), (255, 255)][b % 7]
        elif kind == "header_len":
            hlen = (0, 1, 10, 63, 64, 118, 119, 128, 65535, a)[b % 10]
        elif kind == "data_trunc":
            body = body[:a % (len(body) + 1)]
        elif kind == "data_extend":
            body = body + bytes([b]) * (a % 300)
        elif kind == "npz_names" and len(members) > 1:
            m[0] = ("a", "b.npy", "dir/a.npy", "../x.npy", "", "a.npy")[b % 6]
        elif kind == "npz_count" and len(members) > 1:
            if b % 2:
                members.pop(a % len(members))
            else:
                members.append(list(m))
            continue
        elif kind == "npz_store":
            store = zipfile.ZIP_DEFLATED if b % 2 else zipfile.ZIP_STORED
            continue
        text = "{" + ", ".join(f"'{k}': {v}" for k, v in d.items()) + ", " + extra + "}"
        header = text.encode("latin1", "replace")
        if kind == "header_text":
            at = a % (len(header) + 1)
            header = header[:at] + snippet.encode("utf-8") + header[at + b % 4:]
        m[2] = _npy(header, version if version[0] < 256 else (1, 0), body, hlen)
    if name.endswith(".npy"):
        data = bytearray(members[0][2])
    else:
        buf = io.BytesIO()
        with warnings.catch_warnings(), zipfile.ZipFile(buf, "w", store) as z:
            warnings.simplefilter("ignore")         # duplicate member names are an edit
            for mname, _, raw in members:
                z.writestr(mname or "x", raw)
        data = bytearray(buf.getvalue())
    for pos, val in flip_list:
        if data:
            data[pos % len(data)] = val
    return bytes(data)


def npy_ports(name: str):
    from mcusim.compiler.modelio import Port
    p8 = Port("input_1", 0, (1, 49, 10, 1), "int8", 0.5, 0)
    pf = Port("input_f", 1, (1, 49, 10, 1), "float32", 0.1, -3, offset=490)
    if name.endswith(".npz"):
        return [p8, pf]
    return [pf if name.startswith("float") else p8]


def check_npy(data: bytes, ctx: dict) -> None:
    """As `mcusim run --input`: read_arrays, then each array to the firmware's int8."""
    from mcusim.compiler import modelio
    ctx["path"].write_bytes(data)
    ports = ctx["ports"]
    arrays = modelio.read_arrays(ctx["path"], ports)
    for p, x in zip(ports, arrays):
        modelio.to_firmware(p, x)


# --- one table for the tests and the bench -------------------------------------------------------

def setup(kind: str, root: Path, cache: Path | None = None) -> list[tuple[str, object, dict]]:
    """(seed name, seed, ctx) for every seed of `kind`; scratch files go in `root`, built ELFs
    in `cache` (default: root)."""
    from mcusim.boards import load_board
    root.mkdir(parents=True, exist_ok=True)
    if kind == "elf":
        return [(name, (raw, elf_layout(raw)), {"path": root / "fuzz.elf",
                                                "board": load_board(board)})
                for name, raw, board in elf_seeds(cache or root)]
    if kind == "npy":
        return [(name, (name, arrays), {"path": root / ("fuzz" + name[-4:]),
                                        "ports": npy_ports(name)})
                for name, arrays in npy_seed_arrays()]
    out = []
    for name, src in toml_seeds(kind):
        if isinstance(src, Path):
            src = src.read_text()
        tree = tomllib.loads(src)
        seed = (src, tree, sorted(_keys(tree, set())))
        ctx = {"path": budget_dir(root) if kind == "budget" else root / f"fuzz-{kind}.toml"}
        if kind == "regmap":
            ctx["board"] = load_board("stm32f4")
        out.append((name, seed, ctx))
    return out


STRATEGIES = {"elf": (elf_edits, flips), "npy": (npy_edits, flips),
              "board": (toml_edits, text_edits), "budget": (toml_edits, text_edits),
              "regmap": (toml_edits, text_edits)}
MUTATE = {"elf": mutate_elf, "npy": mutate_npy, "board": mutate_toml, "budget": mutate_toml,
          "regmap": mutate_toml}
CHECK = {"elf": check_elf, "npy": check_npy, "board": check_board, "budget": check_budget,
         "regmap": check_regmap}


def run_one(kind: str, seed, ctx: dict, edits, extra, deadline: float = 10.0) -> bool | None:
    """Mutate and check one input: True accepted, False refused (McusimError, one line), None
    nothing to check. Anything else (an exception, a warning, Hang) propagates: an internal
    error."""
    from mcusim.errors import McusimError
    data = MUTATE[kind](seed, edits, extra)
    if data is None:
        return None
    try:
        # A warning would be a second line on the terminal: an error here.
        with guard(deadline), warnings.catch_warnings():
            warnings.simplefilter("error")
            CHECK[kind](data, ctx)
    except McusimError as e:
        if "\n" in str(e):
            raise AssertionError(f"refusal on more than one line: {str(e)!r}") from None
        return False
    return True
