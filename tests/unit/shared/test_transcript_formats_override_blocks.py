"""What FFmpeg's SubRip decoder (mpv's, whose libass reads any '\\' inside '{...}' as a tag and
hides the block) hands on for a cue holding braces: a '{' with a '\\' later before its '}'
("{x\\b1}"), or ending a cue's first line, whose line break FFmpeg writes as '\\N' ("{" then
"Anna Lee}" on the next line), opened an override block that hid the words in it; and a
MicroDVD style ("{y:i}") was dropped. Read through PyAV's own FFmpeg."""

from __future__ import annotations

import io
import re

import av
import pytest

from shared.models import Transcript
from shared.transcript_formats import render


def _as_ffmpeg_hands_it_on(text: str) -> str:
    srt_text = render(Transcript(text=text, provider="text"), "srt")
    with av.open(io.BytesIO(srt_text.encode()), format="srt") as media:
        stream = media.streams.subtitles[0]
        dialogue = [sub.ass.decode() for packet in media.demux(stream) for sub in packet.decode()]
    return " ".join(line.split(",", 8)[8] for line in dialogue)


@pytest.mark.parametrize(
    "text",
    [
        r"say {x\b1} bold",
        "Please write down these words for me { Anna Lee} thank you very much for this",
    ],
)
def test_no_brace_of_a_typed_text_opens_an_override_block(text: str) -> None:
    shown = _as_ffmpeg_hands_it_on(text)

    assert not re.search(r"\{[^}]*\\[^}]*\}", shown), shown


def test_a_microdvd_style_typed_in_a_transcript_is_shown() -> None:
    shown = _as_ffmpeg_hands_it_on("the note {y:important} is here")

    assert "y:important}" in shown
