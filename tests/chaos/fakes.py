"""Vendor fakes that know which job each request belongs to and log every answered call.

Each job's audio is a distinct WAV (a tone whose first sample is the job's number ``n``);
the Whisper fake maps the upload's sha256 back to ``n`` and "hears" a voicemail whose
callback number is 415 555 ``nnnn``. That number then travels through every later stage by
itself: Claude's request carries it in the transcript, and the spoken reply the TTS request
carries reads it out digit by digit. So every provider request names its job without any
change to product code.

``served`` counts the calls a fake answered successfully (the handler ran and returned 2xx):
injected faults never reach a handler, and a hung call counts only if it is released with
an answer. Those are the stage side effects the duplicate count is made from.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import threading
import time
from collections import Counter
from typing import Any

from fastapi import Request, Response

from shared.models import Transcript, Word
from tests import audio_factory as af
from tests.cloud_fakes import ANTHROPIC_KEY, OPENAI_KEY, anthropic_and_openai_settings
from tests.fakes.anthropic import AnthropicFake
from tests.fakes.openai import OpenAIFake

SCRIPT = (
    "Hi, this is Maria Lopez. I would like to reschedule my appointment to Tuesday at 3 pm. "
    "Please call me back at 415 555 {n:04d}. Thanks."
)
_DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_LLM_MARK = re.compile(r"415 555 (\d{4})")
_TTS_MARK = re.compile(r"five five five, ((?:[a-z]+ ?){4})")
_BASE_TONE = af.tone(1.5)


def audio_for(n: int) -> bytes:
    """A 1.5 s WAV unique to job ``n`` (WAV is lossless, so the marker survives upload)."""
    samples = _BASE_TONE.copy()
    samples[0] = n
    return af.encode_samples(samples, "wav", 16000)


def llm_marker(body: bytes) -> int | None:
    found = _LLM_MARK.findall(body.decode(errors="replace"))
    return int(found[-1]) if found else None  # the last turn is this job's voicemail


def tts_marker(text: str) -> int | None:
    found = _TTS_MARK.search(text)
    if not found:
        return None
    words = found.group(1).split()
    if len(words) != 4 or any(w not in _DIGITS for w in words):
        return None
    return int("".join(str(_DIGITS.index(w)) for w in words))


class _Served:
    """Thread-safe tally of successful answers per (stage, job number)."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, int | None]] = Counter()
        self._lock = threading.Lock()

    def add(self, stage: str, n: int | None) -> None:
        with self._lock:
            self.counts[(stage, n)] += 1

    def get(self, stage: str, n: int) -> int:
        with self._lock:
            return self.counts[(stage, n)]


class ChaosAnthropic(AnthropicFake):
    """Claude, optionally slow, optionally hanging on chosen jobs until released."""

    def __init__(self, served: _Served, **kwargs: Any) -> None:
        super().__init__(api_key=ANTHROPIC_KEY, **kwargs)
        self.served = served
        self.latency_s = 0.0
        # job number -> how many of its next calls hang (until ``release_hung``).
        self.hang: dict[int, int] = {}
        # Jobs whose hung calls, once released, fail (503) instead of being answered.
        self.late_error: set[int] = set()
        self._release = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def _messages(self, request: Request) -> Response:
        raw = await request.body()
        n = llm_marker(raw)
        if n is not None and self.hang.get(n, 0) > 0:
            self.hang[n] -= 1
            self._loop = asyncio.get_running_loop()
            await self._release.wait()
            if n in self.late_error:
                fault = self.error(503)
                return Response(fault.body, fault.status, fault.headers, fault.content_type)
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        response = await super()._messages(request)
        if response.status_code == 200:
            self.served.add("llm", n)
        return response

    def release_hung(self) -> None:
        """End every hang now: answered late (or a 503 for ``late_error`` jobs), as a
        stalled upstream finally does."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._release.set)

    def requests_of(self, n: int) -> int:
        """Every /v1/messages request for job ``n``, answered or not (faults included)."""
        return sum(1 for r in self.calls("/v1/messages") if llm_marker(r.body) == n)


class ChaosOpenAI(OpenAIFake):
    """Whisper that hears each job's own voicemail, and a speech endpoint answering tones."""

    def __init__(self, served: _Served, **kwargs: Any) -> None:
        super().__init__(api_key=OPENAI_KEY, speech="tone", **kwargs)
        self.served = served
        self.latency_s = 0.0
        self.markers: dict[str, int] = {}

    def register(self, n: int) -> bytes:
        audio = audio_for(n)
        self.markers[hashlib.sha256(audio).hexdigest()] = n
        return audio

    def _transcribe(self, data: bytes, extension: str) -> Transcript:
        # Runs in the fake's thread pool, so a blocking sleep stands for a slow vendor.
        if self.latency_s:
            time.sleep(self.latency_s)
        n = self.markers.get(hashlib.sha256(data).hexdigest())
        text = SCRIPT.format(n=n if n is not None else 9999)
        tokens = text.split()
        step = 1.5 / len(tokens)
        words = [
            Word(word=w, start_s=round(i * step, 2), end_s=round((i + 1) * step, 2))
            for i, w in enumerate(tokens)
        ]
        self.served.add("stt", n)
        return Transcript(text=text, provider="fake", duration_s=1.5, words=words)

    async def _speech(self, request: Request) -> Response:
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        response = await super()._speech(request)
        if response.status_code == 200:
            body = json.loads(await request.body())
            self.served.add("tts", tts_marker(str(body.get("input", ""))))
        return response


class ChaosFakes:
    """The two vendors a chaos stack talks to, sharing one tally of served calls."""

    def __init__(
        self, *, failure_rate: float = 0.0, hang_s: float = 3.0, yield_cpu: bool = False
    ) -> None:
        self.yield_cpu = yield_cpu  # see FakeServer.start
        self.served = _Served()
        self.anthropic = ChaosAnthropic(self.served, failure_rate=failure_rate)
        self.openai = ChaosOpenAI(self.served, failure_rate=failure_rate)
        for fake in (self.anthropic, self.openai):
            # The vendors' own transient mix, with hangs of ``hang_s`` (past the client
            # timeout) rather than 30 s, so none is still pending when the scenario ends.
            fake.random_faults = [
                fake.timeout(hang_s) if fault.delay_s else fault
                for fault in fake.transient_errors()
            ]

    def start(self) -> ChaosFakes:
        self.anthropic.start(yield_cpu=self.yield_cpu)
        self.openai.start(yield_cpu=self.yield_cpu)
        return self

    def stop(self) -> None:
        self.anthropic.release_hung()
        self.anthropic.stop()
        self.openai.stop()

    def settings(self, *, timeout_s: float) -> dict[str, Any]:
        """``Settings(...)`` keyword arguments pointing llm and tts (and stt) at the fakes."""
        return anthropic_and_openai_settings(
            self.anthropic.base_url, self.openai.base_url, timeout_s
        )
