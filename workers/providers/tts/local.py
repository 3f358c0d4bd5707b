"""The offline speech provider: piper and the bundled "joe" voice (shared.audio)."""

from __future__ import annotations

import calendar
import re
import unicodedata

import numpy as np
import numpy.typing as npt
import phonenumbers

from shared.audio import MEDIA_TYPES, encode_pcm
from shared.audio.offline_voice import VOICE, load_voice, speak
from shared.errors import StageFailed
from shared.language.numbers import say_digits
from shared.language.other_numbers import LABEL_NOUNS, NOT_PHONE
from shared.language.phone import speak_number
from shared.models import SynthesizedAudio
from shared.settings import LocalEngineSettings, OutputFormat
from workers.providers.base import TtsProvider
from workers.providers.tts.spoken_references import digit_groups, said_lettered_references
from workers.providers.tts.text_parts import split_text

# The voice holds a whole sentence's tensors at once, ~1 MB a character: a 2,000-character
# sentence without a full stop (a pasted run-on text) peaked at 2.3 GB, so the 20,000 a text
# job may hold would take the worker down. Text goes to it in pieces of at most this many
# characters, cut at sentence ends, else at clauses, else between words; a piece at most
# this long peaked at ~400 MB with the voice loaded.
PIECE_CHARS = 200

# Scripts the voice's English phonemiser (espeak-ng) names letter by letter instead of
# reading ("你好" is "Chinese letter, Chinese letter"), as their Unicode names begin. It
# sounds out others (Devanagari, Bengali, Tamil, Hangul, Armenian, Georgian).
_NAMED_SCRIPTS = (
    "CJK", "HIRAGANA", "KATAKANA", "ARABIC", "HEBREW", "THAI", "ETHIOPIC", "CYRILLIC", "GREEK",
)  # fmt: skip


# The voice reads "$45.50" as "dollar forty five point five zero": the sign first, the
# cents as digits. Amounts are handed to it as said: "45 dollars and 50 cents".
_MONEY = re.compile(r"([$£€])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{2}))?(?![\d.,]*\d)")
_UNITS = {"$": ("dollar", "cent"), "£": ("pound", "penny"), "€": ("euro", "cent")}


def _said_money(match: re.Match[str]) -> str:
    whole_name, cent_name = _UNITS[match.group(1)]
    whole, cents = match.group(2), int(match.group(3) or 0)
    parts = []
    if whole.replace(",", "") != "0" or not cents:
        parts.append(f"{whole} {whole_name}{'' if whole == '1' else 's'}")
    if cents:
        plural = "pence" if cent_name == "penny" else "cents"
        parts.append(f"{cents} {cent_name if cents == 1 else plural}")
    return " and ".join(parts)


# The voice says "3:00 PM" as "three zero zero PM" and "9:05" as "nine zero five".
_CLOCK = re.compile(r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])(\s*[AaPp]\.?[Mm]\b)?")


def _said_time(match: re.Match[str]) -> str:
    hour, minutes, meridiem = int(match.group(1)), match.group(2), match.group(3) or ""
    if minutes != "00":
        said = f"{hour} oh {minutes[1]}" if minutes[0] == "0" else f"{hour} {minutes}"
    elif meridiem:
        said = str(hour)
    else:
        said = f"{hour} o'clock" if hour <= 12 else f"{hour} hundred"
    return said + meridiem


# The voice reads an emoji out by its name ("thanks grinning face thumbs up"): emoji,
# pictographs, dingbats and their joiners and modifiers are left out of what it is handed.
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b50\u2b55\ufe0f\u200d]+")


# A title's full stop ended the sentence for the voice: "Doctor. Smith will call."
_TITLE = re.compile(r"\b(Dr|Mr|Mrs|Ms|Prof)\.(?=\s+[A-Z])")
_TITLES = {"Prof": "Professor"}


