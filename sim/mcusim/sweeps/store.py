"""Results streamed to disk as points finish (JSON lines, one record a line), so a sweep that is
interrupted (Ctrl-C, a killed job) keeps every finished point and `--resume` skips them."""
from __future__ import annotations

import json
from pathlib import Path

from mcusim.errors import BadInput
from mcusim.files import output_file


def default_path(sweep_file: str | Path) -> Path:
    p = Path(sweep_file)
    return p.with_name(p.stem + ".results.jsonl")


def read(path: Path) -> dict[str, dict]:
    """key -> record of the finished points in a results file (a line cut short by a kill is
    skipped: that point runs again)."""
    done: dict[str, dict] = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if isinstance(rec, dict) and isinstance(rec.get("key"), str) and "status" in rec:
                    done[rec["key"]] = rec
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError) as e:
        raise BadInput(f"results file {path}: cannot read: "
                       f"{getattr(e, 'strerror', None) or e}") from None
    return done


class Writer:
    """Appends one record a line and flushes it at once (a kill loses at most that line)."""

    def __init__(self, path: Path, resume: bool):
        output_file(path, "results file")
        try:
            self.f = open(path, "a" if resume else "w", encoding="utf-8")
            if resume and self.f.tell() and not _ends_line(path):
                self.f.write("\n")      # a kill cut the last line: start a new one after it
        except OSError as e:
            raise BadInput(f"results file {path}: {e.strerror or e}") from None

    def write(self, rec: dict) -> None:
        self.f.write(json.dumps(rec, separators=(",", ":")) + "\n")
        self.f.flush()

    def close(self) -> None:
        self.f.close()


def _ends_line(path: Path) -> bool:
    with open(path, "rb") as f:
        f.seek(-1, 2)
        return f.read(1) == b"\n"
