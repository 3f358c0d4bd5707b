"""A model of ours asked to do what its engine does not (``voicepipe-whisper`` on the speech
route) is refused saying what it does, not that it does not exist (GET /v1/models lists it)."""

from __future__ import annotations

import pytest

from api.errors import ApiError
from api.openai_compat.engines import engine_for
from shared.models import Stage
from shared.settings import Settings


@pytest.mark.parametrize(
    ("stage", "model", "says"),
    [
        (Stage.TTS, "voicepipe-whisper", "does not speak: it transcribes"),
        (Stage.STT, "voicepipe-elevenlabs", "does not transcribe: it speaks"),
    ],
)
def test_a_model_of_another_stage_is_refused_saying_what_it_does(
    stage: Stage, model: str, says: str
) -> None:
    with pytest.raises(ApiError) as refused:
        engine_for(Settings(), stage, model)

    assert refused.value.status_code == 404
    assert refused.value.param == "model"
    assert says in str(refused.value)
    assert "voicepipe-local" in str(refused.value)


def test_a_model_that_is_no_engine_of_ours_does_not_exist_here() -> None:
    with pytest.raises(ApiError) as refused:
        engine_for(Settings(), Stage.TTS, "voicepipe-nonesuch")

    assert "does not exist here" in str(refused.value)
