"""A worker refuses to start on a broker that will never take it, rather than retry forever.

Celery treats every error of the broker connection as one to wait out, which is right for a
broker restarting (the chaos suite restarts it under running workers) and wrong for one that
answers and refuses: a database index the server does not have ("DB index is out of range":
it has 16 unless configured otherwise, and only it knows, so the settings cannot refuse the
URL), or a password it does not know. Such a worker logged a traceback every few seconds and
consumed nothing, and a deployment saw a running pod. It now exits at once, non-zero, saying
what to fix; the API already answers such a broker's refusal with a 503 saying so
(api.errors.broker_refusal), and ``voicepipe up`` refuses to start on it.
"""

from __future__ import annotations

import redis

from shared.redis_keys import connect_within
from shared.settings.services import without_password

_NO_SUCH_DATABASE = "DB index is out of range"
# Long enough for a broker on a loaded machine to answer once; a broker not reachable in
# that time is left to Celery's own retries, as before.
_ASK_WITHIN_S = 5.0


class BrokerRefused(SystemExit):
    """Ends the worker process with the message (SystemExit: Celery's signal dispatch logs
    and swallows an Exception raised by a receiver, and the worker would start anyway)."""


def refuse_an_unusable_broker(url: str) -> None:
    """Raises BrokerRefused when the broker at ``url`` answers and will not take a client
    (a missing database, a wrong password); returns when it takes one, and when it cannot
    be reached (a restart Celery waits out)."""
    client = connect_within(url, _ASK_WITHIN_S)
    try:
        client.ping()
    # redis-py's AuthenticationError is a ConnectionError: caught before the one to wait out.
    except redis.AuthenticationError as exc:
        raise BrokerRefused(_told(url, exc)) from exc
    except redis.ResponseError as exc:
        # Only what no wait mends: a replica whose primary is down (MASTERDOWN) answers
        # with a ResponseError too, and a failover ends it.
        if _NO_SUCH_DATABASE in str(exc) or isinstance(exc, redis.exceptions.NoPermissionError):
            raise BrokerRefused(_told(url, exc)) from exc
    except (redis.ConnectionError, redis.TimeoutError):
        return
    finally:
        client.close()


def _told(url: str, exc: BaseException) -> str:
    where = without_password(url)
    if _NO_SUCH_DATABASE in str(exc):
        return (
            f"The broker at {where} has no database of the index VOICEPIPE_BROKER__URL names "
            "(its server's `databases` setting, 16 by default, is the limit): fix the URL or "
            "the server. This worker did not start."
        )
    return (
        f"The broker at {where} refused this worker: {exc}. Fix VOICEPIPE_BROKER__URL (its "
        "password or database) or the server. This worker did not start."
    )
