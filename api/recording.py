"""Recording a new job and queueing its first stage from the API's event loop.

Intake used to run each upload's probe, write and Redis transaction on a thread of its own.
That hop (a future, a wake-up, the GIL handed between the loop and the thread while other
uploads' bytes arrive) cost about 0.4 ms of an upload's 2.5 ms of CPU (the same request
driven in-process); without it `make bench ONLY=intake` serves 17 % more uploads a second.
Now the record and the first stage's message go in one script call (shared.jobstore's
CREATE_JOB, the one the synchronous ``JobStore.create`` runs too) on an asyncio client: the
loop never waits on Redis, and a broker restart holds up only the uploads that need it, as
the retries of the synchronous clients do.

The call has the API's broker budget (``broker.api_timeout_s``) and a fence (see
shared.broker_clock): a broker that was stopped runs it when it resumes, long after the
request was answered 503 and its input deleted, and the fence has it make nothing then.
"""

from __future__ import annotations

import asyncio
import time

import redis.asyncio
from celery import Celery
from redis.commands.core import AsyncScript

from shared.broker_clock import BrokerClock, TooLate
from shared.jobstore import JobStore
from shared.jobstore_lua import CREATE_JOB
from shared.models import Job
from shared.pipeline import first_message
from shared.redis_keys import connect_async_within


class JobRecorder:
    """Makes jobs as ``shared.pipeline.create_and_queue`` does, awaited instead of blocking."""

    def __init__(self, url: str, jobs: JobStore, celery: Celery, clock: BrokerClock) -> None:
        self._url = url
        self._jobs = jobs
        self._celery = celery
        self._clock = clock
        self._bound: tuple[asyncio.AbstractEventLoop, redis.asyncio.Redis, AsyncScript] | None
        self._bound = None

    async def create_and_queue(self, job: Job) -> None:
        """Record ``job`` and queue its first stage, both or neither, within the budget:
        a TimeoutError (or a redis ConnectionError) when the broker did not make it in
        time, and then it never will; ValueError when its id is taken (never in practice:
        ids are 96 random bits)."""
        started = time.monotonic()
        # Made here, in the request's context: the message carries the request's trace.
        keys, args = self._jobs.creation(job, first_message(self._celery, job))
        client, script = self._client()
        async with asyncio.timeout(self._clock.budget_s):
            fence = await self._clock.fence_ms_async(client, started)
            made = await script(keys=keys, args=[*args, fence])
        if made == -1:
            self._clock.forget()
            raise TooLate(f"the broker ran the creation of {job.id} after its fence")
        if not made:
            raise ValueError(f"job {job.id} already exists")

    def _client(self) -> tuple[redis.asyncio.Redis, AsyncScript]:
        # An asyncio client's connections belong to the loop that opened them. A server has
        # one loop per process; tests may drive one app from several, each gets a client.
        loop = asyncio.get_running_loop()
        if self._bound is None or self._bound[0] is not loop:
            client = connect_async_within(self._url, self._clock.budget_s)
            self._bound = (loop, client, client.register_script(CREATE_JOB))
        return self._bound[1], self._bound[2]
