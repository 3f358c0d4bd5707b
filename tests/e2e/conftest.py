"""End-to-end tests run the `voicepipe` command the way a person does."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import free_port


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a `voicepipe` process with its own data dir and free ports."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOICEPIPE_")}
    env.update(
        {
            "VOICEPIPE_DATA_DIR": str(tmp_path / "data"),
            "VOICEPIPE_BROKER__URL": f"redis://127.0.0.1:{free_port()}/0",
            "VOICEPIPE_API__PORT": str(free_port()),
            "VOICEPIPE_FLOWER__PORT": str(free_port()),
        }
    )
    return env


@pytest.fixture
def voicepipe_bin() -> str:
    found = shutil.which("voicepipe", path=str(Path(os.sys.executable).parent))
    assert found, "the voicepipe console script is not installed in this environment"
    return found
