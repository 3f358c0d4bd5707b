"""What the CLI says when a 200 answer is not the VoicePipe API's (some other server at --url)
or standard output cannot take the results: one line naming it and exit 1, never a
traceback (a reader that has gone, as `| head`'s, is no failure: exit 141, nothing said).
The real client, over a fake transport."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from api.cli import main
from shared.settings import reset_settings_cache
from tests.unit.api.cli.mock_server import serve

ROOT = Path(__file__).parents[4]


@pytest.fixture
def elsewhere(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """--url names a server that answers every request 200 with JSON of its own."""

    serve(monkeypatch, lambda _: httpx.Response(200, json={"id": "x"}))
    reset_settings_cache()
    yield
    reset_settings_cache()


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


BATCH_LACKS = (
    "status, items, rejected, progress, eta_s, counts, running_by_stage, failed_by_code, "
    "rejected_by_code"
)
JOB_LACKS = "status, stages, results, updated_at"


@pytest.mark.parametrize(
    ("command", "lacking"),
    [
        (["batch", "status", "bat_1", "--human"], BATCH_LACKS),
        (["batch", "retry", "bat_1"], BATCH_LACKS),
        (["fetch", "job_1"], JOB_LACKS),
        (["status", "job_1"], JOB_LACKS),
    ],
)
def test_an_answer_without_the_fields_a_command_reads_is_said_to_be_not_voicepipes(
    elsewhere: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
    lacking: str,
) -> None:
    monkeypatch.chdir(tmp_path)  # fetch would write ./job_1
    result = _run(*command)

    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, KeyError | TypeError)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: not_voicepipe: http://api.test/v1/")
    assert f"lacking {lacking} as the VoicePipe API gives them" in lines[0]
    assert "check --url" in lines[0]
    assert not (tmp_path / "job_1").exists()


# The CLI in a process of its own, standard output as given, the export served by a fake.
_CLI = textwrap.dedent(
    """
    import sys
    import httpx
    import api.cli.batch_commands
    from api.cli import main
    from api.cli.client import VoicePipeClient

    def answer(request):
        if request.url.path.endswith("/results"):
            rows = b"".join(b"%d,succeeded\\r\\n" % i for i in range(20000))
            return httpx.Response(200, content=b"item_index,status\\r\\n" + rows,
                                  headers={"content-type": "text/csv"})
        if request.url.path.startswith("/v1/jobs/"):
            return httpx.Response(200, json={
                "id": "job_1", "status": "succeeded", "stages": {},
                "updated_at": "2026-12-07T00:00:00Z", "results": {},
            })
        counts = {"succeeded": 1}
        return httpx.Response(200, json={
            "id": "bat_1", "status": "completed", "items": 1, "rejected": 0, "progress": 1.0,
            "eta_s": 0.0, "counts": counts, "running_by_stage": {}, "failed_by_code": {},
            "rejected_by_code": {},
        })

    def open_client(url, api_key):
        client = VoicePipeClient("http://api.test")
        client.http = httpx.Client(base_url="http://api.test",
                                   transport=httpx.MockTransport(answer))
        return client

    api.cli.batch_commands.open_client = open_client
    main(sys.argv[1:])
    """
)


def _cli(stdout: int, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", _CLI, *args]
    return subprocess.run(
        command, stdout=stdout, stderr=subprocess.PIPE, text=True, env=env, timeout=60
    )


@pytest.mark.parametrize("command", [["batch", "export", "bat_1"], ["batch", "status", "bat_1"]])
def test_results_to_a_full_disk_are_one_line_saying_so(command: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        done = _cli(full.fileno(), *command)

    assert done.returncode == 1, done.stderr
    assert done.stderr == "Error: cannot write to standard output: No space left on device\n"


@pytest.mark.parametrize(
    "command",
    [
        ["batch", "export", "bat_1"],
        ["batch", "status", "bat_1"],
        ["status", "job_1"],
        ["keys", "create", "--tenant", "acme"],
        # `voicepipe --help | head`: the top level's help is printed before any command
        # runs, where click itself answered a closed pipe with 1.
        ["--help"],
    ],
)
def test_results_into_a_pipe_whose_reader_has_gone_end_quietly_with_141(
    command: list[str],
) -> None:
    # `voicepipe batch export bat_1 | head`: the reader stopping early is not a failure to
    # report. Before, stderr said "Error: cannot write to standard output: Broken pipe" (and
    # exit 1); 141 is what a shell reports for any tool SIGPIPE ends (`yes | head`).
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = _cli(writer, *command)
    finally:
        os.close(writer)

    assert (done.returncode, done.stderr) == (141, "")


def test_fetch_writes_the_reply_audio_inside_its_folder_whatever_key_the_server_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The file's extension is read from the job's reply_audio_key: a server at --url naming
    # "x./../../escaped" put the reply two folders up, under a name of its choosing.
    job = {
        "id": "job_1",
        "status": "succeeded",
        "stages": {},
        "updated_at": "2026-12-07T00:00:00Z",
        "results": {"reply": "Hi", "reply_audio_key": "t/job_1/reply./../../escaped"},
    }

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/jobs/job_1":
            return httpx.Response(200, json=job)
        return httpx.Response(200, content=b"bytes")

    serve(monkeypatch, answer)
    out = tmp_path / "a" / "b" / "out"

    result = _run("fetch", "job_1", "-o", str(out))

    assert result.exit_code == 0, result.output
    assert not (tmp_path / "a" / "escaped").exists()
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file() and p.parent != out) == []
    assert (out / "reply.bin").read_bytes() == b"bytes"
