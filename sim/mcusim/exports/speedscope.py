"""speedscope file format (https://www.speedscope.app/file-format-schema.json): one "sampled"
profile whose samples are the profiler's call stacks (root first) weighted by self cycles."""
from __future__ import annotations

import json

from mcusim import __version__

SCHEMA = "https://www.speedscope.app/file-format-schema.json"


def _stacks(result) -> list[tuple[list[str], int]]:
    if result.stacks:
        return [(list(s["stack"]), int(s["cycles"])) for s in result.stacks
                if s.get("stack") and int(s.get("cycles", 0)) > 0]
    # No call tree recorded: a flat profile of self cycles still shows where time went.
    return [([f.name], f.self_cycles) for f in result.functions if f.self_cycles > 0]


def build(result) -> dict:
    frames: list[dict] = []
    index: dict[str, int] = {}
    merged: dict[tuple[int, ...], int] = {}
    for stack, cycles in _stacks(result):
        key = []
        for name in stack:
            if name not in index:
                index[name] = len(frames)
                frames.append({"name": name})
            key.append(index[name])
        merged[tuple(key)] = merged.get(tuple(key), 0) + cycles
    samples = [list(k) for k in merged]
    weights = list(merged.values())
    title = f"{result.target or result.elf or 'run'} on {result.board} (cycles)"
    return {
        "$schema": SCHEMA,
        "shared": {"frames": frames},
        "profiles": [{
            "type": "sampled", "name": title, "unit": "none",
            "startValue": 0, "endValue": sum(weights),
            "samples": samples, "weights": weights,
        }],
        "name": title,
        "activeProfileIndex": 0,
        "exporter": f"mcusim {__version__}",
    }


def render(result) -> str:
    return json.dumps(build(result), separators=(",", ":")) + "\n"
