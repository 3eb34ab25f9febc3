"""The cross-compiler: locating arm-none-eabi-gcc and the flags for each core."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from mcusim.errors import BuildError, McusimError

# -mcpu / FPU / float ABI per core name used in boards/*.toml ("core" key).
CORE_FLAGS: dict[str, list[str]] = {
    "cortex-m0plus": ["-mcpu=cortex-m0plus", "-mthumb", "-mfloat-abi=soft"],
    "cortex-m3": ["-mcpu=cortex-m3", "-mthumb", "-mfloat-abi=soft"],
    "cortex-m4": ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=soft"],
    "cortex-m4f": ["-mcpu=cortex-m4", "-mthumb", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard"],
    # Single-precision FPv5: Unicorn 2.1's Cortex-M7 model undefines double-precision VFP
    # instructions (and the STM32F746 has an SP-only FPU); doubles then use the soft-float library.
    "cortex-m7": ["-mcpu=cortex-m7", "-mthumb", "-mfpu=fpv5-sp-d16", "-mfloat-abi=hard"],
    "cortex-m33": ["-mcpu=cortex-m33", "-mthumb", "-mfpu=fpv5-sp-d16", "-mfloat-abi=hard"],
}


def gcc() -> str:
    path = shutil.which("arm-none-eabi-gcc")
    if not path:
        raise McusimError("arm-none-eabi-gcc not found: install Debian's gcc-arm-none-eabi and "
                          "libnewlib-arm-none-eabi (./setup.sh does)")
    return path


def core_flags(core: str) -> list[str]:
    try:
        flags = list(CORE_FLAGS[core])
    except KeyError:
        raise McusimError(f"unknown core {core!r}; known: {', '.join(CORE_FLAGS)}") from None
    # The kernels pick Cortex-M7 schedules at compile time (mcusim_core_is_m7), so the other
    # core's variants are not linked.
    return flags + [f"-DMCUSIM_CORE_M7={int(core == 'cortex-m7')}"]


_ERROR_WORDS = re.compile(r"error:|overflowed|undefined reference|will not fit")


def run_gcc(args: list[str], cwd: Path | None = None) -> None:
    """Run arm-none-eabi-gcc; on failure raise BuildError with the first error line."""
    proc = subprocess.run([gcc(), *args], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        err = proc.stderr.splitlines()
        # the linker's own line (a region overflowed, an undefined reference) before collect2's
        # "ld returned 1 exit status", which says only that it failed
        lines = ([l for l in err if _ERROR_WORDS.search(l) and "collect2" not in l]
                 or [l for l in err if "error" in l] or err)
        raise BuildError(f"arm-none-eabi-gcc failed: {lines[0] if lines else 'no output'}")
