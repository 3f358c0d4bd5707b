"""Speak voicemails of the written set into a folder that ``make quality EVAL=<folder>`` scores.

    apt-get install -y flite espeak-ng      # as for make_voicemails
    .venv/bin/python -m tests.quality.speak_written /tmp/written-set [first [last]]
    .venv/bin/python -m tests.quality.speak_written /tmp/callers-set held_out

By default w41-w70 of ``written.json`` (give ``101 130`` for the ones the rules saw least), each in
the next of ten voices and four deliveries, every fifth with noise, the way the spoken set
was made (make_voicemails). ``held_out`` speaks instead the held-out half of
``written_callers.json`` (75 voicemails). The digits of a number are spoken one by one, as
callers say them. Nothing is committed: the folder is a check of how the whole offline path does on
wording and voices it was not tuned on (the session notes give its figures), not a goal.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from tests.quality.make_voicemails import Expected, Voicemail, render
from tests.quality.written import CALLERS, WRITTEN

_DIGIT_WORDS = ["oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_NUMBER = re.compile(r"\b\d{3,4}(?:[-. ]\d{3,4}){1,2}\b")
VOICES = ("flite:slt", "espeak:en-us", "flite:kal16", "piper:noisy", "espeak:en-gb",
          "flite:awb", "espeak:en-us+f3", "flite:rms", "espeak:en-us+m3", "flite:kal")  # fmt: skip
DELIVERIES = {"ulaw8k.wav": "wav", "8k.mp3": "mp3", "m4a": "m4a", "16k.wav": "wav"}


def spoken(text: str) -> str:
    """The text with each phone number's digits as words, its groups apart."""

    def say(number: re.Match[str]) -> str:
        groups = re.split(r"[-. ]", number.group(0))
        return ", ".join(" ".join(_DIGIT_WORDS[int(d)] for d in group) for group in groups)

    return _NUMBER.sub(say, text)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print(__doc__)
        return 2
    folder = Path(args[0])
    if args[1:] == ["held_out"]:
        callers = json.loads(CALLERS.read_text(encoding="utf-8"))
        written = [item for item in callers if item["held_out"]]
    else:
        first, last = (int(args[1]), int(args[2])) if len(args) == 3 else (41, 70)
        written = json.loads(WRITTEN.read_text(encoding="utf-8"))[first - 1 : last]
    entries: list[Voicemail] = []
    for i, item in enumerate(written):
        delivery = list(DELIVERIES)[i % len(DELIVERIES)]
        expected = item["expected"]
        entry: Voicemail = {
            "id": item["id"],
            "text": spoken(item["text"]),
            "voice": VOICES[i % len(VOICES)],
            "delivery": delivery,
            "region": item["region"],
            "noise_snr_db": 15.0 if i % 5 == 2 else None,
            "expected": Expected(
                caller_name=expected["caller_name"],
                callback_number=expected["callback_number"],
                callback_partial=False,
                intent=expected["intent"],
                urgency=expected["urgency"],
            ),
            "file": f"audio/{item['id']}.{DELIVERIES[delivery]}",
        }
        render(entry, folder)
        entries.append(entry)
        print(f"{entry['id']}  {entry['voice']:<18} {delivery}")
    (folder / "voicemails.json").write_text(json.dumps(entries, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
