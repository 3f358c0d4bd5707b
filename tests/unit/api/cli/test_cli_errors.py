"""What the CLI says when the API is out of reach or a file cannot be written: one line
naming the problem, never a traceback. The real client, over a fake transport."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from api.cli import main
from api.cli.client import VoicePipeClient
from shared.settings import reset_settings_cache
from tests.unit.api.cli.mock_server import serve


def _answer(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/results"):
        return httpx.Response(200, content=b"item_index,status\r\n0,succeeded\r\n")
    if request.url.path.endswith("/transcript"):
        return httpx.Response(200, content=b"Call me back.\n")
    job = {"id": "job_1", "status": "succeeded", "stages": {}, "results": {}, "updated_at": "1"}
    return httpx.Response(200, json=job)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    serve(monkeypatch, _answer)
    reset_settings_cache()
    yield
    reset_settings_cache()


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _unreachable_url() -> str:
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_status_of_a_job_on_an_api_out_of_reach_says_so_like_every_other_command() -> None:
    result = _run("status", "job_1", "--url", _unreachable_url())

    assert result.exit_code == 1
    assert "Error: cannot reach the API at http://127.0.0.1:" in result.output
    assert not isinstance(result.exception, httpx.HTTPError)


def test_an_export_into_a_folder_that_does_not_exist_names_the_file_it_cannot_write(
    tmp_path: Path, served: None
) -> None:
    target = tmp_path / "nonexistent" / "r.csv"

    result = _run("batch", "export", "bat_1", "-o", str(target))

    assert result.exit_code == 1, result.output
    assert f"Error: cannot write {target}: No such file or directory" in result.output
    assert not isinstance(result.exception, OSError)


def test_an_export_writes_its_file_when_its_folder_exists(tmp_path: Path, served: None) -> None:
    result = _run("batch", "export", "bat_1", "-o", str(tmp_path / "r.csv"))

    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.csv").read_bytes() == b"item_index,status\r\n0,succeeded\r\n"


def test_a_fetch_into_a_folder_that_cannot_be_made_names_it(tmp_path: Path, served: None) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")

    result = _run("fetch", "job_1", "-o", str(blocker / "out"))

    assert result.exit_code == 1, result.output
    assert f"Error: cannot write {blocker / 'out'}: Not a directory" in result.output
    assert not isinstance(result.exception, OSError)


@pytest.fixture
def interrupted(monkeypatch: pytest.MonkeyPatch) -> None:
    def ctrl_c(request: httpx.Request) -> httpx.Response:
        raise KeyboardInterrupt

    serve(monkeypatch, ctrl_c)


@pytest.mark.parametrize(
    "command",
    [
        ["status", "job_1"],
        ["batch", "status", "bat_1"],
        ["batch", "export", "bat_1"],
        ["batch", "cancel", "bat_1"],
        ["fetch", "job_1"],
    ],
    ids=" ".join,
)
def test_ctrl_c_during_any_request_exits_130_as_scripts_expect_of_an_interrupt(
    command: list[str], interrupted: None
) -> None:
    result = _run(*command)

    assert result.exit_code == 130, result.output
    assert "Aborted!" not in result.output


def test_a_demo_refused_by_the_running_api_says_why_instead_of_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import api.cli.demo.runner as runner

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/healthz":
            return httpx.Response(200, json={"status": "ok"})
        error = {"code": "unauthorized", "message": "send an API key"}
        return httpx.Response(401, json={"error": error})

    class Refusing(VoicePipeClient):
        def __init__(self, base_url: str, *, api_key: str | None = None) -> None:
            super().__init__(base_url, api_key=api_key)
            self.http = httpx.Client(base_url=base_url, transport=httpx.MockTransport(answer))

    recording = tmp_path / "vm.wav"
    recording.write_bytes(b"RIFF")
    monkeypatch.setattr(runner, "VoicePipeClient", Refusing)
    monkeypatch.setattr(runner, "materialize", lambda *_: [recording])
    monkeypatch.setenv("VOICEPIPE_DATA_DIR", str(tmp_path / "data"))
    reset_settings_cache()

    result = _run("demo")
    reset_settings_cache()

    assert result.exit_code == 1, result.output
    assert "Error: unauthorized: send an API key" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
