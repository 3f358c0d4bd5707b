"""Whether the cluster would accept infra/k8s, and whether it names only what exists.

A manifest can be valid YAML and still be refused by `kubectl apply` (a misspelled field, a
number where KEDA wants a string), or be accepted and then fail at start-up (a command the
image does not have, a setting the code ignores). Each is checked offline here: Kubernetes
and KEDA schemas, every container's command, and every name in the ConfigMap and Secret.
"""

from __future__ import annotations

import copy

import pytest

from shared.queues import QUEUES
from tests.unit.infra.checks import command_problem, is_setting
from tests.unit.infra.manifests import (
    KUBERNETES_VERSIONS,
    TARGETS,
    Doc,
    containers,
    deployed_settings,
    keda_validator,
    kubernetes_errors,
    of_kind,
    of_kind_all,
    settings_env,
)


@pytest.mark.parametrize("target", TARGETS)
def test_every_kubernetes_object_passes_the_kubernetes_schemas_strictly(
    rendered: dict[str, list[Doc]], target: str
) -> None:
    docs = rendered[target]
    problems = [
        f"{doc['kind']}/{doc['metadata']['name']} (Kubernetes {version}): {error}"
        for doc in docs
        if doc["kind"] != "ScaledObject"
        for version in KUBERNETES_VERSIONS
        if (error := kubernetes_errors(doc, version))
    ]

    assert {d["kind"] for d in docs} >= {"Deployment", "Service", "HorizontalPodAutoscaler"}
    assert problems == []


def test_the_kubernetes_validation_refuses_a_misspelled_field(
    rendered: dict[str, list[Doc]],
) -> None:
    broken = copy.deepcopy(of_kind(rendered["base"], "Deployment")["voicepipe-api"])
    container = broken["spec"]["template"]["spec"]["containers"][0]
    container["comand"] = container.pop("command")

    error = kubernetes_errors(broken, KUBERNETES_VERSIONS[-1])

    assert error is not None
    assert "comand" in error


@pytest.mark.parametrize("target", TARGETS)
def test_every_scaled_object_passes_kedas_crd_schema(
    rendered: dict[str, list[Doc]], target: str
) -> None:
    validator = keda_validator()
    scaled = of_kind(rendered[target], "ScaledObject")

    problems = [
        f"{name}: {error.json_path}: {error.message}"
        for name, doc in scaled.items()
        for error in validator.iter_errors(doc)
    ]

    assert len(scaled) == len(QUEUES)
    assert problems == []
    for doc in scaled.values():  # a rule of KEDA's that the schema leaves to its webhook
        assert doc["spec"]["minReplicaCount"] <= doc["spec"]["maxReplicaCount"]


def test_kedas_schema_refuses_a_misspelled_field_and_a_number_for_a_string(
    rendered: dict[str, list[Doc]],
) -> None:
    validator = keda_validator()
    scaled = of_kind(rendered["base"], "ScaledObject")["voicepipe-worker-stt"]
    misspelled = copy.deepcopy(scaled)
    misspelled["spec"]["minReplicas"] = misspelled["spec"].pop("minReplicaCount")
    unquoted = copy.deepcopy(scaled)
    unquoted["spec"]["triggers"][0]["metadata"]["listLength"] = 4
    utilization = copy.deepcopy(scaled)  # a composite metric is an external one: no Utilization
    utilization["spec"]["advanced"]["scalingModifiers"]["metricType"] = "Utilization"

    assert list(validator.iter_errors(scaled)) == []
    assert any("minReplicas" in e.message for e in validator.iter_errors(misspelled))
    assert any("4 is not of type 'string'" in e.message for e in validator.iter_errors(unquoted))
    assert any(
        "'Utilization' is not one of" in e.message for e in validator.iter_errors(utilization)
    )


@pytest.mark.parametrize("target", TARGETS)
def test_every_container_runs_a_real_command(rendered: dict[str, list[Doc]], target: str) -> None:
    problems = {
        name: problem
        for name, container in containers(rendered[target])
        if (problem := command_problem([*container["command"], *container.get("args", [])]))
    }

    assert problems == {}


@pytest.mark.parametrize(
    "argv",
    [
        ["voicepipe", "worker", "transcribe"],
        ["voicepipe", "wroker", "stt"],
        ["voicepipe", "api", "--port", "8000"],
        ["voicepipe"],
        ["celery", "-A", "workers.app", "flower"],
        ["uvicorn", "--factory", "api.main:create_app"],
        ["python", "-m", "workers.sweeper"],
    ],
)
def test_a_command_the_image_does_not_have_is_refused(argv: list[str]) -> None:
    assert command_problem(argv) is not None


@pytest.mark.parametrize("target", TARGETS)
def test_the_configmap_and_secret_hold_only_real_settings_that_validate(
    rendered: dict[str, list[Doc]], target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = settings_env(of_kind_all(rendered["base"], rendered[target]))
    not_settings = {"REDIS_ADDRESS", "HOME"}  # KEDA's address; where libraries write

    unknown = sorted(n for n in env if n not in not_settings and not is_setting(n))
    settings = deployed_settings(env, monkeypatch)

    assert unknown == []
    assert settings.storage.backend == settings.imports.backend == "s3"  # /data is read-only
    assert not settings.broker.embedded
    assert not settings.auth.open_access


def test_a_misspelled_or_unknown_setting_is_caught() -> None:
    assert is_setting("VOICEPIPE_WORKERS__STT__SOFT_TIME_LIMIT_S")
    assert not is_setting("VOICEPIPE_WORKERS__STT__SOFT_LIMIT_S")
    assert not is_setting("VOICEPIPE_STORAGE_BACKEND")  # one underscore: ignored by Settings
