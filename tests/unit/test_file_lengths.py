"""The house rule that keeps modules small: a Python file is split before it reaches 400
lines. Checked here because three test files had grown past it unnoticed."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).parents[2]
LIMIT = 400
PACKAGES = ("api", "workers", "shared", "tests")


def test_no_python_file_of_ours_reaches_400_lines() -> None:
    too_long = {
        str(path.relative_to(ROOT)): count
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if (count := len(path.read_text(encoding="utf-8").splitlines())) >= LIMIT
    }

    assert too_long == {}, f"split these before they grow further: {too_long}"
