"""The providers a job may name: an unknown one is refused with those that would run."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from api.errors import ApiError
from api.options import OptionFields, job_options
from shared.settings import Settings


def test_an_unknown_provider_is_refused_with_those_that_run_and_those_needing_keys_apart() -> None:
    services = SimpleNamespace(settings=Settings(elevenlabs={"api_key": "el-key"}))

    with pytest.raises(ApiError) as refused:
        job_options(services, "default", OptionFields(tts_provider="nope"))  # type: ignore[arg-type]

    message = refused.value.message
    offered, _, unready = message.partition("(not configured here:")
    assert refused.value.code == "unknown_provider"
    assert "local" in offered
    assert "elevenlabs" in offered
    assert "openai" not in offered
    assert "google" not in offered
    assert "openai" in unready
    assert "google" in unready
