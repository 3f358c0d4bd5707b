"""Speech from ElevenLabs' text-to-speech API, over httpx.

Vendor formats map to our reply formats: mp3 is stored as sent; raw ``pcm_*`` and
``ulaw_8000`` answers (and mp3 when another format is wanted) are decoded to samples and
encoded once into the job's format, so every reply is a complete file a player opens. Text
over the model's per-request character limit is spoken in parts, joined as samples; each
part is sent with the text around it and the ids of the parts before it (request stitching),
so that its prosody carries on from the last, except on eleven_v3, which does not take them.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable

import httpx
import numpy as np
import numpy.typing as npt

from shared.audio import AV_ERRORS, MEDIA_TYPES, encode_pcm, sniff_container
from shared.audio.containers import decoder_reason
from shared.audio.speech_encode import decode_speech
from shared.errors import StageFailed
from shared.models import SynthesizedAudio
from shared.settings import OutputFormat
from shared.settings.providers import ElevenLabsSettings
from workers.providers.base import TtsProvider
from workers.providers.error_bodies import answer_words
from workers.providers.errors import (
    ProviderError,
    classify_exception,
    classify_status,
    unreadable,
    without_credentials,
)
from workers.providers.tts.billing import CharacterBill
from workers.providers.tts.text_parts import split_text

NAME = "elevenlabs"  # the provider, as jobs, settings, prices and metrics name it
# The vendor as it spells itself, in messages people read (job errors, logs).
VENDOR = "ElevenLabs"
log = logging.getLogger("voicepipe.tts.elevenlabs")

# Our format -> what to ask for. No opus here: PROVIDERS.md lists no ogg output, so ogg is
# made from 24 kHz PCM (the voices' native rate) by our own encoder, as is wav.
_DERIVED_FORMATS: dict[str, str] = {
    "mp3": "mp3_44100_128",
    "ogg": "pcm_24000",
    "wav": "pcm_24000",
}
# Characters one request may carry, by model (ElevenLabs' help centre; eleven_v3 from its
# API docs). Longer text is refused with a 400 (max_character_limit_exceeded), so it is
# spoken in parts. A model not listed gets the smallest limit: split, rather than refused.
CHARACTER_LIMITS: dict[str, int] = {
    "eleven_v3": 3_000,
    "eleven_multilingual_v2": 10_000,
    "eleven_multilingual_v1": 10_000,
    "eleven_monolingual_v1": 10_000,
    "eleven_flash_v2": 30_000,
    "eleven_turbo_v2": 30_000,
    "eleven_flash_v2_5": 40_000,
    "eleven_turbo_v2_5": 40_000,
}
# Parts are joined as samples; mp3 parts would be decoded, so raw PCM is asked for instead.
_JOIN_FORMAT = "pcm_24000"
# Request stitching: a few sentences either side are enough context for the prosody of a
# join, and the vendor takes at most three earlier request ids. eleven_v3 does not stitch.
CONTEXT_CHARACTERS = 300
MAX_PREVIOUS_REQUEST_IDS = 3
_UNSTITCHED_MODEL = re.compile(r"^eleven_v3(?:_|$)")
_FORMAT = re.compile(r"^(?P<codec>mp3|pcm|ulaw)_(?P<rate>\d+)(?:_\d+)?$")


def ulaw_decode(data: bytes) -> npt.NDArray[np.int16]:
    """G.711 μ-law bytes to int16 samples (``audioop`` left the standard library in 3.13)."""
    code = ~np.frombuffer(data, dtype=np.uint8).astype(np.int32) & 0xFF
    exponent = (code >> 4) & 0x07
    magnitude = ((((code & 0x0F) << 3) + 0x84) << exponent) - 0x84
    return np.where(code & 0x80, -magnitude, magnitude).astype(np.int16)


def character_limit(model_id: str) -> int:
    return CHARACTER_LIMITS.get(model_id, min(CHARACTER_LIMITS.values()))


class ElevenLabsTts(TtsProvider):
    name = NAME
    # The voice list changes rarely and every synthesis checks it: list once per 10 min.
    voices_ttl_s = 600.0

    def __init__(self, config: ElevenLabsSettings) -> None:
        self.config = config
        headers = {"xi-api-key": config.api_key.get_secret_value()} if config.api_key else {}
        # One pooled client per provider instance: the registry keeps one per worker process.
        self._http = httpx.Client(
            base_url=config.base_url.rstrip("/"), headers=headers, timeout=config.timeout_s
        )
        self._voices: dict[str, str] | None = None  # voice_id -> name
        self._voices_at = 0.0
        self._voices_lock = threading.Lock()

    def close(self) -> None:
        self._http.close()

    # -- voices ---------------------------------------------------------------------------
    def voices(self) -> list[str]:
        return list(self._voice_table())

    def _voice_table(self) -> dict[str, str]:
        with self._voices_lock:
            if self._voices is not None and time.monotonic() - self._voices_at < self.voices_ttl_s:
                return self._voices
            response = self._request("GET", "/v1/voices")
            try:
                listed = response.json()["voices"]
                table = {str(v["voice_id"]): str(v.get("name") or v["voice_id"]) for v in listed}
            except (ValueError, KeyError, TypeError) as exc:
                raise classify_exception(VENDOR, exc) from exc
            self._voices, self._voices_at = table, time.monotonic()
            return table

    def _voice_id(self, voice: str) -> str:
        """The id of ``voice``, given as an id or (case-insensitively) as a voice's name."""
        table = self._voice_table()
        if voice in table:
            return voice
        by_name = {name.lower(): voice_id for voice_id, name in table.items()}
        if voice.lower() in by_name:
            return by_name[voice.lower()]
        available = ", ".join(f"{name} ({voice_id})" for voice_id, name in table.items())
        raise StageFailed(
            "unknown_voice", f"ElevenLabs has no voice {voice!r}; available: {available}"
        )

    # -- synthesis ------------------------------------------------------------------------
    def synthesize(
        self, text: str, voice: str | None, output_format: OutputFormat
    ) -> SynthesizedAudio:
        if not text.strip():
            raise StageFailed("empty_text", "there is no text to speak")
        config = self.config
        pieces = split_text(text, character_limit(config.model_id))
        derived = _JOIN_FORMAT if len(pieces) > 1 else _DERIVED_FORMATS[output_format]
        vendor_format = config.output_format or derived
        match = _FORMAT.match(vendor_format)
        if match is None:
            raise StageFailed(
                "invalid_output_format",
                f"elevenlabs.output_format {vendor_format!r} is not one we can store: use "
                "mp3_<rate>_<bitrate>, pcm_<rate> or ulaw_8000",
            )
        voice_id = self._voice_id(voice or config.voice_id)
        codec, rate = match["codec"], int(match["rate"])
        # A failed part fails the call; the retried task speaks every part again. The parts
        # answered 2xx before it were billed: their characters go with the failure.
        stitched = len(pieces) > 1 and not _UNSTITCHED_MODEL.match(config.model_id)
        answers: list[httpx.Response] = []
        with CharacterBill(NAME, config.model_id).carried_on_failure() as bill:
            for index in range(len(pieces)):
                context = _stitching(pieces, index, answers) if stitched else {}
                answers.append(self._speak(pieces[index], voice_id, vendor_format, context, bill))
            if len(answers) == 1:
                data, duration_s = _to_file(answers[0], codec, rate, output_format)
            else:
                decoded = [_samples(answer, codec, rate) for answer in answers]
                pcm = np.concatenate([samples for samples, _ in decoded])
                rate = decoded[0][1]
                data, duration_s = encode_pcm(pcm, rate, output_format), len(pcm) / rate
        return SynthesizedAudio(
            data=data,
            media_type=MEDIA_TYPES[output_format],
            extension=output_format,
            duration_s=duration_s,
            provider=self.name,
            voice=voice_id,
        )

    def _speak(
        self,
        text: str,
        voice_id: str,
        vendor_format: str,
        context: dict[str, object],
        bill: CharacterBill,
    ) -> httpx.Response:
        config = self.config
        response = self._request(
            "POST",
            f"/v1/text-to-speech/{voice_id}",
            params={"output_format": vendor_format},
            json={
                "text": text,
                "model_id": config.model_id,
                "voice_settings": {
                    "stability": config.stability,
                    "similarity_boost": config.similarity_boost,
                    "style": config.style,
                    "use_speaker_boost": config.use_speaker_boost,
                    "speed": config.speed,
                },
                **context,
            },
            on_answer=lambda: bill.answered(text),
        )
        # The request id lets ElevenLabs support find the call; it carries no secret.
        log.info(
            "elevenlabs request %s: %s, %d bytes",
            response.headers.get("request-id", "-"),
            vendor_format,
            len(response.content),
        )
        return response

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: dict[str, object] | None = None,
        on_answer: Callable[[], None] | None = None,
    ) -> httpx.Response:
        """The answer, read whole; ``on_answer`` is called once its 2xx status has come,
        before its body is read (a body that then breaks off was answered all the same)."""
        try:
            request = self._http.build_request(method, path, params=params, json=json)
            response = self._http.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise classify_exception(VENDOR, exc) from exc
        try:
            if response.status_code < 400 and on_answer is not None:
                on_answer()
            response.read()
        except httpx.HTTPError as exc:
            error = classify_exception(VENDOR, exc)
            if response.status_code < 400:
                error.message = f"{VENDOR} answered {response.status_code}, but the answer "
                error.message += f"broke off mid-read ({exc})"
                error.args = (error.message,)
            raise error from exc
        finally:
            response.close()
        if response.status_code >= 400:
            raise _error(response)
        return response


