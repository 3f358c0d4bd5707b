"""Retrying a keyed submission: what is tried again, how long it waits, and what is said at
once."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from api.cli import main
from api.cli.client import ApiClientError
from api.cli.submitting import RETRY_WAITS_S, sending, stopped_uploading


class Flaky:
    """Raises each of ``errors`` in turn, then answers."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> dict[str, str]:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return {"id": "bat_1"}


def test_a_503_and_a_dropped_connection_are_tried_again_until_the_server_takes_it() -> None:
    call = Flaky(
        ApiClientError(503, "job_store_unavailable", "try again"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        ApiClientError(409, "idempotency_in_progress", "retry in a moment"),
    )
    waits: list[float] = []

    made = sending(call, "batch 1", reached=False, sleep=waits.append)

    assert made == {"id": "bat_1"}
    assert waits == list(RETRY_WAITS_S[:3])


def test_retry_after_is_waited_for_when_longer_than_the_schedule_but_never_past_a_minute() -> None:
    call = Flaky(
        ApiClientError(429, "rate_limited", "slow down", retry_after=7.0),
        ApiClientError(503, "unavailable", "later", retry_after=3600.0),
    )
    waits: list[float] = []

    sending(call, "batch 1", reached=False, sleep=waits.append)

    assert waits == [7.0, 60.0]


@pytest.mark.parametrize(
    "error",
    [
        ApiClientError(400, "missing_file", "no files"),
        ApiClientError(401, "invalid_api_key", "unknown key"),
        ApiClientError(409, "idempotency_conflict", "another request"),
        ApiClientError(413, "too_large", "too big"),
    ],
    ids=lambda e: e.code,
)
def test_a_refusal_is_said_at_once(error: ApiClientError) -> None:
    call = Flaky(error)

    with pytest.raises(ApiClientError):
        sending(call, "batch 1", reached=True, sleep=lambda _: None)

    assert call.calls == 1


def test_a_refused_connection_is_said_at_once_until_the_server_has_answered_once() -> None:
    refused = httpx.ConnectError("[Errno 111] Connection refused")
    waits: list[float] = []

    with pytest.raises(httpx.ConnectError):
        sending(Flaky(refused), "batch 1", reached=False, sleep=waits.append)
    made = sending(Flaky(refused), "batch 2", reached=True, sleep=waits.append)

    assert made == {"id": "bat_1"}
    assert waits == [RETRY_WAITS_S[0]]


def test_a_server_that_stays_unavailable_is_given_up_on_after_the_schedule() -> None:
    call = Flaky(*[ApiClientError(503, "broker_unavailable", "down")] * 10)
    waits: list[float] = []

    with pytest.raises(ApiClientError):
        sending(call, "batch 1", reached=True, sleep=waits.append)

    assert waits == list(RETRY_WAITS_S)
    assert call.calls == len(RETRY_WAITS_S) + 1


@pytest.mark.parametrize("again", [False, True], ids=["keyed", "with --again"])
def test_ctrl_c_during_an_upload_promises_a_resume_only_when_the_keys_would_find_it(
    again: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    # --again gives each run fresh keys: running it again would submit everything anew.
    with pytest.raises(SystemExit) as stopped:
        stopped_uploading(["bat_1"], None, again)

    said = capsys.readouterr().err
    assert stopped.value.code == 130
    assert "voicepipe batch watch bat_1" in said
    assert ("sends only the rest" in said) is not again
    assert ("used --again" in said) is again


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (["--stages", "stt", "--voice", "joe"], "--voice"),
        (["--stages", "stt,llm", "--tts", "local"], "--tts"),
        (["--stages", "stt", "--llm", "local"], "--llm"),
    ],
)
def test_a_flag_for_a_stage_the_stages_leave_out_is_bad_usage_before_anything_is_sent(
    tmp_path: Path, flags: list[str], named: str
) -> None:
    # The server refuses it (400 option_not_applicable, naming the API's field, tts_provider),
    # but only once every file is uploaded: a folder's worth for nothing. Nothing listens
    # at --url, so reaching for the server would be exit 1, "cannot reach the API".
    recording = tmp_path / "vm.wav"
    recording.write_bytes(b"RIFF")

    done = CliRunner().invoke(
        main, ["submit", str(recording), "--url", "http://127.0.0.1:9", *flags]
    )

    assert done.exit_code == 2, done.output
    assert named in done.output


@pytest.mark.parametrize("stages", ["foo", "stt,tts", "llm", "tts,llm,stt", ","])
def test_stages_the_server_would_refuse_are_bad_usage_before_anything_is_sent(
    tmp_path: Path, stages: str
) -> None:
    # The server answers 400 invalid_stages, but only once a folder's worth is uploaded.
    recording = tmp_path / "vm.wav"
    recording.write_bytes(b"RIFF")

    done = CliRunner().invoke(
        main, ["submit", str(recording), "--url", "http://127.0.0.1:9", "--stages", stages]
    )

    assert done.exit_code == 2, done.output
    assert "stt, stt,llm or stt,llm,tts" in done.output


@pytest.mark.parametrize("stages", ["stt", "STT, llm", "stt,llm,tts"])
def test_stages_the_server_takes_are_sent(tmp_path: Path, stages: str) -> None:
    recording = tmp_path / "vm.wav"
    recording.write_bytes(b"RIFF")

    done = CliRunner().invoke(
        main, ["submit", str(recording), "--url", "http://127.0.0.1:9", "--stages", stages]
    )

    assert done.exit_code == 1, done.output
    assert "cannot reach the API" in done.output
