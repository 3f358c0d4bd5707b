"""The broker's clock as one process reads it, for fences.

A caller that gives up on the broker (the API answers 503 after its budget) may leave a call
behind in it: a broker that is stopped (SIGSTOP, a stalled VM) accepts the connection, keeps
what was sent, and runs it when it resumes, long after the caller undid the rest (deleted the
upload). A call that makes something therefore carries a fence, the broker's time after which
it is to make nothing, and the script compares it with the broker's own TIME. The fence falls
``margin_s`` before the caller's budget ends, so whatever is made in time is answered in time.
"""

from __future__ import annotations

import time

import redis
import redis.asyncio

# Read again this often: a clock stepped since the last reading moves the fence by as much.
REFRESH_S = 60.0

# The Lua that refuses a call past its fence (ARGV[n], Unix ms; '' or absent: no fence).
PAST_FENCE = """
local function past_fence(fence)
    if not fence or fence == '' then return false end
    local now = redis.call('TIME')
    return tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) > tonumber(fence)
end
"""


class TooLate(redis.TimeoutError):
    """The broker ran the call after its fence: nothing was made."""


class BrokerClock:
    def __init__(self, budget_s: float) -> None:
        self.budget_s = budget_s
        # A reply sent just before the fence still has this long to arrive.
        self.margin_s = min(1.0, budget_s / 3)
        # The broker's Unix time minus this process's monotonic clock, and when it was read.
        self._offset: tuple[float, float] | None = None

    def fence_ms(self, client: redis.Redis, started: float) -> int:
        """The fence of a call begun at ``started`` (monotonic), reading the clock if due."""
        if self._stale():
            sent = time.monotonic()
            reading = client.time()
            self._learn(sent, reading, time.monotonic())
        return self._fence(started)

    async def fence_ms_async(self, client: redis.asyncio.Redis, started: float) -> int:
        if self._stale():
            sent = time.monotonic()
            reading = await client.time()
            self._learn(sent, reading, time.monotonic())
        return self._fence(started)

    def forget(self) -> None:
        """Read the clock again before the next fence (a call was refused as too late:
        perhaps the broker's clock was stepped)."""
        self._offset = None

    def _stale(self) -> bool:
        return self._offset is None or time.monotonic() - self._offset[1] > REFRESH_S

    def _learn(self, sent: float, reading: tuple[int, int], back: float) -> None:
        seconds, micros = reading
        # The broker read its clock somewhere in the round trip: take its middle, at worst
        # half a round trip off (well under the margin on any usable network).
        self._offset = (seconds + micros / 1e6 - (sent + back) / 2, back)

    def _fence(self, started: float) -> int:
        assert self._offset is not None
        return int((started + self.budget_s - self.margin_s + self._offset[0]) * 1000)
