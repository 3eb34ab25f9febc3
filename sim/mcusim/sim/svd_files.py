"""Where a board's register file comes from, parsed once and cached.

A board names its register file with `svd = "STM32F41x"` (docs/boards.md). It is looked up as
  1. boards/svd/<name>.toml - a register map the project wrote from the reference manual, for
     boards no package carries an SVD of (each peripheral cites its section);
  2. <name>.svd in $MCUSIM_SVD_DIR, <python prefix>/share/mcusim/svd (scripts/install.sh puts
     the vendor SVDs there, see `fetch`) or the cache directory's svd/ folder;
  3. a path to an .svd/.toml file (relative to the board file).
An SVD is parsed with cmsis-svd (the `svd` extra) once; the result is cached as JSON in
mcusim.paths.cache_dir()/svd, keyed by the file's hash, so later runs load in milliseconds.
Nothing is downloaded at run time: only `python -m mcusim.sim.svd_files fetch` (install time)
does, through pip, from PyPI.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from mcusim.errors import BadInput, McusimError
from mcusim.paths import boards_dir

if TYPE_CHECKING:
    from mcusim.boards import Board
    from mcusim.sim.svd import RegisterFile

FORMAT = 1    # version of the cached JSON; bump when its layout changes

# The registry package the vendor SVDs come from (fetch): pyOCD's wheel carries a zip of SVDs.
PYOCD = "pyocd==0.46.0"
PYOCD_SVD_ZIP = "pyocd/debug/svd/svd_data.zip"


def installed_dirs() -> list[Path]:
    dirs = [Path(d) for d in os.environ.get("MCUSIM_SVD_DIR", "").split(os.pathsep) if d]
    dirs.append(Path(sys.prefix) / "share" / "mcusim" / "svd")
    return dirs


def project_dir() -> Path:
    return boards_dir() / "svd"


def resolve(board: "Board") -> Path | None:
    """The file behind board.svd, or None when it is not installed."""
    name = board.svd
    if name.endswith((".svd", ".toml")) or "/" in name:
        p = Path(name)
        if not p.is_absolute() and board.path is not None:
            p = board.path.parent / p
        return p if p.is_file() else None
    candidates = [project_dir() / f"{name}.toml", project_dir() / f"{name}.svd"]
    candidates += [d / f"{name}.svd" for d in installed_dirs()]
    try:
        from mcusim.paths import cache_dir
        candidates.append(cache_dir() / "svd" / f"{name}.svd")
    except McusimError:
        pass
    return next((p for p in candidates if p.is_file()), None)


def load_register_file(board: "Board") -> tuple["RegisterFile | None", str]:
    """(register file, "") or (None, a one-line reason for the report's warnings)."""
    from mcusim.sim.svd import RegisterFile
    path = resolve(board)
    if path is None:
        return None, (f"{board.name}: register file {board.svd!r} is not installed (scripts/"
                      f"install.sh fetches it); registers mcusim does not model fault")
    try:
        data = parse_toml(path) if path.suffix == ".toml" else cached_svd(path)
    except BadInput as e:
        return None, str(e)
    return RegisterFile(data), ""


# --- SVD (cmsis-svd) ---------------------------------------------------------------------------

def cached_svd(path: Path) -> dict:
    raw = path.read_bytes()
    key = hashlib.sha256(raw).hexdigest()[:16]
    cache = None
    try:
        from mcusim.paths import cache_dir
        cache = cache_dir() / "svd" / f"{path.stem}-{key}-v{FORMAT}.json"
        if cache.is_file():
            return json.loads(cache.read_text())
    except (McusimError, OSError, ValueError):
        cache = None
    data = parse_svd(path)
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=cache.parent, suffix=".tmp")
            with os.fdopen(fd, "w") as f:
                json.dump(data, f, separators=(",", ":"))
            os.chmod(tmp, 0o644)
            os.replace(tmp, cache)
        except OSError:
            pass                    # an unwritable cache only costs the next run a parse
    return data


def _access(*candidates) -> str:
    for a in candidates:
        if a is not None:
            return getattr(a, "value", str(a))
    return "read-write"             # CMSIS-SVD's default access


def _mask(width: int, offset: int) -> int:
    return ((1 << width) - 1) << offset


def parse_svd(path: Path) -> dict:
    try:
        from cmsis_svd.parser import SVDParser
    except ImportError:
        raise BadInput(f"{path.name}: parsing an SVD needs cmsis-svd (pip install "
                       f"'mcusim[svd]', or scripts/install.sh)") from None
    try:
        dev = SVDParser.for_xml_file(str(path)).get_device(xml_validation=False)
    except Exception as e:          # the parser raises many kinds on malformed XML
        raise BadInput(f"{path}: not a usable CMSIS-SVD file ({type(e).__name__}: "
                       f"{str(e).splitlines()[0] if str(e) else 'parse error'})") from None
    peripherals = []
    for p in dev.peripherals or []:
        base = p.base_address
        blocks = [[base + b.offset, b.size] for b in (p.address_blocks or [])] or [[base, 0x400]]
        regs = []
        for r in p.get_registers():
            bits = r.size or dev.size or 32
            full = (1 << bits) - 1
            reset = (r.reset_value or 0) & (full if r.reset_mask is None else r.reset_mask)
            reg_access = _access(r.access, p.access, dev.access)
            wmask = w1c = w0c = rzero = 0
            if r.fields:
                for f in r.fields:
                    m = _mask(f.bit_width, f.bit_offset) & full
                    acc = _access(f.access, r.access, p.access, dev.access)
                    if acc != "read-only":
                        wmask |= m
                    if acc == "write-only" or acc == "writeOnce":
                        rzero |= m
                    mwv = _access(f.modified_write_values, r.modified_write_values, "modify")
                    if mwv == "oneToClear":
                        w1c |= m
                    elif mwv == "zeroToClear":
                        w0c |= m
            else:
                wmask = 0 if reg_access == "read-only" else full
                rzero = full if reg_access in ("write-only", "writeOnce") else 0
            regs.append([r.name, base + r.address_offset, bits, reset, wmask, w1c, w0c, rzero])
        peripherals.append({"name": p.name, "blocks": blocks, "registers": regs})
    return {"format": FORMAT, "device": dev.name or path.stem, "source": path.name,
            "peripherals": peripherals}


