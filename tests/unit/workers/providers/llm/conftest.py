"""The Claude fake every Claude test here talks to: one server a module, reset (with the
verified-models cache) around each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.anthropic import AnthropicFake
from workers.providers.anthropic_client import forget_verified_models


@pytest.fixture(scope="module")
def server() -> Iterator[AnthropicFake]:
    with AnthropicFake() as fake:
        yield fake


@pytest.fixture
def fake(server: AnthropicFake) -> Iterator[AnthropicFake]:
    server.reset()
    forget_verified_models()
    yield server
    server.reset()
