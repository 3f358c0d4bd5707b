"""A typed '{\\an8}' or '{\\b1}' in SubRip captions: ffmpeg's SRT decoder (under mpv) passes a
cue's first '{\\anN}' on as ASS and so moves the cue to the top, and drops any other '{\\...}'
(VLC hides them too), so a transcript holding them showed neither as typed."""

from __future__ import annotations

import re

import webvtt

from shared.models import Transcript
from shared.transcript_formats import render

TEXT = r"Put {\an8} on top and {\b1}this{\b0} bold, a {brace} and C:\{x}"


def _cue_text(srt_text: str) -> str:
    return " ".join(re.split(r"\n\n", srt_text.strip())[0].split("\n")[2:])


def test_a_brace_before_a_backslash_is_no_override_tag_in_srt() -> None:
    srt_text = render(Transcript(text=TEXT, provider="text"), "srt")

    assert "{\\" not in srt_text


def test_srt_shows_such_a_brace_as_a_look_alike_and_keeps_every_other_brace() -> None:
    cue = _cue_text(render(Transcript(text=TEXT, provider="text"), "srt"))

    assert cue == TEXT.replace("{\\", "\uff5b\\")
    assert "{brace}" in cue


def test_vtt_keeps_the_braces_as_typed() -> None:
    vtt_text = render(Transcript(text=TEXT, provider="text"), "vtt")

    assert "\uff5b" not in vtt_text
    [caption] = webvtt.from_string(vtt_text).captions
    assert caption.text.replace("\n", " ") == TEXT
