"""Evaluation sets that measure transcript and triage quality on realistic audio."""
