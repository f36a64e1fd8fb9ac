"""Database engines and schema versions, shared by every store.

Stores use SQLAlchemy Core. SQLite is the default, one file per store in the data dir,
in WAL mode so that readers never block the single writer. A new SQLite file gets
mode 0600, and every connection overwrites what it deletes (``secure_delete``). A
PostgreSQL URL works for the app database too. Each store names itself a
*component* and records its schema version in the table ``schema_versions``. A
database written by a newer version is rejected instead of being silently misread.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import weakref
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    inspect,
    select,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError

from cityline.errors import ConfigError, DataDirError, SchemaVersionError

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_FILE_MODE = 0o600
"""Mode of a new SQLite file, and so of its -wal and -shm files: owner only."""
SUPPORTED_BACKENDS = ("sqlite", "postgresql")
SUPPORTED_URLS = "sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"

_versions_metadata = MetaData()
schema_versions = Table(
    "schema_versions",
    _versions_metadata,
    Column("component", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
)


def sqlite_url(path: Path) -> str:
    """Return the SQLAlchemy URL of the SQLite file at ``path``."""
    return f"sqlite:///{path.resolve()}"


def create_db_engine(url: str) -> Engine:
    """Create an engine for ``url``, preparing SQLite files for one writer.

    For SQLite the parent folder is created, and every connection turns on WAL,
    foreign keys and a busy timeout. Raises ConfigError for a URL SQLAlchemy cannot
    parse, for a backend other than SQLite and PostgreSQL, and for a driver that is
    not installed. Raises DataDirError when the SQLite folder cannot be created
    or the SQLite file's path is a folder.
    """
    parsed = _parse_url(url)
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise ConfigError(
            f"database URL {_display_url(parsed)!r} uses {backend!r}, which "
            f"cityline does not support; use {SUPPORTED_URLS}"
        )

    if backend != "sqlite":
        try:
            return create_engine(url, pool_pre_ping=True, hide_parameters=True)
        except ImportError as exc:
            raise ConfigError(
                f"database URL {_display_url(parsed)!r} needs the driver "
                f"{exc.name!r}, which is not installed; use {SUPPORTED_URLS}"
            ) from exc

    path = _sqlite_path(parsed)
    if path is not None:
        reject_folder(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DataDirError(
                f"cannot create folder {str(path.parent)!r} for {url!r} "
                f"({exc.strerror}); choose a writable data dir"
            ) from exc

    # Errors leave the bound values out, so out of logs too, because the values
    # contain LINE user ids and residents' messages.
    engine = create_engine(
        url, connect_args={"check_same_thread": False}, hide_parameters=True
    )
    event.listen(engine, "connect", _prepare_sqlite_connection)
    return engine


def create_read_only_engine(url: str) -> Engine:
    """Create an engine for ``url`` that only reads, for commands that only show data.

    A SQLite file is opened with SQLite's ``mode=ro`` (see
    :func:`read_only_sqlite_engine`), so the command works on a read-only copy of
    a data dir and cannot change the file. Other backends get a plain engine.
    Raises ConfigError as :func:`create_db_engine` does.
    """
    parsed = _parse_url(url)
    path = _sqlite_path(parsed) if parsed.get_backend_name() == "sqlite" else None
    if path is None:
        return create_db_engine(url)
    return read_only_sqlite_engine(path)


# SQLite result codes of a read-only connection that cannot create the -shm file.
_NO_SHM_CODES = ("SQLITE_READONLY", "SQLITE_CANTOPEN")


def read_only_sqlite_engine(path: Path) -> Engine:
    """Return an engine whose connections open ``path`` with SQLite's ``mode=ro``.

    SQLite reads a WAL file only through its ``-shm`` file, which it cannot create
    in a read-only folder. A connection then opens the file as ``immutable``, which
    needs no ``-shm`` file, since no process can write to such a folder either.
    Raises DataDirError when ``path`` is a folder.
    """
    reject_folder(Path(path))
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

    # The URL only names the file in messages; ``creator`` makes the connections.
    engine = create_engine(sqlite_url(path), creator=connect, hide_parameters=True)
    _READ_ONLY_ENGINES.add(engine)
    return engine


# Engines that open their database read-only, where ensure_schema creates nothing.
_READ_ONLY_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def is_read_only(engine: Engine) -> bool:
    """Tell whether ``engine`` came from :func:`create_read_only_engine`."""
    return engine in _READ_ONLY_ENGINES


def erase_deleted_rows(connection: Connection) -> None:
    """Make SQLite overwrite what ``connection`` deletes or shortens in this
    transaction, instead of leaving the bytes in free space (no-op elsewhere)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA secure_delete=ON")


