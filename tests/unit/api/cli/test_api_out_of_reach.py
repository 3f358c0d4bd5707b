"""A stack that is not running (or a wrong --url): the one line the CLI prints names the
address it tried and what to do, and a watch does not wait a minute for a server that never
answered. The real client against a port where nothing listens."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from api.cli import main
from api.cli.progress import watch_batches
from shared.settings import reset_settings_cache


@pytest.fixture(autouse=True)
def fresh_settings() -> None:
    reset_settings_cache()


def _nothing_listens() -> str:
    with socket.socket() as sock:  # a port that was free a moment ago
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize(
    "command",
    [["status", "job_1"], ["batch", "status", "bat_1"], ["fetch", "job_1"], ["submit", "x.wav"]],
    ids=" ".join,
)
def test_a_command_against_a_stack_that_is_not_running_names_the_address_and_what_to_do(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.wav").write_bytes(b"RIFF")
    url = _nothing_listens()

    result = CliRunner().invoke(main, [*command, "--url", url])

    assert result.exit_code == 1, result.output
    assert f"cannot reach the API at {url}" in result.output
    assert "voicepipe up" in result.output
    assert "--url" in result.output


def test_the_configured_address_is_named_when_no_url_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = _nothing_listens()
    monkeypatch.setenv("VOICEPIPE_API__PUBLIC_URL", url)

    result = CliRunner().invoke(main, ["status", "job_1"])

    assert f"cannot reach the API at {url}" in result.output
    assert "VOICEPIPE_API__PUBLIC_URL" in result.output


class NeverAnswers:
    """A server that refused the first poll and would answer the next: the watch must not
    wait to find out."""

    def __init__(self) -> None:
        self.polls = 0

    def batch(self, batch_id: str) -> dict[str, object]:
        self.polls += 1
        raise httpx.ConnectError("[Errno 111] Connection refused")


def test_a_watch_whose_first_poll_is_refused_ends_at_once_rather_than_after_a_minute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import api.cli.progress

    monkeypatch.setattr(api.cli.progress, "POLL_S", 0.0)
    client = NeverAnswers()

    with pytest.raises(httpx.ConnectError):
        watch_batches(client, ["bat_1"], out=io.StringIO())  # type: ignore[arg-type]

    assert client.polls == 1
