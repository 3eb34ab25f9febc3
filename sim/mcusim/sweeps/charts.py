"""The sweep page's two charts as SVG text, drawn by matplotlib (extra `mcusim[plot]`):
latency against energy with the Pareto front, and each board's flash and RAM headroom."""
from __future__ import annotations

import io
from pathlib import Path

from mcusim.errors import BadInput

MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h", "p"]


def require() -> None:
    """Checked before a sweep starts, so a missing extra never costs the user the sweep."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise BadInput("--html: the charts need matplotlib; install the extra: "
                       "pip install 'mcusim[plot]'") from None


def _svg(fig) -> str:
    import matplotlib
    buf = io.StringIO()
    # Fixed ids and no date: the same sweep gives the same page.
    with matplotlib.rc_context({"svg.hashsalt": "mcusim-sweep", "svg.fonttype": "none"}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _colours(names: list[str]) -> dict[str, str]:
    import matplotlib
    cmap = matplotlib.colormaps["tab10"]
    return {n: matplotlib.colors.to_hex(cmap(i % 10)) for i, n in enumerate(names)}


def _ordered(values) -> list[str]:
    out: list[str] = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


def pareto_front(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The points no other point beats on both axes (both minimised), by increasing x."""
    front, best_y = [], float("inf")
    for x, y in sorted(set(points)):
        if y < best_y:
            front.append((x, y))
            best_y = y
    return front


def pareto_svg(rows: list[dict]) -> str:
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    ran = [r for r in rows if r["result"]]
    boards = _ordered(Path(r["board"]).stem for r in ran)
    models = _ordered(Path(r["model"]).stem for r in ran)
    colour = _colours(boards)
    marker = {m: MARKERS[i % len(MARKERS)] for i, m in enumerate(models)}
    fig = Figure(figsize=(8, 5.2))
    ax = fig.add_subplot()
    xy = []
    for r in ran:
        x, y = r["figures"]["latency_ms"], r["figures"]["energy_uj"]
        xy.append((x, y))
        c = colour[Path(r["board"]).stem]
        ax.scatter([x], [y], marker=marker[Path(r["model"]).stem], s=46, linewidths=1.4,
                   edgecolors=c, facecolors=c if r["meets"] else "none", zorder=3)
    front = pareto_front(xy)
    if len(front) > 1:
        ax.step([p[0] for p in front], [p[1] for p in front], where="post", color="#999",
                linewidth=1, zorder=2)
    if xy:
        xs, ys = [p[0] for p in xy], [p[1] for p in xy]
        if min(xs) > 0 and max(xs) / min(xs) > 20:
            ax.set_xscale("log")
        if min(ys) > 0 and max(ys) / min(ys) > 20:
            ax.set_yscale("log")
    ax.set_xlabel("latency (ms)")
    ax.set_ylabel("energy (µJ)")
    ax.grid(True, which="major", alpha=0.3)
    handles = [Line2D([], [], linestyle="", marker="o", color=colour[b], label=b) for b in boards]
    handles += [Line2D([], [], linestyle="", marker=marker[m], color="#444", label=m)
                for m in models]
    handles.append(Line2D([], [], color="#999", linewidth=1, label="Pareto front"))
    handles.append(Line2D([], [], linestyle="", marker="o", markerfacecolor="none",
                          color="#444", label="misses a requirement"))
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False,
              fontsize=8)
    return _svg(fig)


def headroom(rows: list[dict]) -> list[dict]:
    """Per (board, model): the least flash and RAM left over its points (the worst option)."""
    out: dict[tuple, dict] = {}
    for r in rows:
        res = r["result"]
        if not res:
            continue
        m = res["memory"]
        key = (Path(r["board"]).stem, Path(r["model"]).stem)
        flash = (m["flash_size"] - m["flash_used"], m["flash_size"])
        ram = (m["ram_size"] - m["ram_used"], m["ram_size"])
        cur = out.get(key)
        if cur is None:
            out[key] = {"board": key[0], "model": key[1], "flash": flash, "ram": ram}
        else:
            cur["flash"] = min(cur["flash"], flash)
            cur["ram"] = min(cur["ram"], ram)
    return list(out.values())


def headroom_svg(rows: list[dict]) -> str:
    from matplotlib.figure import Figure
    from mcusim.report.fmt import human_bytes
    bars = headroom(rows)
    colour = _colours(_ordered(b["board"] for b in bars))
    fig = Figure(figsize=(9, 0.9 + 0.32 * max(1, len(bars))))
    axes = fig.subplots(1, 2, sharey=True)
    labels = [f"{b['board']} · {b['model']}" for b in bars]
    for ax, part, title in ((axes[0], "flash", "flash left"), (axes[1], "ram", "RAM left")):
        pct = [100.0 * b[part][0] / b[part][1] if b[part][1] else 0.0 for b in bars]
        ax.barh(range(len(bars)), pct, color=[colour[b["board"]] for b in bars])
        for i, b in enumerate(bars):
            ax.text(max(pct[i], 0) + 1, i, human_bytes(b[part][0]), va="center", fontsize=7)
        ax.set_xlim(0, 125)
        ax.set_xlabel(f"{title} (% of the board's {'boot flash' if part == 'flash' else 'main SRAM'})")
        ax.axvline(0, color="#444", linewidth=0.8)
        ax.grid(True, axis="x", alpha=0.3)
    axes[0].set_yticks(range(len(bars)), labels, fontsize=8)
    axes[0].invert_yaxis()
    return _svg(fig)
