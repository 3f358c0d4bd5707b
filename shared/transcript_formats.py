"""A transcript as plain text, JSON with caption segments, SubRip (SRT) or WebVTT."""

from __future__ import annotations

import bisect
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

import pysubs2

from shared.caption_sentences import sentence_ends
from shared.models import Transcript, Word

TranscriptFormat = Literal["txt", "json", "srt", "vtt"]

# Usual broadcast caption limits: lines a viewer reads at a glance, cues that do not linger.
MAX_LINE_CHARS = 42
MAX_LINES = 2
MAX_CUE_S = 6.0
# A silence longer than this, or the end of a sentence, starts a new cue.
PAUSE_S = 0.7
# A cue shorter than this is lengthened when the next one leaves room.
MIN_CUE_S = 0.5
# Speaking rate used to guess the length of a transcript that knows neither its duration
# nor its word times (~150 words a minute).
CHARS_PER_S = 15.0


@dataclass
class Segment:
    start_s: float
    end_s: float
    words: list[Word] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return _joined(self.lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "start_s": self.start_s,
            "end_s": self.end_s,
            "text": self.text,
            "words": [w.model_dump(mode="json") for w in self.words],
        }


# Chinese and Japanese are written without spaces, so a typed message is one "word" to
# str.split: it was one cue of the whole text. Such text is cut after its sentence and
# clause marks, and what is still too long for a line into pieces that fit one.
# The full-width full stop, marks, commas, semicolon and colon (as escapes: ruff reads the
# characters themselves as look-alikes of ASCII ones).
_CLAUSE_END = re.compile("(?<=[\u3002\uff01\uff1f\u3001\uff0c\uff1b\uff1a])")


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _atoms(text: str) -> list[str]:
    """Each wide character alone, and each run of the others between them."""
    atoms: list[str] = []
    for char in text:
        if atoms and not _wide(char) and not _wide(atoms[-1][-1]):
            atoms[-1] += char
        else:
            atoms.append(char)
    return atoms


def _width(text: str) -> int:
    """Columns on screen: a Chinese or Japanese character takes two, as MAX_LINE_CHARS
    (Latin characters) assumes of nothing else."""
    return sum(2 if _wide(char) else 1 for char in text)


class _Glued(str):
    """A piece of a word cut to fit the lines: written right after the piece before it."""

    __slots__ = ()


def _joined(tokens: list[str]) -> str:
    """Tokens as written: a space between words, none before a piece of a cut word."""
    text = ""
    for token in tokens:
        text += token if isinstance(token, _Glued) or not text else " " + token
    return text


def _tokens(text: str) -> list[str]:
    """The words of ``text``, each short enough for a line where it can be cut."""
    tokens: list[str] = []
    for word in text.split():
        if _width(word) <= MAX_LINE_CHARS or not any(_wide(char) for char in word):
            tokens.append(word)  # a long Latin word cannot be cut without mangling it
            continue
        pieces: list[str] = []
        for clause in filter(None, _CLAUSE_END.split(word)):
            piece = ""
            # Cut between wide characters only: a Latin word or a redaction token among them
            # ("iPhone", "[PHONE_NUMBER]") stays whole, as it does between spaces.
            for atom in _atoms(clause):
                if piece and _width(piece + atom) > MAX_LINE_CHARS:
                    pieces.append(piece)
                    piece = ""
                piece += atom
            pieces.append(piece)
        tokens += [pieces[0], *map(_Glued, pieces[1:])]
    return tokens


def _layout(tokens: list[str]) -> list[str] | None:
    """The tokens as one line, or as two lines of balanced length; None if they do not fit."""
    one = _joined(tokens)
    if _width(one) <= MAX_LINE_CHARS or len(tokens) == 1:
        return [one]  # a single over-long word cannot be split without mangling it
    best: list[str] | None = None
    for i in range(1, len(tokens)):
        second = _joined(tokens[i:])
        # A line that starts within a cut word is glued to the one before (Segment.text).
        lines = [_joined(tokens[:i]), _Glued(second) if isinstance(tokens[i], _Glued) else second]
        longest = max(map(_width, lines))
        if longest <= MAX_LINE_CHARS and (best is None or longest < max(map(_width, best))):
            best = lines
    return best


def _pack(tokens: list[str]) -> list[list[str]]:
    """Tokens in order, grouped greedily into as few cues' worth of lines as will fit."""
    groups: list[list[str]] = []
    for token in tokens:
        if groups and _layout([*groups[-1], token]) is not None:
            groups[-1].append(token)
        else:
            groups.append([token])
    return groups


