"""docker-compose.yml checked offline: against the Compose specification's schema (vendored
by check-jsonschema), and its commands and settings against the code."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from api.metrics import router as metrics_router
from shared.queues import QUEUES
from tests.unit.infra.checks import command_problem, is_setting

ROOT = Path(__file__).parents[3]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "infra" / "Dockerfile"


def schema_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )


def services() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = yaml.safe_load(COMPOSE.read_text())["services"]
    return found


def image_command() -> list[str]:
    """The image's CMD: what a service without a command of its own runs."""
    (line,) = [line for line in DOCKERFILE.read_text().splitlines() if line.startswith("CMD ")]
    command: list[str] = json.loads(line.removeprefix("CMD "))
    return command


def test_the_compose_file_follows_the_compose_specification() -> None:
    result = schema_check(COMPOSE)

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_compose_schema_refuses_a_misspelled_service_key(tmp_path: Path) -> None:
    broken = tmp_path / "docker-compose.yml"
    text = COMPOSE.read_text()
    broken.write_text(re.sub(r"^(\s+)command:", r"\1comand:", text, count=1, flags=re.M))

    result = schema_check(broken)

    assert result.returncode != 0
    assert "comand" in result.stdout


def test_every_voicepipe_container_runs_a_real_command() -> None:
    ours = {name: s for name, s in services().items() if s.get("image") == "voicepipe:latest"}

    problems = {
        name: problem
        for name, service in ours.items()
        if (problem := command_problem(service.get("command", image_command())))
    }

    assert set(ours) >= {"api", "sweeper", "flower", *(f"worker-{q}" for q in QUEUES)}
    assert problems == {}


def test_each_queue_has_its_own_worker_service() -> None:
    commands = [s.get("command") for s in services().values()]

    for queue in QUEUES:
        assert commands.count(["voicepipe", "worker", queue]) == 1, queue


def test_the_environment_names_only_real_settings() -> None:
    names = {
        name
        for service in services().values()
        if service.get("image") == "voicepipe:latest"
        for name in service.get("environment", {})
        if name.startswith("VOICEPIPE_")
    }

    assert "VOICEPIPE_BROKER__URL" in names
    assert sorted(n for n in names if not is_setting(n)) == []


def test_prometheus_is_pointed_at_the_apis_metrics_route() -> None:
    labels = services()["api"]["labels"]
    routes = {getattr(route, "path", None) for route in metrics_router.routes}

    assert labels["prometheus.io/scrape"] == "true"
    assert labels["prometheus.io/path"] in routes
    assert f"{labels['prometheus.io/port']}:" in " ".join(services()["api"]["ports"])


def test_the_compose_prometheus_scrapes_the_api_services_metrics_route() -> None:
    prometheus = services()["prometheus"]
    host_path, mounted = prometheus["volumes"][0].split(":")[:2]
    config = yaml.safe_load((ROOT / host_path).read_text())
    (job,) = config["scrape_configs"]
    routes = {getattr(route, "path", None) for route in metrics_router.routes}
    api_port = services()["api"]["ports"][0].split(":")[-1]

    assert f"--config.file={mounted}" in prometheus["command"]
    assert job["metrics_path"] in routes
    assert job["static_configs"][0]["targets"] == [f"api:{api_port}"]


def test_flower_refuses_to_start_without_basic_auth() -> None:
    # `${VAR:?message}`: compose stops with the message when the variable is unset.
    assert services()["flower"]["environment"]["FLOWER_BASIC_AUTH"].startswith(
        "${FLOWER_BASIC_AUTH:?"
    )
