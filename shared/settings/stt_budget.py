"""Whether the longest recording the API accepts can be transcribed within the stt stage's
time limit, checked at start-up (``Settings``): raised past it, every long recording would be
accepted, queued, and then killed by its soft time limit, retried, and failed. A job that
chooses another engine than the configured one (``stt_provider``) is checked at intake
instead, once its recording's length is known (``recording_problem``).

An offline engine's time is its CPU seconds per second of audio (real-time factor), measured
on this project's 2-core machine: Whisper base with Moonshine hearing every recording too
0.27 on the bench's 60 s mp3 (README, capacity table), PocketSphinx 0.153, Moonshine 0.09
(``make bench ONLY=offline``, ``make quality``). The check doubles it: the stt pool runs
niced and shares its cores with the API, the broker and the other pools, and a measured
median is not a worst case. A cloud engine's time is the vendor's, not measured here, and a
plugin's is unknown: neither is checked.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.settings import Settings

# CPU seconds per second of audio, as measured (see above).
MEASURED_RTF = {"local": 0.27, "pocketsphinx": 0.153, "moonshine": 0.09}
# Room for a shared, busy machine over the measured figure.
HEADROOM = 2.0


def planned_rtf(settings: Settings, engine: str | None = None) -> float | None:
    """Seconds the stt ``engine`` (the configured one by default) is planned to take per
    second of audio, or None where it is not an offline engine measured here."""
    engine = engine or settings.providers.stt
    if engine == "hybrid":
        # Both engines hear every recording; only the offline ones' time is known.
        offline = [MEASURED_RTF[e] for e in settings.hybrid.engines if e in MEASURED_RTF]
        return HEADROOM * sum(offline) if offline else None
    measured = MEASURED_RTF.get(engine)
    return None if measured is None else HEADROOM * measured


def longest_recording_problem(settings: Settings) -> str | None:
    """Why ``api.max_duration_s`` cannot be transcribed within the stt soft time limit, with
    the values of either setting that would work; None when it can."""
    rtf = planned_rtf(settings)
    if rtf is None:
        return None
    longest = settings.api.max_duration_s
    limit = settings.workers.stt.soft_time_limit_s
    needed = longest * rtf
    if needed <= limit:
        return None
    engine = settings.providers.stt
    return (
        f"api.max_duration_s ({longest:g} s, VOICEPIPE_API__MAX_DURATION_S) is longer than "
        f"the stt engine {engine!r} can transcribe within workers.stt.soft_time_limit_s "
        f"({limit} s, VOICEPIPE_WORKERS__STT__SOFT_TIME_LIMIT_S): at {rtf:g} s a second of "
        f"audio (measured, doubled for a shared machine) it needs {math.ceil(needed)} s. "
        f"Set VOICEPIPE_API__MAX_DURATION_S to at most {math.floor(limit / rtf)}, or "
        f"VOICEPIPE_WORKERS__STT__SOFT_TIME_LIMIT_S to at least {math.ceil(needed)} (with "
        "__TIME_LIMIT_S and VOICEPIPE_BROKER__VISIBILITY_TIMEOUT_S above it)"
    )


def recording_problem(settings: Settings, engine: str | None, duration_s: float) -> str | None:
    """Why a recording of ``duration_s`` a job sends to the stt ``engine`` it chose cannot be
    transcribed within the soft time limit, naming the longest that can; None when it can.
    The configured engine (``engine`` None, or named) is not judged: start-up held the
    longest recording accepted to it (``longest_recording_problem``)."""
    if engine is None or engine == settings.providers.stt:
        return None
    rtf = planned_rtf(settings, engine)
    limit = settings.workers.stt.soft_time_limit_s
    if rtf is None or duration_s * rtf <= limit:
        return None
    longest = math.floor(limit / rtf)
    return (
        f"The recording is {duration_s:.1f} s long, longer than the stt engine {engine!r} "
        f"can transcribe on this deployment: it takes at most {longest} s (at {rtf:g} s a "
        f"second of audio, within the stt time limit of {limit} s). Trim it or split it into "
        f"parts of at most {longest} s, or leave stt_provider out for this deployment's "
        f"engine ({settings.providers.stt!r})."
    )
