"""Providers that answer at once, and a bare Celery chain: what the pipeline bench compares.

Named in ``VOICEPIPE_PROVIDERS__PLUGINS``, this module is imported by every process of the
bench's stack. Its providers do no work, so what remains of a job's time is VoicePipe's own:
the job record, storage, three queues. Its tasks are the ceiling: three no-op tasks, one per
stage, each sending the next, on the same broker, pools and event settings, in workers of
their own on kombu's own transport (tests/bench/bare_celery.py).
"""

from __future__ import annotations

import time

import redis
from celery import shared_task

from shared.models import Reply, SynthesizedAudio, Transcript, Triage
from shared.provider_catalog import ProviderSpec, Work, register
from shared.settings import OutputFormat, get_settings
from tests.bench import hop_marks
from workers.providers.base import (
    AudioInput,
    LlmProvider,
    ReplyContext,
    SttProvider,
    TtsProvider,
)

# A valid, tiny reply: 0.1 s of silence as a WAV file.
SILENCE = (
    b"RIFF" + (36 + 3200).to_bytes(4, "little") + b"WAVEfmt " + (16).to_bytes(4, "little")
    + (1).to_bytes(2, "little") + (1).to_bytes(2, "little") + (16000).to_bytes(4, "little")
    + (32000).to_bytes(4, "little") + (2).to_bytes(2, "little") + (16).to_bytes(2, "little")
    + b"data" + (3200).to_bytes(4, "little") + bytes(3200)
)  # fmt: skip


class InstantStt(SttProvider):
    name = "instant"

    def transcribe(self, audio: AudioInput) -> Transcript:
        return Transcript(text="please call me back about my order", provider=self.name)


class InstantReply(LlmProvider):
    name = "instant"

    def respond(self, transcript: Transcript, context: ReplyContext) -> Reply:
        return Reply(text="Thanks, we will call you back.", provider=self.name, triage=Triage())


class InstantVoice(TtsProvider):
    name = "instant"

    def voices(self) -> list[str]:
        return ["silence"]

    def synthesize(
        self, text: str, voice: str | None, output_format: OutputFormat
    ) -> SynthesizedAudio:
        return SynthesizedAudio(
            data=SILENCE, media_type="audio/wav", extension="wav", duration_s=0.1,
            provider=self.name,
        )  # fmt: skip


# CPU work, like the offline engines: their stages get the prefork pools they would.
for _stage, _cls in (("stt", "InstantStt"), ("llm", "InstantReply"), ("tts", "InstantVoice")):
    register(ProviderSpec(_stage, "instant", f"{__name__}:{_cls}", Work.CPU))


# The bench's marks of when each task reached its pool (goal 3), in every worker process.
hop_marks.install()

_client: redis.Redis | None = None


def _redis() -> redis.Redis:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(get_settings().broker.url)
    return _client


# The bare chain's queues, consumed by workers of its own on kombu's transport
# (tests/bench/bare_celery.py). Sent with ``on_stack=True``, the chain runs on the stack's
# own queues and workers instead, on VoicePipe's transport (a reference row of the bench).
# The task names end in the stage, as the hop marks read them.
BARE_QUEUES = {"stt": "bare-stt", "llm": "bare-llm", "tts": "bare-tts"}


def chain_queue(stage: str, on_stack: bool) -> str:
    """The queue of the chain's task for ``stage``."""
    return stage if on_stack else BARE_QUEUES[stage]


@shared_task(name="bench.chain.stt", ignore_result=True)  # type: ignore[untyped-decorator]
def chain_stt(n: str, on_stack: bool = False) -> None:
    _redis().set("bench:chain:first", time.time(), nx=True)
    chain_llm.apply_async(args=[n, on_stack], queue=chain_queue("llm", on_stack))


@shared_task(name="bench.chain.llm", ignore_result=True)  # type: ignore[untyped-decorator]
def chain_llm(n: str, on_stack: bool = False) -> None:
    chain_tts.apply_async(args=[n, on_stack], queue=chain_queue("tts", on_stack))


@shared_task(name="bench.chain.tts", ignore_result=True)  # type: ignore[untyped-decorator]
def chain_tts(n: str, on_stack: bool = False) -> None:
    client = _redis()
    client.set("bench:chain:last", time.time())
    client.incr("bench:chain:done")
