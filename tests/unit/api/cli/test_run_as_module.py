"""`python -m api.cli` runs the same command line as the `voicepipe` entry point, for a
checkout or an image where the script is not on PATH."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]


def test_python_dash_m_api_cli_is_the_voicepipe_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "status", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "Usage: voicepipe status" in done.stdout
