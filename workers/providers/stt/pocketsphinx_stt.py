"""Offline transcription with pocketsphinx and the US English model inside its wheel."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import numpy as np
import numpy.typing as npt

from shared.models import Transcript, Word
from workers.providers.base import AudioInput, SttProvider
from workers.providers.stt import offline

SAMPLE_RATE = offline.SAMPLE_RATE
# pocketsphinx analyses 10 ms frames; segment boundaries are frame indices.
FRAMES_PER_SECOND = 100

# One utterance grows the decoder's memory with its length (~185 MB for 600 s, measured),
# so long audio is decoded as utterances of at most this length, cut at a quiet moment.
MAX_UTTERANCE_S = 60.0

# Shorter chunks than a few frames make process_raw fail on an empty feature buffer.
_MIN_SAMPLES = offline.MIN_SAMPLES

# Front-end steps (see frontend.py). Measured on ../shared/audio and telephone/noisy copies:
# the high-pass and loudness steps changed WER only by noise (the engine's filter bank starts
# at 130 Hz and its batch CMN cancels gain), so they stay off; the VAD keeps clean and
# telephone WER, helps on noise-padded audio and skips silence, so it is on.
FRONT_END = offline.FrontEnd(highpass=False, normalise_loudness=False, vad=True)

_ALTERNATE_PRONUNCIATION = re.compile(r"\(\d+\)$")

# The search, measured side by side (WER and real-time factor, two decoders at once on two
# cores): pocketsphinx's defaults gave 0.242 and 0.30 on ../shared/audio and 0.778 and 0.56 on
# the voicemail set (tests/quality); at most 5,000 active HMMs a frame, 0.242 and 0.11, and
# 0.773 and 0.15. Telephone and noisy audio keep many more HMMs alive than clean speech (2-4x
# slower uncapped) for nothing. Dropping the flat-lexicon pass too was faster still and
# scored 0.202 on the shared clips, but misheard the demo's callback digits.
_SEARCH: dict[str, Any] = {"maxhmmpf": 5000}

# A decoder is not thread-safe and loads in ~0.5 s, so each thread keeps its own for the
# life of the process (a threads pool would otherwise corrupt a shared one).
_thread_state = threading.local()


def _decoder() -> Any:
    decoder = getattr(_thread_state, "decoder", None)
    if decoder is None:
        # Imported here so that importing the provider (API, other workers) stays cheap.
        from pocketsphinx import Decoder

        # The default logging writes hundreds of configuration lines per load to stderr.
        decoder = Decoder(samprate=SAMPLE_RATE, loglevel="ERROR", **_SEARCH)
        _thread_state.decoder = decoder
    return decoder


def utterance_bounds(pcm: npt.NDArray[np.int16]) -> list[tuple[int, int]]:
    """Sample ranges covering ``pcm``, each at most MAX_UTTERANCE_S, cut at quiet moments."""
    return offline.quiet_cuts(pcm, MAX_UTTERANCE_S)


class PocketsphinxStt(SttProvider):
    name = "pocketsphinx"

    def load(self) -> None:
        """Load this thread's decoder now (at worker start) rather than in the first task."""
        _decoder()

    def transcribe(self, audio: AudioInput) -> Transcript:
        pcm, duration_s = offline.english_pcm(audio, "US English")
        started = time.perf_counter()
        words: list[Word] = []
        fallback_text: list[str] = []
        prepared = offline.prepare(pcm, FRONT_END) if offline.has_sound(pcm) else None
        if prepared is not None:
            cleaned, spans = prepared.pcm, prepared.spans
            decoder = _decoder()
            for start, end in utterance_bounds(cleaned):
                chunk = cleaned[start:end]
                if len(chunk) < _MIN_SAMPLES:
                    continue
                utterance_words, text = self._decode(decoder, chunk, start / SAMPLE_RATE)
                words.extend(offline.to_source_times(utterance_words, spans))
                if not utterance_words and text:
                    fallback_text.append(text)

        decode_s = time.perf_counter() - started
        text = " ".join(word.word for word in words) or " ".join(fallback_text)
        return Transcript(
            text=text,
            language="en",
            provider=self.name,
            duration_s=duration_s,
            words=words,
            details=offline.details("pocketsphinx", "en-us", decode_s, duration_s, prepared),
        )

    @staticmethod
    def _decode(
        decoder: Any, pcm: npt.NDArray[np.int16], offset_s: float
    ) -> tuple[list[Word], str]:
        decoder.start_utt()
        # full_utt lets the decoder normalise the features over the whole utterance,
        # which is more accurate than the live estimate; the uint8 view avoids a copy.
        decoder.process_raw(pcm.view(np.uint8), full_utt=True)
        decoder.end_utt()

        hypothesis = decoder.hyp()
        text = (hypothesis.hypstr or "").strip() if hypothesis is not None else ""
        words: list[Word] = []
        for segment in decoder.seg() or ():
            token = str(segment.word)
            # Sentence markers, silences and noise models ("<sil>", "[NOISE]") are not words.
            if not token or token[0] in "<[" or token.startswith("++"):
                continue
            words.append(
                Word(
                    word=_ALTERNATE_PRONUNCIATION.sub("", token),
                    start_s=round(offset_s + segment.start_frame / FRAMES_PER_SECOND, 2),
                    # end_frame is inclusive.
                    end_s=round(offset_s + (segment.end_frame + 1) / FRAMES_PER_SECOND, 2),
                    confidence=round(min(max(float(segment.prob), 0.0), 1.0), 3),
                )
            )
        return words, text
