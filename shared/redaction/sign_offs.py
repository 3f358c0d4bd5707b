"""Names a caller signs off with ("Thanks, John Smith", "Sincerely, John Smith", "Cheers,
Maria") or gives after "it's me" ("Hi it's me, Michael"), for redaction.

The triage reads a signed-off name only as the caller's, only after the last thanks and only
where no introduction came first (``shared.language.names.caller_name``). A redaction must
find every one: here each sign-off is read with the triage's own name reader, in a cased
transcript only (lower-case, "thanks, great job" has nothing to tell a name by). Its rule is
kept for a whole name; a single word there may be the person thanked ("Thanks, Gina"), who
is as much a person to redact, so one word is taken where it is a known given name (not
where a sentence goes on from it: "Thanks, Summer is coming"), two or more where the name
lists know them ("Thanks, Great Job!" keeps its words), and "Thanks, Great job" keeps its
words. A season's greeting signs off too ("Merry Christmas, Maria"), and is itself no name
("Thanks, Merry Christmas": "Merry" is a given name).
"""

from __future__ import annotations

from shared.language.greetings import greeting_length
from shared.language.known_names import is_given_name, is_ordinary_word, known_whole_name
from shared.language.name_reader import name_from
from shared.language.name_words import PARTICLES, THANKS, THANKS_FILLERS, TITLES
from shared.language.names import personal
from shared.language.tokens import Tokens, find_phrase

# The triage's thanks and the sign-offs of a message written or read out; a season's
# greeting signs off too (``greeting_length``: "Merry Christmas Eve, Maria").
_SIGN_OFFS = (*THANKS, "sincerely", "regards", "yours truly", "best wishes", "all the best",
              "take care")  # fmt: skip
# A caller who expects to be known ("it's me") and names themselves after it: any name word.
_ITS_ME = ("it's me", "it is me", "this is me")


def signed_off_names(tokens: Tokens) -> list[str]:
    """Every name said straight after a sign-off or "it's me", as the triage writes it."""
    if not tokens.cased:
        return []
    found: list[str] = []
    after_cues = [
        (start + len(cue.split()), cue in _ITS_ME)
        for cue in (*_SIGN_OFFS, *_ITS_ME)
        for start in find_phrase(tokens.low, cue)
    ]
    after_cues += [
        (j + size, False) for j in range(len(tokens)) if (size := greeting_length(tokens, j))
    ]
    for i, its_me in after_cues:
        while i < len(tokens) and tokens.low[i] in THANKS_FILLERS:
            i += 1
        title = None
        if i < len(tokens) and tokens.low[i] in TITLES:
            # "Thanks, Dr. Patel": the person thanked, a name all the same.
            title, i = TITLES[tokens.low[i]], i + 1
        if i < len(tokens) and greeting_length(tokens, i):
            continue  # "Thanks, Merry Christmas": the greeting's "Merry" is no one's
        words = name_from(tokens, i)
        counted = [w for w in words if w.lower() not in PARTICLES]
        if not personal(" ".join(words)):
            continue  # a business signs off too ("Sincerely, Acme Plumbing")
        if len(counted) >= 2 and not (title or its_me or known_whole_name(counted)):
            continue  # "Thanks, Great Job!": title-cased words, no name the lists know
        whole = len(counted) >= 2 or (bool(counted) and (title or its_me))
        one = len(counted) == 1 and is_given_name(counted[0]) and not _goes_on(tokens, i)
        if whole or one:
            found.append(" ".join([*([title] if title else []), *words]))
    return found


# Said straight after a word, these make it a sentence's subject, not a name signed off with.
_VERBS = {"is", "was", "are", "were", "will", "would", "can", "could", "should", "shall", "may",
          "might", "must", "has", "have", "had", "does", "did", "isn't", "wasn't", "won't",
          "can't", "doesn't", "didn't", "hasn't", "comes", "came", "starts", "started", "ends",
          "ended", "begins", "began", "seems", "looks", "goes", "went", "gets", "got", "keeps",
          "means", "makes"}  # fmt: skip


def _goes_on(tokens: Tokens, i: int) -> bool:
    """Whether the one word at token ``i`` is an everyday word that a verb goes on from, with
    no pause ("Thanks, Summer is coming"): no name signed off with. A name that is no
    everyday word stays one ("Thanks, Maria said you'd call")."""
    after = i + 1
    return (
        is_ordinary_word(tokens.low[i])
        and after < len(tokens)
        and after not in tokens.punctuated
        and tokens.low[after] in _VERBS
    )
