"""Transcript exports, checked with parsers independent of the writer (srt, webvtt-py)."""

from __future__ import annotations

import html
import itertools
import json
import re
import unicodedata
from dataclasses import dataclass

import srt
import webvtt
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.models import Transcript, Word
from shared.transcript_formats import (
    MAX_CUE_S,
    MAX_LINE_CHARS,
    MAX_LINES,
    SRT_LEFT_BRACE,
    render,
    segments,
)

SCRIPT = (
    "Hi, this is Tom Baker. I have a question about my last bill. I think I was charged "
    "twice this month. Call me back at seven one three, five five five, four four six one."
)


@dataclass
class Cue:
    index: str
    start_s: float
    end_s: float
    lines: list[str]


def _seconds(stamp: str) -> float:
    hours, minutes, seconds = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def srt_cues(text: str) -> list[Cue]:
    return [
        Cue(str(s.index), s.start.total_seconds(), s.end.total_seconds(), s.content.split("\n"))
        for s in srt.parse(text)
    ]


def vtt_cues(text: str) -> list[Cue]:
    return [
        Cue(c.identifier or "", _seconds(c.start), _seconds(c.end), c.lines)
        for c in webvtt.from_string(text).captions
    ]


def timed(
    text: str, *, pause_after: frozenset[int] = frozenset(), step: float = 0.35
) -> Transcript:
    """Words of ``text`` spoken one after another, with a 1 s pause after the given indexes."""
    words, at = [], 0.0
    for i, token in enumerate(text.split()):
        words.append(Word(word=token, start_s=round(at, 2), end_s=round(at + step - 0.05, 2)))
        at += step + (1.0 if i in pause_after else 0.0)
    return Transcript(text=text, provider="local", duration_s=at, words=words)


def assert_valid(cues: list[Cue], words: list[str]) -> None:
    assert [c.index for c in cues] == [str(i) for i in range(1, len(cues) + 1)]
    for cue in cues:
        assert cue.end_s > cue.start_s
        assert cue.end_s - cue.start_s <= MAX_CUE_S + 1e-9
        assert 1 <= len(cue.lines) <= MAX_LINES
        assert all(len(line) <= MAX_LINE_CHARS for line in cue.lines), cue.lines
    for before, after in itertools.pairwise(cues):
        assert before.end_s <= after.start_s
    spoken = [html.unescape(t) for cue in cues for line in cue.lines for t in line.split()]
    assert spoken == words


def test_srt_cues_are_numbered_from_one_with_rising_times() -> None:
    transcript = timed(SCRIPT, pause_after=frozenset({4, 11}))

    cues = srt_cues(render(transcript, "srt"))

    assert len(cues) > 3
    assert_valid(cues, SCRIPT.split())


def test_vtt_starts_with_its_header_and_has_the_same_numbered_rising_cues() -> None:
    transcript = timed(SCRIPT, pause_after=frozenset({4, 11}))

    text = render(transcript, "vtt")

    assert text.startswith("WEBVTT\n\n")
    assert_valid(vtt_cues(text), SCRIPT.split())
    assert [(c.start_s, c.end_s, c.lines) for c in vtt_cues(text)] == [
        (c.start_s, c.end_s, c.lines) for c in srt_cues(render(transcript, "srt"))
    ]


def test_srt_separates_milliseconds_with_a_comma_and_vtt_with_a_dot() -> None:
    transcript = timed("one two three four", pause_after=frozenset({1}))

    srt_times = re.findall(r"^(\S+) --> (\S+)$", render(transcript, "srt"), re.MULTILINE)
    vtt_times = re.findall(r"^(\S+) --> (\S+)$", render(transcript, "vtt"), re.MULTILINE)

    assert srt_times == [("00:00:00,000", "00:00:00,650"), ("00:00:01,700", "00:00:02,350")]
    assert vtt_times == [(a.replace(",", "."), b.replace(",", ".")) for a, b in srt_times]


def test_a_pause_longer_than_seven_tenths_of_a_second_starts_a_new_cue() -> None:
    cues = srt_cues(render(timed("see you at the usual place", pause_after=frozenset({2})), "srt"))

    assert [c.lines for c in cues] == [["see you at"], ["the usual place"]]


def test_a_sentence_end_starts_a_new_cue() -> None:
    cues = srt_cues(render(timed("Thanks a lot. Bye now."), "srt"))

    assert [c.lines for c in cues] == [["Thanks a lot."], ["Bye now."]]


def test_a_long_run_of_speech_is_cut_into_cues_of_two_short_lines_at_most() -> None:
    text = " ".join(["alphabetical"] * 40)  # 12 characters a word, no pauses, no sentences
    cues = srt_cues(render(timed(text, step=0.1), "srt"))

    assert_valid(cues, text.split())
    assert max(len(c.lines) for c in cues) == 2


def test_a_cue_lasts_at_most_six_seconds_even_for_slow_speech() -> None:
    text = "so um well I mean"
    cues = srt_cues(render(timed(text, step=1.9), "srt"))

    assert_valid(cues, text.split())
    assert len(cues) >= 2


