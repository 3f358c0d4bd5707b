"""The official `openai` SDK, pointed at the running stack, gets OpenAI's answers from our
pipeline: transcriptions in every format, speech in every format (whole and streamed), the
model list, and errors its own exception classes."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from typing import get_args

import av
import openai
import pytest
from openai.types import AudioModel
from openai.types.audio import SpeechModel, Transcription, TranscriptionVerbose

from shared.wer import word_error_rate
from tests.integration.conftest import RunningStack

pytestmark = pytest.mark.integration

SCRIPT = (
    "Hello, this is Maria Lopez. My heater stopped working this morning. "
    "Please call me back at four one five, five five five, zero one nine two."
)


@pytest.fixture(scope="module")
def voicemail_wav() -> bytes:
    from workers.providers.tts.local import PiperTts

    return PiperTts().synthesize(SCRIPT, None, "wav").data


@pytest.fixture(scope="module")
def client(running_stack: RunningStack) -> Iterator[openai.OpenAI]:
    # The session stack takes no keys; the SDK insists on one and sends it as a Bearer token.
    with openai.OpenAI(
        base_url=f"{running_stack.settings.api.base_url}/v1", api_key="unused", max_retries=0
    ) as sdk:
        yield sdk


def _seconds(data: bytes) -> float:
    with av.open(io.BytesIO(data), "r") as media:
        stream = media.streams.audio[0]
        samples = sum(frame.samples for frame in media.decode(stream))
        return samples / (stream.codec_context.sample_rate or 1)


def test_a_transcription_as_json_is_the_sdks_transcription_of_what_was_said(
    client: openai.OpenAI, voicemail_wav: bytes
) -> None:
    result = client.audio.transcriptions.create(
        model="whisper-1", file=("voicemail.wav", voicemail_wav), response_format="json"
    )

    assert isinstance(result, Transcription)
    assert word_error_rate(SCRIPT, result.text) <= 0.35
    assert result.usage is not None
    assert result.usage.type == "duration"


def test_verbose_json_has_timed_segments_and_words_as_the_sdk_types_them(
    client: openai.OpenAI, voicemail_wav: bytes
) -> None:
    result = client.audio.transcriptions.create(
        model="voicepipe-local",
        file=("voicemail.wav", voicemail_wav),
        response_format="verbose_json",
        timestamp_granularities=["word", "segment"],
        temperature=0.2,
        language="en",
    )

    assert isinstance(result, TranscriptionVerbose)
    assert result.language == "english"
    assert 5 < result.duration < 15
    assert result.segments
    assert result.words
    assert [s.id for s in result.segments] == list(range(len(result.segments)))
    assert all(s.start < s.end <= result.duration + 0.5 for s in result.segments)
    starts = [w.start for w in result.words]
    assert starts == sorted(starts)
    assert result.words[-1].end <= result.duration + 0.5
    assert " ".join(s.text for s in result.segments).split() == result.text.split()
    # As OpenAI's: each segment led by a space, each word bare ("Hello", not "Hello,").
    assert all(s.text.startswith(" ") for s in result.segments)
    assert all(w.word and w.word == w.word.strip(".,?!;:") for w in result.words)


@pytest.mark.parametrize("fmt", ["text", "srt", "vtt"])
def test_text_srt_and_vtt_come_back_as_the_strings_the_sdk_returns(
    client: openai.OpenAI, voicemail_wav: bytes, fmt: str
) -> None:
    result = client.audio.transcriptions.create(
        model="whisper-1",
        file=("voicemail.wav", voicemail_wav),
        response_format=fmt,  # type: ignore[call-overload]
    )

    assert isinstance(result, str)
    if fmt == "text":
        assert word_error_rate(SCRIPT, result) <= 0.35
    elif fmt == "srt":
        assert result.startswith("1\n00:00:0")
        assert " --> " in result
    else:
        assert result.startswith("WEBVTT")
        assert " --> " in result


def test_a_model_we_do_not_have_and_audio_that_is_not_audio_raise_the_sdks_errors(
    client: openai.OpenAI, voicemail_wav: bytes
) -> None:
    with pytest.raises(openai.NotFoundError) as missing:
        client.audio.transcriptions.create(
            model="voicepipe-nonesuch", file=("voicemail.wav", voicemail_wav)
        )
    with pytest.raises(openai.APIStatusError) as not_audio:
        client.audio.transcriptions.create(model="whisper-1", file=("notes.txt", b"hello " * 50))

    error = missing.value.body
    assert isinstance(error, dict)
    assert error["code"] == "model_not_found"
    assert error["type"] == "invalid_request_error"
    assert "voicepipe-local" in missing.value.message
    assert 400 <= not_audio.value.status_code < 500
    assert isinstance(not_audio.value.body, dict)
    assert {"message", "type", "param", "code"} <= set(not_audio.value.body)


@pytest.mark.parametrize("fmt", ["mp3", "opus", "aac", "flac", "wav", "pcm"])
def test_speech_in_every_format_is_audio_of_the_words_length(
    client: openai.OpenAI, fmt: str
) -> None:
    response = client.audio.speech.create(
        model="tts-1",
        voice="alloy",
        input="Thanks for calling. We will ring you back this afternoon.",
        response_format=fmt,  # type: ignore[arg-type]
    )

    data = response.read()
    # 24 kHz 16-bit mono for raw pcm, as OpenAI sends it.
    seconds = len(data) / 48_000 if fmt == "pcm" else _seconds(data)
    assert 2.0 < seconds < 8.0, (fmt, seconds)
    assert response.response.headers["x-voicepipe-voice"] == "joe"
    if fmt == "wav":
        # OpenAI's wav is its 24 kHz pcm with a header; ours was the voice's 22.05 kHz.
        with av.open(io.BytesIO(data), "r") as media:
            assert media.streams.audio[0].codec_context.sample_rate == 24_000


def test_speech_at_twice_the_speed_is_half_as_long(client: openai.OpenAI) -> None:
    text = "Your appointment is confirmed for Tuesday at ten in the morning."
    normal = client.audio.speech.create(model="tts-1", voice="alloy", input=text).read()
    fast = client.audio.speech.create(model="tts-1", voice="alloy", input=text, speed=2.0).read()

    assert 0.4 < _seconds(fast) / _seconds(normal) < 0.6


def test_streamed_speech_arrives_sentence_by_sentence_as_one_playable_file(
    client: openai.OpenAI,
) -> None:
    text = (
        "Thank you for your message about the heater in your kitchen. "
        "A technician is free tomorrow morning between eight and ten o'clock. "
        "If that time does not suit you, please call us back on the usual number."
    )
    with client.audio.speech.with_streaming_response.create(
        model="voicepipe-local", voice="alloy", input=text, stream_format="audio"
    ) as response:
        jobs = response.headers["x-voicepipe-jobs"].split(",")
        chunks = [chunk for chunk in response.iter_bytes() if chunk]

    assert len(jobs) == 3
    assert len(chunks) >= 3
    assert 6.0 < _seconds(b"".join(chunks)) < 20.0


def _published_voices(stack: RunningStack, provider: str, timeout_s: float = 60) -> list[str]:
    """``provider``'s voices once a tts worker has published them (it lists them as it
    starts, a few seconds after the stack answers)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        listing = stack.http.get("/v1/voices", params={"provider": provider}).json()
        entry = listing["providers"][0]
        if entry["listed_at"]:
            voices: list[str] = entry["voices"]
            return voices
        time.sleep(0.2)
    raise TimeoutError(f"no tts worker published the {provider} voices in {timeout_s} s")


