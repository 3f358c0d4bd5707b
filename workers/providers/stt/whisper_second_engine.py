"""Moonshine beside offline Whisper: its hearing of the whole recording (begun in a thread of
its own while Whisper decodes, or only where Whisper's number is in doubt) and of a callback
number's stretch alone, each only added to Whisper's transcript. A mixin of
``WhisperOfflineStt``, whose attributes it reads."""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from shared.errors import StageFailed
from shared.models import Transcript, Word
from shared.settings import LocalEngineSettings
from shared.settings.review import ReviewSettings
from workers.providers.base import AudioInput
from workers.providers.stt.moonshine_offline import MoonshineOfflineStt
from workers.review import number_in_doubt

# The offline engine's logger (voicepipe.stt.local): these warnings are its own.
log = logging.getLogger("voicepipe.stt.local")


@dataclass(frozen=True)
class Stretch:
    """A stretch of the recording (where a callback number was heard) and its times."""

    samples: npt.NDArray[np.int16]
    start_s: float
    end_s: float


class SecondEngineHearing:
    """The second engine's hearings, for ``WhisperOfflineStt``."""

    name: str
    _settings: LocalEngineSettings
    _review: ReviewSettings
    _second: MoonshineOfflineStt | None
    _beside: ThreadPoolExecutor | None

    def _second_rehearing(self, audio: AudioInput, stretch: Stretch) -> Future[Transcript] | None:
        """Moonshine's hearing of the number's stretch alone, begun now beside Whisper's own
        rehearing of it (a few seconds of audio: ~0.1-0.3 s of CPU here).

        Alone, without the message around it, Moonshine heard the number whole where
        neither engine had in the whole recording: "305-829-4416" where Whisper wrote
        "300-5-829-4416" and its own whole hearing had no digits (b02 of the spoken unseen
        half of written_callers.json), "773-620-1184" for Whisper's "7-7-3-6-2-1-1-8-4"
        (c40), "516-239-8874" for "516-398874" (w43 of the spoken w41-w70). It is taken as
        a rehearing is (shared.language.rehearing.from_rehearing), so only where it holds
        every digit Whisper heard, and reported for a person to confirm. Where the engines
        heard two different numbers, it is one of the two hearings that settle which
        (``_hear_doubted_number``)."""
        if self._second is None:
            return None
        alone = replace(audio, data=b"", pcm16k=stretch.samples)
        if self._beside is not None:
            return self._beside.submit(self._second.transcribe, alone)
        done: Future[Transcript] = Future()
        try:
            done.set_result(self._second.transcribe(alone))
        except StageFailed as exc:
            done.set_exception(exc)
        return done

    @staticmethod
    def _heard(hearing: Future[Transcript]) -> dict[str, object] | None:
        try:
            heard = hearing.result()
        except StageFailed as exc:
            log.warning("second engine unavailable for the number's stretch: %s", exc.code)
            return None
        return {"engine": heard.provider, "text": heard.text}

    def _hear_beside(self, audio: AudioInput) -> Future[Transcript] | None:
        """Moonshine's hearing of the recording, begun now in its own thread, where it
        hears every recording (see ``__init__``)."""
        if self._second is None or self._settings.second_engine_hears != "every_recording":
            return None
        if self._beside is None:
            self._beside = ThreadPoolExecutor(max_workers=1, thread_name_prefix="second-engine")
        return self._beside.submit(self._second.transcribe, audio)

    def _second_hearing(
        self,
        audio: AudioInput,
        text: str,
        words: list[Word],
        beside: Future[Transcript] | None = None,
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
            heard = beside.result() if beside else self._second.transcribe(audio)
        except StageFailed as exc:
            log.warning("second engine unavailable, number left in doubt: %s", exc.code)
            return None
        return {"engine": heard.provider, "text": heard.text}
