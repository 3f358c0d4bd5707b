"""Streamed speech over real HTTP (uvicorn, the openai SDK): a sentence that fails once the
answer has begun breaks the connection, so the client cannot take the part for the whole."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import numpy as np
import openai
import pytest
import uvicorn

from api.main import create_app
from shared.audio import encode_pcm
from shared.audio.speech_encode import SpeechEncoder, decode_speech
from shared.jobstore import JobStore
from shared.models import ErrorInfo, Job, JobStatus
from shared.settings import Settings
from shared.storage import LocalStorage
from tests.conftest import ValkeyProcess, free_port

SPOKEN = "This first sentence is long enough to be spoken on its own."
FAILING = "This second sentence is the one the fake voice cannot speak."
# Symbols only: a voice makes no sound of them (the offline one fails such a job empty_text).
SILENT = "-" * 60 + "."
# A sentence a voice (a plugin's) speaks as a WAV of no samples, and its job succeeds.
MUTE = "This sentence is one the fake voice speaks without a single sample."


def _tts_worker(settings: Settings, stop: threading.Event) -> None:
    """Speaks every queued job a second of tone, except the failing sentence's, which
    fails as a vendor outage would."""
    jobs = JobStore.from_url(settings.broker.url)
    storage = LocalStorage(settings.objects_dir)
    tone = (3000 * np.sin(np.arange(24_000) / 24_000 * 2 * np.pi * 220)).astype(np.int16)
    wav = encode_pcm(tone, 24_000, "wav")
    no_samples = SpeechEncoder("wav", streamed=False).close()

    def speak(job: Job) -> None:
        text = storage.get(job.input.key).decode()
        if text in (FAILING, SILENT):
            job.status = JobStatus.FAILED
            job.error = (
                ErrorInfo(code="provider_unavailable", message="The voice is down.")
                if text == FAILING
                else ErrorInfo(code="tts.empty_text", message="nothing speakable in the text")
            )
            return
        key = job.object_key("reply.wav")
        storage.put(key, no_samples if text == MUTE else wav, "audio/wav")
        job.results.reply_audio_key = key
        job.status = JobStatus.SUCCEEDED

    while not stop.wait(0.02):
        for job_id in jobs.list_ids("default"):
            if not jobs.get(job_id).status.terminal:
                jobs.update(job_id, speak)


@pytest.fixture
def sdk(tmp_path: Path, valkey: ValkeyProcess) -> Iterator[openai.OpenAI]:
    settings = Settings(data_dir=tmp_path, broker={"url": valkey.url})
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="critical")
    )
    stop = threading.Event()
    threads = [
        threading.Thread(target=server.run, daemon=True),
        threading.Thread(target=_tts_worker, args=(settings, stop), daemon=True),
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        with openai.OpenAI(
            base_url=f"http://127.0.0.1:{port}/v1", api_key="unused", max_retries=0
        ) as client:
            yield client
    finally:
        stop.set()
        server.should_exit = True
        for thread in threads:
            thread.join(timeout=10)


def test_a_sentence_failing_mid_stream_breaks_the_answer_instead_of_ending_it_cleanly(
    sdk: openai.OpenAI,
) -> None:
    with sdk.audio.speech.with_streaming_response.create(
        model="tts-1", voice="alloy", input=f"{SPOKEN} {FAILING}", stream_format="audio"
    ) as response:
        assert response.status_code == 200
        assert len(response.headers["x-voicepipe-jobs"].split(",")) == 2
        chunks = response.iter_bytes()
        first = next(chunks)
        # The openai SDK reads with httpx2: an incomplete chunked body is its protocol error.
        with pytest.raises(httpx2.RemoteProtocolError, match="incomplete chunked read"):
            list(chunks)

    assert first, "the first sentence was sent before the break"


def test_a_stream_whose_sentences_are_all_spoken_ends_cleanly(sdk: openai.OpenAI) -> None:
    with sdk.audio.speech.with_streaming_response.create(
        model="tts-1", voice="alloy", input=f"{SPOKEN} {SPOKEN}", stream_format="audio"
    ) as response:
        audio = response.read()

    assert len(audio) > 10_000


@pytest.mark.parametrize(
    "text", [f"{SPOKEN} {SILENT} {SPOKEN}", f"{SILENT} {SPOKEN} {SPOKEN}"], ids=["middle", "first"]
)
def test_a_sentence_with_nothing_to_say_is_passed_over_not_a_broken_stream(
    sdk: openai.OpenAI, text: str
) -> None:
    # Before, "-----." between two sentences broke the stream (or, first, refused the call)
    # although the same text unstreamed is spoken whole: the voice skips the symbols there.
    with sdk.audio.speech.with_streaming_response.create(
        model="tts-1", voice="alloy", input=text, stream_format="audio", response_format="pcm"
    ) as response:
        audio = response.read()

    assert len(response.headers["x-voicepipe-jobs"].split(",")) == 3
    assert len(audio) == 2 * 24_000 * 2  # the two spoken seconds, 16-bit at 24 kHz


def test_a_stream_with_nothing_to_say_at_all_is_refused_as_the_whole_text_is(
    sdk: openai.OpenAI,
) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        sdk.audio.speech.create(
            model="tts-1", voice="alloy", input=f"{SILENT} {SILENT}", stream_format="audio"
        )

    assert isinstance(refused.value.body, dict)
    assert refused.value.body["code"] == "tts.empty_text"


def test_a_voice_that_made_no_sound_is_a_502_naming_the_job_not_an_internal_error(
    sdk: openai.OpenAI,
) -> None:
    # Before, the encoder's MemoryError on no samples was a 500 "internal_error".
    with pytest.raises(openai.APIStatusError) as failed:
        sdk.audio.speech.create(model="tts-1", voice="alloy", input=MUTE)

    assert failed.value.status_code == 502
    assert isinstance(failed.value.body, dict)
    assert failed.value.body["code"] == "no_audio"
    assert "(job " in failed.value.body["message"]


def test_a_sentence_spoken_as_no_samples_is_passed_over_in_a_stream(sdk: openai.OpenAI) -> None:
    # Before, its MemoryError broke the stream after the first sentence.
    with sdk.audio.speech.with_streaming_response.create(
        model="tts-1", voice="alloy", input=f"{SPOKEN} {MUTE} {SPOKEN}", stream_format="audio"
    ) as response:
        audio = response.read()

    pcm, rate = decode_speech(audio)
    assert len(pcm) / rate == pytest.approx(2.0, abs=0.12)


@pytest.mark.parametrize(
    "hidden",
    ["\u200b", "\u00ad", "\u2028", "\u202e", "\ufeff"],
    ids=["zwsp", "shy", "ls", "rlo", "bom"],
)
def test_speech_input_with_an_invisible_format_character_is_spoken_not_refused(
    sdk: openai.OpenAI, hidden: str
) -> None:
    # Text pasted from a web page or a word processor carries these; OpenAI speaks it. Before,
    # the text job's intake refused it with a message about a 'text' field the call lacks.
    text = f"This first sentence is long{hidden} enough to be spoken.{hidden} Bye now."

    audio = sdk.audio.speech.create(model="tts-1", voice="alloy", input=text, response_format="pcm")

    assert len(audio.read()) == 24_000 * 2  # the fake voice's second, 16-bit at 24 kHz