def test_whisper_segments_bound_the_cues() -> None:
    transcript = timed("hello there how are you", step=0.3)
    transcript.details["segments"] = [
        {"start_s": 0.0, "end_s": 0.6, "text": "hello there"},
        {"start_s": 0.6, "end_s": 1.5, "text": "how are you"},
    ]

    cues = srt_cues(render(transcript, "srt"))

    assert [c.lines for c in cues] == [["hello there"], ["how are you"]]


def test_whisper_segments_without_words_share_out_each_segment_span() -> None:
    transcript = Transcript(
        text="Hello there. How are you?",
        provider="whisper",
        duration_s=9.0,
        details={
            "segments": [
                {"start_s": 0.5, "end_s": 1.5, "text": "Hello there."},
                {"start_s": 4.0, "end_s": 5.0, "text": "How are you?"},
            ]
        },
    )

    cues = srt_cues(render(transcript, "srt"))

    assert [(c.start_s, c.end_s, c.lines) for c in cues] == [
        (0.5, 1.5, ["Hello there."]),
        (4.0, 5.0, ["How are you?"]),
    ]


def test_a_transcript_without_word_times_is_spread_evenly_over_its_duration() -> None:
    transcript = Transcript(text=SCRIPT, provider="claude", duration_s=10.0)

    cues = srt_cues(render(transcript, "srt"))

    assert_valid(cues, SCRIPT.split())
    assert cues[0].start_s == 0.0
    assert cues[-1].end_s == 10.0
    assert len(cues) >= 2


def test_a_long_recording_without_word_times_still_has_no_cue_over_six_seconds() -> None:
    transcript = Transcript(text="yes please call me back", provider="claude", duration_s=120.0)

    cues = vtt_cues(render(transcript, "vtt"))

    assert_valid(cues, transcript.text.split())


def test_a_transcript_without_duration_or_word_times_gets_a_length_from_its_text() -> None:
    transcript = Transcript(text=SCRIPT, provider="claude")

    cues = srt_cues(render(transcript, "srt"))

    assert_valid(cues, SCRIPT.split())
    # ~15 characters a second.
    assert 8.0 <= cues[-1].end_s <= 14.0


def test_zero_length_and_overlapping_word_times_still_give_valid_cues() -> None:
    words = [
        Word(word="a.", start_s=1.0, end_s=1.0),
        Word(word="b.", start_s=0.9, end_s=1.2),
        Word(word="c", start_s=1.2, end_s=1.2),
    ]
    transcript = Transcript(text="a. b. c", provider="whisper", words=words)

    assert_valid(srt_cues(render(transcript, "srt")), ["a.", "b.", "c"])
    assert_valid(vtt_cues(render(transcript, "vtt")), ["a.", "b.", "c"])


def test_an_empty_transcript_gives_an_empty_srt_and_a_vtt_with_only_its_header() -> None:
    transcript = Transcript(text="", provider="local", duration_s=3.0)

    assert render(transcript, "srt") == ""
    assert srt_cues(render(transcript, "srt")) == []
    assert render(transcript, "vtt").strip() == "WEBVTT"
    assert vtt_cues(render(transcript, "vtt")) == []
    assert render(transcript, "txt") == "\n"
    assert json.loads(render(transcript, "json"))["segments"] == []


def test_unicode_text_comes_through_srt_and_vtt_unchanged() -> None:
    text = "Grüße aus Köln — 東京で会いましょう 🙂 café"

    assert_valid(srt_cues(render(timed(text), "srt")), text.split())
    assert_valid(vtt_cues(render(timed(text), "vtt")), text.split())


def test_markup_is_escaped_in_vtt_and_braces_are_kept_in_srt() -> None:
    text = "R&D <urgent> {ref} 5>3"
    transcript = timed(text)

    vtt_text = render(transcript, "vtt")
    srt_text = render(transcript, "srt")

    assert "<urgent>" not in vtt_text
    assert_valid(vtt_cues(vtt_text), text.split())
    assert "{ref}" in srt_text


def test_backslashes_and_braces_come_through_srt_and_vtt_as_typed() -> None:
    # SSA markup to pysubs2: a line break (\N, \n), a hard space (\h), a drawing ({\p1}).
    text = r"The report is in C:\New folder\Notes, \h call {\p1}me{\p0} on 312 555 0100 \N"
    transcript = Transcript(text=text, provider="text")

    # SubRip writes a '{' before a '\' as a look-alike (players read '{\...}' as a tag).
    shown_in_srt = text.replace("{\\", SRT_LEFT_BRACE + "\\")
    for cues, shown in (
        (srt_cues(render(transcript, "srt")), shown_in_srt),
        (vtt_cues(render(transcript, "vtt")), text),
    ):
        assert_valid(cues, shown.split())
        assert " ".join(line for cue in cues for line in cue.lines) == shown


