"""Rule-based voicemail triage: who called, why, how urgent, and what to say back.

Pure text logic with no model and no I/O, so it runs anywhere and is deterministic.
"""

from __future__ import annotations

from workers.triage.extract import triage_text
from workers.triage.reply import compose_reply

__all__ = ["compose_reply", "triage_text"]
