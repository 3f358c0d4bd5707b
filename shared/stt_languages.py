"""Which languages the speech engines hear: the built-in offline ones English only (their
models are English), OpenAI's Whisper the codes of its published list. Here, not beside the
engines, because the API refuses other languages at intake (``api.options.unheard_language``)
and imports no worker code; the offline engines refuse them too
(``workers.providers.stt.offline``), and OpenAI answers an unknown code 400. Other cloud
engines and plugins decide for themselves.
"""

from __future__ import annotations

import re

ENGLISH_ONLY_ENGINES = frozenset({"local", "pocketsphinx", "moonshine"})
# The tts providers whose voice speaks English only (their ``english_only``): the API refuses
# at intake a job whose reply Claude would write in another language for one of them.
ENGLISH_ONLY_VOICES = frozenset({"local"})
# What a request may say for English: the code, its three-letter form or the name, alone or
# with a region ("en-GB", "en_us").
ENGLISH = frozenset({"en", "eng", "english"})


def _primary(language: str | None) -> str | None:
    """The language without its region, lower-cased ("en-GB", "EN_us" -> "en"); None for
    none asked."""
    if not language or not language.strip():
        return None
    return re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]


def is_english(language: str | None) -> bool:
    """Whether a requested language (None, "en", "en-GB", "eng", ...) suits an English model."""
    primary = _primary(language)
    return primary is None or primary in ENGLISH


WHISPER_ENGINES = frozenset({"whisper"})
# The languages Whisper knows, as its tokenizer names them: faster-whisper's
# ``tokenizer._LANGUAGE_CODES``, which OpenAI's transcription docs list too (a unit test holds
# the two equal). Copied, since the API must not import faster_whisper.
WHISPER_LANGUAGES = (
    "af", "am", "ar", "as", "az", "ba", "be", "bg", "bn", "bo", "br", "bs", "ca", "cs", "cy",
    "da", "de", "el", "en", "es", "et", "eu", "fa", "fi", "fo", "fr", "gl", "gu", "ha", "haw",
    "he", "hi", "hr", "ht", "hu", "hy", "id", "is", "it", "ja", "jw", "ka", "kk", "km", "kn",
    "ko", "la", "lb", "ln", "lo", "lt", "lv", "mg", "mi", "mk", "ml", "mn", "mr", "ms", "mt",
    "my", "ne", "nl", "nn", "no", "oc", "pa", "pl", "ps", "pt", "ro", "ru", "sa", "sd", "si",
    "sk", "sl", "sn", "so", "sq", "sr", "su", "sv", "sw", "ta", "te", "tg", "th", "tk", "tl",
    "tr", "tt", "uk", "ur", "uz", "vi", "yi", "yo", "zh", "yue",
)  # fmt: skip
_WHISPER_KNOWS = frozenset(WHISPER_LANGUAGES)


def iso_639_1(language: str | None) -> str | None:
    """The two-letter code of "en", "en-GB" or "EN_us"; None when there is none to send
    (the Whisper client then sends no language and Whisper detects it)."""
    primary = _primary(language)
    return primary if primary is not None and re.fullmatch(r"[a-z]{2}", primary) else None


def whisper_hears(language: str | None) -> bool:
    """Whether OpenAI's Whisper takes the language a request asks for: what the client would
    send it is a code of its list, or nothing is sent at all ("eng", "english": detected)."""
    code = iso_639_1(language)
    return code is None or code in _WHISPER_KNOWS
