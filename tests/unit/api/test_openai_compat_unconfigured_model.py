"""A VoicePipe model that exists but lacks its key here is refused as OpenAI refuses a model
it will not run: the `model` field named, and the models that would run offered."""

from __future__ import annotations

import pytest

from api.errors import ApiError
from api.openai_compat.engines import engine_for
from shared.models import Stage
from shared.settings import Settings


@pytest.mark.parametrize(
    ("stage", "model", "setting"),
    [
        (Stage.STT, "voicepipe-whisper", "VOICEPIPE_OPENAI__API_KEY"),
        (Stage.TTS, "voicepipe-elevenlabs", "VOICEPIPE_ELEVENLABS__API_KEY"),
    ],
)
def test_a_model_without_its_key_is_a_400_naming_the_model_field_and_what_would_run(
    stage: Stage, model: str, setting: str
) -> None:
    with pytest.raises(ApiError) as refused:
        engine_for(Settings(), stage, model)

    assert refused.value.status_code == 400
    assert refused.value.code == "provider_not_configured"
    assert refused.value.param == "model"
    assert setting in refused.value.message
    assert "voicepipe-local" in refused.value.message
