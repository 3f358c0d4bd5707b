"""Typed input: a job made from text instead of a recording (``process_text_input`` of our
source material), for ``POST /v1/jobs`` and batch manifests alike.

A text job is an ordinary job that starts at the llm stage: the same reply, triage, speech,
thread context, exports and webhooks. Its text is stored as the job's input object (so
retention and deletion treat it as they treat audio) and becomes the job's transcript once
the reply stage has read it.
"""

from __future__ import annotations

import hashlib
import re

from shared.errors import MediaRejected
from shared.hidden_characters import hidden_character, is_blank
from shared.models import InputMeta, Stage

TEXT_MEDIA_TYPE = "text/plain; charset=utf-8"
TEXT_EXTENSION = "txt"

# C0 and C1 controls but tab, newline and carriage return; DEL; and lone surrogates (JSON's
# "\ud800"), which no UTF-8 can store. A NUL reached the speech engines' C code (a 502).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def control_character(text: str, field: str) -> str | None:
    """What is wrong with ``text`` when it holds a character no typed message has."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    return (
        f"The {field!r} field contains U+{ord(found.group()):04X} at character "
        f"{found.start() + 1}: typed text may hold tab, newline and carriage return, but no "
        "other control characters (nor lone surrogates). Remove it and send again."
    )


def check_typed(text: str, field: str) -> None:
    """Raises ``MediaRejected`` (400 ``invalid_text``) for a control character in ``text``."""
    problem = control_character(text, field)
    if problem is not None:
        raise MediaRejected("invalid_text", problem, status_code=400)


def message_problem(text: str, field: str) -> str | None:
    """What is wrong with the ``text`` of a text job, which becomes its transcript: a control
    character, or an invisible one that changes how it reads (a right-to-left override shows
    "1234" as "4321" in the inbox, the exports and a webhook receiver's screen), as reviews
    refuse them (shared.hidden_characters). Speech input is only spoken: ``check_typed``."""
    return control_character(text, field) or hidden_character(text, field, breaks=True)


def validated_text(text: str, max_chars: int, field: str = "text") -> tuple[InputMeta, bytes]:
    """The input's metadata (its ``key`` still empty) and the bytes to store; raises
    ``MediaRejected`` with a code and a message a person can act on."""
    problem = message_problem(text, field)
    if problem is not None:
        raise MediaRejected("invalid_text", problem, status_code=400)
    cleaned = text.strip()
    if is_blank(cleaned):
        raise MediaRejected(
            "empty_text",
            "The 'text' field is empty: send the words to reply to, or a recording as 'file'.",
            status_code=400,
        )
    if len(cleaned) > max_chars:
        raise MediaRejected(
            "text_too_long",
            f"The text has {len(cleaned):,} characters; the limit is {max_chars:,}. "
            "Send a shorter message or split it into several jobs.",
            status_code=413,
        )
    data = cleaned.encode("utf-8")
    meta = InputMeta(
        kind="text",
        media_type=TEXT_MEDIA_TYPE,
        container=TEXT_EXTENSION,
        codec="utf-8",
        size_bytes=len(data),
        duration_s=0.0,
        sample_rate=0,
        channels=0,
        sha256=hashlib.sha256(data).hexdigest(),
        key="",
    )
    return meta, data


def text_stages(stages: list[Stage]) -> list[Stage]:
    """The stages a text job runs: those asked for, without transcription (there is nothing
    to hear); raises ``MediaRejected`` when that leaves nothing to do."""
    kept: list[Stage] = [stage for stage in stages if stage != Stage.STT]
    if not kept:
        raise MediaRejected(
            "text_needs_reply",
            "A text job starts at the reply stage, so 'stages' must include llm "
            "(stt,llm or stt,llm,tts, the default); 'stt' alone has nothing to do for text.",
            status_code=400,
        )
    return kept
