"""The Celery app as a worker runs it: the shared app plus every task module.

Workers start with ``celery -A workers.app worker -Q <queue>``. The API and Flower use
``shared.celery_app`` alone: they send and watch tasks by name and never import this.
"""

from __future__ import annotations

from shared.celery_app import app
from workers import ingest, llm, stt, tts, webhooks

TASK_MODULES = (stt, llm, tts, ingest, webhooks)

__all__ = ["TASK_MODULES", "app"]
