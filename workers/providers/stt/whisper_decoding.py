"""Whisper's decoding of prepared audio into words: its loops decoded again
(``whisper_loops``), its skips cut in two and the speech it left out decoded on its own
(``whisper_skips``)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from shared.models import Word
from shared.settings import LocalEngineSettings
from workers.providers.stt import offline
from workers.providers.stt.whisper_loops import (
    RETRY_REPETITION_PENALTY,
    any_looping,
    hallucinated,
    looping,
)
from workers.providers.stt.whisper_skips import quiet_cut, shifted, skipping, uncovered

# About twice what 30 s of fast speech needs: a window of noise that sends the decoder into
# a loop stops here instead of at Whisper's 448.
_MAX_TOKENS_PER_WINDOW = 200
# Audio shorter than a window holds less speech, so its cap is cut to its length. A loop
# runs to its cap at ~14 ms a token with beam 5, and on a 1 s hang-up's line noise, a DTMF
# or fax tone or music, Whisper loops ("I'm sorry, I'm sorry, ...") in most windows: ~1.4 s
# of CPU a decoding, three decodings a clip with the retry, for an empty transcript.
# CTranslate2 writes at most about half of ``max_new_tokens`` (36 gives 19 tokens, 200
# gives 101), so these are twice the tokens written: a floor of 20 (timestamps and a few
# words) and 16 a second. The densest speech measured (make quality, every decoding of
# under 5 s) wrote 5.2 tokens a second; a cap of 6 a second cut one of the shared clips.
_MIN_TOKENS_PER_WINDOW = 40
_TOKENS_PER_SECOND = 32

# faster-whisper computes the log-mel features of all the audio it is handed at once, and
# the short-time Fourier transform behind them holds ~1 MB for each second of it (the
# windowed frames, their spectrum and its complex64 copy) while its windows are decoded
# 30 s at a time anyway: 985 MB at once for 16 minutes of speech, 3.1 GB for 50, on top of
# both models (an stt pod's limit is 2Gi). Longer audio is decoded in pieces of at most
# this long (~310 MB), cut at a quiet moment (offline.quiet_cuts), each as a recording of
# its own: every window is decoded on its own already (condition_on_previous_text=False),
# and a piece that loops or skips is decoded again alone, not the whole recording.
MAX_PIECE_S = 300.0

# A letter or a digit in any script: a segment with none wrote no word.
_WORDS = re.compile(r"[^\W_]")


class Decoding(NamedTuple):
    words: list[Word]
    texts: list[str]
    # A window looped and was decoded again (whisper_loops).
    looped: bool
    # A window left out speech and decoding it again did not bring it back (whisper_skips).
    skipped: bool


class WhisperDecoder:
    """Decodings with a loaded faster-whisper model."""

    def __init__(self, model: Any, settings: LocalEngineSettings) -> None:
        self._model = model
        self._settings = settings

    def decode(self, pcm: npt.NDArray[np.int16], word_timestamps: bool = True) -> Decoding:
        """The words and segment texts Whisper heard, and whether a window of it looped or
        left out speech that decoding it again did not bring back."""
        pieces = offline.quiet_cuts(pcm, MAX_PIECE_S)
        if len(pieces) == 1:
            return self._decode_piece(pcm, word_timestamps)
        words: list[Word] = []
        texts: list[str] = []
        looped = skipped = False
        for start, end in pieces:
            piece = self._decode_piece(pcm[start:end], word_timestamps)
            at_s = start / offline.SAMPLE_RATE
            words.extend(_moved(word, at_s) for word in piece.words)
            texts.extend(piece.texts)
            looped, skipped = looped or piece.looped, skipped or piece.skipped
        return Decoding(words, texts, looped, skipped)

    def _decode_piece(self, pcm: npt.NDArray[np.int16], word_timestamps: bool) -> Decoding:
        segments, looped = self._heard(pcm, word_timestamps)
        skipped = False
        if word_timestamps:
            # Only word times show a skip; the callback's rehearing goes without them.
            segments, skipped, looped_in_half = self._mend_skips(pcm, segments)
            segments, missed, looped_in_gap = self._mend_gaps(pcm, segments)
            skipped, looped = skipped or missed, looped or looped_in_half or looped_in_gap
        words: list[Word] = []
        texts: list[str] = []
        for segment in segments:
            if hallucinated(segment) or not _WORDS.search(segment.text):
                # Whisper writes " ." or " ..." over noise it scores as likely as not to be
                # speech: a transcript of "." is no speech said, and should be read as none.
                continue
            if text := segment.text.strip():
                texts.append(text)
            words.extend(_joined_words(segment.words or ()))
        return Decoding(words, texts, looped, skipped)

    def _heard(self, pcm: npt.NDArray[np.int16], word_timestamps: bool) -> tuple[list[Any], bool]:
        """Whisper's segments of ``pcm``, and whether a window of it looped: such a window
        of speech (whisper_loops) is decoded again, and the second decoding kept unless it
        loops as well."""
        # faster-whisper decodes window by window as its segments are read. Once one loops
        # the audio is decoded again, and that decoding replaces all of this one unless it
        # loops too, so the windows after the loop are decoded only then: the transcript is
        # the same, and a short recording of noise is spared a window (~0.8 s to encode,
        # then its loop) at the tail its looping decoding could not place.
        first = self._segments(pcm, word_timestamps)
        segments = _until_looping(first)
        looped = any_looping(segments)
        if looped:
            again = _until_looping(self._segments(pcm, word_timestamps, RETRY_REPETITION_PENALTY))
            segments = again if not any_looping(again) else [*segments, *first]
        return segments, looped

    def _mend_skips(
        self, pcm: npt.NDArray[np.int16], segments: list[Any]
    ) -> tuple[list[Any], bool, bool]:
        """``segments`` with each that left out speech (whisper_skips) decoded again from
        its audio cut in two; whether one is left as it was, and whether a half looped."""
        mended: list[Any] = []
        left = looped = False
        for index, segment in enumerate(segments):
            if hallucinated(segment) or not skipping(segment):
                mended.append(segment)
                continue
            # To the next segment's start, not this one's end: the skipped speech may lie
            # past where Whisper ended the segment.
            start = int(segment.start * offline.SAMPLE_RATE)
            later = segments[index + 1 :]
            end = int(later[0].start * offline.SAMPLE_RATE) if later else len(pcm)
            halves, looped_here = self._halves(pcm[start:end], segment.start)
            left, looped = left or halves is None, looped or looped_here
            mended.extend(halves or [segment])
        return mended, left, looped

    def _mend_gaps(
        self, pcm: npt.NDArray[np.int16], segments: list[Any]
    ) -> tuple[list[Any], bool, bool]:
        """``segments`` with the speech none of them spans (whisper_skips.uncovered) decoded
        on its own and put in its place; whether some is left that gave no words, and
        whether decoding it looped."""
        kept = [segment for segment in segments if not hallucinated(segment)]
        added: list[Any] = []
        left = looped = False
        if not kept:
            # Nothing heard at all (noise, or speech Whisper cannot make out): the one gap
            # would be the whole audio just decoded, and decoding it again gives the same.
            # An empty transcript says so itself (no_speech).
            return segments, left, looped
        for start_s, end_s in uncovered(kept, len(pcm) / offline.SAMPLE_RATE):
            stretch = pcm[int(start_s * offline.SAMPLE_RATE) : int(end_s * offline.SAMPLE_RATE)]
            heard, looped_here = self._heard(stretch, word_timestamps=True)
            looped = looped or looped_here
            if any(looping(s) or skipping(s) for s in heard) or all(map(hallucinated, heard)):
                left = True
                continue
            added.extend(shifted(segment, start_s) for segment in heard)
        return sorted([*segments, *added], key=lambda segment: segment.start), left, looped

    def _halves(self, stretch: npt.NDArray[np.int16], at_s: float) -> tuple[list[Any] | None, bool]:
        """``stretch`` (beginning ``at_s`` into the audio) decoded half by half, or None
        where it is too short to cut or a half loops or skips in turn; and whether a half
        looped (decoded again, as a whole recording's window is: ``_heard``)."""
        cut = quiet_cut(stretch)
        if cut is None:
            return None, False
        decoded: list[Any] = []
        looped = False
        for begin, half in ((0, stretch[:cut]), (cut, stretch[cut:])):
            segments, looped_here = self._heard(half, word_timestamps=True)
            looped = looped or looped_here
            if any(looping(s) or skipping(s) for s in segments):
                return None, looped
            decoded.extend(shifted(s, at_s + begin / offline.SAMPLE_RATE) for s in segments)
        return decoded, looped

    def _segments(
        self, pcm: npt.NDArray[np.int16], word_timestamps: bool, repetition_penalty: float = 1.0
    ) -> Iterator[Any]:
        # A window shorter than 30 s gets fewer tokens (see _MIN_TOKENS_PER_WINDOW).
        cap = max_new_tokens(len(pcm) / offline.SAMPLE_RATE)
        segments, _info = self._model.transcribe(
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
            max_new_tokens=cap,
            repetition_penalty=repetition_penalty,
        )
        return _cut_offs_as_loops(segments, cap, self._model)


def _cut_offs_as_loops(segments: Iterable[Any], cap: int, model: Any) -> Iterator[Any]:
    """``segments`` with each window's decoding that ran out of tokens marked as the loop it
    is (a compression ratio past any bar, see whisper_loops), read as they are decoded.

    Cut off at a short window's cap, a loop is too short to read as one: "I'm sorry, I'm
    sorry, I'm sorry, I'm sorry, I'm" (a 1 s tone, compression ratio 2.14, under the bar of
    2.4) would be written as the caller's words. At the old cap of 200 such a loop always
    compressed far past the bar (5-17). A window's decoding cut off wrote about half of
    ``max_new_tokens`` (see _MIN_TOKENS_PER_WINDOW) and ends on a text token, where a
    finished one ends on a timestamp: only its last segment can end so."""
    if cap >= _MAX_TOKENS_PER_WINDOW:
        # Whole windows as before: a window of speech that runs out of tokens is decoded
        # on from its last word (faster-whisper), and its loops of noise compress past the
        # bar anyway.
        yield from segments
        return
    written: dict[int, int] = {}
    for segment in segments:
        tokens = getattr(segment, "tokens", None)
        if tokens:
            written[segment.seek] = written.get(segment.seek, 0) + len(tokens)
            ends_in_text = tokens[-1] < model.hf_tokenizer.token_to_id("<|endoftext|>")
            if ends_in_text and written[segment.seek] >= cap // 2:
                segment = replace(segment, compression_ratio=math.inf)
        yield segment


def _until_looping(segments: Iterator[Any]) -> list[Any]:
    """The segments read from ``segments`` up to the first that loops, that one included."""
    read: list[Any] = []
    for segment in segments:
        read.append(segment)
        if looping(segment):
            break
    return read


def max_new_tokens(seconds: float) -> int:
    """The most tokens a window of ``seconds`` of audio is decoded into (see above)."""
    scaled = _MIN_TOKENS_PER_WINDOW + _TOKENS_PER_SECOND * math.ceil(seconds)
    return min(_MAX_TOKENS_PER_WINDOW, scaled)


def _moved(word: Word, by_s: float) -> Word:
    """A word of a piece, timed from the start of the audio the piece was cut from."""
    return word.model_copy(
        update={
            "start_s": None if word.start_s is None else round(word.start_s + by_s, 2),
            "end_s": None if word.end_s is None else round(word.end_s + by_s, 2),
        }
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