# Digits a label names ("order 4158672291", "account no. 415 867 2291") are that order's or
# account's, though libphonenumber finds them a valid number: as other_numbers does for a
# transcript, they are left as written rather than said in a phone number's groups.
_LABELLED = re.compile(
    rf"\b(?:{'|'.join(sorted(NOT_PHONE))})(?:\s+(?:{'|'.join(sorted(LABEL_NOUNS))})\b\.?)?"
    r"(?:\s*[#:]|\s+is)?\s*$",
    re.IGNORECASE,
)


def _said_phones(text: str, region: str) -> str:
    """Phone numbers in digits said digit by digit in their groups, as the reply stage says
    a callback number (shared.language.phone.speak_number): the voice read "415-867-2291"
    as "four hundred fifteen, eight hundred sixty seven, two thousand ...". Only what
    libphonenumber finds to be a valid number of ``region`` (or one given with its "+")."""
    parts: list[str] = []
    end = 0
    for match in phonenumbers.PhoneNumberMatcher(text, region):
        if _LABELLED.search(text, max(0, match.start - 40), match.start):
            continue
        number = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        parts += [text[end : match.start], speak_number(number, region)]
        end = match.end
    return "".join([*parts, text[end:]]) if parts else text


# A reference number (an order's, an account's, a case's) of six or more digits is read out
# digit by digit in groups, as people read one: the voice said "12345678" as "twelve million
# three hundred ...". Written unbroken it is said in groups of four, else three ("1234 5678",
# "123 456", "1234 567 890"); written in groups after its label ("order number: 415-867-2291",
# "account # 0012 3456 78"), in those. An amount is a number: one written with separators
# ("1,250,000"), with a decimal part, or next to a currency ("$1250000", "1250000 dollars",
# "EUR 1250000") is left to be read as one, as are shorter numbers ("12345 calls") unless a
# label names them: "ticket 98765" and "PIN 4321" are said digit by digit, no groups.
_REFERENCE_DIGITS = 6
_UNBROKEN = re.compile(r"(?<![\d.,])\d{6,}(?!\w|[.,]\d)")
_SHORT = re.compile(r"(?<![\w.,-])\d{4,5}(?!\w|[.,]\d|[-:/]\d)")
_GROUPED = re.compile(r"(?<![\d.,])\d{2,}(?:[- ]\d{2,})+(?!\w|[.,]\d)")
_CURRENCY_BEFORE = re.compile(r"(?:[$£€¥₹]|\b(?:usd|gbp|eur|aud|cad))\s*$", re.IGNORECASE)
_CURRENCY_AFTER = re.compile(
    r"\s*(?:dollars?|bucks|pounds?|quid|euros?|cents?|pence|usd|gbp|eur|aud|cad)\b",
    re.IGNORECASE,
)


def _said_references(text: str) -> str:
    def grouped(match: re.Match[str]) -> str:
        groups = re.split(r"[- ]", match.group(0))
        labelled = _LABELLED.search(text, max(0, match.start() - 40), match.start())
        if not labelled or sum(map(len, groups)) < _REFERENCE_DIGITS:
            return match.group(0)
        return ", ".join(say_digits(group) for group in groups)

    regrouped = _GROUPED.sub(grouped, text)

    def unbroken(match: re.Match[str]) -> str:
        if _CURRENCY_BEFORE.search(regrouped, 0, match.start()) or _CURRENCY_AFTER.match(
            regrouped, match.end()
        ):
            return match.group(0)
        space = " " if match.start() and regrouped[match.start() - 1].isalpha() else ""
        return space + ", ".join(say_digits(group) for group in digit_groups(match.group(0)))

    long_said = _UNBROKEN.sub(unbroken, regrouped)

    def short(match: re.Match[str]) -> str:
        if not _LABELLED.search(long_said, max(0, match.start() - 40), match.start()):
            return match.group(0)
        return say_digits(match.group(0))

    return _SHORT.sub(short, long_said)


