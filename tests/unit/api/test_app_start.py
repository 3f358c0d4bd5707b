"""What the API loads as its server starts, so the first request does not pay for it."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from shared.language import known_names
from shared.settings import Settings
from tests.conftest import ValkeyProcess


def test_the_api_loads_the_known_names_as_it_starts_serving(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    # Before, the first review (or inbox page) that redacted a person's name loaded them.
    known_names._lists.cache_clear()
    app = create_app(Settings(data_dir=tmp_path, broker={"url": valkey.url}))
    assert not known_names.loaded()  # building the app (tests, the CLI) loads nothing

    with TestClient(app):
        for thread in threading.enumerate():
            if thread.name == "preload-names":
                thread.join(timeout=60)

    assert known_names._lists.cache_info().currsize == 1


def test_a_failure_to_preload_the_names_is_logged_and_left_to_the_first_request(
    tmp_path: Path, valkey: ValkeyProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Raised in the thread, it escaped as an unhandled thread exception: a warning pytest
    # pinned on whichever test ran when it came (once, tests/unit/test_readme.py).
    known_names._lists.cache_clear()
    escaped: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: escaped.append(args.exc_value))

    def broken() -> None:
        raise ImportError("cannot import name 'Provider' (most likely due to a circular import)")

    monkeypatch.setattr(known_names, "preload", broken)
    app = create_app(Settings(data_dir=tmp_path, broker={"url": valkey.url}))
    handler = _Kept()
    logging.getLogger("voicepipe.api").addHandler(handler)
    try:
        with TestClient(app):
            for thread in threading.enumerate():
                if thread.name == "preload-names":
                    thread.join(timeout=60)
    finally:
        logging.getLogger("voicepipe.api").removeHandler(handler)

    assert escaped == []
    assert any("known names" in record.getMessage() for record in handler.records)


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