def _stitching(pieces: list[str], index: int, spoken: list[httpx.Response]) -> dict[str, object]:
    """The stitching fields of part ``index``, given the answers to the parts before it."""
    context: dict[str, object] = {}
    if index > 0:
        context["previous_text"] = _tail(pieces[index - 1], CONTEXT_CHARACTERS)
        # Only an unbroken run of ids up to this part: an older id alone would stitch this
        # part onto the wrong audio.
        ids: list[str] = []
        for answer in reversed(spoken[-MAX_PREVIOUS_REQUEST_IDS:]):
            if not (request_id := answer.headers.get("request-id")):
                break
            ids.insert(0, request_id)
        if ids:
            context["previous_request_ids"] = ids
    if index + 1 < len(pieces):
        context["next_text"] = _head(pieces[index + 1], CONTEXT_CHARACTERS)
    return context


def _tail(text: str, limit: int) -> str:
    """The end of ``text``, at most ``limit`` characters, starting at a whole word."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[-limit:]
    space = cut.find(" ")
    return cut[space + 1 :] if 0 <= space < len(cut) - 1 else cut


def _head(text: str, limit: int) -> str:
    """The start of ``text``, at most ``limit`` characters, ending at a whole word."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    space = cut.rfind(" ")
    return cut[:space] if space > 0 else cut[:limit]