@settings(max_examples=150, deadline=None)
@given(
    tokens=st.lists(
        st.text(st.sampled_from("\\{}Nnhp1ab"), min_size=1, max_size=8), min_size=1, max_size=30
    )
)
def test_any_backslashes_and_braces_give_parseable_srt_and_vtt_with_every_token_as_typed(
    tokens: list[str],
) -> None:
    transcript = Transcript(text=" ".join(tokens), provider="text")

    srt_text = render(transcript, "srt")

    cues = srt_cues(srt_text)
    # No '{' that a '\\' or the cue's line break (ffmpeg's '\\N') follows before a '}'.
    assert not any(re.search(r"\{[^}]*(\\|\n)", "\n".join(cue.lines)) for cue in cues)
    for cue in cues:
        cue.lines = [line.replace(SRT_LEFT_BRACE, "{") for line in cue.lines]
    assert_valid(cues, tokens)
    assert_valid(vtt_cues(render(transcript, "vtt")), tokens)


def test_txt_is_the_text_and_a_newline() -> None:
    assert render(Transcript(text="Call me back.", provider="local"), "txt") == "Call me back.\n"


def test_json_is_the_stored_transcript_plus_its_segments() -> None:
    transcript = timed("see you at the usual place", pause_after=frozenset({2}))

    body = json.loads(render(transcript, "json"))

    segments = body.pop("segments")
    assert body == json.loads(transcript.model_dump_json())
    assert [s["text"] for s in segments] == ["see you at", "the usual place"]
    assert segments[0]["start_s"] == 0.0
    assert segments[0]["end_s"] == 1.0
    assert [w["word"] for s in segments for w in s["words"]] == transcript.text.split()


_WORD = st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=14).map(
    lambda w: w + "." if w.endswith("0") else w  # now and then a sentence end
)


@settings(max_examples=150, deadline=None)
@given(
    spoken=st.lists(
        st.tuples(_WORD, st.floats(-0.05, 1.5), st.floats(0.0, 1.2)), min_size=0, max_size=80
    )
)
def test_any_timed_words_give_valid_srt_and_vtt_with_every_word_once_in_order(
    spoken: list[tuple[str, float, float]],
) -> None:
    words, at = [], 0.0
    for token, gap, length in spoken:
        at = max(at + gap, 0.0)
        words.append(Word(word=token, start_s=round(at, 3), end_s=round(at + length, 3)))
        at += length
    transcript = Transcript(text=" ".join(w.word for w in words), provider="x", words=words)

    expected = [w.word for w in words]
    assert_valid(srt_cues(render(transcript, "srt")), expected)
    assert_valid(vtt_cues(render(transcript, "vtt")), expected)


def test_text_written_without_spaces_is_cut_into_cues_that_fit_and_keep_it_as_written() -> None:
    # Before, a typed Japanese or Chinese message was one "word": one cue of the whole text,
    # on one line, for at most 6 s however long.
    text = (
        "明日の午後、配管工を呼んでいただけますか。台所の水道管から水が漏れていて、"
        "床が水浸しになっています。至急お願いします。電話番号は零三、一二三四、五六七八です。"
        "よろしくお願いいたします。"
    )

    cues = segments(Transcript(text=text, provider="text"))

    assert len(cues) > 1
    assert "".join(cue.text for cue in cues) == text  # no space put between its pieces
    for cue in cues:
        assert len(cue.lines) <= MAX_LINES
        # A Chinese or Japanese character is two columns wide.
        assert all(2 * len(line) <= MAX_LINE_CHARS for line in cue.lines), cue.lines
        assert cue.end_s - cue.start_s <= MAX_CUE_S


def test_line_breaks_an_engine_put_inside_a_word_do_not_end_its_cue() -> None:
    words = [
        Word(word="hello", start_s=0.0, end_s=0.4),
        Word(word="line\r\rbreak", start_s=0.5, end_s=0.9),
        Word(word="more\r\n\r\ntext", start_s=1.0, end_s=1.4),
        Word(word="end", start_s=1.5, end_s=1.9),
    ]
    transcript = Transcript(text="hello line break more text end", provider="p", words=words)

    for cues in (vtt_cues(render(transcript, "vtt")), srt_cues(render(transcript, "srt"))):
        assert len(cues) == 1
        assert " ".join(cues[0].lines).split() == ["hello", "line", "break", "more", "text", "end"]


def _columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in line)


def test_latin_words_and_redaction_tokens_in_text_without_spaces_are_not_cut_in_two() -> None:
    token = "[PHONE_NUMBER:3f9a1c2b]"
    for lead in range(40):  # wherever the 42-column cut would fall
        text = "您" * lead + "请用iPhone回电话到" + token + "谢谢您的帮助再见"

        lines = [
            line for cue in segments(Transcript(text=text, provider="text")) for line in cue.lines
        ]

        assert "".join(lines) == text
        assert any(token in line for line in lines), lines
        assert any("iPhone" in line for line in lines), lines
        assert all(_columns(line) <= MAX_LINE_CHARS for line in lines), lines
