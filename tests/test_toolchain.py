"""run_gcc's one-line error: the compiler's or the linker's own line, not collect2's summary."""
from __future__ import annotations

import shutil

import pytest

from mcusim.errors import BuildError
from mcusim.toolchain import core_flags, run_gcc

pytestmark = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None,
                                reason="arm-none-eabi-gcc not installed")


def _build(tmp_path, source: str, *flags: str) -> str:
    src = tmp_path / "t.c"
    src.write_text(source)
    with pytest.raises(BuildError) as e:
        run_gcc([*core_flags("cortex-m4"), "-O2", str(src), "-o", str(tmp_path / "t.elf"),
                 *flags])
    return str(e.value)


def test_linker_line_named_not_collect2(tmp_path):
    msg = _build(tmp_path, "void missing(void);\nint main(void) { missing(); return 0; }\n",
                 "-nostartfiles", "-nostdlib", "-e", "main")
    assert "undefined reference to `missing'" in msg
    assert "ld returned" not in msg


def test_compile_error_line(tmp_path):
    msg = _build(tmp_path, "int main(void) { return x; }\n", "-c")
    assert "error:" in msg and "'x' undeclared" in msg