# "12/07/2026", "7/4", "12/7/26": the voice read them with their slashes ("twelve slash
# seven slash ..."). Where the region writes the month first (the US), 7/4 is July 4th.
# Glued to a word or a number's decimals ("v1/2", "2/3rds", "1.5/2") it is no date.
_SLASH_DATE = re.compile(r"(?<![\w/])(?<!\d[.,])(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\w/])")
_MONTH_FIRST = frozenset({"US", "PH", "FM", "MH", "PW", "GU", "AS", "MP", "PR", "VI", "UM"})
# Without a year, "3/4" is as often a fraction or a score ("1/2 off", "rated 4/5", "page
# 3/4") as a date: it is said as a date only where the words just before it say it is one
# (a weekday, "on", "by", "until", "closed" ...) or where it follows another date ("7/4 and
# 12/25"); elsewhere, as before, it is left as written. What it measures after it ("1/2
# off", "3/4-inch") or a whole number before it ("2 1/2") keeps even a cued pair a fraction.
_DATE_CUE = re.compile(
    r"(?:\b(?:on|by|until|till|through|thru|from|before|after|since|due|dated|closed|open|"
    r"starting|effective|between|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day)"
    r"|\d{1,2}/\d{1,2}(?:/\d{2,4})?\s+(?:and|or|to|through|thru|-))[\s,.]*$",
    re.IGNORECASE,
)
_CUE_REACH = 40  # characters before a pair where its cue is looked for
_FRACTION_AFTER = re.compile(
    r"[\s-]*(?:of|off|price|cups?|inch(?:es)?|miles?|pounds?|lbs?|ounces?|oz|hours?|days?|"
    r"weeks?|months?|years?|tsp|tbsp|teaspoons?|tablespoons?|share|left|full|empty)\b",
    re.IGNORECASE,
)
_WHOLE_BEFORE = re.compile(r"\d\s+$")


# A yearless pair that is no date, said as a fraction where it is a common one: the voice
# read "1/2" as "one slash two". Others ("9/10 were shipped", "rated 4/5") are left as
# written, as is a pair after a word that counts ("page 3/4", "step 1/2": 3 of 4).
# Each is (alone, after a whole number, joined to a word by a hyphen: "3/4-inch").
_FRACTIONS = {
    (1, 2): ("one half", "and a half", "half"),
    (1, 3): ("one third", "and a third", "third"),
    (2, 3): ("two thirds", "and two thirds", "two-thirds"),
    (1, 4): ("one quarter", "and a quarter", "quarter"),
    (3, 4): ("three quarters", "and three quarters", "three-quarter"),
    (1, 8): ("one eighth", "and an eighth", "eighth"),
    (3, 8): ("three eighths", "and three eighths", "three-eighths"),
    (5, 8): ("five eighths", "and five eighths", "five-eighths"),
    (7, 8): ("seven eighths", "and seven eighths", "seven-eighths"),
}
_COUNTED = re.compile(
    r"\b(?:pages?|steps?|parts?|chapters?|sections?|questions?|items?|rated|rating|scored?|"
    r"games?|rounds?|days?|weeks?|no\.?|number|#)\s*$",
    re.IGNORECASE,
)


def _said_fraction(match: re.Match[str], text: str, before: str) -> str:
    said = _FRACTIONS.get((int(match.group(1)), int(match.group(2))))
    if said is None or _COUNTED.search(before):
        return match.group(0)
    if _WHOLE_BEFORE.search(before):
        return said[1]  # "2 1/2 hours": "2 and a half hours"
    return said[2] if text.startswith("-", match.end()) else said[0]


def _said_as_written(match: re.Match[str]) -> str:
    """A slashed triple that is no date (a year 0000), said as the digits it is written in."""
    return ", ".join(say_digits(group) for group in match.groups() if group)


