"""A batch made with the API's fence (shared.broker_clock), on a real Valkey: made in time it
is whole; run by the broker past its fence it leaves nothing, not even its items."""

from __future__ import annotations

import pytest

from shared.batch_keys import EXPANDING, OPEN, batch_key, items_key, tenant_batches_key
from shared.batches import Batch, BatchItem
from shared.batchstore import BatchStore
from shared.broker_clock import BrokerClock, TooLate
from shared.models import JobOptions, Stage
from shared.redis_keys import connect_within
from tests.conftest import ValkeyProcess

pytestmark = pytest.mark.integration


def _batch() -> tuple[Batch, list[BatchItem]]:
    batch = Batch(source="manifest", options=JobOptions(stages=[Stage.STT]))
    return batch, [BatchItem(key=f"k{i}") for i in range(3)]


def test_a_fenced_batch_made_in_time_is_whole_and_its_items_are_kept(
    valkey: ValkeyProcess,
) -> None:
    store = BatchStore(connect_within(valkey.url, 3.0))
    batch, items = _batch()

    store.create(batch, items, BrokerClock(3.0))

    state = store.get(batch.id, batch.tenant)
    assert state.batch == batch
    assert state.counters["tenant"] == batch.tenant
    assert state.counters["items"] == "3"
    assert store.redis.zscore(tenant_batches_key(batch.tenant), batch.id) is not None
    for index in (EXPANDING, OPEN):
        assert store.redis.zscore(index, batch.id) is not None
    assert [item.key for item in store.items(batch.id, 0, 10)] == ["k0", "k1", "k2"]
    assert store.redis.ttl(items_key(batch.id)) == -1  # no expiry: kept as long as the batch


def test_a_batch_the_broker_runs_past_its_fence_leaves_nothing(valkey: ValkeyProcess) -> None:
    # As if the broker's clock had been stepped 30 s ahead since this process read it.
    store = BatchStore(connect_within(valkey.url, 3.0))
    clock = BrokerClock(3.0)
    store.create(*_batch(), clock)
    offset, read_at = clock._offset or (0.0, 0.0)
    clock._offset = (offset - 30, read_at)
    batch, items = _batch()

    with pytest.raises(TooLate):
        store.create(batch, items, clock)

    for key in (batch_key(batch.id), items_key(batch.id)):
        assert not store.redis.exists(key)
    for index in (tenant_batches_key(batch.tenant), EXPANDING, OPEN):
        assert store.redis.zscore(index, batch.id) is None
