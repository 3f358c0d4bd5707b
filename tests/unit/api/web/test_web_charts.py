"""Charts are computed in Python and drawn as SVG by a template: bars to scale, labels
escaped, and a text summary for screen readers."""

from __future__ import annotations

from api.web.charts import BAR_SPACE, LABEL_WIDTH, bar_chart, stage_timeline
from api.web.pages import ENV
from shared.models import Stage
from tests.usage_factories import finished_job


def _svg(chart_id: str, values: dict[str, float]) -> str:
    template = ENV.from_string('{% from "macros.html" import bar_chart %}{{ bar_chart(c) }}')
    return template.render(c=bar_chart(chart_id, "Intents", values))


def test_the_largest_value_fills_the_bar_space_and_the_others_are_to_scale() -> None:
    chart = bar_chart("c", "Intents", {"billing": 10, "repair": 5, "sales": 1})

    widths = {bar.label: bar.width for bar in chart.bars}

    assert widths == {"billing": BAR_SPACE, "repair": BAR_SPACE / 2, "sales": BAR_SPACE / 10}
    assert [bar.label for bar in chart.bars] == ["billing", "repair", "sales"]
    assert chart.summary == "Intents: billing 10, repair 5, sales 1."


def test_a_given_order_is_kept_and_zeros_are_shown_only_when_asked() -> None:
    values = {"low": 0, "high": 3, "normal": 7}

    kept = bar_chart("u", "Urgencies", values, order=["high", "normal", "low"], keep_zeros=True)
    dropped = bar_chart("u", "Urgencies", values, order=["high", "normal", "low"])

    assert [(b.label, b.value) for b in kept.bars] == [("high", 3), ("normal", 7), ("low", 0)]
    assert [b.label for b in dropped.bars] == ["high", "normal"]


def test_labels_with_markup_are_escaped_in_the_svg() -> None:
    svg = _svg("chart-x", {"<script>alert(1)</script>": 2})

    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg


def test_the_svg_has_a_title_a_description_and_a_text_label_per_bar() -> None:
    svg = _svg("chart-i", {"billing": 3, "repair": 1})

    assert 'role="img"' in svg
    assert '<title id="chart-i-title">Bar chart of intents</title>' in svg
    assert 'aria-labelledby="chart-i-title" aria-describedby="chart-i-desc"' in svg
    assert 'aria-labelledby="chart-i-caption"' in svg  # the figure: named by its caption
    assert "Intents: billing 3, repair 1." in svg
    assert svg.count('class="bar-label"') == 2
    assert " style=" not in svg  # the CSP allows no inline style


def test_an_empty_chart_says_none() -> None:
    chart = bar_chart("f", "Failures by code", {})

    assert chart.bars == ()
    assert chart.summary == "Failures by code: none."
    assert "None" in _svg("f", {})


def test_the_stage_timeline_places_each_wait_and_run_on_one_axis() -> None:
    job = finished_job(run_s=(3.0, 1.0, 2.0))

    timeline = stage_timeline(job)

    assert timeline is not None
    assert [name for name, _ in timeline.stages] == ["stt", "llm", "tts"]
    runs = [span for span in timeline.spans if span.kind == "run"]
    assert [span.seconds for span in runs] == [3.0, 1.0, 2.0]
    last = runs[-1]
    assert round(last.x + last.width) == LABEL_WIDTH + BAR_SPACE
    assert (
        timeline.total_s
        == (
            job.stages[Stage.TTS].finished_at - job.created_at  # type: ignore[operator]
        ).total_seconds()
    )


def test_a_job_with_no_finished_stage_has_no_timeline() -> None:
    job = finished_job()
    for record in job.stages.values():
        record.finished_at = None

    assert stage_timeline(job) is None
