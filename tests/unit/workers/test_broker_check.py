"""A worker refuses a broker that answers and will not take it, and waits out one that is
not there (workers.broker_check)."""

from __future__ import annotations

import pytest
import redis

from tests.conftest import ValkeyProcess, free_port
from workers.broker_check import BrokerRefused, refuse_an_unusable_broker


def test_a_database_index_the_broker_lacks_stops_the_worker_naming_the_setting(
    valkey: ValkeyProcess,
) -> None:
    url = valkey.url.rsplit("/", 1)[0] + "/99"

    with pytest.raises(BrokerRefused) as refused:
        refuse_an_unusable_broker(url)

    told = str(refused.value)
    assert "VOICEPIPE_BROKER__URL" in told
    assert "/99" in told
    assert "did not start" in told


def test_a_password_the_broker_does_not_know_stops_the_worker_without_showing_it(
    valkey: ValkeyProcess,
) -> None:
    redis.Redis.from_url(valkey.url).config_set("requirepass", "the-right-one")
    url = valkey.url.replace("redis://", "redis://:not-the-password@")

    with pytest.raises(BrokerRefused) as refused:
        refuse_an_unusable_broker(url)

    assert "not-the-password" not in str(refused.value)
    assert "did not start" in str(refused.value)


def test_a_broker_that_takes_the_worker_lets_it_start(valkey: ValkeyProcess) -> None:
    refuse_an_unusable_broker(valkey.url)


def test_a_broker_not_there_is_left_to_celerys_retries() -> None:
    refuse_an_unusable_broker(f"redis://127.0.0.1:{free_port()}/0")


def test_a_replica_whose_primary_is_down_is_left_to_celerys_retries(
    valkey: ValkeyProcess,
) -> None:
    # A replica of a primary that is not there, told not to serve stale data: MASTERDOWN,
    # a ResponseError that a failover ends.
    server = redis.Redis.from_url(valkey.url)
    server.config_set("replica-serve-stale-data", "no")
    server.replicaof("127.0.0.1", str(free_port()))

    refuse_an_unusable_broker(valkey.url)
