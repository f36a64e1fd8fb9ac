"""Engines on the page store's SQLite file beyond the plain read-write one.

:func:`read_only_engine` and :func:`check_read_only_schema` open a store without
writing to its folder, and :func:`name_damaged_file` makes errors from a damaged
file name it.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError

from cityline.db import read_only_sqlite_engine
from cityline.errors import DataDirError, SchemaVersionError
from crawler.errors import PageStoreError
from crawler.schema import COMPONENT, SCHEMA_VERSION, metadata, pages_table


def read_only_engine(path: Path) -> Engine:
    """Return an engine that opens the store at ``path`` for reading only (see
    :func:`cityline.db.read_only_sqlite_engine`)."""
    return read_only_sqlite_engine(path)


def check_read_only_schema(engine: Engine, path: Path) -> None:
    """Raise unless ``path`` is a page store at SCHEMA_VERSION.

    Raises PageStoreError for a file that is no page store, and SchemaVersionError
    for tables of another program or another schema version.
    """
    try:
        with engine.connect() as connection:
            tables = set(
                connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                ).scalars()
            )
            version = None
            if "schema_versions" in tables:
                version = connection.exec_driver_sql(
                    "SELECT version FROM schema_versions WHERE component = ?",
                    (COMPONENT,),
                ).scalar_one_or_none()
    except OperationalError as exc:
        raise DataDirError(
            f"page store {str(path)!r} cannot be opened for reading ({exc.orig}); "
            "check that the file and its folder are readable"
        ) from exc
    if version is None:
        clashes = ", ".join(sorted(tables & set(metadata.tables)))
        if clashes:
            raise SchemaVersionError(
                f"database {str(path)!r} already has table(s) {clashes} but no "
                f"{COMPONENT} schema version, so another program wrote it; use a new "
                "data dir"
            )
    if version is None or pages_table.name not in tables:
        raise PageStoreError(
            f"{str(path)!r} is not a cityline page store; check --data-dir, or move "
            "the file away and run `cityline crawl URL`"
        )
    if version != SCHEMA_VERSION:
        raise SchemaVersionError(
            f"page store {str(path)!r} has pages schema version {version}, but this "
            f"cityline uses {SCHEMA_VERSION}; use a new data dir or the cityline "
            "release that wrote it"
        )


# SQLite result codes of a file whose pages are damaged or that is no database.
_DAMAGED_CODES = ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def name_damaged_file(engine: Engine, path: Path) -> None:
    """Make every query on ``engine`` raise PageStoreError naming a damaged ``path``.

    The SQLite driver reports damaged inner pages (``database disk image is
    malformed``) without the file name, and a damaged page may be reached only by a
    later query, long after the file was opened.
    """

    def rewrite(context) -> None:
        original = context.original_exception
        code = getattr(original, "sqlite_errorname", "")
        if not code.startswith(_DAMAGED_CODES):
            return
        raise PageStoreError(
            f"page store {str(path)!r} is corrupt or not a database "
            f"({original}); restore it from a backup, or move it "
            "away and run `cityline crawl URL`, which fetches every page again"
        ) from original

    event.listen(engine, "handle_error", rewrite)
