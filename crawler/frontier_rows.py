"""The rows of ``crawl_frontier``: queued URLs, their outcomes, and gone pages.

A crawl records a page it found gone as a frontier row in state ``removed`` and
leaves the page live, so that the removal guard can still keep every page.
:func:`apply_removals` marks those pages removed. Each function runs in the
caller's transaction.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from crawler.records import FrontierEntry, utc_now
from crawler.schema import frontier_table, pages_table

# The frontier reason of a gone page: this prefix and the HTTP status to store,
# then, when the status alone does not say why, this separator and the why.
_REMOVAL_PREFIX = "HTTP "
_WHY_SEPARATOR = "; "


def enqueue(connection, run_id: int, entries: list[FrontierEntry]) -> None:
    """Add queued URLs to the frontier; URLs already in it are left alone."""
    for entry in entries:
        statement = sqlite_insert(frontier_table).values(
            run_id=run_id,
            url=entry.url,
            seq=entry.seq,
            depth=entry.depth,
            source=entry.source,
            pattern=entry.pattern,
            referrer=entry.referrer,
            state="queued",
        )
        connection.execute(statement.on_conflict_do_nothing())


def set_state(connection, run_id, url, state, reason) -> None:
    """Set the state and reason of ``url``, adding its row when it has none."""
    statement = sqlite_insert(frontier_table).values(
        run_id=run_id,
        url=url,
        seq=-1,
        depth=0,
        source="link",
        pattern="",
        state=state,
        reason=reason,
    )
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[frontier_table.c.run_id, frontier_table.c.url],
            set_={"state": state, "reason": reason},
        )
    )


def record_gone(
    connection, run_id: int, url: str, status: int | None, why: str | None = None
) -> None:
    """Record the page at ``url`` as gone with HTTP ``status``, for removal later.

    ``why`` gives the reason the page is gone when its status does not: noindex,
    a soft 404 page, or robots.txt.
    """
    reason = f"{_REMOVAL_PREFIX}{status}"
    if why:
        reason += f"{_WHY_SEPARATOR}{why}"
    set_state(connection, run_id, url, "removed", reason)


def pending_removals(connection, run_id: int) -> list[tuple[str, int, str]]:
    """Return (URL, HTTP status, why) of the live pages that run ``run_id`` found
    gone. ``why`` is the reason given to :func:`record_gone`, else the status as
    ``HTTP 410``."""
    rows = connection.execute(
        select(frontier_table.c.url, frontier_table.c.reason)
        .join(pages_table, pages_table.c.url == frontier_table.c.url)
        .where(frontier_table.c.run_id == run_id)
        .where(frontier_table.c.state == "removed")
        .where(pages_table.c.removed.is_(False))
        .order_by(frontier_table.c.seq)
    ).fetchall()
    return [(row.url, *_removal_status(row.reason)) for row in rows]


def apply_removals(connection, run_id: int) -> int:
    """Mark every page of :func:`pending_removals` removed; return how many."""
    pending = pending_removals(connection, run_id)
    now = utc_now()
    for url, status, _why in pending:
        connection.execute(
            pages_table.update()
            .where(pages_table.c.url == url)
            .values(removed=True, status=status, fetched_at=now, changed_at=now)
        )
    return len(pending)


def _removal_status(reason: str | None) -> tuple[int, str]:
    """Return the HTTP status in a gone page's frontier reason (404 if absent)
    and why the page is gone."""
    status_text, _, why = (reason or "").partition(_WHY_SEPARATOR)
    status = 404
    if status_text.startswith(_REMOVAL_PREFIX):
        try:
            status = int(status_text.removeprefix(_REMOVAL_PREFIX))
        except ValueError:
            pass
    return status, why or f"{_REMOVAL_PREFIX}{status}"
