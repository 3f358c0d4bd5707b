"""Long voicemails from a spoken set: each two clips joined into one recording, scored by WER.

    .venv/bin/python -m tests.quality.joined /tmp/callers-set

Every voicemail of the sets fits in one 30 s Whisper window; a caller who talks for a minute
does not. Joined two by two (a second of silence between), the clips of a set folder (as
``speak_written`` or ``make_voicemails`` make them) become recordings of 25-60 s, which
Whisper decodes in two or more windows. Their WER against the two scripts joined, beside
the clips' own WER one by one, shows what the windows cost. No goal: a check, as in the
session notes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from shared.audio import decode_pcm16k
from shared.wer import edit_distance
from shared.wer_words import compared_words
from workers.providers.base import AudioInput
from workers.providers.stt.whisper_offline import WhisperOfflineStt
from workers.review import DECODING_LOOPED, DECODING_SKIPPED

_PAUSE = np.zeros(16000, dtype=np.int16)


def main(folder: Path) -> None:
    entries = json.loads((folder / "voicemails.json").read_text())
    engine = WhisperOfflineStt()
    engine.load()
    joined = [0, 0]  # errors, reference words
    alone = [0, 0]
    for first, second in zip(entries[0::2], entries[1::2], strict=False):
        clips = [decode_pcm16k((folder / e["file"]).read_bytes()) for e in (first, second)]
        heard_alone = [engine.transcribe(AudioInput(b"", "", "wav", pcm)).text for pcm in clips]
        heard = engine.transcribe(
            AudioInput(b"", "", "wav", np.concatenate([clips[0], _PAUSE, clips[1]]))
        )
        reference = f"{first['text']} {second['text']}"
        errors = edit_distance(reference, heard.text)
        words = len(compared_words(reference))
        errors_alone = sum(
            edit_distance(e["text"], text)
            for e, text in zip((first, second), heard_alone, strict=True)
        )
        joined[0] += errors
        joined[1] += words
        alone[0] += errors_alone
        alone[1] += words
        flags = [key for key in (DECODING_LOOPED, DECODING_SKIPPED) if heard.details.get(key)]
        print(
            f"{first['id']}+{second['id']}  {heard.duration_s:5.1f} s  WER joined "
            f"{errors / words:.2f}, alone {errors_alone / words:.2f}  {' '.join(flags)}",
            flush=True,
        )
    print(f"WER joined {joined[0] / joined[1]:.3f}, the same clips alone {alone[0] / alone[1]:.3f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
