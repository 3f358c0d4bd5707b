"""The Celery app of the pipeline bench's bare chain: the stack's configuration (JSON, acks
late, prefetch, task events sent as the stack sends them), on kombu's own Redis transport.

Why not VoicePipe's transport (``shared.broker_transport``): it builds one redis client per
connection pool where kombu builds one per command, which takes ~0.1 ms of CPU off every
message's delivery, ack and publish. That is VoicePipe's work on Celery's part of the path,
so a chain on it is no longer bare Celery. In one run of ``make bench ONLY=pipeline``, 5
rounds alternated, the chain carried 394 chains/s (median; 371-415) on the stack's workers
and our transport against 339 (284-349) here, faster in every round. The stack's workers
keep our transport; the bare chain runs in three workers of its own (``bare-stt``,
``bare-llm``, ``bare-tts``) with the stack's pools, started by ``tests/bench/pipeline.py``,
and the bench reports the chain on our transport beside it.

Start a worker with ``celery -A tests.bench.bare_celery worker -Q bare-stt ...``.
"""

from __future__ import annotations

import kombu.transport
from kombu.transport import redis as kombu_redis

from shared import broker_transport
from shared.celery_app import create_celery
from shared.settings import get_settings

# shared.celery_app installed VoicePipe's transport for redis:// on import; put kombu's back
# before anything connects (kombu resolves the URL's scheme when a connection is made).
for _scheme in broker_transport.SCHEMES:
    kombu.transport.TRANSPORT_ALIASES[_scheme] = f"{kombu_redis.__name__}:Transport"
    kombu.transport._transport_cache.pop(_scheme, None)

app = create_celery(get_settings())

# The chain's tasks (and the hop marks) bind to this app.
from tests.bench import instant  # noqa: E402

__all__ = ["app", "instant"]
