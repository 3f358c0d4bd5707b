"""What Celery is handed when a task raises: never an exception's text that may quote a
transcript, a reply or a key (shared.exception_text's rule).

Celery tells a task's exception in three places we do not format: its "Task … raised
unexpected: <repr>" log line (the repr in the message, the whole traceback in the record's
``data``), the ``task-failed`` / ``task-retried`` events Flower shows (the repr, and the
traceback with every exception of its chain), and the result backend. So every task of the
app is a :class:`QuietTask`: an exception of a kind whose text is not told is logged here
(frames and kind, under a reference) and Celery gets :class:`UnexpectedTaskError` naming
its kind and that reference instead; one whose kind is told (ours, Celery's Retry, Ignore,
Reject) is passed on with any untold exception cut from its chain and from a Retry's cause.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from celery.exceptions import Retry

from shared.exception_text import kind, reference, told

log = logging.getLogger("voicepipe.task")
# Set by logged_as on an exception the task logged itself.
_LOGGED_AS = "_voicepipe_logged_as"


class UnexpectedTaskError(Exception):
    """What Celery logs, stores and sends to Flower for a task's untold exception."""


def _quoted(exc: BaseException) -> bool:
    """Whether ``exc`` or any exception of its chain has text that may not be told."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if not told(current):
            return True
        cause = current.exc if isinstance(current, Retry) else None
        if isinstance(cause, BaseException) and not told(cause):
            return True
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return False


def logged_as(exc: BaseException, ref: str) -> None:
    """Note that the task logged ``exc``'s traceback under ``ref`` as it handled it, so that
    a Retry raised from it is not logged with that traceback again (ingest's chunk logs each
    item that failed, then retries)."""
    setattr(exc, _LOGGED_AS, ref)


def _logged_under(exc: BaseException) -> str | None:
    """The reference the task logged the untold part of ``exc``'s chain under, if it logged
    all of it."""
    refs: list[str | None] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        cause = current.exc if isinstance(current, Retry) else None
        for part in (current, cause):
            if isinstance(part, BaseException) and not told(part):
                refs.append(getattr(part, _LOGGED_AS, None))
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return refs[0] if refs and None not in refs else None


def quiet(task_name: str, exc: BaseException) -> BaseException:
    """What Celery may be handed for ``exc``, raised by the task ``task_name``: ``exc``
    itself when nothing in it is untold, else the untold part logged and left out."""
    if not _quoted(exc):
        return exc
    retry = isinstance(exc, Retry)
    # A retry is not an error (the task runs again): a warning, and no second traceback
    # for a cause the task logged itself, only the reference of its line.
    earlier = _logged_under(exc) if retry else None
    ref = earlier or reference()
    cause = exc.exc if isinstance(exc, Retry) else None
    if isinstance(exc, Retry) and isinstance(cause, BaseException) and not told(cause):
        # Retry's str (this log line's, Celery's "retry:" line) and its pickle carry the
        # cause's repr: its kind and the reference instead, and the cause logged on its own.
        exc.exc, exc.excs = None, f"{kind(cause)} (reference {ref})"
        exc.args = (exc.message, exc.excs, exc.when)  # its repr, in the task-retried event
        if earlier is None:
            log.warning("task %s: the retry's cause (reference %s)", task_name, ref, exc_info=cause)
    if earlier is not None:
        log.warning(
            "task %s will be retried; its cause is logged under reference %s", task_name, ref
        )
    elif retry:
        log.warning("task %s raised %s (reference %s)", task_name, kind(exc), ref, exc_info=exc)
    else:
        log.error("task %s raised %s (reference %s)", task_name, kind(exc), ref, exc_info=exc)
    if not told(exc):
        return UnexpectedTaskError(
            f"an unexpected {kind(exc)} in task {task_name} (its text is not shown, as it may "
            f"quote a recording's words, a reply or a key; the worker's log has its traceback "
            f"under reference {ref})"
        )
    # The chain is in the log; the event's traceback would print it whole.
    exc.__cause__, exc.__context__, exc.__suppress_context__ = None, None, True
    return exc


class QuietTask(Task):  # type: ignore[misc]
    """Every task of the app (``Celery(task_cls=…)``): what it raises passes :func:`quiet`
    before Celery's tracer logs it, stores it or sends it in an event."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except Exception as exc:
            handed = quiet(self.name, exc)
            if handed is exc:
                raise
            raise handed from None
