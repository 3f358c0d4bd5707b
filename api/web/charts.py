"""Chart geometry, computed here and drawn as inline SVG by ``templates/charts.html``.

No chart library and no service: a bar chart is a handful of rectangles. Geometry is
computed in Python (testable, no arithmetic in templates); the SVG is written by Jinja, so
labels (intents, failure codes) are escaped like any other text. Colours come from classes
in app.css: the Content-Security-Policy allows no inline style.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from shared.models import STAGE_ORDER, Job

LABEL_WIDTH = 168
BAR_SPACE = 300
VALUE_WIDTH = 72
ROW = 28
BAR_HEIGHT = 18
PAD = 8
# Characters of a label drawn beside its bar (the whole label is in the bar's <title>).
LABEL_CHARS = 22
TONES = 6


@dataclass(frozen=True)
class Bar:
    label: str
    short_label: str
    value: float
    text: str
    y: float
    width: float
    tone: str


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int = LABEL_WIDTH

    @property
    def summary(self) -> str:
        """The chart as one sentence, for the SVG's <desc> (what a screen reader says)."""
        if not self.bars:
            return f"{self.title}: none."
        return f"{self.title}: " + ", ".join(f"{b.label} {b.text}" for b in self.bars) + "."


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def bar_chart(
    chart_id: str,
    title: str,
    values: Mapping[str, float],
    *,
    order: Sequence[str] | None = None,
    tones: Mapping[str, str] | None = None,
    keep_zeros: bool = False,
) -> BarChart:
    """Horizontal bars, longest first unless ``order`` names the order; ``tones`` gives a
    label its colour class (urgencies: high is always the same red)."""
    labels = list(order) if order is not None else sorted(values, key=lambda k: (-values[k], k))
    labels += [label for label in values if label not in labels]
    shown = [(label, values.get(label, 0)) for label in labels]
    if not keep_zeros:
        shown = [(label, value) for label, value in shown if value]
    top = max((value for _, value in shown), default=0)
    bars = []
    for index, (label, value) in enumerate(shown):
        width = 0.0 if not top else max(BAR_SPACE * value / top, 2.0 if value else 0.0)
        bars.append(
            Bar(
                label=label,
                short_label=_short(label),
                value=value,
                text=_text(value),
                y=PAD + index * ROW,
                width=round(width, 1),
                tone=(tones or {}).get(label, f"tone-{index % TONES}"),
            )
        )
    height = PAD * 2 + max(len(bars), 1) * ROW
    return BarChart(
        id=chart_id,
        title=title,
        bars=tuple(bars),
        width=LABEL_WIDTH + BAR_SPACE + VALUE_WIDTH,
        height=height,
    )


@dataclass(frozen=True)
class Span:
    stage: str
    kind: str  # "wait" (queued) or "run"
    x: float
    width: float
    y: float
    seconds: float


@dataclass(frozen=True)
class Timeline:
    spans: tuple[Span, ...]
    stages: tuple[tuple[str, float], ...]  # each stage's name and row
    width: int
    height: int
    total_s: float

    @property
    def summary(self) -> str:
        parts = [f"{s.stage} {s.kind} {s.seconds:.2f} s" for s in self.spans]
        return f"Stage timeline over {self.total_s:.2f} s: " + ", ".join(parts) + "."


def _seconds(start: datetime, end: datetime) -> float:
    return max((end - start).total_seconds(), 0.0)


def stage_timeline(job: Job) -> Timeline | None:
    """Each stage's wait in its queue and its run, on one time axis from the job's
    creation; None before any stage has finished."""
    rows: list[tuple[str, float, float, float]] = []  # stage, wait from, run from, run to
    before = job.created_at
    for stage in [s for s in STAGE_ORDER if s in job.stages]:
        record = job.stages[stage]
        if record.started_at is None or record.finished_at is None:
            continue
        start = _seconds(job.created_at, record.started_at)
        end = _seconds(job.created_at, record.finished_at)
        rows.append((stage.value, min(_seconds(job.created_at, before), start), start, end))
        before = record.finished_at
    if not rows:
        return None
    total = max(end for _, _, _, end in rows) or 1e-9
    scale = BAR_SPACE / total
    spans: list[Span] = []
    stages: list[tuple[str, float]] = []
    for index, (name, wait_from, run_from, run_to) in enumerate(rows):
        y = PAD + index * ROW
        stages.append((name, y))
        for kind, start, end in (("wait", wait_from, run_from), ("run", run_from, run_to)):
            width = max((end - start) * scale, 1.0)
            x = LABEL_WIDTH + start * scale
            spans.append(Span(name, kind, round(x, 1), round(width, 1), y, round(end - start, 4)))
    return Timeline(
        spans=tuple(spans),
        stages=tuple(stages),
        width=LABEL_WIDTH + BAR_SPACE + VALUE_WIDTH,
        height=PAD * 2 + len(rows) * ROW,
        total_s=total,
    )
