"""Speech from Google Cloud Text-to-Speech, through the official client.

The client always uses the REST transport: it is the path the tests exercise against the
local fake, and unlike gRPC it is safe in Celery's forked (prefork) workers. Production reads
credentials from the environment (``GOOGLE_APPLICATION_CREDENTIALS``); an ``http://`` endpoint
is a local fake and gets anonymous credentials, so no real token ever travels in clear text.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import requests
from google.api_core import exceptions as google_errors
from google.api_core.client_options import ClientOptions
from google.auth import exceptions as auth_errors
from google.auth.credentials import AnonymousCredentials
from google.cloud import texttospeech as tts
from google.cloud.texttospeech_v1.services.text_to_speech.transports.rest import (
    TextToSpeechRestTransport,
)
from google.protobuf import json_format  # type: ignore[import-untyped]

from shared.audio import AV_ERRORS, MEDIA_TYPES, decode_pcm16k, encode_pcm, sniff_container
from shared.audio.speech_encode import decode_speech
from shared.errors import MediaRejected, StageFailed
from shared.metered_details import voice_family
from shared.models import SynthesizedAudio
from shared.settings import OutputFormat
from shared.settings.providers import GoogleTtsSettings
from workers.providers.base import TtsProvider
from workers.providers.error_bodies import answer_words, documented_message, said_words
from workers.providers.errors import (
    ProviderError,
    auth_refused,
    classify_exception,
    classify_status,
    unreadable,
)
from workers.providers.tts.billing import CharacterBill
from workers.providers.tts.google_auth import auth_words

NAME = "google"  # the provider, as jobs, settings, prices and metrics name it
# The vendor as it spells itself, in messages people read (job errors, logs).
VENDOR = "Google"
MAX_INPUT_BYTES = 5000  # Google's limit per request, in UTF-8 bytes, not characters
log = logging.getLogger("voicepipe.tts.google")
T = TypeVar("T")

# proto-plus types enum members as plain ints.
_ENCODINGS: dict[str, int] = {
    "mp3": tts.AudioEncoding.MP3,
    "ogg": tts.AudioEncoding.OGG_OPUS,
    "wav": tts.AudioEncoding.LINEAR16,  # Google wraps LINEAR16 in a WAV header
}
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def make_client(config: GoogleTtsSettings) -> tts.TextToSpeechClient:
    endpoint = config.endpoint
    if endpoint and endpoint.startswith("http://"):
        transport = TextToSpeechRestTransport(
            host=endpoint.removeprefix("http://").rstrip("/"),
            credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
            url_scheme="http",
        )
        return tts.TextToSpeechClient(transport=transport)
    # A bare or https:// endpoint is a real (e.g. regional) Google host: real credentials.
    options = ClientOptions(api_endpoint=endpoint.rstrip("/")) if endpoint else None
    return tts.TextToSpeechClient(transport="rest", client_options=options)


def split_text(text: str, limit: int = MAX_INPUT_BYTES) -> list[str]:
    """``text`` in pieces of at most ``limit`` UTF-8 bytes, cut between sentences.

    A sentence longer than the limit is cut between words, and a word longer than that
    between characters, so no piece ever exceeds it.
    """
    pieces: list[str] = []
    current = ""
    for unit in _units(text.strip(), limit):
        joined = f"{current} {unit}" if current else unit
        if len(joined.encode()) <= limit:
            current = joined
        else:
            pieces.append(current)
            current = unit
    if current:
        pieces.append(current)
    return pieces


def _units(text: str, limit: int) -> list[str]:
    units: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        if len(sentence.encode()) <= limit:
            units.append(sentence)
            continue
        for word in sentence.split():
            while len(word.encode()) > limit:
                cut = len(word.encode()[:limit].decode(errors="ignore"))
                units.append(word[:cut])
                word = word[cut:]
            units.append(word)
    return [unit for unit in units if unit]


class GoogleTts(TtsProvider):
    name = NAME
    # The voice list changes rarely and every synthesis checks it: list once per 10 min.
    voices_ttl_s = 600.0

    def __init__(self, config: GoogleTtsSettings) -> None:
        self.config = config
        # Built on first use: finding default credentials fails without them, and building
        # a provider (e.g. to list providers) must not need them.
        self._client: tts.TextToSpeechClient | None = None
        self._client_lock = threading.Lock()
        self._voices: list[str] | None = None
        self._voices_at = 0.0
        self._voices_lock = threading.Lock()
        self._status = threading.local()  # this thread's last answer's status (_heard)

    @property
    def client(self) -> tts.TextToSpeechClient:
        with self._client_lock:
            if self._client is None:
                # Missing default credentials raise here; callers map that through _call.
                self._client = make_client(self.config)
                # The REST transport's session tells each answer's status before its body
                # is read and parsed: a 2xx is billed even if that body then fails.
                session = getattr(self._client.transport, "_session", None)
                if session is not None:
                    session.hooks["response"].append(self._heard)
            return self._client

    def _heard(self, response: requests.Response, *_: object, **__: object) -> None:
        self._status.code = response.status_code

    def close(self) -> None:
        if self._client is not None:
            self._client.transport.close()  # type: ignore[no-untyped-call]

    def voices(self) -> list[str]:
        with self._voices_lock:
            if self._voices is not None and time.monotonic() - self._voices_at < self.voices_ttl_s:
                return self._voices
            response = self._call(
                lambda: self.client.list_voices(
                    language_code=self.config.language_code,
                    retry=None,
                    timeout=self.config.timeout_s,
                )
            )
            self._voices = [voice.name for voice in response.voices]
            self._voices_at = time.monotonic()
            return self._voices

    def synthesize(
        self, text: str, voice: str | None, output_format: OutputFormat
    ) -> SynthesizedAudio:
        if not text.strip():
            raise StageFailed("empty_text", "there is no text to speak")
        name = voice or self.config.voice_name
        available = self.voices()
        if name not in available:
            raise StageFailed(
                "unknown_voice",
                f"Google has no {self.config.language_code} voice {name!r}; available: "
                f"{', '.join(available)}",
            )
        # Parts answered 2xx before a failure were billed: their characters go with it.
        with CharacterBill(NAME, voice_family(name)).carried_on_failure() as bill:
            parts = [
                self._speak(piece, name, output_format, bill)
                for piece in split_text(text, MAX_INPUT_BYTES)  # read now: tests lower it
            ]
            if len(parts) == 1:
                data = parts[0]
                pcm = _decode(data)
                rate = 16000
            else:
                # Decoded and encoded once as a whole: concatenated files would not play as
                # one. At the voice's own rate: decode_pcm16k would keep 16 kHz of 24 kHz.
                pcm, rate = _joined(parts)
                data = encode_pcm(pcm, rate, output_format)
        log.info("google synthesis: %d request(s), %d bytes", len(parts), len(data))
        return SynthesizedAudio(
            data=data,
            media_type=MEDIA_TYPES[output_format],
            extension=output_format,
            duration_s=len(pcm) / rate,
            provider=self.name,
            voice=name,
        )

    def _speak(
        self, text: str, voice: str, output_format: OutputFormat, bill: CharacterBill
    ) -> bytes:
        self._status.code = None
        try:
            return self._speak_once(text, voice, output_format)
        except ProviderError as exc:
            code = self._status.code
            if code is not None and 200 <= code < 300 and exc.code in _CUT_OFF:
                # Google answered: "could not reach" sent whoever read it to the network.
                # Still the connection's failure (tried again), but said as what it was.
                exc.message = (
                    f"{VENDOR} answered {code}, but the answer broke off mid-read "
                    f"({_broken_off(exc.__cause__)})"
                )
                exc.args = (exc.message,)
            raise
        finally:
            # Answered 2xx: billed, whether its body then broke off, did not parse or
            # was no audio.
            code = self._status.code
            if code is not None and 200 <= code < 300:
                bill.answered(text)

    def _speak_once(self, text: str, voice: str, output_format: OutputFormat) -> bytes:
        response = self._call(
            lambda: self.client.synthesize_speech(
                input=tts.SynthesisInput(text=text),
                voice=tts.VoiceSelectionParams(language_code=self.config.language_code, name=voice),
                audio_config=tts.AudioConfig(
                    audio_encoding=_ENCODINGS[output_format],
                    speaking_rate=self.config.speaking_rate,
                ),
                # Celery owns retries, with backoff across the whole job.
                retry=None,
                timeout=self.config.timeout_s,
            ),
            sent=text,
        )
        data = bytes(response.audio_content)
        if sniff_container(data) != output_format:
            got = sniff_container(data) or "no audio"
            raise unreadable(VENDOR, f"asked for {output_format}, got {got}")
        return data

    def _call(self, call: Callable[[], T], sent: str | None = None) -> T:
        """``call``'s answer; its failure as a ProviderError whose message never quotes
        ``sent``, the text the call speaks."""
        try:
            return call()
        except google_errors.GoogleAPICallError as exc:
            raise _from_api_error(exc, sent) from exc
        # The transport's own failures are not the builtin kinds the classifier knows:
        # requests' timeouts are no TimeoutError, google-auth's transport errors no OSError.
        except requests.Timeout as exc:
            # By its kind (ReadTimeout, ConnectTimeout): requests' words name the host and
            # port, and the job's error is shown to API callers.
            raise classify_exception(VENDOR, TimeoutError(type(exc).__name__)) from exc
        except auth_errors.TransportError as exc:
            raise self._unreached(exc, signing_in=True) from exc
        except auth_errors.GoogleAuthError as exc:
            if exc.retryable:
                # The token endpoint answered 429/5xx (google-auth tried it three times):
                # Google's outage, not our credentials.
                raise ProviderError(
                    "provider_unavailable",
                    f"{VENDOR} could not issue an access token: {auth_words(exc)}",
                ) from exc
            # Credentials missing, or refused and not refreshable (the session refreshes on
            # a 401 before giving up): waiting fixes this no more than it fixes a wrong key.
            # google-auth keeps no status: the token endpoint's refusal (a 400 for a revoked
            # grant, a proxy's 403) is told as one, and credentials that never reached it
            # (a file missing, a field malformed) as what they are.
            if isinstance(exc, auth_errors.RefreshError):
                said = f"{VENDOR}'s token endpoint refused to sign in: {auth_words(exc)}"
            else:
                said = f"{VENDOR}'s credentials could not be used: {auth_words(exc)}"
            raise auth_refused(VENDOR, said) from exc
        except requests.ConnectionError as exc:
            raise self._unreached(exc) from exc
        except (requests.RequestException, json_format.Error, ValueError) as exc:
            raise classify_exception(VENDOR, exc) from exc

    def _unreached(self, exc: BaseException, *, signing_in: bool = False) -> ProviderError:
        """A connection to Google that failed, naming what to check: the setting only when
        it is what was connected to (unset, Google's own host was; a token comes from the
        credentials' token endpoint whatever it says)."""
        found = _ERRNO.search(str(exc))
        # The reason without the host and port requests names: the job's error is shown to
        # API callers, who are told the setting that holds an address, never the address.
        reason = found.group(0).strip() if found else type(exc).__name__
        if signing_in:
            what, check = f"{VENDOR}'s token endpoint to sign in", "this host's network"
            check += " (tokens never come from VOICEPIPE_GOOGLE__ENDPOINT)"
        elif self.config.endpoint:
            what, check = VENDOR, "VOICEPIPE_GOOGLE__ENDPOINT and this host's network"
        else:
            what = f"{VENDOR} at its own host, {GOOGLE_HOST}"
            check = "this host's network, proxy and firewall (VOICEPIPE_GOOGLE__ENDPOINT is unset)"
        return ProviderError(
            "connection_error", f"could not reach {what} ({reason}); check {check}"
        )


# The client's host when VOICEPIPE_GOOGLE__ENDPOINT is unset.
GOOGLE_HOST = "texttospeech.googleapis.com"
# An OS error's words inside requests' wrapping: "[Errno 111] Connection refused".
_ERRNO = re.compile(r"\[Errno -?\d+\] [^'\"()]+")

# What a 2xx answer whose body stopped coming is classified as (requests' read errors).
_CUT_OFF = ("connection_error", "timeout")


def _broken_off(cause: BaseException | None) -> str:
    """urllib3's own words ("Connection broken: IncompleteRead(40 bytes read, 153891 more
    expected)"), not the tuple requests wraps them in."""
    reason = cause.args[0] if cause is not None and cause.args else cause
    inner = getattr(reason, "args", ())
    return str(inner[0]) if inner and isinstance(inner[0], str) else str(reason)


def _from_api_error(exc: google_errors.GoogleAPICallError, sent: str | None) -> ProviderError:
    """An HTTP (or gRPC) error answer, by its HTTP status, through the shared classifier."""
    response = exc.response
    headers = getattr(response, "headers", None)
    status_name = exc.grpc_status_code.name if exc.grpc_status_code is not None else None
    # No HTTP body to read (gRPC, or an error the client made up): the message alone, held
    # to the same rule as a body's, since Google's "Invalid value: '...'" quotes the input.
    message = said_words(str(exc.message), sent)
    if isinstance(response, requests.Response):
        with contextlib.suppress(ValueError, KeyError, TypeError):
            status_name = response.json()["error"]["status"]
        # The SDK quotes a body that is not Google's error JSON whole: a proxy's page may
        # echo the text sent, a customer's reply. Its message also names our endpoint.
        message = answer_words(documented_message(response.text, "error", "message"), response)
    return classify_status(
        VENDOR,
        exc.code or 500,
        message,
        headers=dict(headers) if headers is not None else None,
        error_type=exc.reason or status_name,
    )


def _decode_native(data: bytes) -> tuple[npt.NDArray[np.int16], int]:
    try:
        pcm, rate = decode_speech(data)
    except AV_ERRORS as exc:
        raise unreadable(VENDOR, f"audio that does not decode: {exc}") from exc
    if pcm.size == 0:
        raise unreadable(VENDOR, "the answer decodes to no audio")
    return pcm, rate


def _joined(parts: list[bytes]) -> tuple[npt.NDArray[np.int16], int]:
    """The parts' samples one after another, at their rate (16 kHz should rates differ)."""
    natives = [_decode_native(part) for part in parts]
    rates = {rate for _, rate in natives}
    if len(rates) > 1:
        return np.concatenate([_decode(part) for part in parts]), 16000
    return np.concatenate([pcm for pcm, _ in natives]), rates.pop()


def _decode(data: bytes) -> npt.NDArray[np.int16]:
    try:
        pcm = decode_pcm16k(data)
    except MediaRejected as exc:
        raise classify_exception(VENDOR, exc) from exc
    if pcm.size == 0:
        raise unreadable(VENDOR, "the answer decodes to no audio")
    return pcm
