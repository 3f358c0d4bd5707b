"""What every speech provider must do."""

from __future__ import annotations

import pytest

from shared.audio import MEDIA_TYPES, decode_pcm16k
from shared.errors import StageFailed
from shared.settings import OutputFormat
from workers.providers.base import TtsProvider


@pytest.mark.parametrize("fmt", ["mp3", "ogg", "wav"])
def test_provider_speaks_text_in_each_output_format(tts: TtsProvider, fmt: OutputFormat) -> None:
    audio = tts.synthesize("Thanks for calling, we will ring you back today.", None, fmt)

    assert audio.provider == tts.name
    assert audio.extension == fmt
    assert audio.media_type == MEDIA_TYPES[fmt]
    assert len(decode_pcm16k(audio.data)) / 16000 >= 1.0
    assert audio.duration_s >= 1.0


def test_provider_lists_its_voices_and_accepts_each(tts: TtsProvider) -> None:
    voices = tts.voices()

    assert voices
    assert tts.synthesize("Hello.", voices[0], "wav").data


def test_provider_refuses_an_unknown_voice_with_a_code(tts: TtsProvider) -> None:
    with pytest.raises(StageFailed) as caught:
        tts.synthesize("Hello.", "no-such-voice-xyz", "wav")

    assert caught.value.code == "unknown_voice"


def test_provider_refuses_empty_text_with_a_code(tts: TtsProvider) -> None:
    with pytest.raises(StageFailed) as caught:
        tts.synthesize("   ", None, "wav")

    assert caught.value.code == "empty_text"
