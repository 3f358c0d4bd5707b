"""A process's stage figures are summed in memory and added to Redis as one."""

from __future__ import annotations

import pytest

from shared.metrics_store import STAGE_BUCKETS, MetricsStore, StageMetricsBuffer
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
