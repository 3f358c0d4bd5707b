"""Whether the rendered cluster behaves as the code and the measurements need.

The schemas accept manifests that would still fail in service: a pool KEDA cannot see the
backlog of, a worker killed mid-task, a pod OOM-killed below the memory it was measured at,
two sweepers at once, an open Flower, a selector that finds nothing, a dev Secret in prod.
These tests tie each of those to the code (queues, priority lists, time limits, health
routes) or to the README's measurements.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlparse

import pytest

from api.routes.health import router as health_router
from shared.queue_depth import priority_lists
from shared.queues import QUEUES
from tests.unit.infra.manifests import (
    MEASURED_RSS,
    TARGETS,
    Doc,
    MiB,
    containers,
    deployed_settings,
    mebibytes,
    of_kind,
    of_kind_all,
    pool_deployment,
    running,
    scalers,
    settings_env,
)


@pytest.mark.parametrize("queue", QUEUES)
def test_each_pool_is_scaled_by_keda_on_every_priority_list_of_its_queue(
    rendered: dict[str, list[Doc]], queue: str
) -> None:
    docs = rendered["base"]
    deployment = pool_deployment(docs, queue)
    (scaled,) = [
        s
        for s in of_kind(docs, "ScaledObject").values()
        if s["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    ]
    triggers = scaled["spec"]["triggers"]
    broker = urlparse(settings_env(docs)["VOICEPIPE_BROKER__URL"])

    # kombu's lists for priorities 0, 3, 6 and 9, as /metrics counts them.
    assert [t["metadata"]["listName"] for t in triggers] == priority_lists(queue)
    assert priority_lists(queue)[1] == f"{queue}\x06\x163"
    for trigger in triggers:
        assert trigger["type"] == "redis"
        assert trigger["metadata"]["addressFromEnv"] == "REDIS_ADDRESS"
        assert trigger["metadata"]["databaseIndex"] == broker.path.strip("/")
    assert settings_env(docs)["REDIS_ADDRESS"] == f"{broker.hostname}:{broker.port}"
    # Never to zero: /readyz wants a live worker in every pool, and the webhooks pool's
    # relay must run for retries to go out.
    assert scaled["spec"]["minReplicaCount"] >= 1
    assert "replicas" not in deployment["spec"]  # KEDA owns the count


# An expr identifier: KEDA compiles the formula with the trigger names as its variables, so
# a name like `stt-priority-3` would read as a subtraction and the webhook refuse the object.
EXPR_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@pytest.mark.parametrize("target", TARGETS)
def test_each_pool_scales_on_the_sum_of_its_queues_priority_lists_not_the_longest(
    rendered: dict[str, list[Doc]], target: str
) -> None:
    # Without a formula the HPA takes the largest trigger: single jobs (priority 0) and batch
    # jobs (9) waiting together would count as the longer list alone.
    problems: dict[str, str] = {}
    summed: set[str] = set()
    for name, scaled in of_kind(rendered[target], "ScaledObject").items():
        triggers = scaled["spec"]["triggers"]
        lists = sorted(t["metadata"].get("listName", "") for t in triggers)
        if not any(lists == sorted(priority_lists(q)) for q in QUEUES):
            continue
        summed.add(name)
        modifiers = scaled["spec"].get("advanced", {}).get("scalingModifiers", {})
        terms = sorted(term.strip() for term in modifiers.get("formula", "").split("+"))
        names = sorted(t.get("name", "") for t in triggers)
        per_pod = {t["metadata"]["listLength"] for t in triggers}
        if terms != names or len(set(names)) != len(names):
            problems[name] = f"formula {modifiers.get('formula')!r} for triggers {names}"
        elif not all(EXPR_IDENTIFIER.fullmatch(n) for n in names):
            problems[name] = f"trigger names {names} are not all expr identifiers"
        elif len(per_pod) != 1 or modifiers.get("target") not in per_pod or per_pod == {"0"}:
            problems[name] = f"target {modifiers.get('target')!r}, listLengths {per_pod}"
        elif modifiers.get("metricType", "AverageValue") != "AverageValue":
            problems[name] = f"metricType {modifiers['metricType']!r}: the sum is per pod"

    assert len(summed) == len(QUEUES)
    assert problems == {}


@pytest.mark.parametrize("target", TARGETS)
def test_each_pool_may_finish_its_running_task_before_it_is_killed(
    rendered: dict[str, list[Doc]], target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = rendered[target]
    settings = deployed_settings(settings_env(of_kind_all(rendered["base"], docs)), monkeypatch)

    for queue in QUEUES:
        pool = getattr(settings.workers, queue)
        grace = pool_deployment(docs, queue)["spec"]["template"]["spec"][
            "terminationGracePeriodSeconds"
        ]
        assert grace > pool.soft_time_limit_s, queue
        assert grace > pool.time_limit_s, queue


@pytest.mark.parametrize("target", TARGETS)
def test_every_container_reads_the_settings_and_runs_as_a_locked_down_non_root_user(
    rendered: dict[str, list[Doc]], target: str
) -> None:
    docs = rendered[target]
    (config,) = of_kind(docs, "ConfigMap")

    for name, deployment in of_kind(docs, "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] == 10001, name  # the image's user
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert pod["automountServiceAccountToken"] is False, name
        volumes = {v["name"]: v for v in pod["volumes"]}
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["runAsNonRoot"] is True, name
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["capabilities"] == {"drop": ["ALL"]}, name
            assert security["seccompProfile"] == {"type": "RuntimeDefault"}, name
            (tmp,) = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]
            assert "emptyDir" in volumes[tmp["name"]], name
            assert container["envFrom"] == [
                {"configMapRef": {"name": config}},
                {"secretRef": {"name": "voicepipe-secrets"}},
            ], name


@pytest.mark.parametrize("target", TARGETS)
def test_every_container_has_requests_and_a_memory_limit_above_what_it_was_measured_at(
    rendered: dict[str, list[Doc]], target: str
) -> None:
    docs = rendered[target]
    for name, container in containers(docs):
        resources = container["resources"]
        assert {"cpu", "memory"} <= set(resources["requests"]), name
        assert "memory" in resources["limits"], name
        assert mebibytes(resources["limits"]["memory"]) >= mebibytes(
            resources["requests"]["memory"]
        )
    for queue, rss in MEASURED_RSS.items():
        limits = pool_deployment(docs, queue)["spec"]["template"]["spec"]["containers"][0][
            "resources"
        ]["limits"]
        assert mebibytes(limits["memory"]) * MiB > rss, queue


def test_the_api_is_probed_on_its_real_health_routes_and_scaled_on_cpu(
    rendered: dict[str, list[Doc]],
) -> None:
    docs = rendered["base"]
    api = of_kind(docs, "Deployment")["voicepipe-api"]
    (container,) = api["spec"]["template"]["spec"]["containers"]
    routes = {getattr(route, "path", None) for route in health_router.routes}
    (hpa,) = of_kind(docs, "HorizontalPodAutoscaler").values()

    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert {"/readyz", "/healthz"} <= routes
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"]["name"] == "voicepipe-api"
    assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"]


def test_exactly_one_sweeper_runs_and_a_rollout_stops_it_before_starting_the_next(
    rendered: dict[str, list[Doc]],
) -> None:
    for docs in rendered.values():
        sweeper = running(docs, ["voicepipe", "sweeper"])
        scaled = {s["spec"]["scaleTargetRef"]["name"] for s in scalers(docs)}

        assert sweeper["spec"]["replicas"] == 1
        assert sweeper["spec"]["strategy"] == {"type": "Recreate"}
        assert sweeper["metadata"]["name"] not in scaled


def test_flower_takes_its_basic_auth_from_a_secret_and_stays_inside_the_cluster(
    rendered: dict[str, list[Doc]],
) -> None:
    docs = rendered["base"]
    flower = of_kind(docs, "Deployment")["voicepipe-flower"]
    (container,) = flower["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e for e in container["env"]}
    service = of_kind(docs, "Service")["voicepipe-flower"]

    assert container["command"] == ["voicepipe", "flower"]
    assert env["FLOWER_BASIC_AUTH"]["valueFrom"]["secretKeyRef"]["name"] == "voicepipe-flower"
    user, _, password = of_kind(docs, "Secret")["voicepipe-flower"]["stringData"][
        "FLOWER_BASIC_AUTH"
    ].partition(":")
    assert user
    assert len(password) >= 12
    assert service["spec"].get("type", "ClusterIP") == "ClusterIP"


@pytest.mark.parametrize("target", TARGETS)
def test_every_selector_and_reference_finds_a_rendered_object(
    rendered: dict[str, list[Doc]], target: str
) -> None:
    docs = rendered[target]
    deployments = of_kind(docs, "Deployment")
    pod_labels = [d["spec"]["template"]["metadata"]["labels"] for d in deployments.values()]

    def selects(selector: Mapping[str, str]) -> int:
        return sum(1 for labels in pod_labels if selector.items() <= labels.items())

    for deployment in deployments.values():
        assert selects(deployment["spec"]["selector"]["matchLabels"]) == 1
    for service in of_kind(docs, "Service").values():
        assert selects(service["spec"]["selector"]) == 1
    budgets = of_kind(docs, "PodDisruptionBudget")
    for budget in budgets.values():
        assert selects(budget["spec"]["selector"]["matchLabels"]) == 1
    # A budget for the API and every pool; one at a time, so a one-pod install still drains.
    assert set(budgets) == {"voicepipe-api", *(f"voicepipe-worker-{q}" for q in QUEUES)}
    assert {b["spec"]["maxUnavailable"] for b in budgets.values()} == {1}
    for scaler in scalers(docs):
        assert scaler["spec"]["scaleTargetRef"]["name"] in deployments


def test_dev_runs_one_pod_of_everything_and_prod_runs_more_of_a_pinned_image(
    rendered: dict[str, list[Doc]],
) -> None:
    def minimums(docs: list[Doc]) -> dict[str, int]:
        return {
            **{n: s["spec"]["minReplicaCount"] for n, s in of_kind(docs, "ScaledObject").items()},
            **{
                n: h["spec"]["minReplicas"]
                for n, h in of_kind(docs, "HorizontalPodAutoscaler").items()
            },
        }

    dev, prod = rendered["overlays/dev"], rendered["overlays/prod"]
    images = {c["image"] for _, c in containers(prod)}

    assert set(minimums(dev).values()) == {1}
    assert all(d["spec"].get("replicas", 1) == 1 for d in of_kind(dev, "Deployment").values())
    assert minimums(prod)["voicepipe-api"] >= 2
    assert sum(minimums(prod).values()) > sum(minimums(dev).values())
    assert len(images) == 1
    (image,) = images
    assert ":" in image
    assert not image.endswith(":latest")
    # Development Secrets never reach production: there they are created out of band.
    assert of_kind(prod, "Secret") == {}
    assert of_kind(dev, "Secret").keys() == {"voicepipe-secrets", "voicepipe-flower"}
