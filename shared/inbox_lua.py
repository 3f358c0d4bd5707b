"""The review inbox's server-side scripts (see shared.inbox and shared.inbox_rows)."""

from __future__ import annotations

# KEYS: the tenant's index, its facets, search text and overlay hashes. ARGV: the previous
# slice's last id and score ("" for the first slice), slice size, then status, intent,
# urgency, needs_review, batch_id, text, reviewed ("" for any), then the text as rows
# written before search folded accents hold it ("" when the same). Returns the matching ids
# and their scores (space-separated), the ids without a row, the slice's last id and
# score, and its size. Facets are read for every job of the slice, search texts only for
# those whose facets pass.
FILTER = """
local sep = '\\31'
local find, sub = string.find, string.sub

local function fields(s, count)
    local ends, at = {}, 0
    for k = 1, count do
        at = find(s, sep, at + 1, true)
        ends[k] = at
    end
    return ends
end

local start = 0
if ARGV[1] ~= '' then
    local rank = redis.call('ZREVRANK', KEYS[1], ARGV[1])
    if rank then start = rank + 1
    else start = redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[2], '+inf') end
end
local got = redis.call('ZREVRANGE', KEYS[1], start, start + tonumber(ARGV[3]) - 1, 'WITHSCORES')
local n = #got / 2
if n == 0 then return {'', '', '', '', '', 0} end
local ids = {}
for i = 1, n do ids[i] = got[2 * i - 1] end
local facets = redis.call('HMGET', KEYS[2], unpack(ids))
local overs = redis.call('HMGET', KEYS[4], unpack(ids))
local status, intent, urgency, review, batch, text, reviewed, older =
    ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11]
local kept, missing = {}, {}
for i = 1, n do
    local row, over = facets[i], overs[i]
    if not row then
        missing[#missing + 1] = ids[i]
    else
        -- status, intent, urgency, needs_review, batch_id: their ends found inline (no
        -- table per job), each compared only when the filter names it.
        local e1 = find(row, sep, 1, true)
        local e2 = find(row, sep, e1 + 1, true)
        local e3 = find(row, sep, e2 + 1, true)
        local e4 = find(row, sep, e3 + 1, true)
        local ok = (status == '' or sub(row, 1, e1 - 1) == status)
            and (review == '' or sub(row, e3 + 1, e4 - 1) == review)
            and (batch == '' or sub(row, e4 + 1) == batch)
        local o_reviewed, o_intent, o_urgency = '0', '', ''
        if ok and over then
            -- reviewed, intent, urgency, JSON, search text
            local o = fields(over, 3)
            o_reviewed = sub(over, 1, o[1] - 1)
            o_intent = sub(over, o[1] + 1, o[2] - 1)
            o_urgency = sub(over, o[2] + 1, o[3] - 1)
        end
        ok = ok and (reviewed == '' or o_reviewed == reviewed)
        if ok and intent ~= '' then
            if o_intent == '' then o_intent = sub(row, e1 + 1, e2 - 1) end
            ok = o_intent == intent
        end
        if ok and urgency ~= '' then
            if o_urgency == '' then o_urgency = sub(row, e2 + 1, e3 - 1) end
            ok = o_urgency == urgency
        end
        if ok then kept[#kept + 1] = i end
    end
end
if text ~= '' and #kept > 0 then
    local wanted = {}
    for j, i in ipairs(kept) do wanted[j] = ids[i] end
    local texts = redis.call('HMGET', KEYS[3], unpack(wanted))
    local function has(s, from)
        return find(s, text, from, true) or (older ~= '' and find(s, older, from, true))
    end
    local found = {}
    for j, i in ipairs(kept) do
        local words, over = texts[j], overs[i]
        local hit = words and has(words, 1)
        if not hit and over then
            hit = has(over, fields(over, 4)[4] + 1)
        end
        if hit then found[#found + 1] = i end
    end
    kept = found
end
local matched, scores = {}, {}
for j, i in ipairs(kept) do
    matched[j] = ids[i]
    scores[j] = got[2 * i]
end
return {table.concat(matched, ' '), table.concat(scores, ' '), table.concat(missing, ' '),
        ids[n], got[2 * n], n}
"""
# KEYS: a job's record, its tenant's facets, search text and JSON hashes. ARGV: job id and
# the row's three parts. A row made for a job stored before the inbox existed, kept only if
# the record is still there and has no row yet.
BACKFILL = """
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 1 then
    redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
    redis.call('HSET', KEYS[4], ARGV[1], ARGV[4])
end
"""
