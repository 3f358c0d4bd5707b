"""The CLI's HTTP client against a scripted server (httpx's mock transport)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from api.cli.client import ApiClientError, VoicePipeClient


def _client(*answers: httpx.Response) -> VoicePipeClient:
    queue = list(answers)
    client = VoicePipeClient("http://api.test")
    client.http = httpx.Client(
        base_url="http://api.test", transport=httpx.MockTransport(lambda _: queue.pop(0))
    )
    return client


def _job(status: str, updated: str) -> httpx.Response:
    job = {"id": "job_1", "status": status, "stages": {}, "results": {}, "updated_at": updated}
    return httpx.Response(200, json=job)


def _unavailable() -> httpx.Response:
    body = {"error": {"code": "broker_unavailable", "message": "try again in a few seconds"}}
    return httpx.Response(503, json=body, headers={"Retry-After": "2"})


def test_waiting_for_a_job_rides_out_a_broker_stall() -> None:
    client = _client(_job("transcribing", "1"), _unavailable(), _job("succeeded", "2"))

    done = client.wait(["job_1"], poll_s=0.0)

    assert done["job_1"]["status"] == "succeeded"


def test_waiting_for_a_job_ends_at_a_refusal() -> None:
    gone = httpx.Response(404, json={"error": {"code": "job_not_found", "message": "no job"}})
    client = _client(_job("transcribing", "1"), gone)

    with pytest.raises(ApiClientError, match="job_not_found"):
        client.wait(["job_1"], poll_s=0.0)


def test_a_refusal_carries_its_retry_after_in_seconds() -> None:
    client = _client(_unavailable())

    with pytest.raises(ApiClientError) as refused:
        client.job("job_1")

    assert refused.value.retry_after == 2.0


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(
            200, text="<html>Welcome to nginx!</html>", headers={"content-type": "text/html"}
        ),
        httpx.Response(200, json=["not", "an", "object"]),
    ],
    ids=["a web page", "other json"],
)
def test_a_server_that_is_not_voicepipe_is_said_so_naming_the_url(answer: httpx.Response) -> None:
    client = _client(answer)

    with pytest.raises(ApiClientError) as refused:
        client.batch("bat_1")

    assert refused.value.code == "not_voicepipe"
    assert "http://api.test/v1/batches/bat_1" in refused.value.message
    assert "--url" in refused.value.message


def test_an_upload_reports_every_byte_of_its_files_as_sent_and_keeps_its_length(
    tmp_path: Path,
) -> None:
    files = [tmp_path / "a.wav", tmp_path / "b.wav"]
    files[0].write_bytes(b"a" * 200_000)
    files[1].write_bytes(b"b" * 70_000)
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        return httpx.Response(202, json={"id": "bat_1"})

    client = VoicePipeClient("http://api.test")
    client.http = httpx.Client(base_url="http://api.test", transport=httpx.MockTransport(answer))
    counted: list[int] = []

    client.submit_batch(files, sent=counted.append)

    assert sum(counted) == 270_000
    assert int(seen[0].headers["content-length"]) == len(seen[0].content)
    assert b"a" * 200_000 in seen[0].content


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_an_export_answered_by_a_web_page_is_refused_and_writes_no_file(
    tmp_path: Path, fmt: str
) -> None:
    page = httpx.Response(200, text="<html>Sign in</html>", headers={"content-type": "text/html"})
    client = _client(page)
    target = tmp_path / f"results.{fmt}"

    with pytest.raises(ApiClientError) as refused:
        client.export_batch("bat_1", fmt, target)

    assert refused.value.code == "not_voicepipe"
    assert "http://api.test/v1/batches/bat_1/results" in refused.value.message
    assert "text/html" in refused.value.message
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(401),
        httpx.Response(502, text="<html>Bad Gateway</html>", headers={"content-type": "text/html"}),
    ],
    ids=["no body", "a proxy's page"],
)
def test_a_refusal_that_is_not_voicepipe_json_names_its_status_and_the_url(
    answer: httpx.Response,
) -> None:
    client = _client(answer)

    with pytest.raises(ApiClientError) as refused:
        client.job("job_1")

    assert refused.value.code == "http_error"
    assert f"http://api.test/v1/jobs/job_1 answered {answer.status_code}" in refused.value.message
    assert answer.reason_phrase in refused.value.message


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(404, json={"error": {"code": "not_found", "message": "Not Found"}}),
        httpx.Response(404, text="<html>404</html>", headers={"content-type": "text/html"}),
    ],
    ids=["voicepipe's own route miss", "another server's page"],
)
def test_a_404_at_a_url_that_ends_in_v1_says_to_drop_the_v1(answer: httpx.Response) -> None:
    # --url http://host:8000/v1 asked for /v1/v1/jobs/…: "not_found: Not Found" and nothing
    # more, when the fix was to leave /v1 out (the client adds it to every path).
    client = VoicePipeClient("http://api.test/v1")
    client.http = httpx.Client(
        base_url="http://api.test/v1", transport=httpx.MockTransport(lambda _: answer)
    )

    with pytest.raises(ApiClientError) as refused:
        client.job("job_1")

    assert "drop the /v1" in refused.value.message
    assert "http://api.test" in refused.value.message
