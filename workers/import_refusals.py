"""An import location that refuses a read, told apart from one that is down.

A bucket that does not exist, credentials it will not take, a wrong region, an object
archived to Glacier: asking again gives the same answer. Such a refusal is the item's
rejection (``import_refused``) at once, naming the setting to look at; before, a key's item
was tried three times and recorded as ``internal`` ("ClientError"), and a prefix batch
stayed ``expanding`` for ever, its listing failing at every re-plan of the sweeper. A store
that is down or slow (a 5xx, SlowDown, a timeout) is still waited out as before.
"""

from __future__ import annotations

import errno

from botocore.exceptions import ClientError

from shared.errors import VoicePipeError
from shared.settings import Settings

_CHECK_BUCKET = "check VOICEPIPE_IMPORTS__S3_BUCKET and VOICEPIPE_IMPORTS__S3_ENDPOINT_URL"
_CHECK_REGION = "check VOICEPIPE_IMPORTS__S3_REGION and VOICEPIPE_IMPORTS__S3_ENDPOINT_URL"
_CHECK_KEYS = (
    "check VOICEPIPE_IMPORTS__S3_ACCESS_KEY_ID and VOICEPIPE_IMPORTS__S3_SECRET_ACCESS_KEY "
    "(or, without them, boto3's own credentials)"
)
_NOT_ALLOWED = (
    "the import location's credentials may not read it, or (without permission to list "
    "the bucket) it does not exist"
)

# S3's error codes that no retry changes, with what an operator should look at. Only the
# code is shown, never S3's message (a signature error's carries the request it signed).
_REFUSED = {
    "NoSuchBucket": f"the bucket does not exist: {_CHECK_BUCKET}",
    "InvalidBucketName": f"the bucket's name is not valid: {_CHECK_BUCKET}",
    "AccessDenied": _NOT_ALLOWED,
    "AllAccessDisabled": _NOT_ALLOWED,
    "AccountProblem": _NOT_ALLOWED,
    "InvalidAccessKeyId": _CHECK_KEYS,
    "SignatureDoesNotMatch": _CHECK_KEYS,
    "InvalidToken": _CHECK_KEYS,
    "ExpiredToken": _CHECK_KEYS,
    "PermanentRedirect": f"the bucket is in another region: {_CHECK_REGION}",
    "AuthorizationHeaderMalformed": f"the bucket is in another region: {_CHECK_REGION}",
    "InvalidObjectState": "the object is archived: restore it, then submit it again",
    "KeyTooLongError": "the key is longer than S3 allows (1,024 bytes with the tenant's folder)",
}


class ImportRefused(VoicePipeError):
    code = "import_refused"


def import_refusal(settings: Settings, exc: Exception, what: str) -> ImportRefused | None:
    """The rejection for ``exc``, raised reading ``what`` (a key or a prefix) from the
    import location, when no retry would change it; None for a store that is down."""
    cfg = settings.imports
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        hint = _REFUSED.get(code)
        if hint is None:
            return None
        return ImportRefused(
            f"The import location (bucket {cfg.s3_bucket!r}) refused to read {what}: "
            f"{code}; {hint}."
        )
    if isinstance(exc, PermissionError) or (
        isinstance(exc, OSError) and exc.errno in {errno.EACCES, errno.EPERM}
    ):
        return ImportRefused(
            f"The import location refused to read {what}: permission denied; check that "
            "the ingest workers may read VOICEPIPE_IMPORTS__LOCAL_DIR."
        )
    return None
