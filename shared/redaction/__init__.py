"""Removal of personal data (numbers, addresses, names ...) from transcripts, prompts,
replies, summaries, webhook bodies and logs, and from the recording itself.

Pure code with no model: ``policy`` (what to remove, pydantic only), ``detect`` (where it
is), ``apply`` (text, JSON-like values, transcripts) and ``audio`` (silence or bleep).
Only the policy is imported here, so naming entities loads no detector.
"""

from __future__ import annotations

from shared.redaction_policy import Entity, RedactionPolicy, Substitution

__all__ = ["Entity", "RedactionPolicy", "Substitution"]
