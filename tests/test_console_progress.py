"""The load progress bar: records reported one by one reach the bar in steps, all of them."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from supplygraph.console import PROGRESS_STEP, record_progress


@pytest.mark.parametrize("records", [1, PROGRESS_STEP - 1, PROGRESS_STEP, 2 * PROGRESS_STEP + 501])
def test_the_bar_ends_with_every_record_reported(records: int) -> None:
    out = io.StringIO()
    with record_progress(Console(file=out, width=120), "file.xml") as (advance, _):
        for _ in range(records):
            advance(1)
    assert f"{records:,} records" in out.getvalue().splitlines()[-1]


def test_a_failed_load_shows_what_it_read_before_failing() -> None:
    out = io.StringIO()
    with (
        pytest.raises(RuntimeError),
        record_progress(Console(file=out, width=120), "f") as (
            advance,
            _,
        ),
    ):
        for _ in range(PROGRESS_STEP + 7):
            advance(1)
        raise RuntimeError("bad record")
    assert f"{PROGRESS_STEP + 7:,} records" in out.getvalue().splitlines()[-1]
