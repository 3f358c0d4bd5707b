"""Characters that change how a person's text reads without being seen: control characters,
bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and other invisible
format characters (zero-width space, word joiner, byte order mark, soft hyphen).

A caller's name typed as ``"Ann\\u202e nosaJ"`` shows as "Ann Jason" in the inbox, the
exports and a webhook consumer's screen; a zero-width space in a corrected transcript makes
a word that no hearing matches in an evaluation set. The JSON API refuses them (a client can
fix what it sends: ``api.reviewing``, and a text job's ``text``: ``shared.text_input``); the
inbox's form drops them from what a person typed, who cannot see them to remove them
(``api.web.voicemail``), as sign-in does for names.
"""

from __future__ import annotations

import unicodedata

# Format characters that written language needs, kept: ZWNJ (Persian, Indic scripts), ZWJ
# (Indic conjuncts, emoji sequences), the directional marks LRM, RLM and ALM (weak: they
# override nothing), the tag characters of subdivision flags (🏴 England), and the Arabic and
# Kaithi marks that are drawn (the number sign and its kin).
_WRITTEN = frozenset(
    {0x200C, 0x200D, 0x200E, 0x200F, 0x061C, 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2}
    | set(range(0x0600, 0x0606))
    | set(range(0xE0020, 0xE0080))
    | {0x110BD, 0x110CD}
)
LINE_BREAKS = frozenset("\t\n\r")


def _hidden(char: str, breaks: bool) -> bool:
    if breaks and char in LINE_BREAKS:
        return False
    category = unicodedata.category(char)
    if category == "Cf":
        return ord(char) not in _WRITTEN
    # Cc: C0 and C1 controls (NUL, ESC, ...); Zl and Zp: U+2028 and U+2029, line breaks
    # that are neither a newline in a transcript nor anything in a name.
    return category in {"Cc", "Cs", "Zl", "Zp"}


def hidden_character(text: str, field: str, breaks: bool = False) -> str | None:
    """What is wrong with ``text`` when it holds a hidden character (tab and line breaks
    allowed with ``breaks``), as a message naming ``field``; None when it holds none."""
    for index, char in enumerate(text):
        if _hidden(char, breaks):
            name = unicodedata.name(char, "a control character")
            allowed = "tabs and line breaks, but no" if breaks else "no"
            return (
                f"The {field!r} field contains U+{ord(char):04X} ({name}) at character "
                f"{index + 1}: it may hold {allowed} control characters or invisible format "
                "characters (which change how the text reads without being seen, as a "
                "right-to-left override does). Remove it and send again."
            )
    return None


def is_blank(text: str) -> bool:
    """Whether ``text`` shows nothing: whitespace and format characters only (the marks
    ``_WRITTEN`` keeps are not whitespace to ``str.strip``)."""
    return all(char.isspace() or unicodedata.category(char) == "Cf" for char in text)


def without_hidden(text: str, breaks: bool = False) -> str:
    """``text`` without its hidden characters (tab and line breaks kept with ``breaks``)."""
    return "".join(char for char in text if not _hidden(char, breaks))
