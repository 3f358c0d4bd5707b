"""shared.pool_liveness against a real Valkey: a worker counts while its notes are fresh."""

from __future__ import annotations

import pytest

from shared.pool_liveness import LIVE_S, PoolLiveness
from shared.redis_keys import connect
from tests.conftest import ValkeyProcess

pytestmark = pytest.mark.integration


def test_a_worker_counts_for_each_queue_it_noted_until_its_note_ages_out(
    valkey: ValkeyProcess,
) -> None:
    pools = PoolLiveness(connect(valkey.url))

    pools.beat("stt@a", ["stt"], now=1000.0)
    pools.beat("stt@b", ["stt"], now=1000.0 + LIVE_S)
    pools.beat("llm@a", ["llm", "tts"], now=1000.0)

    assert pools.live(["stt", "llm", "tts", "ingest"], now=1000.0 + 1) == {
        "stt": 2,
        "llm": 1,
        "tts": 1,
        "ingest": 0,
    }
    assert pools.live(["stt", "llm"], now=1000.0 + LIVE_S + 1) == {"stt": 1, "llm": 0}


def test_a_worker_that_withdraws_stops_counting_at_once(valkey: ValkeyProcess) -> None:
    pools = PoolLiveness(connect(valkey.url))
    pools.beat("tts@a", ["tts"], now=1000.0)

    pools.forget("tts@a", ["tts"])

    assert pools.live(["tts"], now=1000.0) == {"tts": 0}
