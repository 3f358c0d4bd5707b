"""The table ``make chaos`` ends with, read as CI prints it: only its last lines."""

from __future__ import annotations

from tests.chaos.report import render
from tests.chaos.tally import Row


def test_a_failed_runs_problems_and_table_come_after_every_note() -> None:
    passed = Row("1 passes", submitted=3, succeeded=3, notes=["a note"] * 30)
    failed = Row("2 fails", submitted=3, succeeded=3, problems=["job_1 ran stt twice"])
    lines = render([failed, passed]).splitlines()

    assert lines[-1] == "  2 fails: PROBLEM job_1 ran stt twice"
    table = lines[-5:-1]
    assert table[0].startswith("scenario")
    assert set(table[1]) <= {"-", "+"}
    assert table[2].startswith("2 fails")
    assert table[2].rstrip().endswith("FAIL")
    assert table[3].startswith("1 passes")
    assert table[3].rstrip().endswith("ok")
    assert lines[:30] == ["  1 passes: a note"] * 30
