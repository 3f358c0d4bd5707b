"""The bench's bare chain really runs on kombu's own transport, and the stack's on ours.

In child processes: importing ``tests.bench.bare_celery`` changes which transport serves
redis:// URLs in the whole process, which must not leak into the tests around it.
"""

from __future__ import annotations

import subprocess
import sys

_TRANSPORT_OF = """
import {module} as m
print(type(m.app.connection_for_write().transport).__module__)
"""


def _transport_module(app_module: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _TRANSPORT_OF.format(module=app_module)],
        capture_output=True,
        text=True,
        check=True,
        env={"VOICEPIPE_BROKER": '{"url": "redis://127.0.0.1:1/0"}', "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    return done.stdout.strip()


def test_the_bare_chain_is_carried_by_kombus_own_redis_transport() -> None:
    assert _transport_module("tests.bench.bare_celery") == "kombu.transport.redis"


def test_the_stacks_workers_are_carried_by_voicepipes_transport() -> None:
    assert _transport_module("workers.app") == "shared.broker_transport"
