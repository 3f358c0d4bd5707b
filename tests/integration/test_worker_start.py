"""Process-pool workers load their stage's offline model as each child starts."""

from __future__ import annotations

import time

import pytest

from tests.integration.conftest import RunningStack

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("stage", ["stt", "tts"])
def test_a_prefork_child_loads_its_model_before_its_first_job(
    running_stack: RunningStack, stage: str
) -> None:
    log = running_stack.stack.logs_dir / f"worker-{stage}.log"
    wanted = f"{stage} provider 'local' loaded at worker start"
    deadline = time.monotonic() + 60
    while wanted not in log.read_text(errors="replace"):
        assert time.monotonic() < deadline, f"{log} never said {wanted!r}"
        time.sleep(0.5)

    assert "preloading the" not in log.read_text(errors="replace")
