"""A tenant's jobs in creation order, read from its index (a sorted set scored by creation
time). A mixin of ``JobStore``, which keeps the index in step with the records."""

from __future__ import annotations

from collections.abc import Iterable

from redis import Redis

from shared.keyset_paging import AFTER, Position, newest_first
from shared.redis_keys import key


def index_key(tenant: str) -> str:
    return key("jobs", tenant)


def _ids(raw: Iterable[object]) -> list[str]:
    return [i.decode() if isinstance(i, bytes) else str(i) for i in raw]


class JobListing:
    redis: Redis

    def _listing_scripts(self, client: Redis) -> None:
        self._after = client.register_script(AFTER)

    def list_ids(self, tenant: str, limit: int = 50, offset: int = 0) -> list[str]:
        """Job ids of a tenant, newest first, from ``offset`` (see ``list_page``)."""
        return self.offset_page(tenant, limit, offset)[0]

    def offset_page(
        self, tenant: str, limit: int, offset: int
    ) -> tuple[list[str], Position | None]:
        """``list_ids``, and the position a cursor continues from when the page is full."""
        rows = self.redis.zrevrange(index_key(tenant), offset, offset + limit - 1, withscores=True)
        ids = _ids([row[0] for row in rows])
        return ids, (float(rows[-1][1]), ids[-1]) if rows and len(rows) == limit else None

    def list_page(
        self,
        tenant: str,
        limit: int,
        before: float | None = None,
        before_id: str | None = None,
        skip: int = 0,
    ) -> tuple[list[str], Position | None]:
        """Job ids of a tenant, newest first, from a cursor's position on (``skip`` past it),
        and the next page's (shared.keyset_paging.newest_first): a job created or deleted
        while a client pages moves no other job from its page, as it does paging by offset."""
        return newest_first(self._after, index_key(tenant), limit, before, before_id, skip)

    def count(self, tenant: str) -> int:
        return int(self.redis.zcard(index_key(tenant)))

    def ids_created_between(self, tenant: str, start: float, end: float, limit: int) -> list[str]:
        """Ids of a tenant's jobs created in [start, end) (epoch seconds), oldest first, at
        most ``limit``: one read of the index, so a job is listed once however many are
        created meanwhile (paging by offset could list one twice)."""
        return _ids(self.redis.zrangebyscore(index_key(tenant), start, f"({end!r}", 0, limit))
