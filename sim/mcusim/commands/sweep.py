"""mcusim sweep SWEEP.toml: models x boards x option axes, ranked by an objective and checked
against requirements, on a local process pool or on Ray (docs/sweep.md)."""
from __future__ import annotations

import os
from pathlib import Path

from mcusim import files
from mcusim.commands import values
from mcusim.errors import EXIT_BUDGET, EXIT_INTERRUPTED, BadInput, McusimError

TOP = 50


def table_console(file=None):
    """The ranked table's console: a terminal's own width; piped (a CI log), wide enough that
    the rows stay whole instead of being cut at rich's default 80 columns."""
    from rich.console import Console
    out = Console(file=file)
    return out if out.is_terminal else Console(file=file, width=160)


def add_arguments(p) -> None:
    # optional for argparse only: `--ray SWEEP.toml` takes the file as the address (see main)
    p.add_argument("sweep", nargs="?",
                   help="the sweep file: models, boards, axes, requirements, objective")
    p.add_argument("--jobs", "-j", type=values.whole_number(1), default=None, metavar="N",
                   help=f"points run at once (default: the number of cores, "
                        f"{os.cpu_count() or 1} here)")
    p.add_argument("--ray", nargs="?", const="", default=None, metavar="ADDRESS",
                   help="run the points as Ray tasks (extra mcusim[ray]): a local Ray instance "
                        "(--jobs CPUs), or the cluster at ADDRESS (HOST:PORT, ray://HOST:PORT "
                        "or auto)")
    p.add_argument("--results", metavar="FILE", type=files.argparse_output("--results"),
                   help="stream each finished point here as a JSON line (default: "
                        "SWEEP.results.jsonl beside the sweep file)")
    p.add_argument("--resume", action="store_true",
                   help="keep the points already in the results file; run only the others")
    p.add_argument("--json", metavar="FILE", type=files.argparse_output("--json"),
                   help="every point with every figure of `mcusim run --json`, best first")
    p.add_argument("--csv", metavar="FILE", type=files.argparse_output("--csv"),
                   help="one row per point: axes, requirements, figures and every run field")
    p.add_argument("--html", metavar="FILE", type=files.argparse_output("--html"),
                   help="a self-contained page: Pareto plot (latency vs energy), memory "
                        "headroom per board, the ranked table (extra mcusim[plot])")
    p.add_argument("--top", type=values.whole_number(1), default=TOP, metavar="N",
                   help=f"rows shown in the terminal table (default {TOP}; files have all)")
    p.add_argument("--quiet", "-q", action="store_true", help="no table")


def main(args) -> int:
    from rich.console import Console
    from mcusim.sweeps import execute, export, spec, store
    if args.sweep is None:
        if args.ray and args.ray.lower().endswith(".toml"):
            args.sweep, args.ray = args.ray, ""          # `mcusim sweep --ray SWEEP.toml`
        else:
            raise BadInput("sweep: the following arguments are required: sweep (see "
                           "mcusim sweep --help)")
    sweep = spec.load(args.sweep)
    if args.html:
        from mcusim.sweeps import charts
        charts.require()
    if args.ray is not None:
        from mcusim.sweeps.ray_backend import import_ray
        import_ray()
    results = Path(args.results) if args.results else store.default_path(args.sweep)
    files.output_file(results, "results file")
    console = Console(stderr=True)
    try:
        records, stats = execute.execute(
            sweep, jobs=args.jobs, ray=args.ray is not None, ray_address=args.ray or None,
            results=results, resume=args.resume, progress=console.is_terminal)
    except KeyboardInterrupt:
        kept = len(store.read(results))
        raise McusimError(f"interrupted; {kept} finished point{'s' if kept != 1 else ''} kept in "
                          f"{results} (run again with --resume to skip them)",
                          EXIT_INTERRUPTED) from None
    rows = execute.rank(sweep, records)
    if not args.quiet:
        from mcusim.sweeps.table import build
        out = table_console()
        out.print(build(rows[:args.top], sweep, stats))
        if len(rows) > args.top:
            out.print(f"… {len(rows) - args.top} more points (--top, --csv, --json)")
        secs = stats["seconds"]
        rate = f", {stats['ran'] / secs:.2f} points/s" if stats["ran"] and secs > 0 else ""
        out.print(f"{stats['ran']} points run in {secs:.1f} s{rate}; results in {results}",
                  highlight=False)
    if args.json:
        files.write_text(args.json, export.render_json(rows, sweep), "--json")
    if args.csv:
        files.write_text(args.csv, export.render_csv(rows, sweep), "--csv")
    if args.html:
        from mcusim.sweeps import html
        files.write_text(args.html, html.render(rows, sweep), "--html")
    if sweep.requirements and not any(r["meets"] for r in rows):
        return EXIT_BUDGET
    return 0
