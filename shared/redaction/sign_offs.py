"""Names a caller signs off with ("Thanks, John Smith", "Sincerely, John Smith", "Cheers,
Maria") or gives after "it's me" ("Hi it's me, Michael"), for redaction.

The triage reads a signed-off name only as the caller's, only after the last thanks and only
where no introduction came first (``shared.language.names.caller_name``). A redaction must
find every one: here each sign-off is read with the triage's own name reader, in a cased
transcript only (lower-case, "thanks, great job" has nothing to tell a name by). Its rule is
kept for a whole name; a single word there may be the person thanked ("Thanks, Gina"), who
is as much a person to redact, so one word is taken where it is a known given name, and
"Thanks, Great job" keeps its words.
"""

from __future__ import annotations

from shared.language.known_names import is_given_name
from shared.language.name_reader import name_from
from shared.language.name_words import PARTICLES, THANKS, THANKS_FILLERS, TITLES
from shared.language.names import personal
from shared.language.tokens import Tokens, find_phrase

# The triage's thanks and the sign-offs of a message written or read out.
_SIGN_OFFS = (*THANKS, "sincerely", "regards", "yours truly", "best wishes", "all the best",
              "take care")  # fmt: skip
# A caller who expects to be known ("it's me") and names themselves after it: any name word.
_ITS_ME = ("it's me", "it is me", "this is me")


def signed_off_names(tokens: Tokens) -> list[str]:
    """Every name said straight after a sign-off or "it's me", as the triage writes it."""
    if not tokens.cased:
        return []
    found: list[str] = []
    for cue in (*_SIGN_OFFS, *_ITS_ME):
        for start in find_phrase(tokens.low, cue):
            i = start + len(cue.split())
            while i < len(tokens) and tokens.low[i] in THANKS_FILLERS:
                i += 1
            title = None
            if i < len(tokens) and tokens.low[i] in TITLES:
                # "Thanks, Dr. Patel": the person thanked, a name all the same.
                title, i = TITLES[tokens.low[i]], i + 1
            words = name_from(tokens, i)
            counted = [w for w in words if w.lower() not in PARTICLES]
            if not personal(" ".join(words)):
                continue  # a business signs off too ("Sincerely, Acme Plumbing")
            whole = len(counted) >= 2 or (bool(counted) and (title or cue in _ITS_ME))
            if whole or (len(counted) == 1 and is_given_name(counted[0])):
                found.append(" ".join([*([title] if title else []), *words]))
    return found
