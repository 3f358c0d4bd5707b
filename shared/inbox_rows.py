"""The review inbox's compact rows: where they live and how one is written.

Layout (all per tenant, beside the tenant's creation-ordered index ``vp:jobs:<tenant>``):

- ``vp:inbox:<tenant>``, ``vp:inbox:<tenant>:text`` and ``vp:inbox:<tenant>:rows`` hashes,
  job id -> the machine's row in three parts (below), written by the job store in the same
  transaction or script as every record change (create, batch job creation, each
  compare-and-set, retention's purge), and deleted with the record;
- ``vp:inbox:<tenant>:reviews`` hash, job id -> the people's overlay (reviewed flag and the
  latest corrections), written by the review store in the same script as the review;
- ``vp:reviews:<tenant>:<job id>`` list, the job's reviews (JSON), oldest first.

A machine row is its facets (the few short fields the query filters on, separated by
``SEP``), its case-folded search text (the transcript, capped, and the triage's caller,
number and summary, ``fold``-ed) and a small JSON document the page shows, each in its own hash: the
server-side filter reads the facets of every job, the words only of the jobs whose facets
pass, and the JSON is read and decoded only for the rows of one page. An overlay, rare,
is one string: facets, JSON, search text. Nothing a facet or search text holds can contain
``SEP`` (control characters are replaced; JSON escapes them).

Why rows and not the records: a page over 10,000 jobs would read and parse 10,000 records of
several KB each (seconds); the facets are ~40 bytes, the search text a voicemail's words, and
the store writes them where it writes the record, so they cannot disagree with it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumberFormat

from shared.models import Job
from shared.redis_keys import key

SEP = "\x1f"
# A transcript's first this many characters are searchable: the row stays small even for a
# long recording, and a voicemail's words all fit.
SEARCH_CHARS = 8000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
# What search text and queries hold as one space: a run of whitespace of any kind or of
# control characters. Two spaces after a full stop, or a line break and an indent, show
# as one space on a page, which is what a person types or copies from it.
_GAPS = re.compile(r"[\s\x00-\x1f\x7f]+")
# The facets of a machine row, in order (shared.inbox_lua reads them by position).
MACHINE_FACETS = ("status", "intent", "urgency", "needs_review", "batch_id")
# The facets of an overlay, then its JSON and search text.
OVERLAY_FACETS = ("reviewed", "intent", "urgency")


# The correction that settles each review reason the workers give (workers/review.py): a
# person's callback number answers "no callback number", their transcript "low confidence".
# The voicemail page and the inbox list both go by it, so they never disagree.
SETTLED_BY = {
    "no_callback_number": "callback_number",
    "partial_callback_number": "callback_number",
    "callback_number_unconfirmed": "callback_number",
    "intent_undecided": "intent",
    "no_speech": "transcript",
    "low_confidence": "transcript",
    "hybrid_disagreement": "transcript",
    "hybrid_unverified": "transcript",
    "other_language": "transcript",
}


def settled_reasons(reasons: list[str], corrected: list[str]) -> list[str]:
    """The ``reasons`` a correction of one of the ``corrected`` fields (each to a value, not
    cleared) has settled."""
    return [reason for reason in reasons if SETTLED_BY.get(reason) in corrected]


def inbox_key(tenant: str) -> str:
    """Job id -> the machine row's facets."""
    return key("inbox", tenant)


def text_key(tenant: str) -> str:
    """Job id -> the machine row's search text."""
    return key("inbox", tenant, "text")


def rows_key(tenant: str) -> str:
    """Job id -> the machine row's JSON document."""
    return key("inbox", tenant, "rows")


def machine_keys(tenant: str) -> list[str]:
    """The hashes of a machine row's parts, in the order of ``MachineRow.parts``."""
    return [inbox_key(tenant), text_key(tenant), rows_key(tenant)]


def overlay_key(tenant: str) -> str:
    return key("inbox", tenant, "reviews")


def reviews_key(tenant: str, job_id: str) -> str:
    return key("reviews", tenant, job_id)


def record_key(job_id: str) -> str:
    """The job's record (``shared.jobstore`` owns it; scripts here only read it)."""
    return key("job", job_id)


# The accents of Latin, Greek and Cyrillic letters (U+0300-U+036F, once decomposed).
_ACCENTS = re.compile("[\u0300-\u036f]+")


