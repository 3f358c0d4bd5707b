"""What the operator's tools ask of GET /metrics, read from the files that configure them:
the Grafana dashboard's queries, Prometheus' scrape configuration and rules, README's list
of metrics, and the Redis lists KEDA scales the pools on. A scrape of a real stack is then
held against each (tests/integration/test_metrics_consumers.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.unit.infra.test_grafana_dashboard import dashboard, panels, series_and_labels

ROOT = Path(__file__).parents[2]
PROMETHEUS = ROOT / "infra" / "prometheus" / "prometheus.yml"
README = ROOT / "README.md"
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
# Prometheus' naming: base units, spelled out, at the end of the name (before _total).
UNIT_SUFFIXES = ("_seconds", "_bytes", "_ratio", "_messages", "_jobs")


@dataclass
class Scrape:
    """One parsed scrape: each family's type, and each sample name's label names and the
    values each label takes."""

    types: dict[str, str] = field(default_factory=dict)
    labels: dict[str, set[str]] = field(default_factory=dict)
    values: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> Scrape:
        scrape = cls()
        for family in text_string_to_metric_families(text):
            scrape.types[family.name] = family.type
            for sample in family.samples:
                scrape.labels.setdefault(sample.name, set()).update(sample.labels)
                seen = scrape.values.setdefault(sample.name, {})
                for label, value in sample.labels.items():
                    seen.setdefault(label, set()).add(value)
                scrape.samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
        return scrape

    def family_of(self, series: str) -> str | None:
        """The family a sample name belongs to (``x_total`` to counter ``x``, ``x_bucket``
        to histogram ``x``)."""
        if series in self.types:
            return series
        for suffix in ("_total", *HISTOGRAM_SUFFIXES):
            base = series.removesuffix(suffix)
            if base != series and base in self.types:
                return base
        return None

    def value(self, name: str, **labels: str) -> float:
        return self.samples.get((name, frozenset(labels.items())), 0.0)


def dashboard_queries() -> dict[str, str]:
    return {
        f"{panel['title']} / {target['refId']}": target["expr"]
        for panel in panels(dashboard())
        for target in panel.get("targets", [])
    }


def prometheus_rule_queries() -> dict[str, str]:
    """Every ``expr`` of the rule files prometheus.yml loads (none today)."""
    config = yaml.safe_load(PROMETHEUS.read_text())
    queries: dict[str, str] = {}
    for pattern in config.get("rule_files") or []:
        for path in sorted(PROMETHEUS.parent.glob(pattern)):
            for group in yaml.safe_load(path.read_text())["groups"]:
                for rule in group["rules"]:
                    name = rule.get("alert") or rule.get("record")
                    queries[f"{path.name} / {name}"] = rule["expr"]
    return queries


def scrape_paths() -> set[str]:
    config = yaml.safe_load(PROMETHEUS.read_text())
    return {job.get("metrics_path", "/metrics") for job in config["scrape_configs"]}


def matchers(expr: str) -> list[tuple[str, str, str]]:
    """(series, label, value) of every equality matcher in ``expr``."""
    found = []
    for series, inside in re.findall(r"([A-Za-z_:][\w:]*)\s*\{([^}]*)\}", expr):
        for label, value in re.findall(r'([A-Za-z_]\w*)\s*=\s*"([^"]*)"', inside):
            found.append((series, label, value))
    return found


def query_problems(expr: str, scrape: Scrape) -> list[str]:
    """What ``expr`` reads that the scrape does not serve: a series, a label on it, a
    label value it filters on, or a quantile over a series that is not a histogram's."""
    names, labels = series_and_labels(expr)
    found = [f"no series {name}" for name in sorted(names - scrape.labels.keys())]
    carried = set().union(*(scrape.labels.get(name, set()) for name in names))
    found += [f"label {label} is not on {sorted(names)}" for label in sorted(labels - carried)]
    for series, label, value in matchers(expr):
        if value not in scrape.values.get(series, {}).get(label, set()):
            found.append(f'{series} has no {label}="{value}"')
    for inner in re.findall(r"histogram_quantile\s*\(([^,]+),(.*)", expr):
        for name in series_and_labels(inner[1])[0] - {""}:
            family = scrape.family_of(name)
            if not name.endswith("_bucket") or scrape.types.get(family or "") != "histogram":
                found.append(f"histogram_quantile over {name}, not a histogram's buckets")
    return found


