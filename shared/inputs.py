"""One validation for every way audio arrives: an upload, a batch part, a URL, an object.

Whatever the source, the bytes must pass the same checks (size, real container and codec,
duration, decodability) before anything is stored, and the job records the same facts.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit, urlunsplit

from shared.audio import probe
from shared.errors import MediaRejected
from shared.models import InputMeta
from shared.redaction_policy import RedactionPolicy, Substitution
from shared.settings import ApiSettings, Settings
from shared.settings.redaction import RedactionSettings
from shared.settings.stt_budget import recording_problem

# HTML's form encoding, which browsers, curl and httpx follow, writes '"' and control
# characters in a part's file name as %XX; '%' itself is sent as it is, so "100%25.wav" is
# a name of its own and stays.
_FORM_ESCAPE = re.compile(r"%(22|[01][0-9A-Fa-f])")


def form_filename(name: str | None) -> str | None:
    """A multipart part's file name as the user named the file."""
    if not name:
        return name
    return _FORM_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), name)


def safe_filename(name: str | None) -> str | None:
    if not name:
        return None
    # Only ever displayed (a batch's `source`); keys never use it, but keep it printable and
    # short. A plain relative path keeps its folders ("a/x.wav", "b/x.wav": `voicepipe
    # submit` names a folder's files so, and two x.wav would be one name in the export); a
    # name that climbs out ("../../etc/passwd.wav"), starts at a root or uses backslashes is
    # shown by its last part only, as a client's own paths are none of the export's business.
    # Cut from the front: the end is the file's own name.
    parts = name.split("/")
    plain = "\\" not in name and not name.startswith("/") and ".." not in parts
    kept = (
        "/".join(p for p in parts if p not in {"", "."})
        if plain
        else name.replace("\\", "/").rsplit("/", 1)[-1]
    )
    cleaned = "".join(ch for ch in kept if ch.isprintable())
    if cleaned in {".", ".."}:
        return None
    return cleaned[-200:].lstrip("/") or None


def kept_filename(
    name: str | None, policy: RedactionPolicy | None, config: RedactionSettings
) -> str | None:
    """The file name a job or batch item keeps (``safe_filename``), with the personal data
    a redacting job's policy names replaced: voicemail systems name recordings after the
    caller's number ("vm_+14155552671.wav" -> "vm_[PHONE_NUMBER].wav")."""
    cleaned = safe_filename(name)
    if policy is None or cleaned is None:
        return cleaned
    return shown_source(cleaned, policy, config)


def shown_source(
    source: str, policy: RedactionPolicy | None, config: RedactionSettings | None
) -> str:
    """A batch item's URL, key or file name as its jobs and export rows show it: redacted
    as the batch's jobs are (a key or URL names the file as the voicemail system did,
    "vm/+14155552671.wav"). Fetching still uses the item's own; a URL's user name and
    password are never shown."""
    source = _without_credentials(source)
    if policy is None:
        return source
    # Loaded only for a job that redacts, as the API's other redaction (reviews) is.
    from shared.redaction.file_names import redact_filename

    secret = config.hash_key if config else None
    if secret is None and policy.style is Substitution.HASH:
        policy = policy.model_copy(update={"style": Substitution.LABEL})
    key = secret.get_secret_value() if secret else None
    return redact_filename(source, policy, key) or source


_UNSPLIT_USER = re.compile(r"//[^/?#]*@")
_UNSPLIT_QUERY = re.compile(r"[?#].*", re.DOTALL)


def _without_credentials(source: str) -> str:
    """A URL without its user name and password (such an item is refused, url_refused, but
    its source is still shown and exported), with every query value as ``***`` and no
    fragment: a presigned URL's query is its credentials (X-Amz-Signature, sig=, token=),
    and a parameter's name cannot be trusted to say which value is one."""
    try:
        parts = urlsplit(source)
    except ValueError:
        # Not a URL Python can split (an unbalanced "[" in its host), though it may still be
        # a presigned one: cut by hand, whatever follows "?" or "#" is no more shown.
        return _UNSPLIT_QUERY.sub("", _UNSPLIT_USER.sub("//", source, count=1)) + (
            "?***" if "?" in source.split("#", 1)[0] else ""
        )
    if not parts.scheme or not parts.netloc:
        return source  # an object key or a file name: "?" and "#" are parts of its name
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = "&".join(
        f"{pair.split('=', 1)[0]}=***" if "=" in pair else "***"
        for pair in parts.query.split("&")
        if pair
    )
    return urlunsplit(parts._replace(netloc=netloc, query=query, fragment=""))


def too_large(limit_bytes: int) -> MediaRejected:
    return MediaRejected(
        "too_large",
        f"The recording is larger than the {limit_bytes / 1048576:g} MB limit. "
        "Send a shorter recording or compress it.",
        status_code=413,
    )


def engine_finishes(settings: Settings, engine: str | None, meta: InputMeta) -> None:
    """Raise ``MediaRejected(too_long)`` when the stt ``engine`` a job chose cannot
    transcribe its recording within the stt time limit (``stt_budget.recording_problem``):
    accepted, it would be queued only to be killed by the limit. Arithmetic on the probed
    length: nothing is decoded again."""
    problem = recording_problem(settings, engine, meta.duration_s)
    if problem is not None:
        raise MediaRejected("too_long", problem)


def validated_input(
    data: bytes,
    filename: str | None,
    api: ApiSettings,
    digest: str | None = None,
    *,
    min_speech_s: float,
    hash_now: bool = True,
) -> tuple[InputMeta, str]:
    """The input's metadata (its ``key`` still empty) and the extension to store it under;
    raises ``MediaRejected`` with a code and a message a person can act on. Its ``sha256``
    is ``digest``, or else computed here, unless ``hash_now`` is False (the stt stage then
    fills it in). A recording shorter than ``min_speech_s`` (the workers' setting) cannot
    hold that much sound, so its stt stage would fail it every time: it is too short here."""
    if len(data) > api.max_upload_bytes:
        raise too_large(api.max_upload_bytes)
    shortest = max(api.min_duration_s, min_speech_s)
    info = probe(
        data,
        min_duration_s=shortest,
        max_duration_s=api.max_duration_s,
        max_sample_rate_hz=api.max_sample_rate_hz,
    )
    meta = InputMeta(
        filename=safe_filename(filename),
        media_type=info.media_type,
        container=info.container,
        codec=info.codec,
        size_bytes=len(data),
        duration_s=round(info.duration_s, 3),
        sample_rate=info.sample_rate,
        channels=info.channels,
        sha256=digest or (hashlib.sha256(data).hexdigest() if hash_now else None),
        key="",
    )
    return meta, info.extension