def checkpoint_wal(engine: Engine, *, wait_ms: int | None = None) -> bool:
    """Copy SQLite's write-ahead log into the database file and empty it, so that
    rows just erased leave no old copy in the -wal file (no-op elsewhere).

    Returns False when another connection kept the log from being emptied: a
    reader in another process can keep part of it, and the next checkpoint
    clears it. ``wait_ms`` bounds the wait for other connections, by default
    SQLITE_BUSY_TIMEOUT_MS. Writers wait while the checkpoint waits, so a
    server passes a short one.
    """
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as connection:
        if wait_ms is not None:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={int(wait_ms)}")
        try:
            busy = connection.exec_driver_sql(
                "PRAGMA wal_checkpoint(TRUNCATE)"
            ).first()[0]
        finally:
            if wait_ms is not None:
                connection.exec_driver_sql(
                    f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}"
                )
    return busy == 0


def reject_folder(path: Path) -> None:
    """Raise DataDirError when the SQLite file ``path`` is a folder.

    SQLite reports such a path only as "unable to open database file" or as a
    disk I/O error, which hides the cause.
    """
    if path.is_dir():
        raise DataDirError(
            f"database {str(path)!r} is a folder, where cityline keeps a SQLite "
            "file; move it away, then run the command again"
        )


def check_sqlite_writable(url: str) -> None:
    """Raise DataDirError naming the file when the SQLite database of ``url``,
    or its -wal or -shm file, cannot be opened for writing by this process.

    Without this check a write fails only at its first statement, with SQLite's
    "attempt to write a readonly database", which names no file. Missing files,
    and URLs of other backends, pass. Each file is opened and closed, never
    written. A database path that is a folder raises as in :func:`reject_folder`.
    """
    path = sqlite_file(url)
    if path is None:
        return
    reject_folder(path)
    # NOTE: call this before the process opens the file through SQLite, because
    # closing any descriptor of a file drops the process's POSIX locks on it,
    # which SQLite relies on.
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            descriptor = os.open(candidate, os.O_RDWR)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise DataDirError(
                f"database {str(candidate)!r} is not writable ({exc.strerror}); "
                "make it writable, or run the command as the user that owns the "
                "data dir"
            ) from exc
        os.close(descriptor)


def sqlite_file(url: str) -> Path | None:
    """Return the file that a SQLite URL names, or None for other URLs.

    An in-memory SQLite URL also gives None. Raises ConfigError for a URL
    SQLAlchemy cannot parse.
    """
    parsed = _parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    return _sqlite_path(parsed)


