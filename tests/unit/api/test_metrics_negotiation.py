"""/metrics answers in the format the scraper's Accept header asks for (prometheus_client's
own negotiation), and answers HEAD like GET without a body."""

from __future__ import annotations

from pathlib import Path

from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as openmetrics_families,
)
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client

# What Prometheus 3 sends by default (scrape_protocols), OpenMetrics first.
PROMETHEUS_ACCEPT = (
    "application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.5,"
    "text/plain;version=1.0.0;escaping=underscores;q=0.4,"
    "text/plain;version=0.0.4;q=0.3,*/*;q=0.2"
)


def test_a_scraper_asking_for_openmetrics_gets_openmetrics(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    answer = app_client(tmp_path, valkey).get("/metrics", headers={"Accept": PROMETHEUS_ACCEPT})

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/openmetrics-text; version=1.0.0")
    assert answer.text.endswith("# EOF\n")
    names = {f.name for f in openmetrics_families(answer.text)}
    assert {"voicepipe_queue_messages", "voicepipe_intake_rejections"} <= names


def test_a_scraper_asking_for_text_0_0_4_gets_it(tmp_path: Path, valkey: ValkeyProcess) -> None:
    answer = app_client(tmp_path, valkey).get(
        "/metrics", headers={"Accept": "text/plain;version=0.0.4"}
    )

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert "voicepipe_jobs" in {f.name for f in text_string_to_metric_families(answer.text)}


def test_a_get_without_accept_gets_text_0_0_4(tmp_path: Path, valkey: ValkeyProcess) -> None:
    http = app_client(tmp_path, valkey)

    answer = http.get("/metrics", headers={"Accept": ""})

    assert answer.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"


def test_head_answers_like_get_without_a_body(tmp_path: Path, valkey: ValkeyProcess) -> None:
    http = app_client(tmp_path, valkey)

    answer = http.head("/metrics", headers={"Accept": PROMETHEUS_ACCEPT})

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/openmetrics-text")
    assert answer.content == b""


def test_an_accept_header_with_a_version_that_is_no_version_gets_text_0_0_4(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    # prometheus_client's negotiation raises a TypeError on it: that was a 500.
    answer = app_client(tmp_path, valkey).get(
        "/metrics", headers={"Accept": "application/openmetrics-text;version=abc"}
    )

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
