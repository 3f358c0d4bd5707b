"""`make quality`: how well the offline path hears and triages voicemail, against its goals.

Two sets are measured:
- the public clips in ``../shared/audio`` (read speech): word error rate;
- the voicemail evaluation set in ``tests/quality`` (scripted voicemails spoken by voices other
  than the demo's, delivered as telephone systems deliver them; see make_voicemails.py): word
  error rate, callback number, intent, urgency, caller name, and whether ``needs_review``
  flags the clips that deserve it.

Each clip goes through what the stt and llm stages run offline: decoding, the offline engine,
the transcription's review reasons, the offline responder's triage and the triage's review
reasons. Another set in the same format can be scored instead: ``make quality EVAL=<folder>``
(e.g. an unzipped ``GET /v1/batches/{id}/evaluation-set``, people's reviews of real calls).
A clip *deserves* review when its WER is over 0.30, when the callback number reported
is not the caller's, or when the caller gave no complete number (a person has to find one).
The table and a JSON copy (``.voicepipe/quality/<time>.json``) are written; the exit status is
non-zero when a goal is missed.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared.audio import MEDIA_TYPES, decode_pcm16k
from shared.settings import Settings
from shared.wer import edit_distance
from shared.wer_words import compared_words
from tests.quality.written import WRITTEN_SETS, format_written, score_written
from tests.wer_report import AUDIO_DIR
from tests.wer_report import measure as measure_shared
from workers.providers.base import AudioInput, ReplyContext, SttProvider
from workers.providers.llm.local import TriageResponder
from workers.providers.stt.offline import SAMPLE_RATE
from workers.providers.stt.whisper_offline import WhisperOfflineStt
from workers.review import merged, transcript_reasons, triage_review

SET_DIR = Path(__file__).resolve().parent
OUT_DIR = Path(".voicepipe") / "quality"
DESERVES_REVIEW_WER = 0.30

GOALS: dict[str, tuple[str, float]] = {
    # name: (comparison, threshold)
    "callback exact": (">=", 0.90),
    "wrong numbers not flagged": ("<=", 0),
    "intent": (">=", 0.90),
    "urgency": (">=", 0.90),
    "caller name": (">=", 0.85),
    "WER voicemail set": ("<=", 0.25),
    "WER shared clips": ("<=", 0.20),
    "review recall": (">=", 0.80),
    "review false flags": ("<=", 0.20),
    "stt stage real-time factor": ("<=", 0.30),
}


@dataclass(frozen=True)
class ClipOutcome:
    id: str
    voice: str
    delivery: str
    duration_s: float
    stage_s: float
    words: int
    errors: int
    callback: str | None
    callback_expected: str | None
    intent: str
    intent_expected: str
    urgency: str
    urgency_expected: str
    caller: str | None
    caller_expected: str | None
    reasons: list[str]
    hypothesis: str

    @property
    def wer(self) -> float:
        return self.errors / self.words if self.words else 0.0

    @property
    def callback_right(self) -> bool:
        return self.callback == self.callback_expected

    @property
    def caller_right(self) -> bool:
        return (self.caller or "").lower() == (self.caller_expected or "").lower()

    @property
    def deserves_review(self) -> bool:
        return (
            self.wer > DESERVES_REVIEW_WER
            or not self.callback_right
            or self.callback_expected is None
        )


# What every entry of a set must give (tests/quality/voicemails.json is the model).
ENTRY_FIELDS = ("id", "text", "voice", "delivery", "file", "expected")
EXPECTED_FIELDS = ("caller_name", "callback_number", "intent", "urgency")


def load_set(set_dir: Path) -> list[dict[str, Any]]:
    """The entries of the set in ``set_dir`` (its ``voicemails.json``), each checked to have
    what scoring reads and its recording; a ValueError says what is missing where."""
    manifest = set_dir / "voicemails.json"
    if not manifest.is_file():
        raise ValueError(f"{manifest} does not exist: EVAL must be a folder with voicemails.json")
    entries: list[dict[str, Any]] = json.loads(manifest.read_text(encoding="utf-8"))
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{manifest} holds no voicemails")
    for n, entry in enumerate(entries):
        missing = [f for f in ENTRY_FIELDS if f not in entry]
        missing += [f"expected.{f}" for f in EXPECTED_FIELDS if f not in entry.get("expected", {})]
        if missing:
            raise ValueError(f"{manifest}: entry {n} lacks {', '.join(missing)}")
        if not (set_dir / entry["file"]).is_file():
            raise ValueError(
                f"{manifest}: entry {entry['id']}'s recording {entry['file']} is absent"
            )
    return entries


def run_clip(
    entry: dict[str, Any], stt: SttProvider, settings: Settings, set_dir: Path = SET_DIR
) -> ClipOutcome:
    path = set_dir / entry["file"]
    data = path.read_bytes()
    # The deployment's region for the clip: a UK voicemail is scored as a UK business's.
    region = entry.get("region", settings.local.default_region)
    started = time.perf_counter()
    # What the stt stage does with an upload, minus storage.
    pcm = decode_pcm16k(data)
    extension = path.suffix.lstrip(".")
    audio = AudioInput(
        data=data,
        media_type=MEDIA_TYPES.get(extension, "application/octet-stream"),
        extension=extension,
        pcm16k=pcm,
        language="en",
    )
    transcript = stt.transcribe(audio)
    stage_s = time.perf_counter() - started
    first = transcript_reasons(transcript, settings.review)
    reply = TriageResponder().respond(transcript, ReplyContext(default_region=region))
    assert reply.triage is not None
    triage = reply.triage
    reasons = merged(first, triage_review(transcript, triage, settings.review, region))
    expected = entry["expected"]
    return ClipOutcome(
        id=entry["id"],
        voice=entry["voice"],
        delivery=entry["delivery"],
        duration_s=len(pcm) / SAMPLE_RATE,
        stage_s=stage_s,
        words=len(compared_words(entry["text"])),
        errors=edit_distance(entry["text"], transcript.text),
        callback=triage.callback_number,
        callback_expected=expected["callback_number"],
        intent=triage.intent,
        intent_expected=expected["intent"],
        urgency=triage.urgency,
        urgency_expected=expected["urgency"],
        caller=triage.caller_name,
        caller_expected=expected["caller_name"],
        reasons=reasons,
        hypothesis=transcript.text,
    )


def _share(hits: int, total: int) -> float:
    return hits / total if total else 0.0


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def summarize(clips: list[ClipOutcome], shared_wer: float | None) -> dict[str, float]:
    n = len(clips)
    deserving = [c for c in clips if c.deserves_review]
    flagged = [c for c in clips if c.reasons]
    words = sum(c.words for c in clips)
    figures = {
        "callback exact": _share(sum(c.callback_right for c in clips), n),
        # A valid number that is not the caller's, reported without a flag: the one error a
        # person acting on the triage cannot see.
        "wrong numbers not flagged": float(
            sum(1 for c in clips if c.callback and not c.callback_right and not c.reasons)
        ),
        "intent": _share(sum(c.intent == c.intent_expected for c in clips), n),
        "urgency": _share(sum(c.urgency == c.urgency_expected for c in clips), n),
        "caller name": _share(sum(c.caller_right for c in clips), n),
        "WER voicemail set": _share(sum(c.errors for c in clips), words),
        "review recall": _share(sum(1 for c in deserving if c.reasons), len(deserving)),
        "review false flags": _share(
            sum(1 for c in flagged if not c.deserves_review), len(flagged)
        ),
        "stt stage real-time factor": _ratio(
            sum(c.stage_s for c in clips), sum(c.duration_s for c in clips)
        ),
    }
    if shared_wer is not None:
        figures["WER shared clips"] = shared_wer
    return figures


def met(name: str, value: float) -> bool:
    comparison, threshold = GOALS[name]
    return value >= threshold if comparison == ">=" else value <= threshold


def format_clips(clips: list[ClipOutcome]) -> str:
    lines = [f"{'clip':5} {'voice':16} {'delivery':10} {'WER':>5}  callback  intent  urgency  "
             "caller  review"]  # fmt: skip
    for c in clips:
        mark = {True: "ok", False: "x"}
        lines.append(
            f"{c.id:5} {c.voice:16} {c.delivery:10} {c.wer:5.2f}  "
            f"{mark[c.callback_right]:8}  {mark[c.intent == c.intent_expected]:6}  "
            f"{mark[c.urgency == c.urgency_expected]:7}  {mark[c.caller_right]:6}  "
            f"{','.join(c.reasons) or '-'}"
        )
        if not c.callback_right:
            lines.append(f"      callback {c.callback} expected {c.callback_expected}")
    return "\n".join(lines)


def format_goals(figures: dict[str, float]) -> str:
    lines = [f"{'goal':28} {'measured':>9}  target   result"]
    for name, value in figures.items():
        comparison, threshold = GOALS[name]
        verdict = "PASS" if met(name, value) else "FAIL"
        lines.append(f"{name:28} {value:9.3f}  {comparison} {threshold:<5g}  {verdict}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    set_dir = Path(args[0]) if args else SET_DIR
    try:
        entries = load_set(set_dir)
    except ValueError as exc:
        print(exc)
        return 2
    settings = Settings()
    stt = WhisperOfflineStt(settings.local, settings.review)
    stt.load()
    clips = [run_clip(entry, stt, settings, set_dir) for entry in entries]
    shared_wer = None
    if (AUDIO_DIR / "manifest.json").is_file():
        shared_wer = measure_shared(AUDIO_DIR, stt).corpus_wer
    else:
        print(f"({AUDIO_DIR} is absent: the shared clips' WER is not measured)")
    figures = summarize(clips, shared_wer)
    print(format_clips(clips))
    print()
    print(format_goals(figures))
    written: dict[str, dict[str, float]] = {}
    for path in WRITTEN_SETS:
        shares, misses = score_written(path)
        written[path.stem] = shares
        print()
        print(format_written(shares, misses, path))
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / f"{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    out.write_text(
        json.dumps(
            {
                "figures": figures,
                "clips": [asdict(c) | {"wer": c.wer} for c in clips],
                "written": written,
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    print(f"\nresults: {out}")
    missed = [name for name, value in figures.items() if not met(name, value)]
    if missed:
        print(f"goals missed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
