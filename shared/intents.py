"""The intents a voicemail is triaged into: what the offline classifier and the language
models choose from, and what a person correcting a triage may pick.

Here, not in the workers' triage, because the API offers the same list in the review inbox
and must never import worker code.
"""

from __future__ import annotations

# Earlier wins a tie in the offline classifier, so the more specific request beats a generic one.
INTENTS = ("cancellation", "repair", "billing", "appointment", "order_status", "complaint",
           "sales", "callback_request", "general")  # fmt: skip
