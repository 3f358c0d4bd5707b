"""A transcribed voicemail downloads as SubRip, WebVTT and plain text captions."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import srt
import webvtt

from shared.audio import decode_pcm16k
from tests.audio_factory import encode_samples, silence
from tests.integration.conftest import RunningStack

pytestmark = pytest.mark.integration

FIRST = "Hi, this is Tom Baker. I have a question about my last bill."
SECOND = "Call me back at seven one three, five five five, four four six one."


@pytest.fixture(scope="module")
def voicemail_wav() -> bytes:
    """Two spoken sentences with a 1.5 s silence between them, which must split the cues."""
    from workers.providers.tts.local import PiperTts

    voice = PiperTts()
    first, second = (decode_pcm16k(voice.synthesize(t, None, "wav").data) for t in (FIRST, SECOND))
    return encode_samples(np.concatenate([first, silence(1.5), second]), "wav", 16000)


def test_a_transcribed_voicemail_downloads_as_srt_vtt_and_txt_captions(
    running_stack: RunningStack, voicemail_wav: bytes
) -> None:
    created = running_stack.http.post(
        "/v1/jobs",
        files={"file": ("voicemail.wav", voicemail_wav, "audio/wav")},
        data={"stages": "stt"},
    )
    assert created.status_code == 202, created.text
    job_id = created.json()["id"]
    job = running_stack.wait(job_id)
    assert job["status"] == "succeeded", job.get("error")
    url = f"/v1/jobs/{job_id}/transcript"
    stored = running_stack.http.get(url, params={"format": "json"}).json()
    words = [w["word"] for w in stored["words"]]
    assert len(words) >= 10

    as_srt = running_stack.http.get(url, params={"format": "srt"})
    as_vtt = running_stack.http.get(url, params={"format": "vtt"})
    as_txt = running_stack.http.get(url, params={"format": "txt"})

    assert as_srt.headers["content-type"] == "application/x-subrip; charset=utf-8"
    assert as_vtt.headers["content-type"] == "text/vtt; charset=utf-8"
    assert as_txt.headers["content-type"] == "text/plain; charset=utf-8"
    for response, ext in ((as_srt, "srt"), (as_vtt, "vtt"), (as_txt, "txt")):
        assert response.status_code == 200
        assert response.headers["content-disposition"] == f'inline; filename="{job_id}.{ext}"'
    assert as_txt.text == stored["text"] + "\n"

    subs = list(srt.parse(as_srt.text))
    assert [s.index for s in subs] == list(range(1, len(subs) + 1))
    assert len(subs) >= 2, "the pause between the sentences starts a new cue"
    assert all(s.start < s.end for s in subs)
    assert all(a.end <= b.start for a, b in itertools.pairwise(subs))
    assert " ".join(s.content for s in subs).split() == words

    captions = webvtt.from_string(as_vtt.text).captions
    assert as_vtt.text.startswith("WEBVTT")
    assert [c.text for c in captions] == [s.content for s in subs]
    assert [c.start for c in captions] == [
        srt.timedelta_to_srt_timestamp(s.start).replace(",", ".") for s in subs
    ]
    assert " ".join(c.text for c in captions).split() == words
    # The segments of the JSON export are the same cues.
    assert [s["text"] for s in stored["segments"]] == [s.content.replace("\n", " ") for s in subs]
