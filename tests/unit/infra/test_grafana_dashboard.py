"""infra/grafana/voicepipe-dashboard.json asks Prometheus only for what GET /metrics serves:
the metric names below, with their labels."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[3]
DASHBOARD = ROOT / "infra" / "grafana" / "voicepipe-dashboard.json"

# What /metrics serves (api/metrics.py, shared/metrics_store.py): name -> labels.
METRICS = {
    "voicepipe_queue_messages": {"queue", "state"},
    "voicepipe_queue_unacked_stale": {"queue"},
    "voicepipe_stage_seconds": {"stage", "provider", "phase"},
    "voicepipe_intake_rejections_total": {"code"},
    "voicepipe_provider_errors_total": {"stage", "provider", "code"},
    "voicepipe_stage_retries_total": {"stage", "provider", "code"},
    "voicepipe_jobs": {"status"},
    "voicepipe_webhook_deliveries_total": {"outcome"},
    "voicepipe_batch_jobs": {"state"},
    "voicepipe_batch_items": set(),
    "voicepipe_batches_open": set(),
    "voicepipe_storage_breaker_open": set(),
    "voicepipe_storage_breaker_refusals_total": set(),
}
HISTOGRAMS = {"voicepipe_stage_seconds"}
HISTOGRAM_SERIES = {"_bucket": {"le"}, "_sum": set(), "_count": set()}

FUNCTIONS = {
    "abs", "avg", "avg_over_time", "bottomk", "ceil", "clamp_max", "clamp_min", "count",
    "count_over_time", "delta", "deriv", "floor", "histogram_quantile", "idelta", "increase",
    "irate", "label_replace", "max", "max_over_time", "min", "min_over_time", "quantile",
    "rate", "round", "scalar", "sort", "sort_desc", "stddev", "sum", "sum_over_time", "time",
    "topk", "vector",
}  # fmt: skip
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or"}
KEYWORDS |= {"unless", "offset"}


def series_and_labels(expr: str) -> tuple[set[str], set[str]]:
    """The series names a PromQL expression reads, and the label names it matches or
    groups by."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    labels: set[str] = set()
    for matchers in re.findall(r"\{([^}]*)\}", text):
        labels |= set(re.findall(r"([A-Za-z_]\w*)\s*(?:=~|!~|!=|=)", matchers))
    text = re.sub(r"\{[^}]*\}", " ", text)
    grouping = r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)"
    for names in re.findall(grouping, text):
        labels |= {name.strip() for name in names.split(",") if name.strip()}
    text = re.sub(grouping, " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    words = set(re.findall(r"(?<![\w.])[A-Za-z_:][\w:]*", text))
    return words - FUNCTIONS - KEYWORDS, labels


def known_series() -> dict[str, set[str]]:
    """Every series name a query may read, with the labels it carries."""
    known = {name: labels for name, labels in METRICS.items() if name not in HISTOGRAMS}
    for name in HISTOGRAMS:
        for suffix, extra in HISTOGRAM_SERIES.items():
            known[name + suffix] = METRICS[name] | extra
    return known


def panels(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in node.get("panels", []):
        yield panel
        yield from panels(panel)


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return loaded


def problems(expr: str) -> list[str]:
    known = known_series()
    names, labels = series_and_labels(expr)
    found = [f"unknown metric {name}" for name in sorted(names - known.keys())]
    carried = set().union(*(known.get(name, set()) for name in names))
    found += [f"label {label} is not on {sorted(names)}" for label in sorted(labels - carried)]
    return found


def test_every_panel_query_reads_only_metrics_that_voicepipe_serves() -> None:
    queries = {
        f"{panel['title']} / {target['refId']}": target["expr"]
        for panel in panels(dashboard())
        for target in panel.get("targets", [])
    }

    found = {where: p for where, expr in queries.items() if (p := problems(expr))}

    assert len(queries) >= len(METRICS)
    assert found == {}


def test_every_metric_has_a_panel() -> None:
    read = set().union(
        *(
            series_and_labels(target["expr"])[0]
            for panel in panels(dashboard())
            for target in panel.get("targets", [])
        )
    )

    def series_of(name: str) -> set[str]:
        return {name + suffix for suffix in HISTOGRAM_SERIES} if name in HISTOGRAMS else {name}

    assert {name for name in METRICS if not series_of(name) & read} == set()


def test_every_panel_asks_the_prometheus_chosen_at_import() -> None:
    board = dashboard()
    (variable,) = [v for v in board["templating"]["list"] if v["name"] == "DS_PROMETHEUS"]

    assert (variable["type"], variable["query"]) == ("datasource", "prometheus")
    for panel in panels(board):
        if panel["type"] == "row":
            continue
        assert panel["datasource"]["uid"] == "${DS_PROMETHEUS}", panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "${DS_PROMETHEUS}", panel["title"]


def test_every_panel_has_its_own_id_and_its_own_place_on_the_grid() -> None:
    every = list(panels(dashboard()))
    ids = [panel["id"] for panel in every]
    cells: dict[tuple[int, int], str] = {}

    assert len(ids) == len(set(ids))
    for panel in every:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        for x in range(grid["x"], grid["x"] + grid["w"]):
            for y in range(grid["y"], grid["y"] + grid["h"]):
                assert (x, y) not in cells, (panel["title"], cells.get((x, y)))
                cells[(x, y)] = panel["title"]


def test_a_query_of_a_metric_or_label_voicepipe_does_not_serve_is_caught() -> None:
    assert problems('sum(rate(http_requests_total{job="api"}[5m]))') == [
        "unknown metric http_requests_total",
        "label job is not on ['http_requests_total']",
    ]
    assert problems("sum by (tenant) (voicepipe_jobs)") == [
        "label tenant is not on ['voicepipe_jobs']"
    ]
    p95 = "histogram_quantile(0.95, sum by (le, stage) (rate(voicepipe_stage_seconds_bucket[5m])))"
    assert problems(p95) == []
    assert problems("voicepipe_stage_seconds_total") == [
        "unknown metric voicepipe_stage_seconds_total"
    ]
