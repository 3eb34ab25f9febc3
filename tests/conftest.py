"""Shared fixtures: firmware test programs built with arm-none-eabi-gcc, cached per session."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mcusim.api import RunOptions, run
from mcusim.boards import load_board
from mcusim.firmware import build_elf

FIRMWARE_TESTS = Path(__file__).resolve().parent.parent / "firmware" / "tests"

needs_gcc = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None,
                               reason="arm-none-eabi-gcc not installed")


@pytest.fixture(scope="session")
def firmware(tmp_path_factory):
    """firmware(program, board="stm32f4", semihosting=True, startup=True, flags=()) -> ELF path.

    `program` is a file in firmware/tests (e.g. "hello.c"); each distinct build happens once."""
    if shutil.which("arm-none-eabi-gcc") is None:
        pytest.skip("arm-none-eabi-gcc not installed")
    root = tmp_path_factory.mktemp("firmware")
    cache: dict[tuple, Path] = {}

    def build(program: str, board: str = "stm32f4", semihosting: bool = True,
              startup: bool = True, flags: tuple[str, ...] = ()) -> Path:
        key = (program, board, semihosting, startup, tuple(flags))
        if key not in cache:
            stem = Path(program).stem + "_" + board + "_" + str(len(cache))
            cache[key] = build_elf([FIRMWARE_TESTS / program], load_board(board), root / f"{stem}.elf",
                                   extra_flags=flags, semihosting=semihosting, startup=startup)
        return cache[key]

    return build


@pytest.fixture
def run_elf():
    """run_elf(path, board="stm32f4", **options) -> RunResult, never echoing to the terminal."""
    def _run(path, board="stm32f4", **kw):
        kw.setdefault("echo_stdout", False)
        return run(path, board, RunOptions(**kw))
    return _run


def skip_without_profile(board: str) -> None:
    """Skip while the board's cost profile (profiles/<core>.toml) is not in the tree yet."""
    from mcusim.boards import tomllib
    from mcusim.paths import boards_dir, profiles_dir
    profile = tomllib.loads((boards_dir() / f"{board}.toml").read_text())["profile"]
    if not (profiles_dir() / f"{profile}.toml").exists():
        pytest.skip(f"cost profile {profile} not in profiles/ yet")
