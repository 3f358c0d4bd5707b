"""Webhook deliveries (queue ``webhooks``): one signed POST per task, and the relay.

Why a relay and not Celery countdowns: a retry schedule runs up to a day, far beyond the
broker's visibility timeout (1 h). Redis-transport messages with an ETA that long are
redelivered to a second worker while the first still holds them, so they would run twice;
and the ETA messages a killed worker held come back only after that timeout. So the due
time of every event lives in Redis (``DUE``, a sorted set), and the relay, a thread in each
worker consuming ``webhooks``, claims due ids and sends one short-lived task per id. A claim
pushes the id's score to now + ``lease_s``: a worker that dies mid-delivery leaves the id due
again after the lease, with nothing to wait for at the broker. A task that is late, duplicated
or redelivered is harmless: a per-delivery lock keeps two deliveries of one id apart, and a
delivery that is no longer pending or not yet due is skipped.

Every attempt of an event sends the same body under the same ``webhook-id`` (the receiver's
idempotency key), signed afresh with the attempt's timestamp.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from email.utils import parsedate_to_datetime
from typing import Any, Literal

import httpx
from celery import Task, bootsteps, shared_task
from celery.exceptions import SoftTimeLimitExceeded

from shared.exception_text import kind, reference
from shared.fetch_address_policy import AddressPolicy, FetchRefused
from shared.logging import log_context
from shared.metrics_store import MetricsStore
from shared.models import utcnow
from shared.queues import DELIVER_TASK, WEBHOOKS
from shared.redis_keys import connect
from shared.safe_fetch import USER_AGENT, PostResult, post
from shared.settings import Settings, get_settings
from shared.webhook_models import DeliveryAttempt, WebhookDelivery
from shared.webhook_signing import signature_headers
from shared.webhook_store import WebhookStore

log = logging.getLogger("voicepipe.webhooks")

Outcome = Literal["delivered", "disabled", "retry", "failed"]
MAX_RETRY_AFTER_S = 86400.0
# A message may run a little before its due time by another host's clock; more than this
# and it is a stale duplicate (its attempt was already made and rescheduled).
_EARLY_SLACK_S = 0.5
_CLAIM_BATCH = 200
_RETRYABLE_CODES = frozenset({"download_timeout", "download_failed", "internal"})

_store_cache: tuple[int, WebhookStore] | None = None


def _store() -> WebhookStore:
    global _store_cache
    # One client per process: a prefork child must not share its parent's sockets.
    if _store_cache is None or _store_cache[0] != os.getpid():
        settings = get_settings()
        client = connect(settings.broker.url)
        _store_cache = (os.getpid(), WebhookStore(client, settings.webhooks.keep_records_s))
    return _store_cache[1]


def outcome(status: int | None, code: str | None) -> Outcome:
    """What an attempt's answer (or the code of its failure) means for the event."""
    if status is None:
        return "retry" if code in _RETRYABLE_CODES else "failed"
    if 200 <= status < 300:
        return "delivered"
    if status == 410:
        return "disabled"
    if status in (408, 429) or status >= 500:
        return "retry"
    return "failed"


def _where_to(location: str) -> str:
    """Where a redirect points, as the record may show it: printable, bounded, and without
    its user, password, query or fragment, where a signed URL or a token may sit (the record
    is kept for days and shown to API callers)."""
    said = "".join(c for c in location if c.isprintable()).strip()
    try:
        url = httpx.URL(said)
    except (httpx.InvalidURL, ValueError):
        return ""
    if not url.scheme or not url.host:
        return url.path[:200] if said.startswith("/") else ""
    return str(url.copy_with(userinfo=b"", query=None, fragment=None))[:200]


def answer_error(status: int, headers: dict[str, str]) -> str:
    """What a non-2xx answer means, for the attempt's record: a developer reading it learns
    why the event stopped and what to change. Never the receiver's body, which may echo the
    event (the record is kept for days)."""
    error = f"HTTP {status}"
    if 300 <= status < 400:
        where = _where_to(headers.get("location", ""))
        where = f" ({where})" if where else ""
        return (
            f"{error}: redirects are not followed, so the event is not sent again; set the "
            f"callback URL to the address the receiver redirects to{where}"
        )
    if status == 410:
        return (
            f"{error}: the receiver retired this URL; no events go to it until "
            "DELETE /v1/webhooks/disabled?url= turns it back on"
        )
    if 400 <= status < 500 and status not in (408, 429):
        return (
            f"{error}: the receiver refused the event, which is not sent again (only 408, "
            "429 and 5xx are retried); a 400, 401 or 403 is often its signature check failing: "
            "check its secret and that it verifies the body as received"
        )
    return error


def retry_after_s(value: str | None, now: float) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta seconds or an HTTP date)."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)


def next_delay(
    attempts_made: int, schedule: list[float], retry_after: float | None
) -> float | None:
    """The wait before the next attempt, or None when the schedule is used up. A
    ``Retry-After`` is a floor, capped so one answer cannot park an event for longer than a day."""
    if attempts_made >= len(schedule):
        return None
    floor = min(retry_after or 0.0, MAX_RETRY_AFTER_S)
    return max(schedule[attempts_made], floor)


def _not_sent(delivery: WebhookDelivery, state: Literal["failed", "disabled"], why: str) -> None:
    # Recorded as an attempt without a status so the client sees why nothing arrived.
    delivery.attempts.append(DeliveryAttempt(at=utcnow(), error=f"not sent: {why}"))
    delivery.state = state
    log.warning("webhook %s (%s): %s, not sent: %s", delivery.id, delivery.type, state, why)


