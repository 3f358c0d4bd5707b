"""The OpenAI-compatible routes refuse a number field holding no number (NaN, infinity) in
those words: NaN fails every bound, so pydantic's own message called it too large."""

from __future__ import annotations

import openai
import pytest


@pytest.mark.parametrize(
    ("value", "said"), [(float("nan"), "'nan' is not a number"), (float("inf"), "not a finite")]
)
def test_a_temperature_that_is_no_number_is_refused_as_such_not_as_too_large(
    sdk: openai.OpenAI, value: float, said: str
) -> None:
    # Before, "nan" was "Input should be less than or equal to 1": NaN fails every bound.
    with pytest.raises(openai.BadRequestError) as refused:
        sdk.audio.transcriptions.create(
            model="whisper-1", file=("vm.wav", b"RIFF"), temperature=value
        )

    body = refused.value.body
    assert isinstance(body, dict)
    assert body["param"] == "temperature"
    assert said in body["message"]
    assert "less than" not in body["message"]


def test_a_speed_that_is_no_number_is_refused_as_such_not_as_too_large(
    sdk: openai.OpenAI,
) -> None:
    # Python's json (the SDK's) refuses to write NaN, but reads it, as the app does.
    with pytest.raises(openai.BadRequestError) as refused:
        sdk.post(
            "/audio/speech",
            content=b'{"model": "tts-1", "voice": "alloy", "input": "Hi.", "speed": NaN}',
            cast_to=bytes,
            options={"headers": {"Content-Type": "application/json"}},
        )

    body = refused.value.body
    assert isinstance(body, dict)
    assert body["param"] == "speed"
    assert "not a number" in body["message"]
    assert "less than" not in body["message"]
