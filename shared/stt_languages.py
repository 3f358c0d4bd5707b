"""Which languages the built-in offline speech engines hear: English only (their models are
English). Here, not beside the engines, because the API refuses other languages at intake
(``api.options.unheard_language``) and imports no worker code; the engines refuse them too
(``workers.providers.stt.offline``). Cloud engines and plugins decide for themselves.
"""

from __future__ import annotations

import re

ENGLISH_ONLY_ENGINES = frozenset({"local", "pocketsphinx", "moonshine"})
# What a request may say for English: the code, its three-letter form or the name, alone or
# with a region ("en-GB", "en_us").
ENGLISH = frozenset({"en", "eng", "english"})


def is_english(language: str | None) -> bool:
    """Whether a requested language (None, "en", "en-GB", "eng", ...) suits an English model."""
    if language is None or not language.strip():
        return True
    primary = re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]
    return primary in ENGLISH
