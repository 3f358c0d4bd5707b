"""The one table a chaos run ends with."""

from __future__ import annotations

from tests.chaos.tally import Row

SHOWN = 10  # problems listed per row; the kept logs hold the rest

HEADERS = (
    "scenario",
    "submitted",
    "succeeded",
    "failed (by code)",
    "lost",
    "duplicate stage outputs",
    "check",
)


def _cells(row: Row) -> tuple[str, ...]:
    ended = [f"{code}:{count}" for code, count in sorted(row.failed.items())]
    if row.canceled:
        ended.append(f"canceled:{row.canceled}")
    return (
        row.scenario,
        str(row.submitted),
        str(row.succeeded),
        ", ".join(ended) or "0",
        str(row.lost),
        str(row.duplicates),
        "ok" if row.ok else "FAIL",
    )


def render(rows: list[Row]) -> str:
    """Every row's notes, then the table, then the problems: what CI prints last is what a
    reader of a failed run's tail needs."""
    table = [HEADERS, *(_cells(row) for row in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADERS))]
    lines = [f"  {row.scenario}: {note}" for row in rows for note in row.notes]
    lines.extend(
        " | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in table
    )
    lines.insert(len(lines) - len(rows), "-+-".join("-" * w for w in widths))
    for row in rows:
        for problem in row.problems[:SHOWN]:
            lines.append(f"  {row.scenario}: PROBLEM {problem}")
        if len(row.problems) > SHOWN:
            lines.append(f"  {row.scenario}: … and {len(row.problems) - SHOWN} more problems")
    return "\n".join(lines)