def _century(year: int) -> int:
    # strptime's %y rule (69-99 last century, 00-68 this one): "3/15/85" is a date of
    # birth in 1985, which the voice said as 2085.
    return year + (1900 if year >= 69 else 2000)


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _said_dates(text: str, region: str) -> str:
    month_first = region.upper() in _MONTH_FIRST

    def said(match: re.Match[str]) -> str:
        if match.group(0) == "24/7":
            return match.group(0)  # round the clock, not a date
        first, second, year = int(match.group(1)), int(match.group(2)), match.group(3)
        before = text[max(0, match.start() - _CUE_REACH) : match.start()]
        if not year and (
            not _DATE_CUE.search(before)
            or _FRACTION_AFTER.match(text, match.end())
            or _WHOLE_BEFORE.search(before)
        ):
            # A fraction or a score, or nothing says it is a date.
            return _said_fraction(match, text, before)
        if year and not int(year) and len(year) == 4:
            return _said_as_written(match)  # there was no year 0: it was "December 7th, 0"
        month, day = (first, second) if month_first else (second, first)
        full_year = (_century(int(year)) if len(year) == 2 else int(year)) if year else 2000
        if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(full_year, month)[1]:
            return match.group(0)  # not a date this region writes: left as written
        spoken = f"{calendar.month_name[month]} {_ordinal(day)}"
        return f"{spoken}, {full_year}" if year else spoken

    return _SLASH_DATE.sub(said, text)


def _named_script(text: str) -> str | None:
    """The script most of ``text``'s letters are in, if the voice could only name them."""
    letters = [c for c in text if c.isalpha()]
    named = [name for c in letters if (name := unicodedata.name(c, "").split(" ")[0])]
    named = [name for name in named if name in _NAMED_SCRIPTS]
    if not named or 2 * len(named) <= len(letters):
        return None
    return max(set(named), key=named.count)


class PiperTts(TtsProvider):
    name = "local"
    english_only = True

    def __init__(self, config: LocalEngineSettings | None = None) -> None:
        # Defaults: deterministic speech at normal pace (what tests and the demo want).
        self.config = config or LocalEngineSettings()

    def load(self) -> None:
        """Load the voice now (at worker start) rather than in the first task."""
        load_voice()

    def voices(self) -> list[str]:
        return [VOICE]

    def synthesize(
        self, text: str, voice: str | None, output_format: OutputFormat
    ) -> SynthesizedAudio:
        if voice is not None and voice != VOICE:
            raise StageFailed(
                "unknown_voice",
                f"the local voice engine has no voice {voice!r}; available: {VOICE}",
            )
        script = _named_script(text)
        if script is not None:
            script = "CJK" if script == "CJK" else script.title()
            raise StageFailed(
                "unsupported_language",
                f"the local voice speaks English, and most of this text is in {script} "
                "script, which it could only name letter by letter; choose another tts provider",
            )
        text = re.sub(r" {2,}", " ", _EMOJI.sub("", text))
        region = self.config.default_region
        text = _said_phones(said_lettered_references(text), region)
        text = _said_references(_said_dates(text, region))
        text = _MONEY.sub(_said_money, text)
        text = _CLOCK.sub(_said_time, text)
        text = _TITLE.sub(lambda m: _TITLES.get(m.group(1), m.group(1)), text)
        local = self.config
        spoken: list[npt.NDArray[np.int16]] = []
        sample_rate = 0
        nothing = StageFailed("empty_text", "there is no text to speak")
        for piece in split_text(text, PIECE_CHARS) or [text]:
            try:
                samples, sample_rate = speak(
                    piece,
                    noise_scale=local.piper_noise_scale,
                    noise_w_scale=local.piper_noise_w_scale,
                    length_scale=local.piper_length_scale,
                )
            except StageFailed as exc:
                # A piece of only symbols says nothing, as the voice passes over such a
                # sentence inside a longer one; the text fails only if every piece does.
                if exc.code != "empty_text":
                    raise
                nothing = exc
                continue
            spoken.append(samples)
        if not spoken:
            raise nothing
        pcm = np.concatenate(spoken)
        return SynthesizedAudio(
            data=encode_pcm(pcm, sample_rate, output_format),
            media_type=MEDIA_TYPES[output_format],
            extension=output_format,
            duration_s=len(pcm) / sample_rate,
            provider=self.name,
            voice=VOICE,
        )
