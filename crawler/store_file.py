"""Engines on the page store's SQLite file beyond the plain read-write one.

:func:`read_only_engine` and :func:`check_read_only_schema` open a store without
writing to its folder, and :func:`name_damaged_file` makes errors from a damaged
file name it.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError

from cityline.db import SQLITE_BUSY_TIMEOUT_MS
from cityline.errors import DataDirError, SchemaVersionError
from crawler.errors import PageStoreError
from crawler.schema import COMPONENT, SCHEMA_VERSION, metadata, pages_table

logger = logging.getLogger(__name__)

# SQLite result codes of a read-only connection that cannot create the -shm file.
_NO_SHM_CODES = ("SQLITE_READONLY", "SQLITE_CANTOPEN")


def read_only_engine(path: Path) -> Engine:
    """Return an engine whose connections open ``path`` with SQLite's ``mode=ro``.

    SQLite reads a WAL file only through its ``-shm`` file, which it cannot create
    in a read-only folder. A connection then opens the file as ``immutable``, which
    needs no ``-shm`` file, since no process can write to such a folder either.
    """
    uri = Path(path).resolve().as_uri()
    # NOTE: a process with more rights (another user, root) writing the file while
    # an immutable connection reads it is not seen, and such a read may fail.

    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(
            f"{uri}?mode=ro", uri=True, check_same_thread=False
        )
        connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as exc:
            if not exc.sqlite_errorname.startswith(_NO_SHM_CODES):
                raise
            connection.close()
            logger.debug("opening %s as immutable: its folder is read-only", path)
            return sqlite3.connect(
                f"{uri}?mode=ro&immutable=1", uri=True, check_same_thread=False
            )
        return connection

    return create_engine("sqlite://", creator=connect)


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
