"""/docs renders in a real browser with the internet out of reach.

Chromium (the Debian package) is started headless with every host name but 127.0.0.1
unresolvable, loads the running stack's /docs, lets its scripts run, and the rendered page
must list the API's operations. FastAPI's default page loads Swagger UI from a CDN and
renders no operation at all this way. Where Chromium is missing the test is skipped with the
reason, except in CI (`CI=true`), which installs it (.ci/run) and must run it.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.chromium import chromium
from tests.integration.conftest import RunningStack

pytestmark = pytest.mark.integration


def rendered(url: str, profile: Path) -> str:
    """The page's DOM after its scripts ran, with only loopback reachable."""
    command = [
        chromium("to render /docs with"),
        "--headless",
        "--no-sandbox",  # root in containers; the page is our own
        "--disable-gpu",
        f"--user-data-dir={profile}",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        # Virtual time runs the page's scripts and timers to completion, then dumps.
        "--virtual-time-budget=15000",
        "--dump-dom",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def test_the_api_docs_render_their_operations_without_internet_access(
    running_stack: RunningStack, tmp_path: Path
) -> None:
    dom = rendered(f"{running_stack.settings.api.base_url}/docs", tmp_path / "profile")

    paths = set(re.findall(r'class="opblock-summary-path" data-path="([^"]+)"', dom))
    assert {"/v1/jobs", "/v1/jobs/{job_id}", "/v1/batches"} <= paths
    assert len(paths) >= 10


def test_the_docs_pages_load_nothing_from_other_hosts(running_stack: RunningStack) -> None:
    for page in ("/docs", "/redoc"):
        html = running_stack.http.get(page).text

        assets = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert assets, page
        assert not [a for a in assets if "://" in a], page
