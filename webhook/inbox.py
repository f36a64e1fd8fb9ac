"""The inbox: verified webhook events, stored before the 200 and handled later.

Each event is a row keyed by LINE's ``webhookEventId``, so an event that LINE
delivers again is stored once and handled once. A row is *pending* while it contains the
event's JSON and has no handled time. Handling it clears the JSON and the hashed
source id and sets the handled time: what remains (id, handled time) only serves to
recognise a redelivery, and :meth:`Inbox.prune` deletes it after some days.

On SQLite the cleared JSON is overwritten in the database file (``secure_delete``,
see ``cityline.db``), but the -wal file keeps the page as it was until a
checkpoint. :meth:`Inbox.checkpoint` empties it. The app runs it soon after an
event that carries receive settings or an unfollow (see
:meth:`Inbox.request_checkpoint`), and once a minute otherwise.

The store is one component of the app database (tables prefixed ``inbox_``).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from cityline.db import checkpoint_wal, ensure_schema, sqlite_file
from webhook.broadcasts.views import FLOW_NAME as SETTINGS_FLOW
from webhook.events import (
    event_id_of,
    parse_event_time_ms,
    postback_flow,
    source_key_of,
)
from webhook.privacy import UserHasher

logger = logging.getLogger(__name__)

COMPONENT = "inbox"
SCHEMA_VERSION = 1
KEEP_HANDLED_IDS_S = 7 * 24 * 3600
"""How long the ids of handled events are kept to recognise redeliveries (7 days).

LINE redelivers a failed webhook for a limited time only (well under a day when
redelivery is turned on), so a week is a wide margin.
"""

# Slots of a sender's marks: the times (ms) of their last follow, last unfollow
# and last deletion of their receive settings.
FOLLOWED, UNFOLLOWED, DELETED = 0, 1, 2

CHECKPOINT_WAIT_MS = 50
"""Maximum wait (ms) of a checkpoint for other connections to finish.

New events wait to be stored while a checkpoint waits, so it gives up soon, and
the next checkpoint tries again.
"""

metadata = MetaData()
inbox_events = Table(
    "inbox_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("source_hash", String(64), nullable=True, index=True),
    Column("received_at", Float, nullable=False),
    Column("handled_at", Float, nullable=True, index=True),
    Column("body", Text, nullable=True),
)
# The times of each sender's last follow and last unfollow, by hashed source id.
# An event sent before an unfollow but delivered after it (a redelivery) would
# recreate deleted data, and an unfollow sent before a newer follow would delete
# a friend's settings. Kept as long as event ids are; older events are ignored.
inbox_follow_marks = Table(
    "inbox_follow_marks",
    metadata,
    Column("source_hash", String(64), primary_key=True),
    Column("followed_ms", Float, nullable=True),
    Column("unfollowed_ms", Float, nullable=True),
    Column("noted_at", Float, nullable=False, index=True),
)
# The time of each sender's last request to delete their receive settings and
# answers, by hashed source id. An event sent before it but delivered after it
# (LINE redelivers an event whose first delivery failed) would store a deleted
# answer again. Kept as long as event ids are; older events are ignored anyway.
inbox_deletion_marks = Table(
    "inbox_deletion_marks",
    metadata,
    Column("source_hash", String(64), primary_key=True),
    Column("deleted_ms", Float, nullable=False),
    Column("noted_at", Float, nullable=False, index=True),
)
inbox_health = Table(
    "inbox_health",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("checked_at", Float, nullable=False),
)


@dataclass(frozen=True)
class InboxItem:
    """A pending event: its order, id, the hashed source id and the event's JSON."""

    seq: int
    event_id: str
    source_hash: str | None
    received_at: float
    raw: Mapping[str, Any]


