"""Debian's Chromium for the browser tests (/docs and the inbox): found on the PATH, or the
test is skipped with the reason, except in CI (`CI=true`), which installs it (.ci/run) and
must run these tests."""

from __future__ import annotations

import os
import shutil

import pytest

_BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def chromium(purpose: str) -> str:
    """The browser's path; ``purpose`` says in the skip reason what it was wanted for."""
    for name in _BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    reason = f"no Chromium {purpose}: apt-get install chromium"
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run these tests; .ci/run installs it)")
    pytest.skip(reason)