def test_the_model_list_names_our_engines_with_each_speech_engines_voices(
    client: openai.OpenAI, running_stack: RunningStack
) -> None:
    # Whenever it is asked, right after start-up too: the offline voice is known without
    # waiting for a tts worker to list it (it answered `voices: []` until one had).
    models = {model.id: model for model in client.models.list()}
    published = _published_voices(running_stack, "local")
    after = {model.id: model for model in client.models.list()}

    assert "voicepipe-local" in models
    assert all(model.object == "model" for model in models.values())
    local = models["voicepipe-local"].model_extra or {}
    assert local["stages"] == ["stt", "llm", "tts"]
    assert local["voices"] == ["joe"], "the offline voice lists its voices"
    assert local["voices_error"] is None
    # What the worker lists is what was named before it had.
    assert (after["voicepipe-local"].model_extra or {})["voices"] == published == ["joe"]
    assert all((m.model_extra or {}).get("stages") for m in models.values())


def test_every_answer_and_error_carries_a_request_id_the_sdk_reads(
    client: openai.OpenAI,
) -> None:
    # OpenAI's SDKs put `x-request-id` on every result and error, for logs and support.
    first = client.models.retrieve("voicepipe-local")
    second = client.models.with_raw_response.list()
    with pytest.raises(openai.NotFoundError) as missing:
        client.models.retrieve("voicepipe-nonesuch")

    ids = [first._request_id, second.request_id, missing.value.request_id]
    assert all(isinstance(i, str) and i.startswith("req_") for i in ids), ids
    assert len(set(ids)) == 3


