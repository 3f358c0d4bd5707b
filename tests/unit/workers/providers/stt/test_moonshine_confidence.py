"""Moonshine's token confidence is how sure it was of the words' tokens, not of ending."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from workers.providers.stt import moonshine_offline
from workers.providers.stt.moonshine_offline import _EOS, _LAYERS

_VOCABULARY = 8


def _logits(token: int, probability: float) -> npt.NDArray[np.float32]:
    """Logits whose softmax gives ``token`` ``probability`` and the rest the remainder."""
    rest = (1 - probability) / (_VOCABULARY - 1)
    chances = np.full(_VOCABULARY, rest)
    chances[token] = probability
    return np.log(chances).astype(np.float32)[np.newaxis, np.newaxis, :]


class _Decoder:
    def __init__(self, steps: list[npt.NDArray[np.float32]], names: list[str]) -> None:
        self.steps, self.names = steps, names

    def run(self, _: None, feeds: dict[str, Any]) -> list[Any]:
        cache = np.zeros((1, 8, 1, 52), np.float32)
        return [self.steps.pop(0), *[cache for _ in self.names[1:]]]


def test_the_end_of_text_token_is_not_counted_in_the_token_probabilities() -> None:
    names = ["logits"] + [
        f"present.{layer}.{part}"
        for layer in range(_LAYERS)
        for part in ("decoder.key", "decoder.value", "encoder.key", "encoder.value")
    ]
    model: Any = object.__new__(moonshine_offline._Model)
    model.encoder = type("Encoder", (), {"run": lambda self, _, feeds: [np.zeros((1, 4, 8))]})()
    # Two words' tokens heard at 0.4, then the end of the text, of which it is sure.
    model.decoder = _Decoder([_logits(5, 0.4), _logits(6, 0.4), _logits(_EOS, 0.99)], names)
    model.outputs = names
    model.tokens = [b"<unk>", b"<s>", b"</s>", b"", b"", "\u2581no".encode(), "\u2581se".encode()]

    text, chosen = model.transcribe(np.zeros(16_000, np.float32))

    assert text == "no se"
    # The first step bars the end token, so its word's share is of what is left.
    assert chosen == pytest.approx([0.4 / (1 - 0.6 / (_VOCABULARY - 1)), 0.4])
