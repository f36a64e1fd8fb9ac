"""The rows of ``pages``, ``page_aliases`` and ``page_files`` that a crawl writes.

:func:`page_from_row` and :func:`page_values` convert between a ``pages`` row and
a :class:`~crawler.records.StoredPage`. The writing functions run in the caller's
transaction.
"""

from __future__ import annotations

import json

from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from crawler.records import StoredPage
from crawler.schema import aliases_table, files_table, pages_table


def page_from_row(row) -> StoredPage:
    """Return the page of a ``pages`` row, with its JSON columns decoded."""
    return StoredPage(
        url=row.url,
        canonical_url=row.canonical_url,
        title=row.title,
        breadcrumbs=json.loads(row.breadcrumbs),
        text=row.text,
        page_number=row.page_number,
        updated=row.updated,
        encoding=row.encoding,
        status=row.status,
        content_hash=row.content_hash,
        fetched_at=row.fetched_at,
        changed_at=row.changed_at,
        removed=bool(row.removed),
        etag=row.etag,
        last_modified=row.last_modified,
        links=json.loads(row.links),
        extractor_version=row.extractor_version,
    )


def page_values(page: StoredPage) -> dict:
    """Return the ``pages`` column values of ``page``, lists as JSON."""
    return {
        "url": page.url,
        "canonical_url": page.canonical_url,
        "title": page.title,
        "breadcrumbs": json.dumps(page.breadcrumbs, ensure_ascii=False),
        "text": page.text,
        "page_number": page.page_number,
        "updated": page.updated,
        "encoding": page.encoding,
        "status": page.status,
        "content_hash": page.content_hash,
        "etag": page.etag,
        "last_modified": page.last_modified,
        "links": json.dumps(page.links, ensure_ascii=False),
        "fetched_at": page.fetched_at,
        "changed_at": page.changed_at,
        "removed": page.removed,
        "extractor_version": page.extractor_version,
    }


def upsert_page(connection, page: StoredPage) -> None:
    """Insert ``page`` or update the stored page with its URL."""
    values = page_values(page)
    statement = sqlite_insert(pages_table).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[pages_table.c.url],
        set_={k: v for k, v in values.items() if k != "url"},
    )
    connection.execute(statement)


def touch_page(connection, url: str, status: int, now: str) -> None:
    """Set the fetch time and HTTP status of the unchanged page at ``url``."""
    connection.execute(
        pages_table.update()
        .where(pages_table.c.url == url)
        .values(fetched_at=now, status=status)
    )


def delete_alias(connection, url: str) -> None:
    """Delete the alias row of ``url``, as when ``url`` is a page again."""
    connection.execute(aliases_table.delete().where(aliases_table.c.url == url))


def upsert_alias(connection, alias_url, target, reason, status, now: str) -> None:
    """Store ``alias_url`` as an alias of ``target`` and delete its own page row."""
    statement = sqlite_insert(aliases_table).values(
        url=alias_url,
        target_url=target,
        reason=reason,
        status=status,
        seen_at=now,
    )
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[aliases_table.c.url],
            set_={
                "target_url": target,
                "reason": reason,
                "status": status,
                "seen_at": now,
            },
        )
    )
    # An old URL that became an alias is no page of its own any more.
    connection.execute(pages_table.delete().where(pages_table.c.url == alias_url))


def upsert_file(connection, file_url, page_url, link_text, now: str) -> None:
    """Store the link from ``page_url`` to the file at ``file_url``."""
    statement = sqlite_insert(files_table).values(
        url=file_url, page_url=page_url, link_text=link_text, seen_at=now
    )
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[files_table.c.url, files_table.c.page_url],
            set_={"link_text": link_text, "seen_at": now},
        )
    )
