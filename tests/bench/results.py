"""The rows every bench part reports, gathered for the suite's one table and JSON file."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Result:
    part: str
    goal: str
    ours: str
    bare: str
    ratio: str
    target: str
    # None: reported, not judged.
    ok: bool | None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


RESULTS: list[Result] = []


def pct(values: list[float], q: float) -> float:
    """The ``q`` percentile of ``values`` (nearest rank, in their own unit)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def record(
    part: str,
    goal: str,
    ours: str,
    target: str,
    ok: bool | None,
    *,
    bare: str = "",
    ratio: float | None = None,
) -> None:
    shown = "" if ratio is None else f"{ratio:.3f}"
    RESULTS.append(Result(part, goal, ours, bare, shown, target, ok))
