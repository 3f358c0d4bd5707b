"""Loaded into the benchmark's worker with ``celery worker --include tests.bench.sleepy``.

It registers a reply and a speech provider that wait 200 ms like a remote vendor would, and a bare
Celery task doing only that wait, the ceiling our own stage machinery is compared with.
"""

from __future__ import annotations

import time

import redis
from celery import shared_task

from shared.models import Reply, SynthesizedAudio, Transcript, Triage
from shared.provider_catalog import ProviderSpec, Work, register
from shared.settings import OutputFormat, get_settings
from tests.bench.instant import SILENCE as _SILENCE
from workers.providers.base import LlmProvider, ReplyContext, TtsProvider

LATENCY_S = 0.2


class SleepyResponder(LlmProvider):
    """A reply provider whose only cost is 200 ms of waiting on the network."""

    name = "sleepy"

    def respond(self, transcript: Transcript, context: ReplyContext) -> Reply:
        time.sleep(LATENCY_S)
        return Reply(
            text="Thanks, we will call you back.",
            provider=self.name,
            triage=Triage(summary=transcript.text[:50]),
        )


class SleepyVoice(TtsProvider):
    """A speech provider whose only cost is 200 ms of waiting on the network."""

    name = "sleepy"

    def voices(self) -> list[str]:
        return ["sleepy"]

    def synthesize(
        self, text: str, voice: str | None, output_format: OutputFormat
    ) -> SynthesizedAudio:
        time.sleep(LATENCY_S)
        return SynthesizedAudio(
            data=_SILENCE, media_type="audio/wav", extension="wav", duration_s=0.1,
            provider=self.name,
        )  # fmt: skip


register(ProviderSpec("llm", "sleepy", f"{__name__}:SleepyResponder", Work.IO))
register(ProviderSpec("tts", "sleepy", f"{__name__}:SleepyVoice", Work.IO))


_client: redis.Redis | None = None


@shared_task(name="bench.bare_sleep", ignore_result=True)  # type: ignore[untyped-decorator]
def bare_sleep(_: str) -> None:
    # One write each for the first start and the last finish: all the bench needs to know.
    global _client
    if _client is None:
        _client = redis.Redis.from_url(get_settings().broker.url)
    client = _client
    client.set("bench:bare:first", time.time(), nx=True)
    time.sleep(LATENCY_S)
    client.set("bench:bare:last", time.time())
