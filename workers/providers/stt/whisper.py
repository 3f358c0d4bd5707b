"""Transcription with OpenAI's audio API (whisper-1 or the gpt-4o transcribe models)."""

from __future__ import annotations

import json
import time
from functools import cached_property
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import openai
import pydantic
from openai.types.audio import Transcription, TranscriptionWord

from shared.audio import MEDIA_TYPES, encode_pcm
from shared.errors import StageFailed, carry_charges
from shared.models import Billed, Transcript, Word
from shared.settings.providers import OpenAISettings
from shared.stt_languages import iso_639_1
from workers.providers.base import AudioInput, SttProvider
from workers.providers.errors import ProviderError
from workers.providers.openai_client import make_client, malformed, openai_errors

# The API answers 413 above this; tests lower it to exercise re-encoding cheaply.
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
# The limit counts the whole multipart body ("Maximum content size limit (26214400) exceeded
# (26222592 bytes read)"), not the file: the form's other fields and boundaries need room.
FORM_HEADROOM_BYTES = 64 * 1024
# What the API takes as uploaded. Raw ADTS AAC (our "aac") is not among them.
ACCEPTED_EXTENSIONS = frozenset({"flac", "mp3", "mp4", "mpeg", "mpga", "m4a", "ogg", "wav", "webm"})
# Speech needs no more than 16 kHz mono; mp3 at 64 kbit/s keeps ~55 min under the limit and
# is the format every OpenAI-compatible server decodes.
REENCODE_FORMAT = "mp3"
SAMPLE_RATE = 16_000
# Whisper invents words for digital silence ("Thank you."); audio whose loudest sample is
# below this (about -72 dBFS, as in the local engine) is answered empty without a call.
SILENCE_PEAK = 8
# Whisper also writes words over hold music or a silent stretch after speech ("Thank you for
# watching."). openai-whisper's own rule calls a window silent when it finds no speech there
# *and* doubts the words it wrote (its no_speech_threshold and logprob_threshold defaults);
# the API gives both for every segment of verbose_json, at no extra cost.
NO_SPEECH_PROB = 0.6
LOW_AVG_LOGPROB = -1.0

_M = TypeVar("_M", bound=pydantic.BaseModel)

# verbose_json names the language ("english"); our transcripts carry ISO-639-1 codes.
_LANGUAGE_CODES = {
    "english": "en", "spanish": "es", "french": "fr", "german": "de", "italian": "it",
    "portuguese": "pt", "dutch": "nl", "polish": "pl", "russian": "ru", "ukrainian": "uk",
    "turkish": "tr", "arabic": "ar", "hindi": "hi", "chinese": "zh", "japanese": "ja",
    "korean": "ko", "swedish": "sv", "danish": "da", "norwegian": "no", "finnish": "fi",
}  # fmt: skip


class VerboseSegment(pydantic.BaseModel):
    """A verbose_json segment. OpenAI gives every score; OpenAI-compatible servers may not,
    and a segment without one is kept (so their answers are not refused as malformed)."""

    id: int
    start: float
    end: float
    text: str
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    compression_ratio: float | None = None


class VerboseTranscription(pydantic.BaseModel):
    """verbose_json as TranscriptionVerbose reads it, but with lenient segments."""

    text: str
    language: str
    duration: float
    segments: list[VerboseSegment] | None = None
    words: list[TranscriptionWord] | None = None


def is_silent(pcm: npt.NDArray[np.int16]) -> bool:
    return pcm.size == 0 or int(np.abs(pcm, dtype=np.int32).max()) < SILENCE_PEAK


def invented(segment: VerboseSegment) -> bool:
    """Whether Whisper wrote this segment over music or silence (see NO_SPEECH_PROB)."""
    no_speech, logprob = segment.no_speech_prob, segment.avg_logprob
    if no_speech is None or logprob is None:
        return False
    return no_speech > NO_SPEECH_PROB and logprob < LOW_AVG_LOGPROB


def billed_seconds(audio: AudioInput) -> float:
    """The seconds a run that sent ``audio`` is charged: the job's (AudioInput.duration_s),
    else the decoded samples' length."""
    seconds = audio.duration_s if audio.duration_s is not None else len(audio.pcm16k) / SAMPLE_RATE
    return round(seconds, 3)


def wants_verbose(model: str) -> bool:
    # Only whisper models give timestamps; the gpt-4o models answer json and refuse the rest.
    return model.startswith("whisper")


