"""The job store's server-side scripts (see shared.jobstore and shared.job_effects)."""

from __future__ import annotations

from shared.batch_keys import SETTLE
from shared.broker_clock import PAST_FENCE
from shared.models import RUNNING_STATUS, JobStatus
from shared.webhook_models import delivery_key

# Lua table literal: the statuses a job ends in.
_ENDED = "{" + ", ".join(f"['{s.value}'] = true" for s in JobStatus if s.terminal) + "}"
# Lua table literal: the statuses of a job with a stage running.
_RUNNING = "{" + ", ".join(f"['{s.value}'] = true" for s in RUNNING_STATUS.values()) + "}"

# KEYS: job record, deadline index, retention index, webhooks due, batch hash (the job
# record again when the job has no batch). ARGV: SHA-1 of the record as read (40 bytes on
# the wire instead of the whole record), new record, job id, deadline ("" when the job has
# ended), retention time ("" for none), item index in the batch, then the batch counter
# changes (count, then field and delta pairs), the webhook events (count, then record
# id and record pairs), a task message to push on KEYS[6] ("" for none: KEYS[6] is then
# the record again), and the job's status before and after ("" when unchanged), counted in
# the deployment's jobs-by-status hash KEYS[7]. Everything moves with the record in the same
# round trip. Last, the job's review inbox row (shared.inbox_rows): its facets, search text
# and JSON for the tenant's hashes KEYS[8], KEYS[9], KEYS[10]: the inbox can never say
# other than the record. Returns 1 when written, 0 when the record changed since it was
# read, -1 when the change would run a job of a canceled batch again (nothing written).
COMPARE_AND_SET = (
    SETTLE
    + """
local current = redis.call('GET', KEYS[1])
-- The record already there byte for byte is this very call's (its time stamp is in it): a
-- client retry after the reply was lost (a broker stopping between running the script and
-- answering). It was written, with everything it sets off: say so, and do nothing twice.
-- Answered 0, the stage that wrote it read the job again, found it ended, and deleted the
-- output the record points to (make chaos, 2a).
if current == ARGV[2] then return 1 end
if not (current and redis.sha1hex(current) == ARGV[1]) then return 0 end
-- A job of a canceled batch leaves its end for nothing (a retry of the batch, or of the job,
-- resuming it): -1. Decided here, on the batch as it is now: a retry task that read the
-- batch unfinished resumed jobs after the cancel had listed them, which then ran to the end.
local ended = @ENDED@
if KEYS[5] ~= KEYS[1] then
    local moves = 10 + 2 * tonumber(ARGV[7]) + 2 * tonumber(ARGV[8 + 2 * tonumber(ARGV[7])])
    local running = @RUNNING@
    -- Nor does one start a stage (queued -> transcribing) or hand itself on to the next
    -- (transcribing -> responding) once the cancel is recorded: until the cancel task
    -- reached it, a job went on calling vendors after the cancel was answered.
    if redis.call('HGET', KEYS[5], 'canceled') == '1' then
        if ended[ARGV[moves]] and not ended[ARGV[moves + 1]] then return -1 end
        if ARGV[moves] ~= '' and running[ARGV[moves + 1]] then return -1 end
        -- A later stage starting keeps the job's status (responding): told by its record.
        -- So does a stage's message delivered again to the owner that died running it
        -- (running -> running): told by its attempts, which every start counts.
        local was, now = cjson.decode(current)['stages'], cjson.decode(ARGV[2])['stages']
        for name, rec in pairs(now or {}) do
            local old = was[name] or {}
            if rec['status'] == 'running'
                and (old['status'] ~= 'running' or rec['attempts'] ~= old['attempts']) then
                return -1
            end
        end
    end
end
redis.call('SET', KEYS[1], ARGV[2])
if ARGV[4] == '' then
    redis.call('ZREM', KEYS[2], ARGV[3])
else
    redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
end
if ARGV[5] == '' then
    redis.call('ZREM', KEYS[3], ARGV[3])
else
    redis.call('ZADD', KEYS[3], ARGV[5], ARGV[3])
end
local i = 7
local changes = tonumber(ARGV[i])
i = i + 1
for _ = 1, changes do
    local field, delta = ARGV[i], tonumber(ARGV[i + 1])
    redis.call('HINCRBY', KEYS[5], field, delta)
    if string.sub(field, 1, 7) == 'status:' then
        local zset = KEYS[5] .. ':s:' .. string.sub(field, 8)
        if delta > 0 then
            redis.call('ZADD', zset, ARGV[6], ARGV[3])
        else
            redis.call('ZREM', zset, ARGV[3])
        end
    end
    i = i + 2
end
local owed = tonumber(ARGV[i])
i = i + 1
local now = now_s()
for _ = 1, owed do
    local id = ARGV[i]
    redis.call('SET', '@WEBHOOK@' .. id, ARGV[i + 1])
    redis.call('ZADD', KEYS[4], now, id)
    redis.call('RPUSH', KEYS[1] .. ':webhooks', id)
    i = i + 2
end
if ARGV[i] ~= '' then redis.call('LPUSH', KEYS[6], ARGV[i]) end
if ARGV[i + 1] ~= '' then
    redis.call('HINCRBY', KEYS[7], ARGV[i + 1], -1)
    redis.call('HINCRBY', KEYS[7], ARGV[i + 2], 1)
end
for k = 0, 2 do redis.call('HSET', KEYS[8 + k], ARGV[3], ARGV[i + 3 + k]) end
if changes > 0 then settle(KEYS[5], now) end
return 1
""".replace("@WEBHOOK@", delivery_key(""))
    .replace("@ENDED@", _ENDED)
    .replace("@RUNNING@", _RUNNING)
)
# KEYS: job record, tenant index, jobs by status, the tenant's three inbox hashes, deadline
# index, the job's thread list and its first stage's queue (the record again where the job
# has no thread or no message). ARGV: record, job id, creation time, status, the inbox row's
# three parts, deadline or "", "1" when the job is in a thread or "", the first stage's
# message or "", and optionally a fence: the broker's time (Unix ms) after which the job is
# no longer to be made. Returns 1 when made, 0 when another record holds the id, -1 when
# the fence has passed. A record already there byte for byte is this call's own, retried
# after a lost reply (ids are 96 random bits and the record holds its creation time):
# made, not refused, and nothing is written twice. The fence is for a caller that gives up
# (see shared.broker_clock): without it, a call sent to a broker that was stopped made the
# job when the broker resumed, after the API had answered 503 and deleted its input.
CREATE_JOB = (
    PAST_FENCE
    + """
local current = redis.call('GET', KEYS[1])
if current then
    if current == ARGV[1] then return 1 end
    return 0
end
if past_fence(ARGV[11]) then return -1 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
redis.call('HINCRBY', KEYS[3], ARGV[4], 1)
for k = 0, 2 do redis.call('HSET', KEYS[4 + k], ARGV[2], ARGV[5 + k]) end
if ARGV[8] ~= '' then redis.call('ZADD', KEYS[7], ARGV[8], ARGV[2]) end
if ARGV[9] ~= '' then redis.call('RPUSH', KEYS[8], ARGV[2]) end
if ARGV[10] ~= '' then redis.call('LPUSH', KEYS[9], ARGV[10]) end
return 1
"""
)
# KEYS: job record, tenant index, deadline index, batch hash, jobs by status, the tenant's
# three inbox hashes, the batch's rejections. ARGV: record, job id, creation time, deadline
# or "", item index, the inbox row's three parts. A batch item's job is made at most once
# (the ingest worker may make it again after a crash) and counted exactly when it is made.
# As in CREATE_JOB, a record there byte for byte is this very call's, sent again by the
# client after a lost reply: made (so the caller queues its first stage), and nothing
# counted twice. A job made again after a crash is a new record (its own creation time):
# refused. An item is a job or a rejection, never both (BatchStore.reject checks the other
# way): -1 for an item rejected meanwhile (a redelivered chunk). -2 once the batch is
# canceled: an item fetched while POST .../cancel ran would otherwise become a job after
# the cancel task had listed the batch's jobs, and run to the end.
CREATE_BATCH_JOB = """
local current = redis.call('GET', KEYS[1])
if current then
    if current == ARGV[1] then return 1 end
    return 0
end
if redis.call('HEXISTS', KEYS[9], ARGV[5]) == 1 then return -1 end
if redis.call('HGET', KEYS[4], 'canceled') == '1' then return -2 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
if ARGV[4] ~= '' then redis.call('ZADD', KEYS[3], ARGV[4], ARGV[2]) end
redis.call('HINCRBY', KEYS[4], 'created', 1)
redis.call('HINCRBY', KEYS[4], 'status:queued', 1)
redis.call('HINCRBY', KEYS[5], 'queued', 1)
redis.call('ZADD', KEYS[4] .. ':jobs', ARGV[5], ARGV[2])
redis.call('ZADD', KEYS[4] .. ':s:queued', ARGV[5], ARGV[2])
for k = 0, 2 do redis.call('HSET', KEYS[6 + k], ARGV[2], ARGV[6 + k]) end
return 1
"""
# KEYS: job record, tenant index, the tenant's three inbox hashes, its review overlay, the
# job's reviews, deadline index, retention index, jobs by status, the job's thread (the
# record again when it has none), the job's deleted marker, its batch hash (the record again
# when it has none), and with kept usage the tenant's hash of it and its index by creation.
# ARGV: job id, the marker's lifetime in seconds, its item index in the batch, and with kept
# usage the SHA-1 of the record it was made from, its JSON and the job's creation time: -1,
# nothing done, if the record is no longer that one (the caller makes it again). The job is
# uncounted under the status its record holds, and only by the call that
# removes the record: a delete sent twice (two requests at once, or the client's retry after
# a lost reply) takes one job off the count once, where a MULTI of the same commands took it
# off twice.
DELETE_JOB = (
    SETTLE
    + """
-- The marker in the same script: a delete cut short between two round trips left a job
-- gone without it, and its idempotency key then answered as if it had never been.
redis.call('SET', KEYS[12], '1', 'EX', ARGV[2])
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
if ARGV[4] ~= '' then
    if redis.sha1hex(current) ~= ARGV[4] then return -1 end
    redis.call('HSET', KEYS[14], ARGV[1], ARGV[5])
    redis.call('ZADD', KEYS[15], ARGV[6], ARGV[1])
end
local status = cjson.decode(current)['status']
redis.call('DEL', KEYS[1], KEYS[7])
-- The list of the job's event ids (written beside the record by COMPARE_AND_SET): nothing
-- else ever deletes it. The events themselves stay, those still owed sent as they are.
redis.call('DEL', KEYS[1] .. ':webhooks')
redis.call('ZREM', KEYS[2], ARGV[1])
for k = 3, 6 do redis.call('HDEL', KEYS[k], ARGV[1]) end
redis.call('ZREM', KEYS[8], ARGV[1])
redis.call('ZREM', KEYS[9], ARGV[1])
redis.call('HINCRBY', KEYS[10], status, -1)
if KEYS[11] ~= KEYS[1] then redis.call('LREM', KEYS[11], 0, ARGV[1]) end
-- A batch job removed before it ended (a retry that moved it back to queued after the
-- DELETE's own cancel) counts as canceled, as the DELETE made it: left under its status it
-- held its batch open for good, nothing left to end it. Decided on the record as it is
-- here, not as the caller read it.
local b, ended = KEYS[13], @ENDED@
if b ~= KEYS[1] and not ended[status] and redis.call('EXISTS', b) == 1 then
    redis.call('HINCRBY', b, 'status:' .. status, -1)
    redis.call('ZREM', b .. ':s:' .. status, ARGV[1])
    redis.call('HINCRBY', b, 'status:canceled', 1)
    redis.call('ZADD', b .. ':s:canceled', ARGV[3], ARGV[1])
    settle(b, now_s())
end
return 1
""".replace("@ENDED@", _ENDED)
)

# KEYS: job record, deadline index. ARGV: SHA-1 of the record as read, job id, deadline. The
# job is indexed for a later look only if nobody wrote it since: a write indexes it itself.
REINDEX = """
local current = redis.call('GET', KEYS[1])
if not (current and redis.sha1hex(current) == ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
return 1
"""

# KEYS: a claim. ARGV: the value it must hold, the value to put instead, its lifetime (s).
TAKE_OVER = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
"""
