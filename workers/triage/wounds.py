"""A wound's words that say it is better: "bleeding", "swollen" and "swelling" are urgent
(workers.triage.classify), but not in "the swelling has gone down", "the bleeding has
stopped" or "my ankle was swollen last week but it's fine now"."""

from __future__ import annotations

from collections.abc import Sequence

_WOUND = {"bleeding", "swollen", "swelling"}
_SETTLED = (("gone", "down"), ("going", "down"), ("went", "down"), ("come", "down"),
            ("stopped",), ("settled",), ("eased",), ("healed",), ("subsided",), ("cleared",),
            ("fine", "now"), ("better", "now"), ("much", "better"),
            ("a", "lot", "better"))  # fmt: skip
# "The bleeding hasn't stopped", "the swelling hasn't gone down": urgent all the same.
_NOT = {"not", "hasn't", "haven't", "hadn't", "isn't", "wasn't", "didn't", "won't", "never",
        "no", "hasnt", "isnt"}  # fmt: skip
# Far enough for "the swelling has gone down" and "was swollen last week but it's fine
# now", not so far that another sentence's "much better" reaches back.
_WITHIN = 8


def settled_wound(words: Sequence[str], start: int, end: int) -> bool:
    """Whether the cue at ``words[start:end]`` is a wound's said to have settled."""
    if words[start] not in _WOUND:
        return False
    after = tuple(words[end : end + _WITHIN])
    return any(
        after[i : i + len(p)] == p and (i == 0 or after[i - 1] not in _NOT)
        for p in _SETTLED
        for i in range(len(after))
    )


# A permanent tooth knocked out can be saved only within the hour: urgent however calmly
# said ("my son knocked out his tooth, what should we do?").
_TEETH = {"tooth", "teeth", "incisor", "incisors"}
_KNOCKED = {"knocked", "knock", "knocks", "smashed", "punched"}
_CAME_OUT = (("fell", "out"), ("fallen", "out"), ("came", "out"), ("come", "out"))
# How a tooth that came out was lost: a blow or a fall, not a child's milk tooth.
_BLOWS = {"fall", "fell", "tripped", "hit", "accident", "crash", "crashed", "punched", "knocked",
          "smacked", "football", "hockey", "rugby", "bike", "fight", "slipped"}  # fmt: skip
_WITHIN_TOOTH = 4


def lost_tooth(words: Sequence[str]) -> bool:
    """Whether the caller says a tooth was knocked out (or loose) or came out in a fall."""
    for i, word in enumerate(words):
        if word not in _TEETH:
            continue
        near = words[max(0, i - _WITHIN_TOOTH) : i + _WITHIN_TOOTH + 1]
        if _KNOCKED & set(near):
            return True
        after = tuple(words[i + 1 : i + 4])
        came_out = next(
            (k for k in range(len(after)) for p in _CAME_OUT if after[k : k + len(p)] == p), None
        )
        if came_out is None or {"baby", "wobbly", "milk"} & set(words[max(0, i - 3) : i]):
            continue
        rest = list(words[:i]) + list(words[i + 1 + came_out + 2 :])
        if _BLOWS & set(rest):
            return True
    return False
