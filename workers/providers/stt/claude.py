"""Transcription by Claude, for gateways that take audio, with a fallback where it cannot.

The public Messages API has no audio content block and answers such a request with a 400;
some gateways in front of it do accept audio. So the audio is always offered, and when the
endpoint refuses that block (or the audio makes the request too large for it: a 413, or a
body over the API's 32 MB that is not sent at all), or the model declines to transcribe it
(a refusal), the configured fallback engine transcribes instead, recorded in the
transcript's details. Only those fall back: a bad key, a rate limit or an outage is raised
as usual, so Celery retries or fails the job rather than quietly paying another vendor.
"""

from __future__ import annotations

import base64
import json
import re
from functools import cached_property
from typing import Any

import anthropic

from shared.errors import carry_charges
from shared.models import Billed, Stage, Transcript, Usage
from shared.settings.providers import AnthropicSettings, ClaudeSttSettings
from workers.providers.anthropic_client import (
    anthropic_errors,
    api_message,
    ensure_model,
    make_client,
    post_messages,
    text_of,
    usage_of,
)
from workers.providers.base import AudioInput, ProviderSource, SttProvider
from workers.providers.errors import ProviderError

SAMPLE_RATE = 16_000
NO_SPEECH = "(no speech)"
PROMPT = (
    "Transcribe this audio exactly, word for word, in the language spoken. Answer with the "
    "transcript only: no preamble, quotes, labels or notes. Write numbers the way they were "
    f"said. If nothing is spoken, answer exactly {NO_SPEECH}."
)
# How an endpoint says it does not take the audio block: the real API's "Input tag 'audio'
# found using 'type' does not match any of the expected tags", or a gateway's own words.
_REFUSES_AUDIO = re.compile(r"audio|content[ _]block|block type|input tag", re.IGNORECASE)
# The Messages API's request limit (Cloudflare answers a larger body 413 before the API sees
# it, so no audio refusal ever comes): base64 makes a recording over ~24 MB too large.
MAX_REQUEST_BYTES = 32_000_000
_LABEL = re.compile(r"^\s*(?:transcript(?:ion)?)\s*:\s*", re.IGNORECASE)


def refuses_audio(exc: anthropic.APIStatusError) -> bool:
    """Whether a 400 means "no audio blocks here" rather than some other bad request, or a
    413 says the audio makes the request too large for the endpoint."""
    if exc.status_code == 413:
        return True
    if exc.status_code != 400 or exc.type not in (None, "invalid_request_error"):
        return False
    # Read whole: what the job's error may quote of it is no limit on what we may read.
    return bool(_REFUSES_AUDIO.search(exc.api_message or exc.response.text))


class ClaudeStt(SttProvider):
    name = "claude"

    def __init__(
        self, config: AnthropicSettings, fallback: ClaudeSttSettings, *, providers: ProviderSource
    ) -> None:
        self.config = config
        self.fallback = fallback.fallback
        self.providers = providers

    @cached_property
    def client(self) -> anthropic.Anthropic:
        # Made on first use so that a worker without a key can still import and list us.
        return make_client(self.config)

    def request_body(self, audio: AudioInput) -> dict[str, Any]:
        section = self.config
        prompt = PROMPT
        if audio.language:
            prompt += f" The caller is expected to speak {audio.language}."
        source = {
            "type": "base64",
            "media_type": audio.media_type,
            "data": base64.b64encode(audio.data).decode("ascii"),
        }
        return {
            "model": section.model,
            "max_tokens": section.max_tokens,
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "audio", "source": source},
                        {"type": "text", "text": prompt},
                    ],
                }
            ],
        }

    def transcribe(self, audio: AudioInput) -> Transcript:
        body = self.request_body(audio)
        size = len(json.dumps(body))
        if size > MAX_REQUEST_BYTES:  # read now: tests lower the limit
            reason = (
                f"the recording makes a {size} byte request, over the Messages API's "
                f"{MAX_REQUEST_BYTES} byte request limit"
            )
            return self._fall_back(audio, reason)
        ensure_model(self.client, self.config)
        billed: Usage | None = None  # a refused answer's tokens, billed all the same
        with anthropic_errors():
            try:
                message = post_messages(self.client, body)
            except (anthropic.BadRequestError, anthropic.ContentTooLargeError) as exc:
                if not refuses_audio(exc):
                    raise  # turned into provider_rejected by anthropic_errors
                reason = api_message(exc)
            except ProviderError as exc:
                # A model that declines to transcribe a recording (a safety stop) is one more
                # engine that cannot take this audio: the caller's voicemail is still heard,
                # by the fallback, and the refusal is kept as the reason. Without a fallback
                # the job fails with it.
                if exc.code != "content_refused":
                    raise
                reason, billed = exc.message, exc.billed
            else:
                text = clean(text_of(message))
                usage = usage_of(message)
                return Transcript(
                    text=text,
                    language=audio.language,
                    provider=self.name,
                    duration_s=_duration(audio),
                    details={
                        "engine": "claude",
                        "model": self.config.model,
                        "usage": usage.model_dump(),
                    },
                )
        return self._fall_back(audio, reason, billed)

    def fallback_engine(self) -> str | None:
        """The engine to use when audio is refused; None when the settings say none."""
        choice = self.fallback
        if choice == "none":
            return None
        if choice == "auto":
            whisper_ready = self.providers.missing(Stage.STT, "whisper") is None
            return "whisper" if whisper_ready else "local"
        return choice

    def _fall_back(self, audio: AudioInput, reason: str, billed: Usage | None = None) -> Transcript:
        """The fallback's transcript; ``billed``, what Claude's refused answer cost, is kept
        as Claude's usage (the ledger charges it beside the fallback's audio)."""
        engine = self.fallback_engine()
        if engine is None:
            refused = ProviderError(
                "rejected_media",
                f"the Anthropic endpoint cannot take this audio ({reason}) and "
                "claude_stt.fallback is 'none'; set it to auto, whisper or local, or choose "
                "another stt provider",
                status=400,
            )
            refused.billed = billed
            raise refused
        engine_provider = self.providers.get(Stage.STT, engine)
        assert isinstance(engine_provider, SttProvider)
        try:
            heard = engine_provider.transcribe(audio)
        except Exception as exc:
            # The fallback's failure is the stage's, whatever it is (a StageFailed, or its
            # runtime breaking); Claude's refusal was billed all the same, and goes with it
            # for the stage runner to record (stages.stt.billed).
            if billed is not None:
                carry_charges(exc, [Billed.of(billed).model_copy(update={"engine": self.name})])
            raise
        details: dict[str, Any] = {
            "engine": engine,
            "fallback": {"from": self.name, "to": engine, "reason": reason},
            "engine_details": heard.details,
        }
        if billed is not None:
            details["usage"] = billed.model_dump()
        return heard.model_copy(update={"provider": self.name, "details": details})


def clean(text: str) -> str:
    """The transcript without the wrapping a model sometimes adds despite the prompt."""
    text = _LABEL.sub("", text.strip())
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1]
    text = " ".join(text.split())
    return "" if text.lower() == NO_SPEECH else text


def _duration(audio: AudioInput) -> float | None:
    return round(len(audio.pcm16k) / SAMPLE_RATE, 3) if len(audio.pcm16k) else None