# --- register maps written from a reference manual (boards/svd/*.toml) -------------------------

def parse_toml(path: Path) -> dict:
    from mcusim.boards import tomllib, TOMLError
    try:
        data = tomllib.loads(path.read_text())
        data = data.unwrap() if hasattr(data, "unwrap") else data
    except (*TOMLError, OSError, UnicodeDecodeError) as e:     # TOMLError is a tuple
        raise BadInput(f"register map {path}: {e}") from None
    bad = BadInput(f"register map {path}: expected device, source and [[peripheral]] tables "
                   f"with name, base, size, source and registers = [[name, offset, reset, "
                   f"writable_mask(, write_1_to_clear_mask)], ...] (docs/boards.md)")
    if not isinstance(data.get("peripheral"), list) or not isinstance(data.get("device"), str):
        raise bad
    by_name: dict[str, dict] = {}
    peripherals = []
    for p in data["peripheral"]:
        if not isinstance(p, dict) or not isinstance(p.get("derived_from", ""), str):
            raise bad
        src = by_name.get(p.get("derived_from", ""), {})
        name, base = p.get("name"), p.get("base")
        size = p.get("size", src.get("size"))
        rows = p.get("registers", src.get("registers"))
        aliases = p.get("atomic_aliases", src.get("atomic_aliases", False))
        if not (isinstance(name, str) and _uint(base) and _uint(size) and 0 < size
                and base + size <= 1 << 32
                and isinstance(rows, list) and (p.get("source") or src.get("source"))):
            raise bad
        regs = []
        for row in rows:
            if not (isinstance(row, list) and len(row) in (4, 5) and isinstance(row[0], str)
                    and all(_uint(v) for v in row[1:])):
                raise bad
            rname, off, reset, wmask, w1c = (*row, 0)[:5]
            regs.append([rname, base + off, 32, reset, wmask, w1c, 0, 0])
        if not isinstance(aliases, bool):
            raise bad
        by_name[name] = {"size": size, "registers": rows, "atomic_aliases": aliases,
                         "source": p.get("source") or src["source"]}
        peripherals.append({"name": name, "blocks": [[base, size]], "registers": regs,
                            "atomic_aliases": aliases})
    return {"format": FORMAT, "device": data["device"], "source": path.name,
            "peripherals": peripherals}


def _uint(v) -> bool:
    """A whole number 0..2**32-1 (an address, size or register value; not a bool)."""
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 1 << 32


# --- install time: fetch the vendor SVDs the boards name ---------------------------------------

def wanted_stems() -> list[str]:
    """The `svd` names of the shipped boards that no project register map provides."""
    from mcusim.boards import tomllib
    out = []
    for toml in sorted(boards_dir().glob("*.toml")):
        name = tomllib.loads(toml.read_text()).get("svd")
        if isinstance(name, str) and name and "/" not in name and \
                not (project_dir() / f"{name}.toml").is_file() and name not in out:
            out.append(name)
    return out


def fetch(dest: Path | None = None) -> list[Path]:
    """Download pyOCD's wheel (PyPI, through pip) and extract only the SVDs the boards name."""
    import subprocess
    dest = dest or installed_dirs()[-1]
    stems = [s for s in wanted_stems() if not (dest / f"{s}.svd").is_file()]
    got: list[Path] = []
    if not stems:
        return got
    with tempfile.TemporaryDirectory() as tmp:
        got_wheel = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                                    "--only-binary", ":all:", "--disable-pip-version-check",
                                    "-d", tmp, PYOCD], capture_output=True, text=True)
        if got_wheel.returncode != 0:
            raise BadInput(f"pip download {PYOCD} failed: "
                           f"{(got_wheel.stderr.strip().splitlines() or ['?'])[-1]}")
        wheel = next(Path(tmp).glob("pyocd-*.whl"))
        dest.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel) as whl, whl.open(PYOCD_SVD_ZIP) as inner_file:
            inner = zipfile.ZipFile(inner_file)
            names = set(inner.namelist())
            for stem in stems:
                if f"{stem}.svd" in names:
                    target = dest / f"{stem}.svd"
                    target.write_bytes(inner.read(f"{stem}.svd"))
                    got.append(target)
    return got


def main(argv: list[str]) -> int:
    if argv[:1] != ["fetch"]:
        print("usage: python -m mcusim.sim.svd_files fetch", file=sys.stderr)
        return 2
    try:
        fetched = fetch()
    except (BadInput, OSError, KeyError, zipfile.BadZipFile) as e:
        print(f"mcusim: error: SVD fetch: {e}", file=sys.stderr)
        return 1
    for path in fetched:
        print(f"    SVD {path.name} from {PYOCD} -> {path.parent}")
        try:
            cached_svd(path)            # parse once now, so the first run is fast
        except McusimError as e:
            print(f"    {e}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