def fold(text: str) -> str:
    """Text as search compares it, the rows' and the query's alike.

    Unicode written either way is the same text: an engine or macOS may write "José"
    decomposed (e + U+0301) and a keyboard types it composed, so a byte search of one for
    the other found nothing. Beyond that, case and the accents of Latin, Greek and
    Cyrillic letters are folded away, and compatibility forms (full-width letters, ligatures)
    made plain: a person scanning voicemails types "jose" for "José" or "Muller" for
    "Müller", as every mail search lets them, and a name the engine spelled without its
    accent is found by one typed with it. It costs nothing at query time: the rows hold the
    folded text, written once with each record or review. Only that one block of marks is
    dropped, not every combining mark: the vowel signs of Indic scripts and the Japanese
    voicing marks are letters' parts, and dropping them would make other words match.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return unicodedata.normalize("NFC", _ACCENTS.sub("", decomposed))


@lru_cache(maxsize=4096)
def number_text(number: str | None) -> str | None:
    """A callback number as search finds it: E.164, and the digits of its national form
    where those are not already in it, so a number typed as its country writes it at home,
    with the trunk 0 ("020 7946 0958" for +44 20 7946 0958), is found. A token or a value
    that is no number is kept as it is."""
    if not number or not number.startswith("+"):
        return number
    try:
        parsed = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return number
    national = re.sub(r"\D", "", phonenumbers.format_number(parsed, PhoneNumberFormat.NATIONAL))
    return number if national in number else f"{number} {national}"


def search_text(*parts: str | None) -> str:
    """What a text search matches: the parts folded (``fold``), each run of whitespace or
    control characters one space (a number is kept in E.164, whose digits ``needle``
    searches for)."""
    words = [_GAPS.sub(" ", fold(part)) for part in parts if part]
    return " ".join(words)


# Quotes a person may put round a whole query: straight, typographic (what phones and Macs
# type for "), German low-high, guillemets.
_QUOTE_PAIRS = ('""', "''", "\u201c\u201d", "\u2018\u2019", "\u201e\u201c", "\u00ab\u00bb")


def _unquoted(text: str) -> str:
    """A query with quotes round it as the phrase inside them: search boxes take quotes as
    "this phrase", and a search here is always one phrase (a substring), so the quotes
    only have to go rather than be looked for. Quotes anywhere else are searched for."""
    text = text.strip()
    if len(text) > 2 and any(text[0] + text[-1] == pair for pair in _QUOTE_PAIRS):
        return text[1:-1].strip()
    return text


def needle(text: str) -> str:
    """A person's search as the rows hold it: folded as they are (``fold``), without
    quotes round it, its gaps one space as theirs are; a number typed with spaces, dashes or
    brackets is searched for as its digits."""
    return _digits_or(_unquoted(_GAPS.sub(" ", fold(text))))


def legacy_needle(text: str) -> str:
    """The search as rows written before ``fold`` hold it (case-folded only, accents as
    written): such a row is rewritten only when its record or reviews next change, and
    until then it is found as it was."""
    return _digits_or(_unquoted(_CONTROL.sub(" ", text).casefold()))


def _digits_or(folded: str) -> str:
    digits = re.sub(r"\D", "", folded)
    if len(digits) >= 3 and re.fullmatch(r"[0-9+\-(). ]+", folded):
        return digits
    return folded


def _facet(value: str | None) -> str:
    return "" if value is None else _CONTROL.sub(" ", value)


def _flag(value: bool | None) -> str:
    return "" if value is None else ("1" if value else "0")


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def join_row(facets: list[str], document: dict[str, Any], search: str) -> str:
    return SEP.join([*facets, _json(document), search])


@dataclass(frozen=True)
class MachineRow:
    facets: str
    search: str
    document: str

    @property
    def parts(self) -> list[str]:
        return [self.facets, self.search, self.document]


def machine_row(job: Job) -> MachineRow:
    """The row of ``job`` as its record says now (corrections are the overlay's)."""
    results = job.results
    triage = results.triage
    caller = triage.caller_name if triage else None
    number = triage.callback_number if triage else None
    intent = triage.intent if triage else None
    urgency = triage.urgency if triage else None
    summary = triage.summary if triage else None
    document = {
        "job_id": job.id,
        "created_at": job.created_at.isoformat(),
        "status": job.status.value,
        "batch_id": job.batch_id,
        "caller_name": caller,
        "callback_number": number,
        "intent": intent,
        "urgency": urgency,
        "summary": summary,
        "duration_s": job.input.duration_s,
        "needs_review": results.needs_review,
        "review_reasons": results.review_reasons,
        "input_kind": job.input.kind,
    }
    transcript = (results.transcript or "")[:SEARCH_CHARS]
    facets = [
        job.status.value,
        _facet(intent),
        _facet(urgency),
        _flag(results.needs_review),
        _facet(job.batch_id),
    ]
    search = search_text(transcript, caller, number_text(number), summary)
    return MachineRow(SEP.join(facets), search, _json(document))


def overlay_facets(reviewed: bool, intent: str | None, urgency: str | None) -> list[str]:
    return [_flag(reviewed), _facet(intent), _facet(urgency)]


def row_document(row: str, facets: int) -> dict[str, Any]:
    """The JSON part of a stored overlay with ``facets`` fields before it."""
    parts = row.split(SEP, facets + 1)
    document: dict[str, Any] = json.loads(parts[facets])
    return document