class WhisperStt(SttProvider):
    name = "whisper"

    def __init__(self, config: OpenAISettings) -> None:
        self.config = config

    @cached_property
    def client(self) -> openai.OpenAI:
        # Made on first use so that a worker without a key can still import and list us.
        return make_client(self.config)

    def transcribe(self, audio: AudioInput) -> Transcript:
        section = self.config
        model = section.stt_model
        verbose = wants_verbose(model)
        requested = audio.language or section.language
        language = iso_639_1(requested)
        duration_s = len(audio.pcm16k) / SAMPLE_RATE
        if is_silent(audio.pcm16k):
            return Transcript(
                text="",
                language=language,
                provider=self.name,
                duration_s=duration_s,
                details={"engine": "whisper", "model": model, "skipped": "silent audio"},
            )
        data, extension, media_type, reencoded = self._upload(audio)

        # OpenAI bills the audio once it answers 200, read or not: an answer we cannot read
        # carries its seconds for the stage runner to charge (stages.stt.billed), by the
        # job's measure of them, as the ledger charges an answer used or discarded.
        billed = [Billed(engine=self.name, model=model, audio_s=billed_seconds(audio))]
        started = time.perf_counter()
        answered = False
        try:
            with (
                openai_errors(),
                # Streamed so that the status is known before the body is read: the SDK
                # raises an error status itself, so inside, OpenAI has answered 2xx.
                self.client.audio.transcriptions.with_streaming_response.create(
                    file=(f"audio.{extension}", data, media_type),
                    model=model,
                    language=language if language is not None else openai.omit,
                    prompt=section.prompt if section.prompt else openai.omit,
                    response_format="verbose_json" if verbose else "json",
                    timestamp_granularities=["word", "segment"] if verbose else openai.omit,
                ) as raw,
            ):
                answered = 200 <= raw.status_code < 300
                body = raw.text()
        except ProviderError as exc:
            # The SDK's own unreadable-answer errors (malformed_response, generically): billed
            # only where they hold an answer OpenAI gave (a 2xx); one without a response
            # says nothing of a bill, and an error status is no answer to bill.
            if exc.code == "malformed_response" and _answered(exc.__cause__):
                carry_charges(exc, billed)
            elif answered:
                # A 2xx whose body broke off mid-read: billed, though not read. Still a
                # connection's failure, tried again; the retry records the seconds.
                cut = exc.__cause__
                exc.message = f"OpenAI answered 2xx, but the answer broke off mid-read ({cut})"
                exc.args = (exc.message,)
                carry_charges(exc, billed)
            raise
        details: dict[str, Any] = {
            "engine": "whisper",
            "model": model,
            "response_format": "verbose_json" if verbose else "json",
            "request_s": round(time.perf_counter() - started, 3),
        }
        if reencoded is not None:
            details["reencoded"] = reencoded
        if requested and language is None:
            details["language_not_sent"] = requested

        if not verbose:
            result = _validate(Transcription, body, billed)
            return Transcript(
                text=result.text.strip(),
                language=language,
                provider=self.name,
                duration_s=duration_s,
                details=details,
            )
        verbose_result = _validate(VerboseTranscription, body, billed)
        segments = verbose_result.segments or []
        kept = [s for s in segments if not invented(s)]
        dropped = [s for s in segments if invented(s)]
        details["segments"] = [
            {
                "id": s.id,
                "start_s": s.start,
                "end_s": s.end,
                "text": s.text.strip(),
                "avg_logprob": s.avg_logprob,
                "no_speech_prob": s.no_speech_prob,
            }
            for s in kept
        ]
        text = verbose_result.text.strip()
        words = verbose_result.words or []
        if dropped:
            # Counts only: the dropped text stays out of details, which redaction reads
            # segment by segment and captions cut at.
            seconds = sum(s.end - s.start for s in dropped)
            details["silence_dropped"] = {"segments": len(dropped), "seconds": round(seconds, 2)}
            text = " ".join(t for t in (s.text.strip() for s in kept) if t)
            words = [w for w in words if not any(_within(w, s) for s in dropped)]
        spoken = verbose_result.language.strip().lower()
        return Transcript(
            text=text,
            language=language or _LANGUAGE_CODES.get(spoken, spoken or None),
            provider=self.name,
            duration_s=verbose_result.duration or duration_s,
            words=[Word(word=w.word.strip(), start_s=w.start, end_s=w.end) for w in words],
            details=details,
        )

    def _upload(self, audio: AudioInput) -> tuple[bytes, str, str, dict[str, Any] | None]:
        """The bytes to send: the original when the API takes it, else a speech re-encode."""
        reason = None
        limit = MAX_UPLOAD_BYTES - FORM_HEADROOM_BYTES  # read now: tests lower the limit
        if not audio.data:
            reason = "no original bytes were given"
        elif audio.extension not in ACCEPTED_EXTENSIONS:
            reason = f"{audio.extension} is not a format the API accepts"
        elif len(audio.data) > limit:
            reason = (
                f"{len(audio.data)} bytes leaves no room for the form in the "
                f"{MAX_UPLOAD_BYTES} byte upload limit"
            )
        if reason is None:
            return audio.data, audio.extension, audio.media_type, None
        data = encode_pcm(audio.pcm16k, SAMPLE_RATE, REENCODE_FORMAT)
        if len(data) > limit:
            raise StageFailed(
                "duration_exceeded",
                f"even re-encoded as 16 kHz mono {REENCODE_FORMAT} the audio takes "
                f"{len(data)} bytes, over OpenAI's {MAX_UPLOAD_BYTES} byte limit; "
                "split the recording or use another stt provider",
            )
        note = {
            "reason": reason,
            "format": REENCODE_FORMAT,
            "original_bytes": len(audio.data),
            "sent_bytes": len(data),
        }
        return data, REENCODE_FORMAT, MEDIA_TYPES[REENCODE_FORMAT], note


def _answered(cause: BaseException | None) -> bool:
    """Whether an SDK error carries an HTTP answer with a 2xx status (one OpenAI bills)."""
    status = getattr(getattr(cause, "response", None), "status_code", None)
    return isinstance(status, int) and 200 <= status < 300


def _within(word: TranscriptionWord, segment: VerboseSegment) -> bool:
    return segment.start <= (word.start + word.end) / 2 <= segment.end


def _validate(model: type[_M], body: str, billed: list[Billed]) -> _M:
    # Parsed here rather than by the SDK: it returns plain text for bodies it cannot read
    # and leaves required fields unset, where we want one clear malformed_response.
    # The reason names fields and kinds only: the body (and pydantic's input_value) is the
    # caller's words, and the job's error is stored and shown unredacted.
    try:
        parsed = json.loads(body)
    except ValueError as exc:
        refused = malformed("a transcription that is not JSON", f"{len(body)} characters")
        carry_charges(refused, billed)
        raise refused from exc
    try:
        return model.model_validate(parsed)
    except pydantic.ValidationError as exc:
        fields = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()
        )
        refused = malformed(f"a {model.__name__} we cannot read", fields)
        carry_charges(refused, billed)
        raise refused from exc
