"""The rendered manifests, shared by every manifest test in this folder.

Rendering runs kustomize once per target; module scope keeps that to once per test file
rather than once per test.
"""

from __future__ import annotations

import pytest

from tests.unit.infra.manifests import TARGETS, Doc, render


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Doc]]:
    home = tmp_path_factory.mktemp("home")
    return {target: render(target, home) for target in TARGETS}