def test_openais_audio_model_names_are_listed_and_retrieved_with_the_engine_they_run_on(
    client: openai.OpenAI,
) -> None:
    # The audio calls take `whisper-1` and `tts-1`; a client checking its configured model
    # first (models.retrieve) was told it "does not exist here".
    whisper = client.models.retrieve("whisper-1")
    speech = client.models.retrieve("tts-1")
    listed = {model.id: model for model in client.models.list()}
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-4o")  # no audio model: nothing here runs it

    assert whisper.id == "whisper-1"
    assert (whisper.model_extra or {})["stages"] == ["stt"]
    assert (whisper.model_extra or {})["runs_on"] == "voicepipe-local"
    assert (speech.model_extra or {})["stages"] == ["tts"]
    assert (speech.model_extra or {})["runs_on"] == "voicepipe-local"
    # The voices of the engine it runs on, read in the same answer.
    assert listed["tts-1"].model_extra == {
        **(listed["voicepipe-local"].model_extra or {}),
        "stages": ["tts"],
        "runs_on": "voicepipe-local",
    }
    assert listed["whisper-1"] == whisper
    # Every audio model the SDK itself names, but the diarizing one (diarized_json).
    sdk_names = {*get_args(AudioModel), *get_args(SpeechModel)} - {"gpt-4o-transcribe-diarize"}
    assert sdk_names <= set(listed)


def test_speech_of_blank_input_is_refused_in_plain_words(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as blank:
        client.audio.speech.create(model="tts-1", voice="alloy", input="   ")

    body = blank.value.body
    assert isinstance(body, dict)
    assert body["param"] == "input"
    # pydantic's "Value error, " said nothing to whoever reads the SDK's message.
    assert body["message"] == (
        "The request is not valid: input: has no words to speak: send the text to be spoken"
    )


def test_an_openai_call_not_offered_here_is_a_404_naming_the_calls_that_are(
    client: openai.OpenAI,
) -> None:
    # One client for chat and audio, pointed here: "Not Found" said nothing of why.
    with pytest.raises(openai.NotFoundError) as chat:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])

    body = chat.value.body
    assert isinstance(body, dict)
    assert body["type"] == "invalid_request_error"
    assert "POST /v1/chat/completions" in body["message"]
    assert "/v1/audio/transcriptions" in body["message"]
    assert "/v1/models" in body["message"]


def test_a_voice_given_as_openais_custom_voice_object_is_spoken(client: openai.OpenAI) -> None:
    # The SDK takes `voice={"id": ...}` for a custom voice; it was refused as not a string.
    listed = client.audio.speech.with_raw_response.create(
        model="voicepipe-local", voice={"id": "joe"}, input="Thanks for calling."
    )
    custom = client.audio.speech.with_raw_response.create(
        model="tts-1", voice={"id": "voice_1234"}, input="Thanks for calling."
    )

    assert listed.headers["x-voicepipe-voice"] == "joe"
    assert _seconds(listed.content) > 0.5
    # A voice the engine does not list is spoken by its default, as a name is.
    assert custom.headers["x-voicepipe-voice"] == "joe"
    assert _seconds(custom.content) > 0.5


def test_input_in_a_script_the_voice_cannot_speak_is_refused_naming_the_model(
    client: openai.OpenAI,
) -> None:
    # The engine is what to change (the offline voice speaks English): `param` was null.
    with pytest.raises(openai.BadRequestError) as refused:
        client.audio.speech.create(
            model="voicepipe-local", voice="alloy", input="Здравствуйте, перезвоните мне завтра."
        )

    body = refused.value.body
    assert isinstance(body, dict)
    assert body["code"] == "tts.unsupported_language"
    assert body["param"] == "model"
