"""A typed or spoken '<' in SubRip captions: SRT has no escape for it, and players (ffmpeg's
decoder under mpv, VLC, browsers' SRT shims) read '<b>', '<i>', '<font …>' as styling, so a
transcript holding "<b>" showed the rest of its cue in bold and the tag not at all."""

from __future__ import annotations

import re

import pysubs2
import webvtt

from shared.models import Transcript
from shared.transcript_formats import render

TEXT = "I typed <b>bold</b> and <i>this</i>, also <font color=red>x</font> and 3 < 5 > 2"


def _cue_text(srt_text: str) -> str:
    return " ".join(re.split(r"\n\n", srt_text.strip())[0].split("\n")[2:])


def test_a_tag_typed_in_a_transcript_is_no_markup_in_srt() -> None:
    srt_text = render(Transcript(text=TEXT, provider="text"), "srt")

    assert "<" not in srt_text
    # pysubs2 reads SRT as players do: a tag would become styling and leave the text.
    [event] = pysubs2.SSAFile.from_string(srt_text, format_="srt").events
    assert "\\b1" not in event.text
    assert "\\i1" not in event.text
    assert event.plaintext.replace("\n", " ") == TEXT.replace("<", "\u2039")


def test_srt_shows_a_less_than_sign_as_a_look_alike_and_keeps_everything_else() -> None:
    cue = _cue_text(render(Transcript(text=TEXT, provider="text"), "srt"))

    assert cue == TEXT.replace("<", "\u2039")


def test_vtt_keeps_the_less_than_sign_itself_escaped_as_markup_allows() -> None:
    vtt_text = render(Transcript(text=TEXT, provider="text"), "vtt")

    assert "\u2039" not in vtt_text
    [caption] = webvtt.from_string(vtt_text).captions
    assert caption.text.replace("\n", " ").replace("&lt;", "<").replace("&gt;", ">") == TEXT


def test_txt_and_json_keep_the_text_as_typed() -> None:
    transcript = Transcript(text=TEXT, provider="text")

    assert render(transcript, "txt") == TEXT + "\n"
    assert TEXT in render(transcript, "json")
