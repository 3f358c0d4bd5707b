"""Every name, label and label value the operator's tools read from GET /metrics is served.

A stack with two API processes runs jobs through all three stages (one failing, one whose
llm stage is retried after a 529, one with a webhook), a batch waiting for its stt pool and a
refused upload; its scrapes, parsed by prometheus-client, are held against the Grafana
dashboard, Prometheus' configuration, README's list of metrics and the Redis lists KEDA
watches. A rename on either side fails here."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from api.cli.stack import Stack
from shared.queue_depth import priority_list, priority_lists
from shared.settings import ApiSettings
from shared.task_messages import BATCH_PRIORITY
from tests import audio_factory as af
from tests.cloud_fakes import CloudFakes
from tests.integration.conftest import (
    WEBHOOK_SECRET,
    RunningStack,
    paused_pool,
    stack_settings,
    started,
)
from tests.integration.metrics_consumers import (
    Scrape,
    dashboard_queries,
    exposed,
    keda_lists,
    naming_problems,
    prometheus_rule_queries,
    query_problems,
    readme_metrics,
    scrape_paths,
    stacked_sum,
)
from tests.local_http import LocalServer
from tests.unit.infra.manifests import render
from tests.unit.infra.test_grafana_dashboard import dashboard, panels, series_and_labels

pytestmark = pytest.mark.integration


@dataclass
class Observed:
    waiting: Scrape  # while a batch waits for the stt pool
    final: list[str]  # the same figures scraped again and again, once all is done
    stt_lists: set[str]  # the Redis lists that held the stt queue's messages
    jobs: int


def scrape_text(stack: RunningStack) -> str:
    # A new connection each time, so both API processes take turns answering.
    response = httpx.get(f"{stack.settings.api.base_url}/metrics")
    assert response.status_code == 200
    return response.text


def _submit(stack: RunningStack, name: str, audio: bytes, **data: str) -> str:
    response = stack.http.post("/v1/jobs", files={"file": (name, audio)}, data=data)
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


@pytest.fixture(scope="module")
def observed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Observed]:
    fakes = CloudFakes().start()
    settings = stack_settings(
        tmp_path_factory.mktemp("metrics"),
        retries={"max_attempts": 3, "base_delay_s": 0.2, "max_delay_s": 1.0},
        fetch={"allow_ranges": ["127.0.0.1/32"]},
        webhooks={"secrets": [f"default:{WEBHOOK_SECRET}"]},
        **fakes.settings(timeout_s=5.0),
    )
    api = ApiSettings(**{**settings.api.model_dump(), "processes": 2})
    settings = settings.model_copy(update={"api": api})
    try:
        with started(Stack(settings, flower=False)) as stack, LocalServer() as receiver:
            receiver.routes["/hook"] = (200, {}, b"")
            with paused_pool(stack, "stt"):
                files = [("file", (f"vm{i}.wav", af.encode("wav", 1.0, seed=i))) for i in (1, 2)]
                batch = stack.http.post("/v1/batches", files=files)
                assert batch.status_code == 202, batch.text
                deadline = time.monotonic() + 30
                while (waiting := Scrape.parse(scrape_text(stack))).value(
                    "voicepipe_queue_messages", queue="stt", state="waiting"
                ) < 2:
                    assert time.monotonic() < deadline
                    time.sleep(0.2)
                redis = stack.jobs.redis
                stt_lists = {key.decode() for key in redis.scan_iter(_type="list") if b"stt" in key}
            ids = [
                _submit(stack, "full.wav", af.encode("wav", 1.0),
                        callback_url=f"{receiver.url}/hook"),
                _submit(stack, "quiet.wav", af.encode_samples(af.silence(2.0), "wav", 16000)),
            ]  # fmt: skip
            fakes.anthropic.fail_next(fakes.anthropic.error(529).on("/v1/messages"))
            ids.append(_submit(stack, "retried.wav", af.encode("wav", 1.0), llm_provider="claude"))
            refused = stack.http.post("/v1/jobs", files={"file": ("x.wav", b"not audio")})
            assert refused.status_code == 415
            ended = [stack.wait(job_id) for job_id in ids]
            assert [job["status"] for job in ended] == ["succeeded", "failed", "succeeded"]
            assert ended[2]["stages"]["llm"]["attempts"] == 2
            link = f"/v1/batches/{batch.json()['id']}"
            deadline = time.monotonic() + 120
            while stack.http.get(link).json()["status"] != "completed":
                assert time.monotonic() < deadline
                time.sleep(0.3)
            # Workers add their figures every second; the webhook goes out after the job.
            deadline = time.monotonic() + 30
            while True:
                done = Scrape.parse(scrape_text(stack))
                counts = [
                    done.value("voicepipe_stage_seconds_count", stage=stage, provider="local",
                               phase="run")
                    for stage in ("stt", "llm", "tts")
                ]  # fmt: skip
                delivered = done.value("voicepipe_webhook_deliveries_total", outcome="delivered")
                if (all(counts) and delivered) or time.monotonic() > deadline:
                    break
                time.sleep(0.3)
            time.sleep(1.5)  # one more flush interval: nothing left to add
            final = [scrape_text(stack) for _ in range(8)]
            yield Observed(waiting, final, stt_lists, jobs=len(stack.jobs.all_ids()))
    finally:
        fakes.stop()


def served(observed: Observed) -> Scrape:
    """Everything either scrape served (the batch's progress only while it is open)."""
    merged = Scrape.parse(observed.final[0])
    for name, labels in observed.waiting.labels.items():
        merged.labels.setdefault(name, set()).update(labels)
        for label, values in observed.waiting.values.get(name, {}).items():
            merged.values.setdefault(name, {}).setdefault(label, set()).update(values)
    merged.types.update(observed.waiting.types)
    return merged


def test_every_dashboard_query_reads_series_labels_and_values_the_stack_serves(
    observed: Observed,
) -> None:
    scrape = served(observed)
    queries = dashboard_queries()

    found = {where: p for where, expr in queries.items() if (p := query_problems(expr, scrape))}

    assert queries
    assert found == {}


def test_prometheus_scrapes_the_served_path_and_its_rules_read_only_served_series(
    observed: Observed,
) -> None:
    scrape = served(observed)
    rules = prometheus_rule_queries()

    assert scrape_paths() == {"/metrics"}
    assert {where: p for where, expr in rules.items() if (p := query_problems(expr, scrape))} == {}


def test_readme_lists_every_served_metric_with_the_labels_it_carries(observed: Observed) -> None:
    shown = exposed(served(observed))

    assert readme_metrics() == shown


def test_metric_names_follow_prometheus_conventions(observed: Observed) -> None:
    assert naming_problems(served(observed)) == []


def test_keda_watches_the_redis_lists_celery_fills(observed: Observed, tmp_path: Path) -> None:
    lists = keda_lists(render("base", tmp_path))

    # The waiting work is a batch's: its stage messages wait on the priority-9 list.
    assert observed.stt_lists == {priority_list("stt", BATCH_PRIORITY)}
    assert observed.stt_lists <= lists["voicepipe-worker-stt"]
    assert lists["voicepipe-worker-stt"] == set(priority_lists("stt"))


def test_two_api_processes_serve_the_same_figures_each_counted_once(
    observed: Observed,
) -> None:
    final = Scrape.parse(observed.final[0])
    claude = {"stage": "llm", "provider": "claude", "code": "provider_overloaded"}
    quiet = {"stage": "stt", "provider": "local", "code": "empty_media"}

    assert set(observed.final) == {observed.final[0]}
    assert final.value("voicepipe_stage_retries_total", **claude) == 1
    assert final.value("voicepipe_provider_errors_total", **claude) == 1
    assert final.value("voicepipe_provider_errors_total", **quiet) == 1
    assert final.value("voicepipe_intake_rejections_total", code="unsupported_format") == 1
    assert final.value("voicepipe_webhook_deliveries_total", outcome="delivered") == 1
    jobs = sum(v for (name, _), v in final.samples.items() if name == "voicepipe_jobs")
    assert jobs == observed.jobs == 5


def test_every_served_metric_has_a_query_on_the_dashboard(observed: Observed) -> None:
    read = set().union(*(series_and_labels(e)[0] for e in dashboard_queries().values()))
    scrape = served(observed)

    shown = {scrape.family_of(name) for name in read}

    assert set(scrape.types) - shown == set()


def test_the_batch_progress_stack_adds_up_to_the_batches_items(observed: Observed) -> None:
    stacked = [
        panel
        for panel in panels(dashboard())
        if panel.get("fieldConfig", {}).get("defaults", {}).get("custom", {}).get("stacking")
        == {"mode": "normal"}
    ]
    (batch,) = [p for p in stacked if "voicepipe_batch_jobs" in str(p["targets"])]
    items = observed.waiting.value("voicepipe_batch_items")

    assert items == 2
    assert stacked_sum(batch, observed.waiting) == items


def test_summing_the_batch_jobs_over_their_state_counts_each_item_once(observed: Observed) -> None:
    # Before, the items were one more state of the same metric: the sum counted them twice.
    waiting = observed.waiting
    parts = sum(v for (name, _), v in waiting.samples.items() if name == "voicepipe_batch_jobs")

    assert waiting.value("voicepipe_batch_items") == 2
    assert parts == 2