def attempt(delivery: WebhookDelivery, store: WebhookStore, settings: Settings) -> Outcome:
    """Make one attempt of a pending delivery and store what follows from it."""
    if store.is_disabled(delivery.tenant, delivery.url):
        _not_sent(delivery, "disabled", "the endpoint answered 410 Gone to an earlier event")
        store.finish(delivery)
        return "disabled"
    secrets = settings.webhooks.tenant_secrets(delivery.tenant)
    if not secrets:
        why = (
            f"no webhook signing secret is configured for tenant {delivery.tenant!r} "
            "(VOICEPIPE_WEBHOOKS__SECRETS; `voicepipe webhooks secret` makes one)"
        )
        _not_sent(delivery, "failed", why)
        store.finish(delivery)
        return "failed"
    body = delivery.body(settings.api.base_url)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"{USER_AGENT} (webhooks)",
        **signature_headers(delivery.id, int(time.time()), body, secrets),
    }
    at = utcnow()
    started = time.monotonic()
    result: PostResult | None = None
    code: str | None = None
    error: str | None = None
    try:
        result = post(
            delivery.url,
            AddressPolicy.from_settings(settings.fetch),
            body=body,
            headers=headers,
            timeout_s=settings.webhooks.timeout_s,
        )
    except FetchRefused as exc:
        code, error = exc.code, f"{exc.code}: {exc.message}"
    except SoftTimeLimitExceeded:
        code, error = "download_timeout", "download_timeout: the attempt ran over its time limit"
    except Exception as exc:
        # The record is shown to API callers: the exception's kind and a reference its log
        # line holds, never its text, which may quote the event (shared.exception_text).
        ref = reference()
        log.exception("webhook %s: attempt failed unexpectedly (reference %s)", delivery.id, ref)
        code, error = "internal", f"internal: an unexpected {kind(exc)} (reference {ref})"
    latency_ms = round((result.elapsed_s if result else time.monotonic() - started) * 1000, 1)
    status = result.status if result else None
    if status is not None and not 200 <= status < 300:
        error = answer_error(status, result.headers if result else {})
    delivery.attempts.append(
        DeliveryAttempt(at=at, status_code=status, latency_ms=latency_ms, error=error)
    )
    verdict = outcome(status, code)
    if verdict == "retry":
        now = time.time()
        hint = retry_after_s(result.headers.get("retry-after") if result else None, now)
        delay = next_delay(len(delivery.attempts), settings.webhooks.schedule_s, hint)
        if delay is not None:
            store.reschedule(delivery, now + delay)
            log.info("webhook %s: %s, retry in %.1f s", delivery.id, error, delay)
            MetricsStore(store.redis).count("webhook_deliveries", "retry")
            return "retry"
        verdict = "failed"
    if verdict == "disabled":
        store.disable_endpoint(delivery.tenant, delivery.url)
    delivery.state = verdict
    store.finish(delivery)
    MetricsStore(store.redis).count("webhook_deliveries", verdict)
    log.info(
        "webhook %s (%s): %s after %d attempts",
        delivery.id,
        delivery.type,
        verdict,
        len(delivery.attempts),
    )
    return verdict


@shared_task(name=DELIVER_TASK, bind=True)  # type: ignore[untyped-decorator]
def deliver(self: Task, delivery_id: str) -> str:
    """Deliver one event, if it is still pending and due; returns what happened."""
    settings = get_settings()
    store = _store()
    with store.locked(delivery_id, settings.webhooks.lease_s) as held:
        if not held:
            return "busy"  # another delivery of this id is running
        delivery = store.load(delivery_id)
        if delivery is None:
            store.forget(delivery_id)
            return "missing"
        if delivery.state != "pending":
            return delivery.state
        due = delivery.next_attempt_at
        if due is not None and due.timestamp() > time.time() + _EARLY_SLACK_S:
            return "early"
        with log_context(tenant=delivery.tenant, **_about(delivery)):
            return attempt(delivery, store, settings)


def _about(delivery: WebhookDelivery) -> dict[str, str | None]:
    # The event's subject, for the log lines of its attempt.
    return {name: str(delivery.data.get(name) or "") for name in ("job_id", "batch_id")}


def relay_once(store: WebhookStore, settings: Settings, send: Any) -> int:
    """Claim every due id and send a delivery task for each; returns how many."""
    sent = 0
    while True:
        ids = store.claim_due(time.time(), settings.webhooks.lease_s, _CLAIM_BATCH)
        for delivery_id in ids:
            send(DELIVER_TASK, args=[delivery_id], queue=WEBHOOKS)
        sent += len(ids)
        if len(ids) < _CLAIM_BATCH:
            return sent


class WebhookRelay(bootsteps.StartStopStep):  # type: ignore[misc]
    """Worker step: in a worker consuming ``webhooks``, a daemon thread runs the relay."""

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def include_if(self, worker: Any) -> bool:
        return WEBHOOKS in worker.app.amqp.queues.consume_from

    def start(self, worker: Any) -> None:
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(worker.app,), name="webhook-relay", daemon=True
        )
        self._thread.start()

    def stop(self, worker: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def terminate(self, worker: Any) -> None:
        # Celery's default terminate looks for a service object; the thread is ours to stop.
        self.stop(worker)

    def _run(self, celery_app: Any) -> None:
        settings = get_settings()
        store = _store()
        while not self._stop.wait(settings.webhooks.poll_interval_s):
            try:
                relay_once(store, settings, celery_app.send_task)
            except Exception:
                # A claimed id whose task was not sent comes due again after its lease.
                log.exception("webhook relay: claiming or sending failed; trying again")
