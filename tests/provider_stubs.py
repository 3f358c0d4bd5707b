"""Put a test's own provider in the catalog for the length of a test."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

from shared import provider_catalog as catalog
from shared.provider_catalog import ProviderSpec, Work
from workers.providers import registry


@contextmanager
def registered(spec: ProviderSpec) -> Iterator[ProviderSpec]:
    """``spec`` in the catalog (replacing a provider of the same name) until the end."""
    before = catalog.spec(spec.stage, spec.name)
    catalog.register(spec)
    registry.clear_instances()
    try:
        yield spec
    finally:
        catalog.unregister(spec.stage, spec.name)
        if before is not None:
            catalog.register(before)
        registry.clear_instances()


def stub(stage: str, name: str, implementation: str) -> ProviderSpec:
    """A line for a stub built with no arguments: an existing provider's requirements, or none."""
    existing = catalog.spec(stage, name)
    if existing is not None:
        return dataclasses.replace(existing, implementation=implementation, sections=(), modules=())
    return ProviderSpec(stage, name, implementation, Work.CPU)
