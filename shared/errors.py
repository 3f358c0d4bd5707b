"""Errors that carry a stable code and a message a person can act on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.models import Billed


class VoicePipeError(Exception):
    """Base class: ``code`` is stable and machine-readable, ``message`` is for people."""

    code: str = "internal"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class MediaRejected(VoicePipeError):
    """Uploaded bytes are not audio we can accept; ``status_code`` is the HTTP answer."""

    def __init__(self, code: str, message: str, *, status_code: int = 422) -> None:
        super().__init__(message, code=code)
        self.status_code = status_code


class StageFailed(VoicePipeError):
    """A stage cannot complete; ``retryable`` tells the task whether to try again."""

    def __init__(
        self, code: str, message: str, *, retryable: bool = False, charges: Sequence[Billed] = ()
    ) -> None:
        super().__init__(message, code=code)
        self.retryable = retryable
        # What vendors billed the run for answers it could not use, besides a provider's
        # own (ProviderError.billed): a hybrid's engines that failed, each by its name. The
        # stage runner records them with the failure, as the job's usage counts them.
        self.charges = list(charges)
        # The transcription details of answers the run dropped (a retried hybrid's engines
        # that answered; no tokens, which ``charges`` holds): the stage runner charges the
        # audio seconds a cloud engine billed for them, as a discarded run's.
        self.dropped: dict[str, Any] = {}


class JobNotFound(VoicePipeError):
    code = "job_not_found"
    # What a person asked for, and how they list what there is (BatchNotFound: batches).
    kind, kinds = "job", "jobs"

    @classmethod
    def of(cls, item_id: str) -> JobNotFound:
        # Another tenant's is answered the same: that it exists is not told.
        return cls(
            f"No {cls.kind} with the id {item_id} exists for this API key's tenant: check the "
            f"id (GET /v1/{cls.kinds} lists your {cls.kinds}, newest first)."
        )


class BatchItemClosed(VoicePipeError):
    """A batch item's job was not made: ``code`` says why, ``item_rejected`` (the item was
    recorded as a rejection meanwhile) or ``batch_canceled``."""


class BatchCanceled(VoicePipeError):
    """A job of a canceled batch was not run again (a retry of the batch or of the job):
    a canceled batch is final."""

    code = "batch_canceled"


class StorageKeyNotFound(VoicePipeError):
    code = "object_not_found"


class StorageUnavailable(VoicePipeError):
    """Object storage did not answer, or answered with an error of its own (the API's
    storage, api/storage_guard.py); ``retry_after_s`` is when asking again may help."""

    code = "storage_unavailable"

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


# Where an exception other than StageFailed carries what vendors billed before it was
# raised (Claude's refused answer, then its fallback engine's runtime breaking).
_CHARGES = "voicepipe_charges"


def carry_charges(exc: BaseException, charges: Sequence[Billed]) -> None:
    """Adds ``charges`` to what ``exc`` carries for the stage runner to record, leaving the
    exception itself as it was raised: an unexpected error still fails the stage as one."""
    if isinstance(exc, StageFailed):
        exc.charges += charges
        return
    try:
        setattr(exc, _CHARGES, [*charges_of(exc), *charges])
    except AttributeError:  # an exception type without attributes of its own: none known
        exc.add_note(f"billed before it was raised, not recorded: {list(charges)}")


def charges_of(exc: BaseException) -> list[Billed]:
    """What vendors billed the run before ``exc``, whatever its type (``carry_charges``)."""
    if isinstance(exc, StageFailed):
        return list(exc.charges)
    return list(getattr(exc, _CHARGES, ()))


def taken_charges(exc: BaseException) -> list[Billed]:
    """``charges_of(exc)``, no longer carried by ``exc``: for one who records them itself."""
    taken = charges_of(exc)
    if isinstance(exc, StageFailed):
        exc.charges = []
    elif hasattr(exc, _CHARGES):
        delattr(exc, _CHARGES)
    return taken
