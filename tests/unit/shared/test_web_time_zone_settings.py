"""web.time_zone names a zone from the tzdata package, not only from the system's zone files:
a slim container may have no /usr/share/zoneinfo, and the setting would stop start-up."""

from __future__ import annotations

import tomllib
import zoneinfo
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def no_system_zones() -> Iterator[None]:
    zoneinfo.reset_tzpath(to=[])
    zoneinfo.ZoneInfo.clear_cache()
    yield
    zoneinfo.reset_tzpath()
    zoneinfo.ZoneInfo.clear_cache()


def test_a_zone_is_known_on_a_machine_without_system_zone_files(no_system_zones: None) -> None:
    assert Settings(web={"time_zone": "Europe/London"}).web.zone.key == "Europe/London"


def test_tzdata_is_a_runtime_dependency_pinned_in_the_constraints() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert any(d.startswith("tzdata") for d in project["dependencies"])
    pins = (ROOT / "constraints.txt").read_text().splitlines()
    assert any(line.startswith("tzdata==") for line in pins)
