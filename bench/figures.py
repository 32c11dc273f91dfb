"""A benchmark figure: a measured value next to a baseline measured in the same run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Figure:
    """One line of the report. ``ratio`` is ``value / baseline_value`` (None without a baseline).

    ``goal`` says in words what the ratio (or value) should be; ``note`` how it was measured.
    A figure that could not be measured honestly has ``value`` None and says why in ``note``
    (see :func:`not_measured`).
    """

    name: str
    value: float | None
    unit: str
    baseline_name: str
    baseline_value: float | None
    ratio: float | None = None
    goal: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if self.value is None:
            self.ratio = None
        elif self.ratio is None and self.baseline_value:
            self.ratio = self.value / self.baseline_value
        self.value = None if self.value is None else _round(self.value)
        self.baseline_value = None if self.baseline_value is None else _round(self.baseline_value)
        self.ratio = None if self.ratio is None else round(self.ratio, 4)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def not_measured(name: str, unit: str, baseline_name: str, goal: str, why: str) -> Figure:
    """A figure reported as "not measured" (no value, no ratio), with the reason in its note."""
    return Figure(name, None, unit, baseline_name, None, goal=goal, note=f"not measured: {why}")


def _round(x: float) -> float:
    """Four significant digits: benchmark noise is larger than that anyway."""
    return float(f"{x:.4g}")


def per_call_us(fn: Callable[[], object], repeat: int, rounds: int = 3) -> float:
    """Median over ``rounds`` of the mean microseconds per call of ``fn`` over ``repeat`` calls."""
    results = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        results.append((time.perf_counter() - start) / repeat * 1e6)
    return statistics.median(results)


def percentile(samples: list[float], q: float) -> float:
    """The ``q``-th percentile (0..100) by nearest rank; 0 for no samples."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(q / 100.0 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def markdown_table(rows: list[dict[str, Any]]) -> str:
    """The figures (as ``bench --json`` prints them) as the results table of docs/benchmarks.md.

    >>> row = {"name": "x", "value": 1500.0, "unit": "req/s", "baseline_name": "noop",
    ...        "baseline_value": 3000.0, "ratio": 0.5, "goal": "ratio >= 0.3"}
    >>> print(markdown_table([row, row | {"value": None}]))
    | figure | value | baseline (same run) | ratio | goal |
    |---|---|---|---|---|
    | `x` | 1,500 req/s | 3,000 (noop) | 0.5 | ratio >= 0.3 |
    | `x` | not measured | - | - | ratio >= 0.3 |
    <BLANKLINE>
    """
    lines = ["| figure | value | baseline (same run) | ratio | goal |", "|---|---|---|---|---|"]
    for row in rows:
        if row["value"] is None:
            value, baseline, ratio = "not measured", "-", "-"
        else:
            value = f"{_number(row['value'])} {row['unit']}"
            base = row["baseline_value"]
            baseline = "-" if base is None else f"{_number(base)} ({row['baseline_name']})"
            ratio = "-" if row["ratio"] is None else _number(row["ratio"])
        lines.append(f"| `{row['name']}` | {value} | {baseline} | {ratio} | {row['goal']} |")
    return "\n".join(lines) + "\n"


def _number(x: float) -> str:
    """Four significant digits, large numbers in full with separators (1,699, not 1.699e+04)."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"
