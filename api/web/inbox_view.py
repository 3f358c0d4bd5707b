"""The inbox's filters as a query string: read leniently, written back into page links.

The filter form is a GET form: filtering changes nothing, so a filtered inbox is a link a
person can keep or share with a colleague of the same tenant. A value the form does not
offer (an edited URL, an intent since renamed) is left out rather than refused, and the page
says so: a list silently unfiltered would pass for the filtered one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, cast
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from shared.inbox import InboxFilter
from shared.models import JobStatus

MAX_TEXT = 200
_URGENCIES = ("low", "normal", "high")
_YES_NO = {"yes": True, "no": False}
_FIELDS = ("q", "intent", "urgency", "needs_review", "reviewed", "status", "batch")


@dataclass(frozen=True)
class InboxQuery:
    values: dict[str, str] = field(default_factory=dict)
    cursor: str | None = None
    # "name=value" of each filter the link gave that the form does not offer.
    ignored: tuple[str, ...] = ()

    @property
    def filtered(self) -> bool:
        return bool(self.values)

    def to_filter(self) -> InboxFilter:
        v = self.values
        urgency = cast(Literal["low", "normal", "high"] | None, v.get("urgency"))
        return InboxFilter(
            intent=v.get("intent"),
            urgency=urgency,
            needs_review=_YES_NO.get(v.get("needs_review", "")),
            status=v.get("status"),
            batch_id=v.get("batch"),
            text=v.get("q"),
            reviewed=_YES_NO.get(v.get("reviewed", "")),
        )

    def url(self, cursor: str | None = None, **changed: str) -> str:
        """This inbox view's link, on another page or with a filter changed."""
        values = {**self.values, **changed}
        params = {name: values[name] for name in _FIELDS if values.get(name)}
        if cursor:
            params["cursor"] = cursor
        return "/inbox" + (f"?{urlencode(params)}" if params else "")

    def job_url(self, job_id: str, tail: str = "", **extra: str) -> str:
        """A voicemail's page (or ``tail``, its review) opened from this view: it carries
        the view's filters, so the page's Next link goes on through the same list, and its
        page of that list, so the link back returns to the page it was opened from."""
        params = {name: self.values[name] for name in _FIELDS if name in self.values}
        if self.cursor:
            params["cursor"] = self.cursor
        params.update(extra)
        return f"/inbox/jobs/{job_id}{tail}" + (f"?{urlencode(params)}" if params else "")


def _one_of(value: str, allowed: tuple[str, ...] | set[str]) -> str | None:
    return value if value in allowed else None


def parse_query(params: QueryParams, known_intents: tuple[str, ...]) -> InboxQuery:
    def get(name: str) -> str:
        return (params.get(name) or "").strip()

    checks: dict[str, str | None] = {
        "q": get("q")[:MAX_TEXT] or None,
        "intent": _one_of(get("intent"), set(known_intents)),
        "urgency": _one_of(get("urgency"), _URGENCIES),
        "needs_review": _one_of(get("needs_review"), tuple(_YES_NO)),
        "reviewed": _one_of(get("reviewed"), tuple(_YES_NO)),
        "status": _one_of(get("status"), {s.value for s in JobStatus}),
        "batch": get("batch")[:64] or None,
    }
    values = {name: value for name, value in checks.items() if value}
    ignored = tuple(
        f"{name}={get(name)}" for name, value in checks.items() if get(name) and not value
    )
    return InboxQuery(values=values, cursor=get("cursor")[:200] or None, ignored=ignored)