def readme_metrics() -> dict[str, set[str]]:
    """Each metric README names, with the labels it lists in braces."""
    text = README.read_text()
    listed: dict[str, set[str]] = {}
    for name, braces in re.findall(r"`(voicepipe_[a-z0-9_]+)(?:\{([^}`]*)\})?`", text):
        labels = {label.strip() for label in braces.split(",") if label.strip()}
        listed.setdefault(name, set()).update(labels)
    return listed


def exposed(scrape: Scrape) -> dict[str, set[str]]:
    """Each family as a query names it (a counter with _total), with its labels (a
    histogram's without ``le``)."""
    shown = {}
    for family, kind in scrape.types.items():
        name = f"{family}_total" if kind == "counter" else family
        sample = f"{family}_count" if kind == "histogram" else name
        shown[name] = scrape.labels.get(sample, set())
    return shown


def naming_problems(scrape: Scrape) -> list[str]:
    """Prometheus' conventions: voicepipe_ prefix, snake case, _total on counters and only
    on them, histograms named for their base unit."""
    found = []
    for family, kind in sorted(scrape.types.items()):
        if not re.fullmatch(r"voicepipe_[a-z][a-z0-9_]*", family):
            found.append(f"{family}: not voicepipe_snake_case")
        series = {name for name in scrape.labels if scrape.family_of(name) == family}
        if kind == "counter" and series - {f"{family}_total", f"{family}_created"}:
            found.append(f"{family}: a counter's samples must end in _total")
        if kind != "counter" and any(name.endswith("_total") for name in series | {family}):
            found.append(f"{family}: _total on a {kind}")
        if kind == "histogram" and not family.endswith(("_seconds", "_bytes")):
            found.append(f"{family}: a histogram named without its base unit")
        if re.search(r"_(milli|micro|nano)?(ms|us|millis|minutes|hours|kb|mb)(_|$)", family):
            found.append(f"{family}: not in base units")
    return found


def keda_lists(docs: list[dict[str, Any]]) -> dict[str, set[str]]:
    """The Redis lists each ScaledObject scales on, by scale target: its redis triggers'
    lists, only those whose trigger its scalingModifiers formula names when it has one (the
    HPA then sees the formula's value alone)."""
    lists: dict[str, set[str]] = {}
    for doc in docs:
        if doc.get("kind") != "ScaledObject":
            continue
        target = doc["spec"]["scaleTargetRef"]["name"]
        formula = doc["spec"].get("advanced", {}).get("scalingModifiers", {}).get("formula")
        counted = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", formula)) if formula else None
        for trigger in doc["spec"]["triggers"]:
            if trigger["type"] == "redis" and (counted is None or trigger["name"] in counted):
                lists.setdefault(target, set()).add(trigger["metadata"]["listName"])
    return lists


def stacked_sum(panel: dict[str, Any], scrape: Scrape) -> float:
    """The top of a stacked panel over one scrape (a single copy of each series, so ``max
    by`` is the series itself): its targets' samples summed, save the targets an override
    takes out of the stack."""
    unstacked = {
        override["matcher"]["options"]
        for override in panel["fieldConfig"].get("overrides", [])
        if override["matcher"]["id"] == "byFrameRefID"
        and {"id": "custom.stacking", "value": {"mode": "none"}} in override["properties"]
    }
    total = 0.0
    for target in panel["targets"]:
        if target["refId"] in unstacked:
            continue
        selector = re.fullmatch(r"max by \([\w, ]*\) \((\w+)(?:\{([^}]*)\})?\)", target["expr"])
        assert selector, f"not a plain selector: {target['expr']}"
        name, inside = selector[1], selector[2] or ""
        wanted = re.findall(r'(\w+)\s*(=|!=)\s*"([^"]*)"', inside)
        for (series, labels), value in scrape.samples.items():
            have = dict(labels)
            if series == name and all(
                (have.get(label) == v) == (op == "=") for label, op, v in wanted
            ):
                total += value
    return total