class Inbox:
    """The inbox tables of one app database; safe to share between threads."""

    def __init__(
        self,
        engine: Engine,
        hasher: UserHasher,
        *,
        erases_data: Callable[[Mapping[str, Any]], bool] | None = None,
    ) -> None:
        """``erases_data`` returns whether handling a raw event deletes its sender's
        receive settings and answers; ``add`` records the time of such events
        (see ``_drop_superseded``). Without it no event counts as one.
        """
        self._engine = engine
        self._erases_data = erases_data or _erases_nothing
        # The SQLite file, checked by check_writable; None for other backends.
        self._sqlite_file = sqlite_file(
            engine.url.render_as_string(hide_password=False)
        )
        self._hasher = hasher
        self._write_lock = threading.Lock()
        # Set when event JSON was cleared since the last complete checkpoint.
        self._checkpoint_lock = threading.Lock()
        self._cleared_since_checkpoint = False
        self._checkpoint_requested = threading.Event()
        ensure_schema(engine, COMPONENT, metadata, SCHEMA_VERSION)

    def add(self, raw_events: Iterable[Mapping[str, Any]]) -> list[InboxItem]:
        """Store the events not seen before and return them, in the order sent.

        Events without a ``webhookEventId`` are skipped with a warning, because
        they could not be deduplicated. So are events whose ``timestamp`` is older
        than KEEP_HANDLED_IDS_S: their id may have been pruned already, so a
        replayed copy would otherwise be handled again. An event that an earlier
        call's follow, unfollow or deletion supersedes is skipped too (see
        ``_drop_superseded``), and the events of one call are stored in the order
        they were sent. Duplicates within ``raw_events`` count once.
        """
        received_at = time.time()
        candidates: dict[str, Mapping[str, Any]] = {}
        too_old = without_id = 0
        for raw in raw_events:
            event_id = event_id_of(raw)
            if event_id is None:
                without_id += 1
                continue
            if _older_than_kept_ids(raw, received_at):
                too_old += 1
                continue
            candidates.setdefault(event_id, raw)
        if without_id:
            # One line per call: a body may hold thousands of such events.
            logger.warning("skipped %d LINE events without webhookEventId", without_id)
        if too_old:
            logger.warning(
                "ignored %d events sent over %d days ago, older than the ids kept "
                "to recognise redeliveries",
                too_old,
                KEEP_HANDLED_IDS_S // 86400,
            )
        if not candidates:
            return []
        hashes = {
            event_id: self._source_hash(raw) for event_id, raw in candidates.items()
        }
        with self._write_lock, self._engine.begin() as connection:
            candidates = self._drop_superseded(
                connection, candidates, hashes, received_at
            )
            known = set(
                connection.execute(
                    select(inbox_events.c.event_id).where(
                        inbox_events.c.event_id.in_(list(candidates))
                    )
                ).scalars()
            )
            rows = [
                {
                    "event_id": event_id,
                    "source_hash": hashes[event_id],
                    "received_at": received_at,
                    "body": json.dumps(raw, ensure_ascii=False),
                }
                for event_id, raw in candidates.items()
                if event_id not in known
            ]
            items = []
            for row in rows:
                seq = connection.execute(
                    insert(inbox_events).values(**row)
                ).inserted_primary_key[0]
                items.append(
                    InboxItem(
                        seq=seq,
                        event_id=row["event_id"],
                        source_hash=row["source_hash"],
                        received_at=received_at,
                        raw=candidates[row["event_id"]],
                    )
                )
        if known:
            logger.info("ignored %d events already in the inbox", len(known))
        return items

    def pending(self) -> list[InboxItem]:
        """Return the events not handled yet, oldest first."""
        query = (
            select(inbox_events)
            .where(inbox_events.c.handled_at.is_(None))
            .order_by(inbox_events.c.seq)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        items = []
        for row in rows:
            try:
                raw = json.loads(row["body"] or "{}")
            except ValueError:
                raw = {}
            items.append(
                InboxItem(
                    seq=row["seq"],
                    event_id=row["event_id"],
                    source_hash=row["source_hash"],
                    received_at=row["received_at"],
                    raw=raw,
                )
            )
        return items

    def mark_handled(self, seq: int) -> None:
        """Record that event ``seq`` was handled and delete its JSON and source."""
        with self._write_lock, self._engine.begin() as connection:
            connection.execute(
                update(inbox_events)
                .where(inbox_events.c.seq == seq)
                .values(handled_at=time.time(), body=None, source_hash=None)
            )
        self._note_cleared()

    def forget_source(self, user_id: str, before_seq: int) -> int:
        """Delete the stored data of ``user_id``'s events older than ``before_seq``.

        Called on unfollow. Later events (a new follow, say) stay pending. Returns
        the number of rows cleared.
        """
        source_hash = self._hasher.hash(user_id)
        with self._write_lock, self._engine.begin() as connection:
            result = connection.execute(
                update(inbox_events)
                .where(inbox_events.c.source_hash == source_hash)
                .where(inbox_events.c.seq < before_seq)
                .values(
                    body=None,
                    source_hash=None,
                    handled_at=time.time(),
                )
            )
        self._note_cleared()
        return result.rowcount

    def checkpoint(self) -> bool:
        """Empty SQLite's -wal file, which keeps the event JSON that
        :meth:`mark_handled` and :meth:`forget_source` cleared until a checkpoint.

        Does nothing when no JSON was cleared since the last complete checkpoint,
        and nothing on other backends. Returns False when the checkpoint failed
        or another connection kept the log from being emptied; the next call
        tries again. Errors are logged, not raised.
        """
        self._checkpoint_requested.clear()
        with self._checkpoint_lock:
            if not self._cleared_since_checkpoint:
                return True
            self._cleared_since_checkpoint = False
        try:
            emptied = checkpoint_wal(self._engine, wait_ms=CHECKPOINT_WAIT_MS)
        except SQLAlchemyError as exc:
            logger.error("checkpoint of the inbox database failed: %s", exc)
            emptied = False
        if not emptied:
            logger.debug("the write-ahead log was in use; checkpoint tried later")
            self._note_cleared()
        return emptied

    def request_checkpoint(self) -> None:
        """Ask for a :meth:`checkpoint` soon, for JSON that should not wait for
        the periodic one. The app's checkpoint thread runs it."""
        self._checkpoint_requested.set()

    def wait_for_checkpoint_request(self, timeout_s: float) -> bool:
        """Wait until :meth:`request_checkpoint` is called or ``timeout_s``
        seconds pass, and return whether a checkpoint was requested."""
        return self._checkpoint_requested.wait(timeout_s)

    def _note_cleared(self) -> None:
        with self._checkpoint_lock:
            self._cleared_since_checkpoint = True

    def prune(self, keep_s: float = KEEP_HANDLED_IDS_S) -> int:
        """Delete the ids of events handled more than ``keep_s`` seconds ago."""
        cutoff = time.time() - keep_s
        with self._write_lock, self._engine.begin() as connection:
            result = connection.execute(
                delete(inbox_events).where(inbox_events.c.handled_at < cutoff)
            )
            connection.execute(
                delete(inbox_follow_marks).where(inbox_follow_marks.c.noted_at < cutoff)
            )
            connection.execute(
                delete(inbox_deletion_marks).where(
                    inbox_deletion_marks.c.noted_at < cutoff
                )
            )
        if result.rowcount:
            logger.info("pruned %d handled event ids from the inbox", result.rowcount)
        return result.rowcount

    def check_writable(self) -> None:
        """Write a row to ``inbox_health``; raises SQLAlchemyError when that fails.

        Raises OSError when the SQLite file was deleted while the engine had it
        open: writes then still succeed, into a file other processes cannot open.
        """
        path = self._sqlite_file
        if path is not None and not path.exists():
            raise OSError(
                f"database file {str(path)!r} no longer exists (deleted while "
                "open); restart cityline serve"
            )
        now = time.time()
        with self._write_lock, self._engine.begin() as connection:
            changed = connection.execute(
                update(inbox_health)
                .where(inbox_health.c.id == 1)
                .values(checked_at=now)
            ).rowcount
            if not changed:
                connection.execute(insert(inbox_health).values(id=1, checked_at=now))

    def _drop_superseded(
        self,
        connection: Connection,
        candidates: dict[str, Mapping[str, Any]],
        hashes: Mapping[str, str | None],
        now: float,
    ) -> dict[str, Mapping[str, Any]]:
        """Return the candidates in the order they were sent, without those an
        earlier call's follow, unfollow or deletion supersedes, and record the
        follows, unfollows and deletions among them.

        An event sent before the sender's last recorded unfollow is dropped, a
        follow or settings postback sent before their last recorded deletion (an
        event for which ``erases_data`` is true), and an unfollow sent before
        the last recorded follow. Within one body the events are
        handled in the order they were sent, so an unfollow or a deletion there
        clears what was sent before it. ``hashes`` gives each event's hashed
        source.
        """
        ordered = _in_sending_order(candidates)
        sources = {value for value in hashes.values() if value}
        if not sources:
            return ordered
        marks = _read_marks(connection, sources)
        kept = {
            event_id: raw
            for event_id, raw in ordered.items()
            if not _superseded(raw, marks.get(hashes[event_id]))
        }
        changed: set[tuple[str, int]] = set()
        for event_id, raw in kept.items():
            slot, source, stamp = (
                self._mark_slot(raw),
                hashes[event_id],
                _timestamp(raw),
            )
            if slot is None or source is None or stamp is None:
                continue
            mark = marks.setdefault(source, [None, None, None])
            if mark[slot] is None or stamp > mark[slot]:
                mark[slot] = stamp
                changed.add((source, slot))
        _write_marks(connection, marks, changed, now)
        if len(kept) < len(ordered):
            logger.info(
                "ignored %d events that a later follow, unfollow or deletion "
                "superseded",
                len(ordered) - len(kept),
            )
        return kept

    def _mark_slot(self, raw: Mapping[str, Any]) -> int | None:
        """Return the slot of a sender's marks that ``raw`` sets: FOLLOWED,
        UNFOLLOWED or DELETED, or None for an event that sets none."""
        kind = raw.get("type")
        if kind == "follow":
            return FOLLOWED
        if kind == "unfollow":
            return UNFOLLOWED
        if self._erases_data(raw):
            return DELETED
        return None

    def _source_hash(self, raw: Mapping[str, Any]) -> str | None:
        key = source_key_of(raw)
        return self._hasher.hash(key) if key else None


def _older_than_kept_ids(raw: Mapping[str, Any], now: float) -> bool:
    """Tell whether the event's ``timestamp`` (ms) is over KEEP_HANDLED_IDS_S old."""
    stamp = _timestamp(raw)
    return stamp is not None and stamp / 1000 < now - KEEP_HANDLED_IDS_S


def _erases_nothing(_raw: Mapping[str, Any]) -> bool:
    return False


def _read_marks(connection: Connection, sources: set[str]) -> dict[str, list]:
    """Return [followed_ms, unfollowed_ms, deleted_ms] of each of ``sources``
    that has a mark, with None for a time not recorded."""
    marks: dict[str, list] = {}
    for row in connection.execute(
        select(inbox_follow_marks).where(inbox_follow_marks.c.source_hash.in_(sources))
    ):
        marks[row.source_hash] = [row.followed_ms, row.unfollowed_ms, None]
    for row in connection.execute(
        select(inbox_deletion_marks).where(
            inbox_deletion_marks.c.source_hash.in_(sources)
        )
    ):
        marks.setdefault(row.source_hash, [None, None, None])[DELETED] = row.deleted_ms
    return marks


def _write_marks(
    connection: Connection,
    marks: Mapping[str, list],
    changed: set[tuple[str, int]],
    now: float,
) -> None:
    """Store the ``changed`` (source, slot) pairs of ``marks``, noted at ``now``."""
    for source in {source for source, slot in changed if slot != DELETED}:
        followed, unfollowed, _deleted = marks[source]
        _replace_mark(
            connection,
            inbox_follow_marks,
            source,
            followed_ms=followed,
            unfollowed_ms=unfollowed,
            noted_at=now,
        )
    for source in {source for source, slot in changed if slot == DELETED}:
        _replace_mark(
            connection,
            inbox_deletion_marks,
            source,
            deleted_ms=marks[source][DELETED],
            noted_at=now,
        )


def _replace_mark(connection: Connection, table: Table, source: str, **values) -> None:
    """Replace the row of ``source`` in the marks ``table`` with ``values``."""
    connection.execute(delete(table).where(table.c.source_hash == source))
    connection.execute(insert(table).values(source_hash=source, **values))


def _superseded(raw: Mapping[str, Any], mark: list | None) -> bool:
    """Tell whether an earlier call's follow, unfollow or deletion makes ``raw``
    stale.

    ``mark`` is [followed_ms, unfollowed_ms, deleted_ms] of the sender, or None.
    An unfollow is stale only before a follow, because a later unfollow deletes
    the sender's data again. A deletion of the receive settings makes stale only
    a follow or a settings postback sent before it. An event of the same
    millisecond as the mark, or without a time, is kept: the order of two events
    in one millisecond is unknown.
    """
    stamp = _timestamp(raw)
    if mark is None or stamp is None:
        return False
    followed, unfollowed, deleted = mark
    if raw.get("type") == "unfollow":
        return followed is not None and stamp < followed
    if unfollowed is not None and stamp < unfollowed:
        return True
    # A deletion erases the receive settings alone. So it makes stale only the
    # events that would set them again, and a report or a question sent before
    # it is still handled.
    return deleted is not None and stamp < deleted and _sets_receive_settings(raw)


def _sets_receive_settings(raw: Mapping[str, Any]) -> bool:
    """Tell whether ``raw`` is a follow or a postback of the receive settings."""
    if raw.get("type") == "follow":
        return True
    return raw.get("type") == "postback" and postback_flow(raw) == SETTINGS_FLOW


def _in_sending_order(
    candidates: dict[str, Mapping[str, Any]],
) -> dict[str, Mapping[str, Any]]:
    """Return ``candidates`` sorted by their ``timestamp``, ties in body order;
    unchanged when any event has no time."""
    if any(_timestamp(raw) is None for raw in candidates.values()):
        return candidates
    return dict(sorted(candidates.items(), key=lambda item: _timestamp(item[1])))


def _timestamp(raw: Mapping[str, Any]) -> int | None:
    """Return the event's ``timestamp`` in ms, or None when it has no usable
    time (see :func:`webhook.events.parse_event_time_ms`)."""
    return parse_event_time_ms(raw.get("timestamp"))
