"""Bounded fuzz of the input files a user hands mcusim (tests/input_fuzz.py): ELF (load_elf and
placement on the board), board, budget and register-map TOML, .npy/.npz model inputs. Every
mutant is accepted or refused with a McusimError on one line; any other exception, a warning or
a hang (10 s per input) fails. About 20 s per kind, derandomized. The long run:
bench/fuzz_inputs.py. Below: the regressions the fuzzing found, each with its minimal input."""
from __future__ import annotations

import io
import shutil
import struct
import warnings

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import input_fuzz  # noqa: E402
from mcusim.errors import BadInput  # noqa: E402

# Examples per kind: about 20 s each on one core of the development machine.
EXAMPLES = {"elf": 2000, "board": 4000, "budget": 4000, "regmap": 2500, "npy": 8000}


@pytest.fixture(scope="session")
def fuzz_seeds(tmp_path_factory):
    cache: dict = {}

    def get(kind: str):
        if kind == "elf" and shutil.which("arm-none-eabi-gcc") is None:
            pytest.skip("arm-none-eabi-gcc not installed (the ELF seeds are built)")
        if kind not in cache:
            cache[kind] = input_fuzz.setup(kind, tmp_path_factory.mktemp(f"fuzz-{kind}"))
        return cache[kind]
    return get


@pytest.mark.parametrize("kind", input_fuzz.KINDS)
def test_mutated_inputs_are_accepted_or_refused_in_one_line(kind, fuzz_seeds):
    seeds = fuzz_seeds(kind)
    strat_a, strat_b = input_fuzz.STRATEGIES[kind]

    @settings(max_examples=EXAMPLES[kind], deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.integers(0, len(seeds) - 1), strat_a, strat_b)
    def one(i, a, b):
        _, seed, ctx = seeds[i]
        input_fuzz.run_one(kind, seed, ctx, a, b)

    one()


# --- regressions found by the fuzzing ------------------------------------------------------------

def _regmap(tmp_path, text: str):
    from dataclasses import replace

    from mcusim.boards import load_board
    from mcusim.sim.svd_files import load_register_file
    p = tmp_path / "map.toml"
    p.write_text(text)
    return load_register_file(replace(load_board("stm32f4"), svd=str(p)))


@pytest.mark.parametrize("text", [
    "device = \n",                                   # any TOML error: was a TypeError (the
                                                     # except clause named a tuple in a tuple)
    "device = \"x\"\nperipheral = [1]\n",            # a peripheral that is not a table
    "device = \"x\"\n[[peripheral]]\nderived_from = []\n",          # unhashable derived_from
    "device = \"x\"\n[[peripheral]]\nname = \"A\"\nbase = -4096\nsize = 1024\nsource = \"s\"\n"
    "registers = []\n",                                              # negative base
    "device = \"x\"\n[[peripheral]]\nname = \"A\"\nbase = 0x40000000\nsize = 0\nsource = \"s\"\n"
    "registers = []\n",                                              # empty block
    "device = \"x\"\n[[peripheral]]\nname = \"A\"\nbase = 0x40000000\nsize = 1024\n"
    "source = \"s\"\nregisters = [[\"R\", 0, true, 0]]\n",           # a bool as reset value
])
def test_register_map_refused_in_one_line(tmp_path, text):
    regfile, note = _regmap(tmp_path, text)
    assert regfile is None and note.startswith("register map ") and "\n" not in note, note


def test_npy_version_3_is_read(tmp_path):
    """numpy 2 has no numpy.lib.format._read_array_header: a 3.0 .npy was an AttributeError."""
    from mcusim.compiler.modelio import Port, read_arrays
    port = Port("input_1", 0, (1, 49, 10, 1), "int8", 0.5, 0)
    x = np.arange(490, dtype=np.int64).astype(np.int8).reshape(1, 49, 10, 1)
    buf = io.BytesIO()
    np.lib.format.write_array(buf, x, version=(2, 0))
    data = bytearray(buf.getvalue())
    data[6] = 3                                      # 3.0: the 2.0 layout, a UTF-8 header
    (tmp_path / "x.npy").write_bytes(bytes(data))
    assert (read_arrays(tmp_path / "x.npy", [port])[0] == x).all()


def test_float64_input_beyond_float32_clamps_without_warning():
    """A float64 input of 1e300 quantizes to 127 (as any large value) with no numpy overflow
    RuntimeWarning on the terminal."""
    from mcusim.compiler.modelio import Port, to_firmware
    port = Port("input_1", 0, (2,), "float32", 0.1, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        q = to_firmware(port, np.array([1e300, -1e300]))
    assert q.tolist() == [127, -128]


def test_symtab_of_another_type_refused_by_name(tmp_path, firmware):
    """A section named .symtab that is not a symbol table was an AttributeError in load_elf,
    hidden behind "truncated or corrupt ELF file (AttributeError)"."""
    from mcusim.sim.elf import load_elf
    raw = bytearray(firmware("hello.c").read_bytes())
    lay = input_fuzz.elf_layout(bytes(raw))
    for sh in lay["sh"]:
        if struct.unpack_from("<I", raw, sh + 4)[0] == 2:         # SHT_SYMTAB -> SHT_PROGBITS
            struct.pack_into("<I", raw, sh + 4, 1)
    (tmp_path / "x.elf").write_bytes(bytes(raw))
    with pytest.raises(BadInput, match=r"section \.symtab has type SHT_PROGBITS, not a symbol "
                                       r"table") as e:
        load_elf(tmp_path / "x.elf")
    assert "\n" not in str(e.value)