def _timed(words: list[Word]) -> list[Segment]:
    """Cues packed greedily from words with times (callers pass no others), within bounds."""
    cues: list[Segment] = []
    ends = sentence_ends([w.word for w in words])
    for i, word in enumerate(words):
        start, end = word.start_s or 0.0, word.end_s or 0.0
        if cues:
            cue = cues[-1]
            lines = _layout([w.word for w in cue.words] + [word.word])
            if (
                lines is not None
                and start - cue.end_s <= PAUSE_S
                and not ends[i - 1]  # the cue's last word is the one before this
                and end - cue.start_s <= MAX_CUE_S
            ):
                cue.words.append(word)
                cue.lines = lines
                cue.end_s = max(cue.end_s, end)
                continue
        cues.append(Segment(start, end, [word], [word.word]))
    return cues


def _untimed(tokens: list[str], start_s: float, end_s: float) -> list[Segment]:
    """Cues for words whose times are unknown, spread over ``start_s..end_s``.

    Without timings we cannot know where speech is, so the span is shared out in proportion
    to each chunk's characters (speech is roughly constant in characters per second), which
    is the least-wrong guess and keeps captions in step at the start and the end. Chunks are
    as many as the line limits need, or as the span needs to keep cues under MAX_CUE_S (one
    word at least per chunk); a chunk whose share is still too long is cut at MAX_CUE_S.
    """
    wanted = min(len(tokens), max(len(_pack(tokens)), math.ceil((end_s - start_s) / MAX_CUE_S)))
    # Chunks of about even length (so that no tiny remainder flashes by), each packed again.
    even: list[list[str]] = [[] for _ in range(wanted)]
    count, at_char = sum(len(t) + 1 for t in tokens), 0
    for token in tokens:
        even[min(wanted - 1, (at_char + len(token) // 2) * wanted // count)].append(token)
        at_char += len(token) + 1
    groups = [part for chunk in even if chunk for part in _pack(chunk)]
    total = sum(_width(_joined(g)) for g in groups) or 1
    cues: list[Segment] = []
    at = start_s
    for group in groups:
        share = (end_s - start_s) * _width(_joined(group)) / total
        lines = _layout(group) or [_joined(group)]
        cues.append(
            Segment(at, min(at + share, at + MAX_CUE_S), [Word(word=t) for t in group], lines)
        )
        at += share
    return cues


def _normalised(cues: list[Segment], limit_s: float | None) -> list[Segment]:
    """Millisecond times, rising and non-overlapping, each cue longer than zero."""
    prev_end, last = 0, math.inf if limit_s is None else round(limit_s * 1000)
    for i, cue in enumerate(cues):
        start = max(round(cue.start_s * 1000), prev_end)
        end = min(round(cue.end_s * 1000), start + round(MAX_CUE_S * 1000))
        if end - start < MIN_CUE_S * 1000:  # lengthened into the gap after it, if any
            room = round(cues[i + 1].start_s * 1000) if i + 1 < len(cues) else last
            end = int(min(max(end, start + MIN_CUE_S * 1000), max(room, end)))
        end = max(end, start + 1)
        cue.start_s, cue.end_s, prev_end = start / 1000, end / 1000, end
    if cues and prev_end > last and last >= len(cues):
        # An engine's last word times (or segment) can run past the end of the audio; a
        # caption showing after it is out of step with the recording. Pulled back from the
        # end, each cue kept 1 ms long at least and clear of the one after it.
        bound = int(last)
        for cue in reversed(cues):
            end = min(round(cue.end_s * 1000), bound)
            start = min(round(cue.start_s * 1000), end - 1)
            if end == round(cue.end_s * 1000) and start == round(cue.start_s * 1000):
                break  # this cue and every one before it already fit
            cue.start_s, cue.end_s, bound = start / 1000, end / 1000, start
    return cues


def segments(transcript: Transcript) -> list[Segment]:
    """The transcript cut into caption cues (whisper's segments bound them when present)."""
    words = [w for w in transcript.words if w.word.strip()]
    bounds: list[tuple[float, float, str]] = sorted(
        (float(s["start_s"]), float(s["end_s"]), str(s.get("text", "")))
        for s in transcript.details.get("segments") or []
        if isinstance(s, dict) and s.get("start_s") is not None and s.get("end_s") is not None
    )
    if words and all(w.start_s is not None and w.end_s is not None for w in words):
        if not bounds:
            return _normalised(_timed(words), transcript.duration_s)
        # Each word belongs to the last segment that starts at or before it.
        groups: list[list[Word]] = [[] for _ in bounds]
        starts = [b[0] for b in bounds]
        for word in words:
            groups[max(bisect.bisect_right(starts, word.start_s or 0.0) - 1, 0)].append(word)
        cues = [cue for group in groups for cue in _timed(group)]
        return _normalised(cues, transcript.duration_s)
    if bounds and not words:
        cues = [c for s, e, text in bounds for c in _untimed(text.split(), s, e)]
        return _normalised(cues, transcript.duration_s)
    # No usable word times (or only some): spread the words over the whole recording.
    tokens = _tokens(transcript.text) or [w.word for w in words]
    if not tokens:
        return []
    duration = transcript.duration_s or max(_width(_joined(tokens)) / CHARS_PER_S, 1.0)
    return _normalised(_untimed(tokens, 0.0, duration), duration)


def _stand_in(texts: list[str]) -> str:
    """A private-use character that none of ``texts`` contains."""
    used = set("".join(texts))
    return next(c for c in map(chr, range(0xE000, 0xF900)) if c not in used)


_LINE_BREAKS = re.compile("[\r\n]+")

# SubRip has no escape: players (ffmpeg's decoder under mpv, VLC) read '<b>', '<i>', '<u>',
# '<font …>' as styling (some drop any other '<word>'), so a typed "<b>" would show the
# rest of its cue in bold and itself not at all, and pysubs2 offers no escape either. Every
# '<' is written as the single left angle quotation mark, which reads as a '<', takes one
# column and is in every subtitle font (Windows-1252, WGL4); a character the player hides
# (a word joiner after the '<') would keep the '<' but relies on how each player scans a
# tag. '>' opens nothing and is kept. WebVTT has '&lt;' and keeps the '<' itself.
SRT_LESS_THAN = "\u2039"
# A '{' right before a '\' opens an ASS override tag to the same players: ffmpeg's SRT
# decoder passes a cue's first '{\anN}' on (the cue moves to the top) and drops any other
# '{\...}' unseen, as VLC does; a '{' with a '\' further on before its '}' ("{x\b1}"), or
# with the cue's line break there (ffmpeg writes it '\N'), it passes on whole, and libass
# hides the block; a MicroDVD style ("{y:i}") it drops. Such a '{' is written as the
# full-width left curly bracket,
# drawn as a brace in the CJK fonts every desktop and phone system falls back to (nothing in
# Windows-1252 or WGL4 looks like one). The '{' itself must go: ffmpeg hands a '{' it does
# not take for a tag on to libass (mpv), which reads a '\b1' anywhere inside '{...}' as a
# tag, so a hidden character after the '{' or a look-alike of the '\' would not do. It is
# two columns wide, which only a cue holding one notices. Any other '{', and every '}', is
# kept. WebVTT has no such tags (ffmpeg escapes its braces for libass).
SRT_LEFT_BRACE = "\uff5b"


def _srt_tag(backslash: str) -> re.Pattern[str]:
    """A '{' ffmpeg hands on as a tag: a '\\' (``backslash`` while pysubs2 writes) or the
    line break pysubs2 writes as '\\N' before any '}' after it, or a MicroDVD style."""
    before_its_end = r"\{(?=[^}]*(?:\\N|" + re.escape(backslash) + "))"
    return re.compile(before_its_end + r"|\{(?=[CcFfoPSsYy]:[^}]+\})")


def _subtitles(cues: list[Segment], fmt: Literal["srt", "vtt"]) -> str:
    # pysubs2 writes from SSA markup: whatever the flags, it turns a literal '\N', '\n' or
    # '\h' into a line break or a space, and drops a cue whose '{...\p1}' reads as a
    # drawing. Transcript text is not markup, so its backslashes stand in as a character the
    # text lacks while pysubs2 writes, and come back after.
    backslash = _stand_in([line for cue in cues for line in cue.lines])
    tag = _srt_tag(backslash)
    subs = pysubs2.SSAFile()
    for cue in cues:
        # A line break inside an engine's word is no line of ours: two in a row are a blank
        # line, which ends a cue, and the rest of it is lost to players.
        lines = (_LINE_BREAKS.sub(" ", line) for line in cue.lines)
        text = "\\N".join(line.replace("\\", backslash) for line in lines)
        if fmt == "srt":
            text = tag.sub(SRT_LEFT_BRACE, text)
        if fmt == "vtt":  # cue text is markup in WebVTT: '&', '<' and '>' must be escaped
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        else:
            text = text.replace("<", SRT_LESS_THAN)
        start, end = round(cue.start_s * 1000), round(cue.end_s * 1000)
        subs.append(pysubs2.SSAEvent(start=start, end=end, text=text))
    # keep_ssa_tags: transcript text is not SSA markup, so '{...}' must be written as it is.
    return subs.to_string(fmt, keep_ssa_tags=True).replace(backslash, "\\")


def render(transcript: Transcript, fmt: TranscriptFormat) -> str:
    """The transcript as ``fmt``: txt, json (as stored plus ``segments``), srt or vtt."""
    if fmt == "txt":
        return transcript.text + "\n"
    cues = segments(transcript)
    if fmt == "json":
        body = transcript.model_dump(mode="json")
        body["segments"] = [cue.as_dict() for cue in cues]
        return json.dumps(body, ensure_ascii=False)
    return _subtitles(cues, fmt)
