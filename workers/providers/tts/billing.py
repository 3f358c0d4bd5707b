"""The characters a cloud voice was billed in one synthesis that then failed.

A vendor bills a request's characters once it answers 2xx, whether or not its body is then
read whole and decodes: a reply spoken in parts was billed every part answered before the
one that failed, and the part whose 2xx broke off mid-read or came back unreadable. Those
characters go with the failure (``carry_charges``) for the stage runner to record on the
stage (``stages.tts.billed``) with the failure or the retry: once per run, since a retry
speaks (and buys) every part again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from shared.errors import carry_charges
from shared.models import Billed


class CharacterBill:
    """Counts the characters of the parts answered 2xx in one synthesis."""

    def __init__(self, engine: str, model: str | None) -> None:
        self.engine = engine
        self.model = model
        self.characters = 0

    def answered(self, text: str) -> None:
        """The vendor answered 2xx to ``text``: billed, whatever its body turns out to be."""
        self.characters += len(text)

    @contextmanager
    def carried_on_failure(self) -> Iterator[CharacterBill]:
        """Whatever escapes carries the characters billed so far (nothing when none were)."""
        try:
            yield self
        except BaseException as exc:
            if self.characters:
                billed = Billed(engine=self.engine, model=self.model, characters=self.characters)
                carry_charges(exc, [billed])
            raise
