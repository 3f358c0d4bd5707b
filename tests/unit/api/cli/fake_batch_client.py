"""What the batch CLI tests share: a fake client standing in for the API (batches submitted,
views answered, exports written), the fixture putting it in place of the real one, a batch view,
files to submit, and a run of the CLI."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import pytest
from click.testing import CliRunner, Result

import api.cli.batch_commands
import api.cli.file_submission
import api.cli.progress
from api.cli import main
from api.cli.client import ApiClientError
from shared.settings import reset_settings_cache


def _view(batch_id: str, *, done: int = 0, items: int = 3, **extra: Any) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": batch_id,
        "status": "completed" if done == items else "running",
        "items": items,
        "rejected": 0,
        "counts": {"succeeded": done},
        "running_by_stage": {"stt": items - done, "llm": 0, "tts": 0},
        "failed_by_code": {},
        "rejected_by_code": {},
        "progress": done / items,
        "eta_s": None if done == items else 4.0,
    }
    view.update(extra)
    return view


class FakeClient:
    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.views: list[dict[str, Any] | BaseException] = []
        self.exports: list[tuple[str, str, Path | None]] = []
        self.error: ApiClientError | None = None
        self.keys: list[str | None] = []
        self.interrupt_at: int | None = None  # the upload (from 1) stopped by Ctrl-C
        self.server_max_parts = 1000
        self.rows: list[dict[str, Any]] = []  # every batch's export rows

    def __enter__(self) -> FakeClient:
        return self

    def __exit__(self, *_: object) -> None:
        pass

    def submit_batch(
        self,
        paths: Sequence[Path],
        names: Mapping[Path, str] | None = None,
        idempotency_key: str | None = None,
        **options: Any,
    ) -> dict[str, Any]:
        """Records each file by the name it is sent by, and the key it is sent with."""
        if self.interrupt_at == len(self.batches) + 1:
            raise KeyboardInterrupt
        if len(paths) > self.server_max_parts:
            raise ApiClientError(400, "too_many_parts", "at most 2 'file' parts")
        for path in paths:
            path.open("rb").close()  # as the real client opens every file
        self.batches.append([(names or {}).get(p, p.name) for p in paths])
        self.keys.append(idempotency_key)
        return {"id": f"bat_{len(self.batches)}"}

    def batch(self, batch_id: str) -> dict[str, Any]:
        item = self.views.pop(0) if len(self.views) > 1 else self.views[0]
        if isinstance(item, BaseException):
            raise item
        return {**item, "id": batch_id}

    def export_batch(self, batch_id: str, fmt: str, dest: Path | IO[bytes]) -> int:
        self.exports.append((batch_id, fmt, dest if isinstance(dest, Path) else None))
        if not isinstance(dest, Path):
            dest.write(b"item_index,status\r\n")
        return 19

    def result_rows(self, batch_id: str) -> Iterator[dict[str, Any]]:
        yield from self.rows

    def job(self, job_id: str) -> dict[str, Any]:
        if self.error:
            raise self.error
        return {"id": job_id, "results": {}}

    def submit(self, path: Path, name: str | None = None, **options: Any) -> dict[str, Any]:
        self.batches.append([name or path.name])
        return {"id": "job_1", "stages": ["stt", "llm", "tts"]}

    def wait(self, job_ids: Sequence[str], **_: Any) -> dict[str, dict[str, Any]]:
        raise KeyboardInterrupt


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClient]:
    client = FakeClient()
    client.views = [_view("bat_1", done=3)]
    monkeypatch.setattr(api.cli.batch_commands, "open_client", lambda url, key: client)
    monkeypatch.setattr(api.cli.progress, "POLL_S", 0.0)
    reset_settings_cache()
    yield client
    reset_settings_cache()


def _files(folder: Path, names: Sequence[str], size: int = 10) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / name for name in names]
    for path in paths:
        path.write_bytes(b"x" * size)
    return paths


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))
