"""Input files a user hands mcusim (.npy/.npz model inputs, board and budget TOML): a corrupt
or hostile file is one line (BadInput), never a MemoryError, tokenize error or RecursionError."""
from __future__ import annotations

import struct
import zipfile

import numpy as np
import pytest

from mcusim.compiler.modelio import Port, read_arrays
from mcusim.errors import BadInput

PORT = Port(name="input_1", tensor=0, shape=(1, 49, 10, 1), dtype="int8", scale=0.5,
            zero_point=0)


def npy(header: str | bytes, version=(1, 0), body: bytes = b"") -> bytes:
    """A .npy file with exactly this header text (padded as numpy pads it)."""
    h = header.encode("latin1") if isinstance(header, str) else header
    h = h + b" " * ((-(len(h) + 11)) % 64) + b"\n"
    size = struct.pack("<H", len(h)) if version == (1, 0) else struct.pack("<I", len(h))
    return b"\x93NUMPY" + bytes(version) + size + h + body


def refused(tmp_path, data: bytes, *words: str, name="x.npy", ports=(PORT,)) -> str:
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(BadInput) as e:
        read_arrays(p, list(ports))
    msg = str(e.value)
    assert "\n" not in msg and all(w in msg for w in words), msg
    return msg


def test_valid_npy_and_npz_read(tmp_path):
    x = np.arange(490, dtype=np.int8).reshape(1, 49, 10, 1)
    np.save(tmp_path / "x.npy", x)
    assert (read_arrays(tmp_path / "x.npy", [PORT])[0] == x).all()
    np.savez(tmp_path / "x.npz", x.astype(np.float32))
    assert read_arrays(tmp_path / "x.npz", [PORT])[0].dtype == np.float32


@pytest.mark.parametrize("shape", ["(100000000000,)", "(1, 49, 10, 1000000000)",
                                   "(4294967295, 4294967295)"])
def test_huge_shape_refused_before_allocation(tmp_path, shape):
    data = npy("{'descr': '|i1', 'fortran_order': False, 'shape': %s, }" % shape)
    refused(tmp_path, data, "--input", "input input_1: expected shape [1, 49, 10, 1]")


def test_huge_shape_in_npz_member_refused(tmp_path):
    p = tmp_path / "x.npz"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("arr_0.npy", npy("{'descr': '<f4', 'fortran_order': False, "
                                    "'shape': (1000000000000,), }"))
    with pytest.raises(BadInput, match=r"arr_0.npy\): input input_1: expected shape"):
        read_arrays(p, [PORT])


@pytest.mark.parametrize("header", [
    "{'descr': '|i1', 'fortran_order': False, 'shape': (1, 49",         # unbalanced
    "{'descr': '|i1', 'fortran_order': False, 'shape': (490,)",          # no closing brace
    "{'descr': '|i1', 'fortran_order': False, 'shape': (490,), 'x': 1}",  # extra key
    "{'descr': 'zz9', 'fortran_order': False, 'shape': (490,), }",       # unknown dtype
    "{'descr': '|i1', 'fortran_order': 7, 'shape': (490,), }",           # bad order flag
    "{'descr': '|i1', 'fortran_order': False, 'shape': (-490,), }",      # negative dim
    "{'descr': '|i1', 'fortran_order': False, 'shape': 'abc', }",        # shape not a tuple
    "[1, 2, 3]",                                                         # not a dict
    "{'descr': '|i1', 'fortran_order': False, 'shape': (490L,), }",      # Python 2 long
    "\"\"\"unterminated",                                                # tokenize error
    "{'descr': __import__('os'), }",                                     # not a literal
    b"\xff\xfe\x00garbage",                                              # not text
    "",                                                                  # empty header
])
def test_corrupt_header_one_line(tmp_path, header):
    refused(tmp_path, npy(header), "--input")


@pytest.mark.parametrize("data", [
    b"\x93NUMPY",                                   # magic only
    b"\x93NUMPY\x01\x00\xff\xff",                   # header length past the end
    b"\x93NUMPY\x09\x00\x10\x00",                   # unknown version
    npy("{'descr': '|i1', 'fortran_order': False, 'shape': (1, 49, 10, 1), }",
        body=b"\x00" * 100),                        # data shorter than the shape
])
def test_truncated_npy_one_line(tmp_path, data):
    refused(tmp_path, data, "--input")


def test_object_dtype_header_refused_without_unpickling(tmp_path):
    data = npy("{'descr': '|O', 'fortran_order': False, 'shape': (1, 49, 10, 1), }",
               body=b"\x80\x04junk")
    refused(tmp_path, data, "object arrays need pickle")


def test_wrong_count_of_arrays(tmp_path):
    np.savez(tmp_path / "x.npz", np.zeros(490, np.int8), np.zeros(490, np.int8))
    with pytest.raises(BadInput, match="the model has 1 inputs, the file holds 2 array"):
        read_arrays(tmp_path / "x.npz", [PORT])


def test_corrupt_zip_member(tmp_path):
    np.savez_compressed(tmp_path / "x.npz", np.zeros(490, np.int8))
    data = bytearray((tmp_path / "x.npz").read_bytes())
    data[40:60] = b"\xff" * 20
    refused(tmp_path, bytes(data), "--input", name="y.npz")


# --- TOML -----------------------------------------------------------------------------------

DEEP = "a = " + "{b=" * 5000 + "1" + "}" * 5000 + "\n"


def test_board_file_nested_too_deep_is_one_line(tmp_path):
    from mcusim.boards import load_board
    p = tmp_path / "deep.toml"
    p.write_text(DEEP)
    with pytest.raises(BadInput) as e:
        load_board(str(p))
    assert "\n" not in str(e.value) and "invalid TOML" in str(e.value)


def test_budget_file_nested_too_deep_is_one_line(tmp_path):
    from mcusim import budget_file
    p = tmp_path / "deep.toml"
    p.write_text(DEEP)
    with pytest.raises(BadInput) as e:
        budget_file.load(p)
    assert "\n" not in str(e.value) and "not valid TOML" in str(e.value)
