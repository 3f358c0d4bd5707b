"""The API app in this process against a real Valkey, for route tests that need a store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.deps import Services
from api.main import create_app
from shared.settings import Settings
from tests.conftest import ValkeyProcess


def app_client(tmp_path: Path, valkey: ValkeyProcess, **settings: Any) -> TestClient:
    """A client of the app with its objects under ``tmp_path``; ``settings`` as Settings'."""
    return TestClient(
        create_app(
            Settings(
                data_dir=tmp_path,
                broker={"url": valkey.url},
                storage={"local_dir": tmp_path / "objects"},
                **settings,
            )
        )
    )


def services_of(http: TestClient) -> Services:
    services: Services = http.app.state.services  # type: ignore[attr-defined]
    return services
