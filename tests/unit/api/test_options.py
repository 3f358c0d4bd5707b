"""The providers a job may name: an unknown one is refused with those that would run."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from api.errors import ApiError
from api.options import OptionFields, job_options
from shared.settings import Settings
from shared.voice_directory import PublishedVoices


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


class _Voices:
    def __init__(self, listed: PublishedVoices | None) -> None:
        self.listed = listed

    def read(self, provider: str) -> PublishedVoices | None:
        return self.listed


def _services(listed: PublishedVoices | None) -> SimpleNamespace:
    return SimpleNamespace(settings=Settings(), voices=_Voices(listed))


def test_a_voice_its_provider_does_not_list_is_refused_at_intake() -> None:
    # Before, the job ran stt and llm and failed only at tts (a whole batch's worth so).
    services = _services(PublishedVoices(voices=["joe"], listed_at=0.0))

    with pytest.raises(ApiError) as refused:
        job_options(services, "default", OptionFields(voice="nobody"))  # type: ignore[arg-type]

    assert refused.value.code == "unknown_voice"
    assert "'nobody'" in refused.value.message
    assert "joe" in refused.value.message


@pytest.mark.parametrize(
    ("listed", "fields"),
    [
        (PublishedVoices(voices=["joe"], listed_at=0.0), OptionFields(voice="joe")),
        (None, OptionFields(voice="nobody")),  # no tts worker has listed its voices yet
        (PublishedVoices(error="vendor down", listed_at=0.0), OptionFields(voice="nobody")),
        (PublishedVoices(voices=["joe"], listed_at=0.0), OptionFields(voice="x", stages="stt")),
    ],
)
def test_a_voice_is_left_to_the_tts_stage_when_listed_unknown_or_not_spoken(
    listed: PublishedVoices | None, fields: OptionFields
) -> None:
    options = job_options(_services(listed), "default", fields)  # type: ignore[arg-type]

    assert options.voice == fields.voice
