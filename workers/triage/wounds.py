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
