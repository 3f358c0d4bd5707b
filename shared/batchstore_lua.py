"""The batch store's server-side scripts (see shared.batchstore and shared.batch_keys)."""

from __future__ import annotations

from shared.batch_keys import EXPANDING, SETTLE

# KEYS: batch hash, rejections hash, rejected index, the item's job record. ARGV: index,
# rejection, code. An item is a job or a rejection, never both (CREATE_BATCH_JOB checks the
# other way): a chunk that gave an item up after its job was made (the staged part could not
# be deleted) counted it twice, and completed the batch with that job still running.
REJECT = (
    SETTLE
    + """
if redis.call('EXISTS', KEYS[4]) == 1 then return 0 end
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('ZADD', KEYS[3], ARGV[1], ARGV[1])
redis.call('HINCRBY', KEYS[1], 'rejected', 1)
redis.call('HINCRBY', KEYS[1], 'rejected:' .. ARGV[3], 1)
settle(KEYS[1], now_s())
return 1
"""
)
# KEYS: batch hash, open batches, the cancel task's queue (the batch hash again for none). ARGV:
# now, the cancel task's message (empty for none). A batch that completed is left as it ended: a
# cancel that read it unfinished and arrived after its last job ended turned it "canceled",
# after its batch.completed event had said "completed". One with a retry under way (accepted,
# its failed jobs perhaps not resumed yet) is running again, whatever its stamp says: it
# loses the stamp and ends anew, canceled, once the retry and the cancel are through. A batch
# marked already is being canceled: 2, and no second task (its first is acked late, so a
# worker lost mid-cancel has it delivered again).
CANCEL = """
local h = redis.call('HMGET', KEYS[1], 'completed_at', 'retrying', 'id', 'canceled')
local retrying = (tonumber(h[2]) or 0) > 0
if h[1] and not retrying then return 0 end
if h[4] == '1' then return 2 end
redis.call('HSET', KEYS[1], 'canceled', '1', 'canceled_at', ARGV[1])
if h[1] then
    redis.call('HDEL', KEYS[1], 'completed_at')
    redis.call('ZADD', KEYS[2], ARGV[1], h[3])
end
-- The cancel task, queued with the mark: marked and sent apart, a broker lost between the
-- two left a canceled batch that no task would ever end (a second cancel is a 409).
if ARGV[2] and ARGV[2] ~= '' then redis.call('LPUSH', KEYS[3], ARGV[2]) end
return 1
"""
# KEYS: batch hash, chunks done. ARGV: chunk start, chunks in all. The last chunk to end
# marks the batch expanded (every item is a job or a rejection) and settles it.
CHUNK_DONE = (
    SETTLE
    + """
redis.call('SADD', KEYS[2], ARGV[1])
if redis.call('SCARD', KEYS[2]) < tonumber(ARGV[2]) then return 0 end
if redis.call('HSETNX', KEYS[1], 'expanded', '1') == 0 then return 0 end
redis.call('HSET', KEYS[1], 'expanded_at', now_s())
redis.call('ZREM', '"""
    + EXPANDING
    + """', redis.call('HGET', KEYS[1], 'id'))
settle(KEYS[1], now_s())
return 1
"""
)
# KEYS: batch hash, the retry task's queue (the batch hash again for none). ARGV: the retry's
# token, now, the retry task's message ("" for none). A retry (POST .../retry) is accepted in
# the same step as the batch is read: -1 for a canceled batch (its jobs never run again), 0
# for one with no failed job, else 1, and the retry is counted under way (``retrying``) until
# its task says it is through (RETRY_DONE): meanwhile the batch reads running, a cancel is
# accepted, and it does not end. Before, the batch read "completed" until the task had
# resumed its first job, and a cancel sent meanwhile was refused. The task's message is
# queued in the same step: sent after, an API process stopped between the two left the
# retry under way with no task to end it, and the batch running for good.
RETRY_OPEN = """
if redis.call('HGET', KEYS[1], 'canceled') == '1' then return -1 end
if (tonumber(redis.call('HGET', KEYS[1], 'status:failed')) or 0) == 0 then return 0 end
if redis.call('HSETNX', KEYS[1], 'retry:' .. ARGV[1], ARGV[2]) == 1 then
    redis.call('HINCRBY', KEYS[1], 'retrying', 1)
    if ARGV[3] ~= '' then redis.call('LPUSH', KEYS[2], ARGV[3]) end
end
return 1
"""
# KEYS: batch hash. ARGV: the retry's token. The retry is through (or was never queued): it is
# no longer under way, once however often this runs, and the batch ends if nothing is left.
RETRY_DONE = (
    SETTLE
    + """
if redis.call('HDEL', KEYS[1], 'retry:' .. ARGV[1]) == 1 then
    redis.call('HINCRBY', KEYS[1], 'retrying', -1)
end
settle(KEYS[1], now_s())
return 1
"""
)
# KEYS: the expanding set. ARGV: stalled before, how many at most, now. The stalled batches,
# each marked as just moved in the same step: of two sweepers at once, one plans each.
CLAIM_STALLED = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], 'XX', ARGV[3], id) end
return ids
"""
