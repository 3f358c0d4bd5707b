"""The upload's byte bar counts what one try has sent: a try made again after a 503 reads
every file again from its start, which was added to what the failed try had counted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

import api.cli.submitting
from api.cli.client import VoicePipeClient
from api.cli.submitting import upload


class Bar:
    """tqdm as upload() uses it, keeping the most it ever counted."""

    made: list[Bar] = []

    def __init__(self, total: float, **_: Any) -> None:
        self.total, self.n, self.most = total, 0, 0
        Bar.made.append(self)

    def __enter__(self) -> Bar:
        return self

    def __exit__(self, *_: object) -> None:
        pass

    def update(self, n: float) -> None:
        self.n += int(n)
        self.most = max(self.most, self.n)

    def reset(self, total: float | None = None) -> None:
        self.n = 0
        if total is not None:
            self.total = total


def test_a_retried_upload_never_counts_past_the_bytes_it_sends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [tmp_path / "a.wav", tmp_path / "b.wav"]
    for path in files:
        path.write_bytes(b"x" * 50_000)
    tries = []

    def answer(request: httpx.Request) -> httpx.Response:
        request.read()  # the whole body, as a server takes it before answering
        tries.append(1)
        if len(tries) == 1:
            return httpx.Response(503, json={"error": {"code": "broker_unavailable"}})
        return httpx.Response(202, json={"id": "bat_1"})

    client = VoicePipeClient("http://api.test")
    client.http = httpx.Client(base_url="http://api.test", transport=httpx.MockTransport(answer))
    monkeypatch.setattr(api.cli.submitting, "tqdm", Bar)
    monkeypatch.setattr(api.cli.submitting, "RETRY_WAITS_S", (0.0,))
    Bar.made.clear()

    ids = upload(client, [files], {p: p.name for p in files}, {}, False, None)

    assert ids == ["bat_1"]
    assert len(tries) == 2
    [bar] = Bar.made
    assert bar.most <= bar.total, (bar.most, bar.total)
    assert bar.n == bar.total
