"""Email addresses, written ("jane.doe@example.com") or read aloud ("jane dot doe at
example dot com", "j doe at gmail dot com", "bob underscore miller at outlook dot com")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.language.numbers import TEENS, TENS, UNITS
from shared.redaction.spans import Span
from shared.redaction.stream import Stream, bare
from shared.redaction_policy import Entity

_WRITTEN = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_SYMBOLS = {"dot": ".", "period": ".", "at": "@", "underscore": "_", "dash": "-",
            "hyphen": "-"}  # fmt: skip
# Only top-level domains people actually give out; "at home dot" ends no address.
_TLDS_WORDS = """
    com net org edu gov mil int io co uk us ca au nz ie de fr es it nl be ch se no dk fi
    pl pt jp cn in br mx za me info biz ai app dev tv ly email online store
"""
_TLDS = frozenset(_TLDS_WORDS.split())
# Words that end the local part when walking back from "at": the cue before an address
# ("in": "sign in at mail.yahoo.com" is a place to sign in, not signin@mail.yahoo.com), and
# the verb that says mail was sent ("I emailed support at example.com": support@example.com).
_BEFORE_WORDS = """
    is was it's its that's thats email mail address me my to the or and send write reach
    contact it that you can on using use via by from website site online visit go find us
    under please also just try again um uh er so then there here be i we am are at
    in emailed emailing emails mailed mailing messaged messaging wrote sent contacted
"""
_BEFORE = frozenset(_BEFORE_WORDS.split())
_MAX_LOCAL_WORDS = 3  # "tanya w", "k l m": pieces said with no "dot" between them
# A local part spelled letter by letter ("m a r i a", "M-A-R-I-A") or ending in a number
# said as words ("maria eighty two") has more pieces than words: letters, digits and
# number words are not counted as words, up to this many pieces in all.
_MAX_LOCAL_PIECES = 40
_NUMBER_WORDS = frozenset(TEENS) | frozenset(TENS)
_MAX_LABEL_WORDS = 2  # "adams family dot net": a domain label heard as two words


@dataclass(frozen=True)
class _Piece:
    text: str  # a word, or one of "." "@" "_" "-"
    start: int
    end: int

    @property
    def symbol(self) -> bool:
        return self.text in {".", "@", "_", "-"}


def _pieces(s: Stream) -> list[_Piece]:
    out: list[_Piece] = []
    for i, low in enumerate(s.low):
        gap = s.gap(i)
        # A written separator only counts glued to words on both sides ("jane.doe"); a full
        # stop followed by a space ends a sentence, not a label.
        if i > 0 and gap in {".", "@", "_", "-"}:
            out.append(_Piece(gap, s.ends[i - 1], s.starts[i]))
        elif i > 0 and gap.strip():
            out.append(_Piece("|", s.ends[i - 1], s.starts[i]))
        text = _SYMBOLS.get(low, str(UNITS[low]) if low in UNITS else low)
        out.append(_Piece(text, s.starts[i], s.ends[i]))
    return out


def _local_start(pieces: list[_Piece], at: int) -> int | None:
    """Index of the first piece of the local part ending just before ``pieces[at]``."""
    k = at - 1
    if k < 0 or not _is_word(pieces[k]):
        return None
    first, words = k, _counted(pieces[k])
    while k > 0 and at - k < _MAX_LOCAL_PIECES:
        prev = pieces[k - 1]
        if prev.text in {".", "_", "-"} and k >= 2 and _in_local(pieces, k - 2):
            first = k = k - 2
        elif _in_local(pieces, k - 1) and words + _counted(prev) <= _MAX_LOCAL_WORDS:
            first, k, words = k - 1, k - 1, words + _counted(prev)
        else:
            break
    return first


def _is_word(piece: _Piece) -> bool:
    return not piece.symbol and piece.text != "|" and bare(piece.text) not in _BEFORE


def _spelled(piece: _Piece) -> bool:
    return len(piece.text) == 1 and piece.text.isalnum()


def _counted(piece: _Piece) -> int:
    return 0 if _spelled(piece) or piece.text in _NUMBER_WORDS else 1


def _in_local(pieces: list[_Piece], k: int) -> bool:
    """Whether ``pieces[k]``, walking back, is more of the local part: a word, or the letter
    "i" inside a spelling ("s m i t h"), where it is no pronoun."""
    if _is_word(pieces[k]):
        return True
    before = next((p for p in reversed(pieces[:k]) if p.text not in {".", "-"}), None)
    return pieces[k].text == "i" and before is not None and _spelled(before)


def _is_domain_word(piece: _Piece) -> bool:
    return not piece.symbol and piece.text != "|"


def _domain_end(pieces: list[_Piece], at: int) -> int | None:
    """Index after the last piece of the domain starting after ``pieces[at]``, or None."""
    k, best, after_dot = at + 1, None, False
    while k < len(pieces):
        # A top-level domain is one word after a dot; what follows it may be the sentence.
        if after_dot and _is_domain_word(pieces[k]) and pieces[k].text in _TLDS:
            best = k + 1
        words = 0
        while k < len(pieces) and _is_domain_word(pieces[k]) and words < _MAX_LABEL_WORDS:
            k, words = k + 1, words + 1
        if words == 0 or k >= len(pieces) or pieces[k].text not in {".", "-"}:
            break
        after_dot = pieces[k].text == "."
        k += 1
    return best


# An address whose "@" the recogniser wrote as a dot or a word: "maria.lopez.example.com",
# "Maria.Loop has that example.com". A word glued to a word by a dot is no sentence, so a
# dotted name (the local part) followed, glued or within three words, by a written domain is
# taken for an address. A host name ("www.acme.com", "shop.acme.co.uk") has no dotted pair
# before its domain and stays; one that has ("mail.corp.example.com") is lost, which costs
# nothing a voicemail needs.
_LABEL = r"[A-Za-z][A-Za-z0-9_-]*"
_TLD = "|".join(sorted(_TLDS))
_DOMAIN = rf"(?!(?:{_TLD})\.)[A-Za-z0-9-]+(?:\.(?:{_TLD}))+(?![\w.]*\w)"
_NOT_LOCAL = r"(?:www|dr|mr|mrs|ms|st|mt)\."  # a host's "www.", a title glued to a name
_MISHEARD = re.compile(
    rf"(?<![\w.@])(?!{_NOT_LOCAL}){_LABEL}\.{_LABEL}(?:\.{_LABEL})*?"
    rf"(?:\.|(?:\s+[A-Za-z']+){{0,3}}\s+){_DOMAIN}",
    re.I,
)


# One name and a mail provider's domain, the "@" heard as a dot ("jdoe.gmail.com"): no one's
# web site lives under these, so unlike "shop.acme.com" the name before them is a mailbox.
_MAILBOX_DOMAINS = """
    gmail googlemail yahoo ymail hotmail outlook icloud aol protonmail proton gmx yandex
    zoho comcast verizon sbcglobal btinternet virginmedia
