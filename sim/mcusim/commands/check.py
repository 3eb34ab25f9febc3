"""mcusim check BUDGETS.toml: run every budget's target and compare it with its limits.

Exit 0 when every limit holds, 1 when any is exceeded (or a target does not exit cleanly),
2 for a bad budget file. --update writes the measured figures back into the file.
"""
from __future__ import annotations

import math

from rich import box
from rich.table import Table
from rich.text import Text

from mcusim.budget_file import load, save, set_measured
from mcusim.budgets import Check, evaluate
from mcusim.errors import EXIT_BUDGET, BadInput, McusimError
from mcusim.report.terminal import make_console


def add_arguments(p) -> None:
    p.add_argument("budgets", metavar="BUDGETS.toml",
                   help="file of [[budget]] entries (see docs/budgets.md)")
    p.add_argument("--update", action="store_true",
                   help="write the measured figures into the file as the new budgets "
                        "(keeps comments and order)")


def _run(bf, entry):
    from mcusim.api import RunOptions, run
    try:
        return run(entry.target, entry.board, RunOptions(**entry.options))
    except McusimError as e:
        raise McusimError(f"{bf.path}: budget #{entry.number} ({entry.label}): {e}",
                          e.exit_code) from None


def _run_failure(result) -> str:
    """What went wrong with a run that faulted or exited non-zero ("" when it did not)."""
    if result.stop.reason == "exit" and result.exit_code == 0:
        return ""
    return f"run stopped: {result.stop.reason}"


def main(args) -> int:
    bf = load(args.budgets)
    console = make_console()
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), show_edge=False)
    table.add_column("target", no_wrap=True, max_width=24, overflow="ellipsis")
    table.add_column("metric", no_wrap=True, max_width=28, overflow="ellipsis")
    for name in ("budget", "measured", "headroom"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    exceeded = bad_runs = checked = updated = 0
    for entry in bf.entries:
        try:
            with console.status(f"running {entry.label} on {entry.board}…"):
                result = _run(bf, entry)
        except McusimError:
            if table.row_count:
                console.print(table)    # the entries already measured are not lost
            raise
        failure = _run_failure(result)
        if failure:
            # Its figures mean nothing: report the failure, not the limits.
            table.add_row(entry.label, failure, "exit 0", f"exit {result.exit_code}", "",
                          Text("FAILED", style="bold red"))
            bad_runs += 1
            table.add_section()
            continue
        try:
            checks = evaluate(result, entry.limits, entry.layers, entry.functions,
                              entry.tolerance)
        except BadInput as e:
            raise bf.error(str(e), entry.number) from None
        for i, c in enumerate(checks):
            table.add_row(entry.label if i == 0 else "", c.metric, c.value(c.budget),
                          c.value(c.measured), _headroom(c), _status(c))
            if args.update:
                set_measured(bf, entry, c.path, c.measured)
                updated += 1
        checked += len(checks)
        exceeded += sum(c.exceeded for c in checks)
        table.add_section()
    console.print(table)
    if args.update:
        save(bf)
        console.print(f"updated {updated} figure(s) in {bf.path}"
                      + (f"; {bad_runs} failed run(s) left as they were" if bad_runs else ""),
                      soft_wrap=True)
        return EXIT_BUDGET if bad_runs else 0
    if exceeded or bad_runs:
        runs = f"{bad_runs} run(s) failed; " if bad_runs else ""
        console.print(Text(f"{runs}{exceeded} of {checked} limits exceeded", style="bold red"))
        return EXIT_BUDGET
    console.print(Text(f"all {checked} limits hold", style="green"))
    return 0


def _headroom(c: Check) -> Text:
    h = c.headroom_pct
    text = "-∞%" if math.isinf(h) else f"{h:+.1f}%"
    return Text(text, style="red" if h < 0 else "yellow" if h < 5 else "green")


def _status(c: Check) -> Text:
    style = "bold red" if c.exceeded else "yellow" if c.measured > c.budget else "green"
    return Text(c.status, style=style)
