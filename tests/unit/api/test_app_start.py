"""What the API loads as its server starts, so the first request does not pay for it."""

from __future__ import annotations

import threading
from pathlib import Path

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
