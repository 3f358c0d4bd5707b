"""Word error rate of the offline speech engine on the real speech clips beside the project.

Run ``python -m tests.wer_report [AUDIO_DIR]`` (``make wer``) for a per-clip table; the
integration test ``tests/integration/test_local_engine_wer.py`` asserts on the same figures.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from shared.audio import MEDIA_TYPES, decode_pcm16k
from shared.wer import edit_distance
from shared.wer_words import compared_words
from workers.providers.base import AudioInput, SttProvider
from workers.providers.stt.offline import SAMPLE_RATE
from workers.providers.stt.whisper_offline import WhisperOfflineStt

AUDIO_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "audio"


@dataclass(frozen=True)
class ClipResult:
    file: str
    duration_s: float
    reference: str
    hypothesis: str
    reference_words: int
    errors: int
    decode_s: float

    @property
    def wer(self) -> float:
        return self.errors / self.reference_words if self.reference_words else 0.0


@dataclass(frozen=True)
class Report:
    clips: list[ClipResult]

    @property
    def corpus_wer(self) -> float:
        """Errors over all reference words, so long clips weigh more than in a mean of rates."""
        words = sum(clip.reference_words for clip in self.clips)
        return sum(clip.errors for clip in self.clips) / words if words else 0.0

    @property
    def real_time_factor(self) -> float:
        audio = sum(clip.duration_s for clip in self.clips)
        return sum(clip.decode_s for clip in self.clips) / audio if audio else 0.0


def load_pcm16k(path: Path) -> npt.NDArray[np.int16]:
    """A clip as 16 kHz mono int16; ``.raw`` clips are headerless s16le at 16 kHz."""
    if path.suffix == ".raw":
        return np.fromfile(path, dtype="<i2").astype(np.int16, copy=False)
    return decode_pcm16k(path.read_bytes())


def measure(audio_dir: Path = AUDIO_DIR, stt: SttProvider | None = None) -> Report:
    """Transcribe every clip in ``audio_dir``'s manifest and score it against its reference."""
    manifest = json.loads((audio_dir / "manifest.json").read_text(encoding="utf-8"))
    engine = stt or WhisperOfflineStt()
    # Keeps the model load out of the first clip's speed figure (as workers.app warms up).
    if (load := getattr(engine, "load", None)) is not None:
        load()
    clips: list[ClipResult] = []
    for entry in manifest:
        path = audio_dir / entry["file"]
        pcm = load_pcm16k(path)
        extension = path.suffix.lstrip(".")
        audio = AudioInput(
            data=b"",
            media_type=MEDIA_TYPES.get(extension, "application/octet-stream"),
            extension=extension,
            pcm16k=pcm,
            language="en",
        )
        started = time.perf_counter()
        transcript = engine.transcribe(audio)
        decode_s = time.perf_counter() - started
        clips.append(
            ClipResult(
                file=entry["file"],
                duration_s=len(pcm) / SAMPLE_RATE,
                reference=entry["reference"],
                hypothesis=transcript.text,
                reference_words=len(compared_words(entry["reference"])),
                errors=edit_distance(entry["reference"], transcript.text),
                decode_s=decode_s,
            )
        )
    return Report(clips)


def format_report(report: Report) -> str:
    width = max((len(clip.file) for clip in report.clips), default=4)
    lines = [
        f"{'clip':<{width}}  {'dur s':>6}  {'words':>5}  {'errs':>4}  {'WER':>5}  "
        f"{'xRT':>4}  hypothesis / reference"
    ]
    for clip in report.clips:
        speed = clip.decode_s / clip.duration_s if clip.duration_s else 0.0
        lines.append(
            f"{clip.file:<{width}}  {clip.duration_s:6.2f}  {clip.reference_words:5d}  "
            f"{clip.errors:4d}  {clip.wer:5.3f}  {speed:4.2f}  "
            f"{clip.hypothesis}"
        )
        if clip.errors:
            lines.append(
                f"{'':<{width}}  {'':>6}  {'':>5}  {'':>4}  {'':>5}  {'':>4}  ({clip.reference})"
            )
    words = sum(clip.reference_words for clip in report.clips)
    errors = sum(clip.errors for clip in report.clips)
    lines.append(
        f"corpus WER {report.corpus_wer:.3f} ({errors} errors / {words} reference words, "
        f"{len(report.clips)} clips), decoding at {report.real_time_factor:.2f}x real time"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    audio_dir = Path(args[0]) if args else AUDIO_DIR
    if not (audio_dir / "manifest.json").is_file():
        print(f"no manifest.json in {audio_dir}: nothing to measure", file=sys.stderr)
        return 2
    print(format_report(measure(audio_dir)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
