"""Ship boards/, profiles/, firmware/ and models/ inside the wheel as mcusim/_data/.

A source checkout reads them from the repository root instead (see mcusim.paths).
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DATA_DIRS = ("boards", "profiles", "firmware", "models")


class BuildPyWithData(build_py):
    def run(self):
        super().run()
        root = Path(__file__).resolve().parent
        dest = Path(self.build_lib) / "mcusim" / "_data"
        for name in DATA_DIRS:
            src = root / name
            if src.is_dir():
                shutil.copytree(src, dest / name, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("build", "*.o", "*.elf", "__pycache__"))


setup(cmdclass={"build_py": BuildPyWithData})
