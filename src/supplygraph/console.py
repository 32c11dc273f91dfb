"""What the command line shows while it works: one progress bar (records for loads and copies;
rows, rate and time left for audits), and the audit command's output naming and closing line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from supplygraph.audit import audit_file
from supplygraph.audit.run import Summary
from supplygraph.audit.writers import format_for
from supplygraph.graph.engine.resolve import Resolver


class RowsColumn(ProgressColumn):
    """Rows done and rows per second (the bar itself advances in bytes, for a true ETA)."""

    def render(self, task: Task) -> Text:
        rows = int(task.fields.get("rows", 0))
        elapsed = task.elapsed or 0.0
        rate = rows / elapsed if elapsed > 0 else 0.0
        return Text(f"{rows:,} rows  {rate:,.0f} rows/s", style="progress.data.speed")


def _bar(console: Console, *counts: ProgressColumn) -> Progress:
    """The one bar: what is being done, the bar, the given counts, time elapsed."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        *counts,
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


PROGRESS_STEP = 1000  # records reported to the bar at a time


@contextmanager
def record_progress(
    console: Console, label: str
) -> Iterator[tuple[Callable[[int], None], Callable[[int], None]]]:
    """Callbacks for a load or a copy: advance by n records, and set the total once known."""
    with _bar(console, TextColumn("{task.completed:,} records")) as bar:
        task = bar.add_task(label, total=None)
        pending = 0

        # The bar redraws a few times a second, while a loader reports every record: a bar
        # update per record cost about 10 us, 80 s of a GLEIF-size load.
        def advance(n: int) -> None:
            nonlocal pending
            pending += n
            if pending >= PROGRESS_STEP:
                bar.advance(task, pending)
                pending = 0

        try:
            yield advance, (lambda total: bar.update(task, total=total))
        finally:
            if pending:
                bar.advance(task, pending)


@contextmanager
def audit_progress(
    console: Console, label: str
) -> Iterator[Callable[[int, int, int | None], None]]:
    """A progress callback drawing a bar with rows, rows/s and the time remaining."""
    columns = (TextColumn("{task.percentage:>3.0f}%"), RowsColumn(), TextColumn("ETA"))
    with _bar(console, *columns, TimeRemainingColumn()) as bar:
        task: TaskID | None = None

        def tick(rows: int, done: int, total: int | None) -> None:
            nonlocal task
            if task is None:
                task = bar.add_task(label, total=total)
            bar.update(task, completed=done, rows=rows)

        yield tick


def default_output(inventory: Path, fmt: str) -> Path:
    """``cameras.xlsx`` -> ``cameras.audit.csv`` in the working directory."""
    return Path.cwd() / f"{inventory.stem}.audit.{fmt}"


def run_audit(
    resolver: Resolver,
    inventory: Path,
    output: str | None,
    fmt: str | None,
    target: str | None,
    as_of: date | None,
    input_format: str | None,
    console: Console,
    raw_csv: bool = False,
) -> tuple[Summary, str]:
    """Audit ``inventory`` with a progress bar on ``console``; returns the summary and where the
    output went."""
    out: Path | None
    if output == "-":
        out = None
        kind = format_for(None, fmt)
    else:
        kind = format_for(Path(output) if output else None, fmt)
        out = Path(output) if output else default_output(inventory, kind)
    with audit_progress(console, inventory.name) as tick:
        summary = audit_file(
            resolver,
            inventory,
            out,
            kind,
            target,
            as_of,
            input_format,
            progress=tick,
            own_process=True,
            raw_csv=raw_csv,
        )
    return summary, "standard output" if out is None else str(out)


def describe(summary: Summary, where: str) -> str:
    """The closing line: counts by verdict, speed and the output's place."""
    v = summary.verdicts
    rate = summary.rows / summary.seconds if summary.seconds > 0 else 0.0
    return (
        f"{summary.rows:,} rows in {summary.seconds:.1f} s ({rate:,.0f} rows/s): "
        f"yes {v['yes']:,}, possible {v['possible']:,}, no {v['no']:,}, "
        f"unknown {v['unknown']:,}, errors {v['error']:,}; "
        f"suppliers distributing the target's products {summary.distributor_rows:,} "
        f"(target {summary.target['name']}, as of {summary.as_of}) -> {where}"
    )
