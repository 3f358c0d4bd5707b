"""A process's stage figures are summed in memory and added to Redis as one."""

from __future__ import annotations

import pytest

from shared.metrics_store import STAGE_BUCKETS, MetricsStore, StageHistogram, StageMetricsBuffer
from shared.redis_keys import connect
from tests.conftest import ValkeyProcess

pytestmark = pytest.mark.integration


def test_observations_summed_in_a_buffer_reach_redis_bucket_by_bucket_on_flush(
    valkey: ValkeyProcess,
) -> None:
    client = connect(valkey.url)
    buffer = StageMetricsBuffer(client, interval_s=3600)  # flushed by hand here
    buffer.observe("stt", "local", {"wait": 0.003, "run": 2.0})
    buffer.observe("stt", "local", {"wait": 0.003, "run": 700.0})
    assert MetricsStore(client).stage_histograms() == []

    buffer.flush()
    buffer.observe("stt", "local", {"run": 2.0})
    buffer.flush()

    by_phase = {h.phase: h for h in MetricsStore(client).stage_histograms()}
    assert by_phase["wait"].count == 2
    assert by_phase["wait"].buckets[0] == 2  # 3 ms is under the first bound, 5 ms
    assert by_phase["run"].count == 3
    assert by_phase["run"].buckets[STAGE_BUCKETS.index(2.5)] == 2
    assert by_phase["run"].buckets[-1] == 1  # past the largest bound
    assert by_phase["run"].total_s == pytest.approx(704.0)


def test_a_scrape_while_figures_are_added_sees_each_histograms_sum_and_count_of_one_flush(
    valkey: ValkeyProcess,
) -> None:
    # /metrics renders _count from the buckets and _sum from the sum: these were separate
    # commands in a plain pipeline, so a scrape between them showed a mean latency of
    # observations half added (a third of series, at load).
    import threading

    writer_store, reader_store = (
        MetricsStore(connect(valkey.url)),
        MetricsStore(connect(valkey.url)),
    )
    ones = [1] * (len(STAGE_BUCKETS) + 1)  # one observation of 1 s in each bucket
    added = [
        StageHistogram(
            stage=s, provider="local", phase=p, buckets=ones, total_s=len(ones), count=len(ones)
        )
        for s in ("stt", "llm", "tts")
        for p in ("wait", "run")
    ]
    done = threading.Event()

    def write() -> None:
        for _ in range(300):
            writer_store.add_stage_histograms(added)
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    torn: list[tuple[str, str, int, float]] = []
    while not done.is_set():
        for h in reader_store.stage_histograms():
            if sum(h.buckets) != h.total_s:
                torn.append((h.stage, h.phase, sum(h.buckets), h.total_s))
    writer.join()

    assert torn == []
