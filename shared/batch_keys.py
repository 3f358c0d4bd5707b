"""Where a batch lives in Redis, and the server-side step that notices it has ended.

One hash per batch holds its record and its counters (``status:<status>``,
``failed:<code>``, ``rejected``, ``rejected:<code>``, ``items`` once every item is known),
so ``GET /v1/batches/{id}`` is one HGETALL whatever the batch's size. Counters move only
inside Lua scripts that also write the change they count (a job's record, an item's
rejection), so a retried or duplicated write can never count twice.
"""

from __future__ import annotations

from shared.redis_keys import key
from shared.webhook_models import DUE, delivery_key

PREFIX = key("batch")


def batch_key(batch_id: str) -> str:
    return f"{PREFIX}:{batch_id}"


def jobs_key(batch_id: str) -> str:
    """Sorted set: job id by item index."""
    return f"{PREFIX}:{batch_id}:jobs"


def status_key(batch_id: str, status: str) -> str:
    """Sorted set: the batch's jobs now in ``status``, by item index (cursor paging)."""
    return f"{PREFIX}:{batch_id}:s:{status}"


def rejects_key(batch_id: str) -> str:
    """Hash: item index -> the item's rejection (JSON)."""
    return f"{PREFIX}:{batch_id}:rejects"


def rejected_key(batch_id: str) -> str:
    """Sorted set: rejected item indexes, for export in item order."""
    return f"{PREFIX}:{batch_id}:rejected"


def items_key(batch_id: str) -> str:
    """List: the items still to expand (JSON), in item order."""
    return f"{PREFIX}:{batch_id}:items"


def chunks_done_key(batch_id: str) -> str:
    return f"{PREFIX}:{batch_id}:chunks"


def errors_key(batch_id: str) -> str:
    """Hash: item index -> unexpected failures so far (an item is given up after a few)."""
    return f"{PREFIX}:{batch_id}:errors"


def deliveries_key(batch_id: str) -> str:
    return f"{PREFIX}:{batch_id}:webhooks"


def tenant_batches_key(tenant: str) -> str:
    return key("batches", tenant)


EXPANDING = key("batches", "expanding")
# Batches not yet completed (by creation time), for /metrics' batch progress.
OPEN = key("batches", "open")

# Lua: once every item of an expanded batch is accounted for (a job that ended, or a
# rejected item), stamp completed_at and queue the batch.completed event, once; a batch
# that runs again (its failed items retried) loses the stamp and completes anew later. While
# a retry of the batch is under way (``retrying``, see shared.batchstore_lua) it does not
# end: a job the retry resumed could fail again before the next was resumed, and the batch
# ended once for each.
# ``b`` is the batch hash, ``now`` a Unix time; the event record is what
# shared.webhook_models.WebhookDelivery reads.
SETTLE = f"""
local function settle(b, now)
    local h = redis.call('HMGET', b, 'expanded', 'items', 'status:succeeded',
        'status:failed', 'status:canceled', 'rejected', 'completed_at', 'callback_url',
        'tenant', 'id', 'canceled', 'retrying')
    if h[1] ~= '1' then return end
    local done = (tonumber(h[3]) or 0) + (tonumber(h[4]) or 0) + (tonumber(h[5]) or 0)
        + (tonumber(h[6]) or 0)
    if done < (tonumber(h[2]) or 0) then
        if h[7] then
            redis.call('HDEL', b, 'completed_at')
            redis.call('ZADD', '{OPEN}', now, h[10])
        end
        return
    end
    if h[7] then return end
    if (tonumber(h[12]) or 0) > 0 then return end
    redis.call('HSET', b, 'completed_at', now)
    redis.call('ZREM', '{EXPANDING}', h[10])
    redis.call('ZREM', '{OPEN}', h[10])
    if not h[8] or h[8] == '' then return end
    local n = redis.call('HINCRBY', b, 'completions', 1)
    local id = 'msg_' .. h[10] .. '_completed_' .. n
    local status = 'completed'
    if h[11] == '1' then status = 'canceled' end
    local record = cjson.encode({{
        id = id, tenant = h[9], url = h[8], type = 'batch.completed', created_at = now,
        state = 'pending',
        data = {{
            batch_id = h[10], status = status, items = tonumber(h[2]),
            succeeded = tonumber(h[3]) or 0, failed = tonumber(h[4]) or 0,
            canceled = tonumber(h[5]) or 0, rejected = tonumber(h[6]) or 0,
            links = {{ batch = '/v1/batches/' .. h[10],
                      results = '/v1/batches/' .. h[10] .. '/results' }}
        }}
    }})
    redis.call('SET', '{delivery_key("")}' .. id, record)
    redis.call('ZADD', '{DUE}', now, id)
    redis.call('RPUSH', b .. ':webhooks', id)
end

local function now_s()
    local t = redis.call('TIME')
    return tonumber(t[1]) + tonumber(t[2]) / 1000000
end
"""