def _error(response: httpx.Response) -> ProviderError:
    """ElevenLabs' ``{"detail": {"code", "status", "message"}}`` through the shared classifier.

    ``detail.code`` and the legacy ``detail.status`` it replaced tell its 429s apart: our
    plan's concurrency, our rate, or their load. A body may carry both, and they need not
    agree: ``system_busy`` (their load) has no ``code`` of its own, and may come beside the
    generic ``rate_limit_exceeded``. The more specific name classifies it. Any other body is
    described by its shape: a proxy's page may echo the text sent, a customer's reply.
    """
    kind: str | None = None
    message: str | None = None
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, dict):
        kind = _specific([str(detail.get(name) or "") for name in ("code", "status")])
        message = str(detail.get("message") or "") or None
    elif isinstance(detail, list):  # FastAPI validation errors (422): the validator's words
        said = [str(item["msg"]) for item in detail if isinstance(item, dict) and "msg" in item]
        message = "; ".join(said) or None
    text = answer_words(message, response)
    text = without_credentials(text, response.request.headers)
    return classify_status(
        VENDOR, response.status_code, text, headers=response.headers, error_type=kind
    )


# Names that say more than "too many requests": whose limit (ours, theirs) or which.
_SPECIFIC_KINDS = frozenset(
    {"concurrent_limit_exceeded", "too_many_concurrent_requests", "system_busy"}
)


def _specific(names: list[str]) -> str | None:
    """The first of ``names`` (``code``, then ``status``) that is specific, else the first
    given; None when neither is."""
    given = [name for name in names if name]
    return next((n for n in given if n.lower() in _SPECIFIC_KINDS), given[0] if given else None)


def _malformed(reason: str) -> ProviderError:
    return unreadable(VENDOR, reason)


def _to_file(
    response: httpx.Response, codec: str, rate: int, output_format: OutputFormat
) -> tuple[bytes, float]:
    """A complete ``output_format`` file of the answer, and its length in seconds."""
    pcm, rate = _samples(response, codec, rate)
    if codec == "mp3" and output_format == "mp3":
        return response.content, len(pcm) / rate
    return encode_pcm(pcm, rate, output_format), len(pcm) / rate


def _samples(response: httpx.Response, codec: str, rate: int) -> tuple[npt.NDArray[np.int16], int]:
    """The answer's samples and their rate (mp3 at the rate it was made at: decoding it to
    16 kHz, the transcribers' rate, would lose the top of a 44.1 kHz reply)."""
    data = response.content
    content_type = response.headers.get("content-type", "")
    # A 200 carrying JSON or text is an error page or a proxy's answer, never audio.
    if not data or content_type.startswith(("application/json", "text/")):
        raise _malformed(f"200 answer is not audio ({content_type or 'no type'}, {len(data)} B)")
    if codec == "mp3":
        if sniff_container(data) != "mp3":
            raise _malformed(f"asked for mp3 but got {sniff_container(data) or 'unknown bytes'}")
        try:
            pcm, rate = decode_speech(data)
        except AV_ERRORS as exc:
            raise _malformed(f"the mp3 answer does not decode: {decoder_reason(exc)}") from exc
    elif codec == "ulaw":
        pcm = ulaw_decode(data)
    else:
        if len(data) % 2:
            raise _malformed(f"pcm answer has an odd length ({len(data)} B)")
        pcm = np.frombuffer(data, dtype="<i2").astype(np.int16)
    if pcm.size == 0:
        raise _malformed("the answer decodes to no audio")
    return pcm, rate
