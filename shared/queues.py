"""Names of the queues and of the tasks that are not stages (no Celery import: cheap)."""

from __future__ import annotations

from shared.models import Stage

# Queues beside the three stages, each with its own pool: batch expansion (downloads and
# validation of batch items) and webhook deliveries. Their tasks are named
# "voicepipe.<queue>.<what>" and routed by that prefix.
INGEST = "ingest"
WEBHOOKS = "webhooks"
SIDE_QUEUES = (INGEST, WEBHOOKS)
QUEUES: tuple[str, ...] = (*(stage.value for stage in Stage), *SIDE_QUEUES)
INGEST_TASKS = {
    "plan": "voicepipe.ingest.plan",
    "chunk": "voicepipe.ingest.chunk",
    "cancel": "voicepipe.ingest.cancel",
    "retry": "voicepipe.ingest.retry",
    # Objects the API staged for a submission it then refused, and could not delete itself.
    "discard": "voicepipe.ingest.discard",
}
DELIVER_TASK = "voicepipe.webhooks.deliver"