def _parse_url(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError as exc:
        raise ConfigError(
            f"database URL {url!r} is invalid; use {SUPPORTED_URLS}"
        ) from exc


def _sqlite_path(parsed: URL) -> Path | None:
    if not parsed.database or parsed.database == ":memory:":
        return None
    if parsed.database.startswith("file:"):
        # A SQLite URI (sqlite:///file:/path?mode=ro&uri=true) names its file in
        # the URI's path; "file:" is no folder to create.
        path = urlsplit(parsed.database).path
        return Path(unquote(path)) if path else None
    return Path(parsed.database)


def _display_url(parsed: URL) -> str:
    return parsed.render_as_string(hide_password=True)


def _prepare_sqlite_connection(dbapi_connection, _record) -> None:
    """Set the per-connection pragmas; switch only a new, empty file to WAL.

    A file that already contains data keeps its journal mode until ``ensure_schema``
    has accepted it, so that opening another program's database changes nothing
    in it. A new file is made readable by its owner only (see
    :func:`_restrict_file_mode`). ``secure_delete`` makes SQLite overwrite deleted
    rows, cleared values and freed pages with zeros, so that an inbox event's JSON
    or a resident's withdrawn answer does not stay in the file's free space.
    ``synchronous=FULL`` syncs the write-ahead log at every commit, so that a
    power loss or an operating-system crash never takes back an event stored
    before its 200 or a receipt number already sent. docs/benchmarks.md
    ("Syncing every commit") gives what it costs.
    """
    cursor = dbapi_connection.cursor()
    if cursor.execute("PRAGMA page_count").fetchone()[0] == 0:
        _restrict_file_mode(cursor)
        cursor.execute("PRAGMA journal_mode=WAL")
    else:
        _warn_if_others_can_read(cursor)
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _main_file(cursor) -> Path | None:
    """Return the file of the connection's main database; None in memory."""
    for _seq, name, file in cursor.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            return Path(file)
    return None


def _restrict_file_mode(cursor) -> None:
    """Give a new, empty SQLite file mode 0600 before anything is written to it.

    The file contains LINE user ids and residents' messages. SQLite's unix VFS
    creates the -wal and -shm files with the mode of the database file
    (``findCreateFileMode`` in os_unix.c), so they get 0600 too. A file that
    this process does not own keeps its mode, with a warning.
    """
    path = _main_file(cursor)
    if path is None:
        return
    try:
        os.chmod(path, SQLITE_FILE_MODE)
    except OSError as exc:
        logger.warning(
            "cannot make database %s readable by its owner only (%s); run "
            "`chmod 600` on it as its owner",
            path,
            exc.strerror,
        )


# Database files already warned about in this process, so the warning is
# logged once per file, not once per pooled connection.
_WARNED_MODES: set[Path] = set()


def _warn_if_others_can_read(cursor) -> None:
    """Log once per file when users other than the owner and group can read an
    existing SQLite file, such as one created before files got mode 0600."""
    path = _main_file(cursor)
    if path is None or path in _WARNED_MODES:
        return
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if mode & stat.S_IROTH:
        _WARNED_MODES.add(path)
        logger.warning(
            "database %s can be read by every user on this machine (mode %o); "
            "run `chmod 600` on it and on its -wal and -shm files",
            path,
            stat.S_IMODE(mode),
        )


def ensure_schema(
    engine: Engine, component: str, metadata: MetaData, version: int
) -> None:
    """Create the tables of ``component`` if missing and check its schema version.

    A fresh database gets the tables and ``version``. A database at the same version
    is left as it is. Raises SchemaVersionError when it contains another version,
    because no migration exists yet between versions, or when it already has tables
    of ``component`` without a recorded version (another program's database).
    Raises DataDirError when the database cannot be written or is not a database.
    """
    shown = engine.url.render_as_string(hide_password=True)
    try:
        with engine.begin() as connection:
            existing = set(inspect(connection).get_table_names())
            stored = None
            if schema_versions.name in existing:
                stored = connection.execute(
                    select(schema_versions.c.version).where(
                        schema_versions.c.component == component
                    )
                ).scalar_one_or_none()
            if stored is None and engine in _READ_ONLY_ENGINES:
                raise DataDirError(
                    f"database {shown!r} has no {component} tables, so no "
                    "`cityline serve` wrote it; check --data-dir or "
                    "CITYLINE_DATABASE_URL"
                )
            if stored is None:
                _reject_unversioned_tables(existing, component, metadata, shown)
                _versions_metadata.create_all(connection)
                metadata.create_all(connection)
                connection.execute(
                    schema_versions.insert().values(
                        component=component, version=version
                    )
                )
                logger.info("created schema %s version %d", component, version)
                stored = version
    except OperationalError as exc:
        raise DataDirError(_open_failure(engine, shown, exc)) from exc
    except DatabaseError as exc:
        raise DataDirError(
            f"database {shown!r} is corrupt or not a database ({_one_line(exc)}); "
            "move the file away or restore it from a backup, then run again"
        ) from exc

    if stored != version:
        raise SchemaVersionError(
            f"database {shown!r} has {component} schema version {stored}, but this "
            f"cityline uses {version}; use a new data dir or the cityline release that "
            "wrote it"
        )
    if engine in _READ_ONLY_ENGINES:
        # A table added to a component since the file was written stays missing;
        # readers of such a table treat it as empty.
        return
    metadata.create_all(engine)
    _use_wal(engine)


def _open_failure(engine: Engine, shown: str, exc: OperationalError) -> str:
    """Return the error for a database that cannot be opened, worded per backend."""
    if engine.url.get_backend_name() == "sqlite":
        purpose = "reading" if engine in _READ_ONLY_ENGINES else "writing"
        return (
            f"database {shown!r} cannot be opened for {purpose} "
            f"({_one_line(exc)}); check the data dir and its permissions"
        )
    return (
        f"database {shown!r} cannot be reached ({_one_line(exc)}); check that the "
        "database server is running and that CITYLINE_DATABASE_URL names it"
    )


def _one_line(exc: DatabaseError) -> str:
    """Return the driver's message as one line; PostgreSQL's has several."""
    return " ".join(str(exc.orig).split())


def _use_wal(engine: Engine) -> None:
    """Switch an accepted SQLite database to WAL; the mode stays in the file."""
    if engine.url.get_backend_name() != "sqlite":
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")


def _reject_unversioned_tables(
    existing: set[str], component: str, metadata: MetaData, shown: str
) -> None:
    clashes = sorted(existing & set(metadata.tables))
    if clashes:
        raise SchemaVersionError(
            f"database {shown!r} already has table(s) {', '.join(clashes)} but no "
            f"{component} schema version, so another program wrote it; use a new "
            "data dir or another database URL"
        )