"""
# The providers' own hosts ("mail.yahoo.com", "login.aol.com") are no mailbox.
_THEIR_HOSTS = r"(?:www|mail|login|my|accounts?|help|support|news|finance|sports|calendar)\."
_MAILBOX = re.compile(
    rf"(?<![\w.@])(?!{_NOT_LOCAL})(?!{_THEIR_HOSTS}){_LABEL}\.(?:{'|'.join(_MAILBOX_DOMAINS.split())})"
    rf"(?:\.(?:{_TLD}))+(?![\w.]*\w)",
    re.I,
)


# An address whose "@" the recogniser merged into the word ("Maria.Lopasetexample.com" for
# maria.lopas at example.com): no separator is left to find it by, but said straight after
# an email cue a word ending in a domain is the address, whole, wherever its "@" was.
_MERGED = re.compile(
    rf"\be[- ]?mail(?:\s+address)?(?:'s)?[:,]?(?:\s+(?:is|was|it's|me at|at))?[:,]?\s+"
    rf"([A-Za-z][A-Za-z0-9._%+-]*[A-Za-z]\.(?:{_TLD})(?:\.(?:{_TLD}))*)(?![\w.]*\w)",
    re.I,
)


def find_emails(s: Stream, region: str) -> list[Span]:
    spans = [
        Span(Entity.EMAIL_ADDRESS, m.start(), m.end(), m.group().lower())
        for m in [*_WRITTEN.finditer(s.text), *_MISHEARD.finditer(s.text)]
    ]
    # Its local part is one name: the first dot is where the "@" was (the address hashes
    # alike however it was heard).
    spans += [
        Span(Entity.EMAIL_ADDRESS, m.start(), m.end(), m.group().lower().replace(".", "@", 1))
        for m in _MAILBOX.finditer(s.text)
    ]
    pieces = _pieces(s)
    for at, piece in enumerate(pieces):
        if piece.text != "@":
            continue
        first, end = _local_start(pieces, at), _domain_end(pieces, at)
        if first is None or end is None:
            continue
        value = "".join(p.text for p in pieces[first:end]).lower()
        spans.append(Span(Entity.EMAIL_ADDRESS, pieces[first].start, pieces[end - 1].end, value))
    # Last resort: where the finds above know where the "@" was, theirs is the value.
    merged = [
        Span(Entity.EMAIL_ADDRESS, m.start(1), m.end(1), m.group(1).lower())
        for m in _MERGED.finditer(s.text)
    ]
    return spans + [m for m in merged if not any(m.overlaps(other) for other in spans)]
