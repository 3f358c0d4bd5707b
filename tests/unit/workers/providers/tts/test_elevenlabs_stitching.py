"""ElevenLabsTts stitching the parts of a long text (previous/next text, previous request
ids), and the fake holding the fields to the vendor's rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from shared.settings import Settings
from tests.fakes.elevenlabs import API_KEY, ElevenLabsFake
from workers.providers.tts import elevenlabs
from workers.providers.tts.elevenlabs import ElevenLabsTts

SENTENCES = [
    "Thanks for calling, we will ring you back today.",
    "Your parcel left the depot this morning.",
    "It should reach you before six in the evening.",
    "Call us again if it does not arrive.",
]
TEXT = " ".join(SENTENCES * 5)  # five parts: more than the three ids a part may name
PATH = "/v1/text-to-speech"
VOICE = "21m00Tcm4TlvDq8ikWAM"
STITCHING = ("previous_text", "next_text", "previous_request_ids")


@pytest.fixture(scope="module")
def fake() -> Iterator[ElevenLabsFake]:
    server = ElevenLabsFake()
    for sentence in SENTENCES:
        server.speech.pcm(sentence, 24000)  # load the voice before any client timeout runs
    with server:
        yield server


def provider(fake: ElevenLabsFake, model_id: str, monkeypatch: pytest.MonkeyPatch) -> ElevenLabsTts:
    # A small limit on our side only: the fake takes the whole text, we send it in parts.
    monkeypatch.setitem(elevenlabs.CHARACTER_LIMITS, model_id, 200)
    config = {"api_key": "el-test", "base_url": fake.base_url, "model_id": model_id}
    tts = ElevenLabsTts(Settings(elevenlabs=config).elevenlabs)
    tts.voices()
    fake.reset()
    return tts


def test_each_part_is_sent_with_its_neighbours_text_and_the_ids_of_the_parts_before_it(
    fake: ElevenLabsFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    tts = provider(fake, "eleven_multilingual_v2", monkeypatch)

    tts.synthesize(TEXT, None, "mp3")

    bodies = [call.json() for call in fake.calls(PATH)]
    parts = [body["text"] for body in bodies]
    assert len(parts) >= 5
    for index, body in enumerate(bodies):
        if index == 0:
            assert "previous_text" not in body
            assert "previous_request_ids" not in body
        else:
            assert body["previous_text"]
            assert parts[index - 1].endswith(body["previous_text"])
            # The latest parts' ids, oldest first, at most the three the vendor takes.
            assert body["previous_request_ids"] == fake.request_ids[max(0, index - 3) : index]
        if index == len(bodies) - 1:
            assert "next_text" not in body
        else:
            assert body["next_text"]
            assert parts[index + 1].startswith(body["next_text"])
    tts.close()


def test_neighbouring_text_is_trimmed_to_whole_words_near_the_join(
    fake: ElevenLabsFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    tts = provider(fake, "eleven_multilingual_v2", monkeypatch)
    monkeypatch.setattr(elevenlabs, "CONTEXT_CHARACTERS", 60)

    tts.synthesize(TEXT, None, "wav")

    bodies = [call.json() for call in fake.calls(PATH)]
    first, second = bodies[0], bodies[1]
    assert 0 < len(first["next_text"]) <= 60
    assert 0 < len(second["previous_text"]) <= 60
    words = set(TEXT.split())
    assert set(first["next_text"].split()) <= words, "a word was cut in half"
    assert set(second["previous_text"].split()) <= words, "a word was cut in half"
    tts.close()


def test_eleven_v3_parts_are_sent_without_stitching_fields(
    fake: ElevenLabsFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    tts = provider(fake, "eleven_v3", monkeypatch)

    tts.synthesize(TEXT, None, "mp3")

    bodies = [call.json() for call in fake.calls(PATH)]
    assert len(bodies) >= 2
    assert all(name not in body for body in bodies for name in STITCHING)
    tts.close()


def speak(fake: ElevenLabsFake, **body: Any) -> httpx.Response:
    return httpx.post(
        f"{fake.base_url}{PATH}/{VOICE}",
        headers={"xi-api-key": API_KEY},
        params={"output_format": "pcm_16000"},
        json={"text": SENTENCES[0], **body},
    )


def test_the_fake_takes_stitching_fields_and_refuses_them_for_eleven_v3(
    fake: ElevenLabsFake,
) -> None:
    fake.reset()
    first = speak(fake, model_id="eleven_multilingual_v2")
    ids = [first.headers["request-id"]]
    stitched = speak(
        fake,
        model_id="eleven_multilingual_v2",
        previous_text="Hello.",
        next_text="Goodbye.",
        previous_request_ids=ids,
    )
    assert stitched.status_code == 200
    assert fake.request_ids == [*ids, stitched.headers["request-id"]]

    refused = speak(fake, model_id="eleven_v3", previous_text="Hello.")
    assert refused.status_code == 400
    too_many = speak(fake, model_id="eleven_multilingual_v2", previous_request_ids=ids * 4)
    assert too_many.status_code == 400
