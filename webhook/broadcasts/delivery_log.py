"""The delivery log: each broadcast, its chunks, and their retry keys.

A broadcast is written with all of its chunks in one transaction before the first
request goes out. Each chunk has the recipients it goes to (at most 500) and its
``X-Line-Retry-Key``, so a run that stops at any point can be resumed with the same
requests: LINE responds with 409 to a key it accepted before, and the chunk counts
as sent. The recipients are user ids, or for a broadcast filtered by attributes
their subjects (see ``ReceiveSettingsStore.subjects``), so that a stopped filtered
broadcast does not leave user ids beside the attribute values they matched. Before
each request the sender keeps only the recipients still in the audience, so a
resumed broadcast skips residents who turned the category off or changed the
filtered answer meanwhile.
The user ids of a chunk are deleted as soon as LINE has accepted it, or when the
broadcast is cancelled, so a finished broadcast keeps only its category, filters,
text, times and per-chunk status and count.

Chunk states: ``pending`` (stored; ``first_attempt_at`` is set once a request was
tried), ``sent`` (accepted now), ``already_sent`` (LINE responded with 409), ``empty``
(every recipient unfollowed before it was tried) and ``cancelled``. A broadcast is
``sending`` until no chunk is pending, then ``finished`` (or ``cancelled``). A
``cancelled`` chunk with ``first_attempt_at`` set may have been delivered: a
request went out without an answer. ``first_attempt_at`` is cleared again when
every request of the first run that tried the chunk failed to reach LINE.

A broadcast left ``sending`` for :data:`STALE_AFTER` is cancelled by
:meth:`DeliveryLog.cancel_stale`, which every ``cityline broadcast`` command runs,
so that the user ids of a forgotten send do not stay in the database.
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, insert, or_, select, text, update

from cityline.db import ensure_schema
from cityline.errors import CitylineError
from webhook.broadcasts.privacy import few_recipients
from webhook.broadcasts.store import (
    COMPONENT,
    VERSION,
    Audience,
    broadcasts,
    chunks,
    erase_deleted_rows,
    metadata,
)

logger = logging.getLogger(__name__)

MULTICAST = "multicast"
BROADCAST = "broadcast"
STALE_AFTER = timedelta(days=7)
# Chunk states in which LINE has accepted the chunk for its recipients.
ACCEPTED_CHUNK_STATUSES = ("sent", "already_sent")


# Tries to narrow a chunk while the server keeps changing it. Each try is one
# short transaction, so needing more than a few means residents leave in a stream.
NARROW_ATTEMPTS = 5


class BroadcastNotFoundError(CitylineError):
    """Raised when no broadcast has the id given."""


@dataclass(frozen=True)
class ChunkRecord:
    """One chunk as the delivery log keeps it, without user ids."""

    index: int
    status: str
    recipients: int | None
    first_attempt_at: datetime | None
    finished_at: datetime | None
    last_error: str | None

    @property
    def may_have_been_delivered(self) -> bool:
        """Whether the chunk was cancelled after a request LINE did not confirm."""
        return self.status == "cancelled" and self.first_attempt_at is not None


@dataclass(frozen=True)
class BroadcastRecord:
    """One broadcast as the delivery log keeps it, without user ids.

    ``recipients`` is None for a LINE broadcast to every friend, because only LINE
    has that count.
    """

    id: str
    category: str
    filters: Mapping[str, str]
    text: str
    url: str | None
    mode: str
    status: str
    recipients: int | None
    created_at: datetime
    finished_at: datetime | None
    chunks: tuple[ChunkRecord, ...]

    @property
    def pending_count(self) -> int:
        """Number of chunks not yet accepted by LINE."""
        return sum(1 for chunk in self.chunks if chunk.status == "pending")


@dataclass(frozen=True)
class PendingChunk:
    """A chunk to send: its retry key and, for a multicast, its user ids."""

    broadcast_id: str
    index: int
    retry_key: str
    user_ids: tuple[str, ...] | None = field(repr=False)
    first_attempt_at: datetime | None


# The key of PostgreSQL's advisory lock that one delivery at a time holds (see
# DeliveryLog.advisory_lock): an arbitrary number that no other lock of this
# app uses.
_DELIVERY_LOCK_KEY = 73_687_001


class DeliveryLog:
    """Read and write broadcasts and their chunks in the app database."""

    def __init__(self, engine: Engine) -> None:
        ensure_schema(engine, COMPONENT, metadata, VERSION)
        self._engine = engine

    @property
    def backend(self) -> str:
        """The database's SQLAlchemy backend name, such as "sqlite"."""
        return self._engine.dialect.name

    @contextlib.contextmanager
    def advisory_lock(self) -> Iterator[bool]:
        """Hold PostgreSQL's advisory lock for deliveries while the block runs.

        Yields False, without the lock, when another session has it. The lock
        belongs to a connection kept open for the block, so the server
        releases it when the process dies. Only for PostgreSQL databases.
        """
        with self._engine.connect() as connection:
            acquired = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": _DELIVERY_LOCK_KEY}
            ).scalar_one()
            try:
                yield bool(acquired)
            finally:
                if acquired:
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"),
                        {"key": _DELIVERY_LOCK_KEY},
                    )

    def create(
        self,
        *,
        category: str,
        filters: Mapping[str, str],
        text: str,
        url: str | None,
        messages: Sequence[dict[str, Any]],
        audience: Audience | None,
        chunk_size: int,
        now: datetime,
    ) -> BroadcastRecord:
        """Store a new broadcast with its chunks and retry keys, ready to send.

        ``audience`` None means a LINE broadcast to every friend, stored as one chunk
        without user ids. Returns the stored record.
        """
        if not 1 <= chunk_size <= 500:
            raise ValueError(f"chunk_size={chunk_size!r} must be between 1 and 500")
        broadcast_id = f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
        if audience is None:
            mode, recipients = BROADCAST, None
            chunk_rows = [_chunk_row(broadcast_id, 0, None)]
        else:
            mode, recipients = MULTICAST, len(audience)
            ids = audience.user_ids
            chunk_rows = [
                _chunk_row(broadcast_id, index, ids[start : start + chunk_size])
                for index, start in enumerate(range(0, len(ids), chunk_size))
            ]
        with self._engine.begin() as connection:
            connection.execute(
                insert(broadcasts).values(
                    id=broadcast_id,
                    category=category,
                    filters=json.dumps(dict(filters), ensure_ascii=False),
                    text=text,
                    url=url,
                    messages=json.dumps(list(messages), ensure_ascii=False),
                    mode=mode,
                    status="sending" if chunk_rows else "finished",
                    recipients=recipients,
                    created_at=now,
                    finished_at=None if chunk_rows else now,
                )
            )
            if chunk_rows:
                connection.execute(insert(chunks), chunk_rows)
        logger.info(
            "stored broadcast %s: category %s, %s, %s chunks",
            broadcast_id,
            category,
            mode,
            "<=1" if few_recipients(recipients) else len(chunk_rows),
        )
        return self.get(broadcast_id)

    def get(self, broadcast_id: str) -> BroadcastRecord:
        """Return broadcast ``broadcast_id``; raise BroadcastNotFoundError if none."""
        records = self._records(broadcasts.c.id == broadcast_id)
        if not records:
            raise BroadcastNotFoundError(
                f"no broadcast has the id {broadcast_id!r}; list the ids with "
                "`cityline broadcast log`"
            )
        return records[0]

    def recent(self, limit: int = 20) -> list[BroadcastRecord]:
        """Return the newest ``limit`` broadcasts, newest first."""
        return self._records(None, limit=limit)

    def reached_since(self, cutoff: datetime) -> list[BroadcastRecord]:
        """Return the broadcasts, newest first, with a chunk that LINE accepted at
        ``cutoff`` or later (status sent or already_sent), or first tried then.

        A chunk tried but not accepted may have been delivered all the same,
        unless the sender cleared its attempt (see :meth:`clear_attempt`).
        """
        reached = select(chunks.c.broadcast_id).where(
            or_(
                and_(
                    chunks.c.status.in_(ACCEPTED_CHUNK_STATUSES),
                    chunks.c.finished_at >= cutoff,
                ),
                chunks.c.first_attempt_at >= cutoff,
            )
        )
        return self._records(broadcasts.c.id.in_(reached))

    def unfinished(self) -> list[BroadcastRecord]:
        """Return the broadcasts that still have pending chunks, oldest first."""
        return list(reversed(self._records(broadcasts.c.status == "sending")))

    def messages(self, broadcast_id: str) -> list[dict[str, Any]]:
        """Return the LINE message objects stored for ``broadcast_id``."""
        with self._engine.connect() as connection:
            stored = connection.execute(
                select(broadcasts.c.messages).where(broadcasts.c.id == broadcast_id)
            ).scalar_one()
        return json.loads(stored)

    def pending_chunks(self, broadcast_id: str) -> list[PendingChunk]:
        """Return the chunks of ``broadcast_id`` that LINE has not accepted yet."""
        query = (
            select(
                chunks.c.chunk_index,
                chunks.c.retry_key,
                chunks.c.user_ids,
                chunks.c.first_attempt_at,
            )
            .where(chunks.c.broadcast_id == broadcast_id, chunks.c.status == "pending")
            .order_by(chunks.c.chunk_index)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            PendingChunk(
                broadcast_id=broadcast_id,
                index=index,
                retry_key=retry_key,
                user_ids=None if stored is None else tuple(json.loads(stored)),
                first_attempt_at=_aware(first_attempt_at),
            )
            for index, retry_key, stored, first_attempt_at in rows
        ]

    def is_pending(self, chunk: PendingChunk) -> bool:
        """Tell whether ``chunk`` is still pending: not cancelled since it was read."""
        query = select(chunks.c.status).where(
            chunks.c.broadcast_id == chunk.broadcast_id,
            chunks.c.chunk_index == chunk.index,
        )
        with self._engine.connect() as connection:
            return connection.execute(query).scalar_one_or_none() == "pending"

    def mark_attempt(self, chunk: PendingChunk, now: datetime) -> None:
        """Record that a request for ``chunk`` is about to be sent (first time only)."""
        with self._engine.begin() as connection:
            connection.execute(
                _chunk_update(chunk)
                .where(chunks.c.first_attempt_at.is_(None))
                .values(first_attempt_at=now)
            )

    def clear_attempt(self, chunk: PendingChunk) -> None:
        """Record that no request for the pending ``chunk`` reached LINE, so it
        counts as never tried: only for a chunk first tried in this run, whose
        every request failed to connect or was rejected without a 5xx."""
        with self._engine.begin() as connection:
            connection.execute(_chunk_update(chunk).values(first_attempt_at=None))

    def complete_chunk(self, chunk: PendingChunk, status: str, now: datetime) -> None:
        """Mark ``chunk`` as ``sent`` or ``already_sent`` and delete its user ids.

        A chunk cancelled while its request was in flight is marked too, because
        LINE accepted it: the log then shows who was reached after all.
        """
        if status not in ("sent", "already_sent"):
            raise ValueError(f"status {status!r} must be 'sent' or 'already_sent'")
        with self._engine.begin() as connection:
            erase_deleted_rows(connection)
            connection.execute(
                update(chunks)
                .where(
                    chunks.c.broadcast_id == chunk.broadcast_id,
                    chunks.c.chunk_index == chunk.index,
                    chunks.c.status.in_(("pending", "cancelled")),
                )
                .values(status=status, user_ids=None, finished_at=now, last_error=None)
            )

    def narrow_chunk(self, chunk: PendingChunk, user_ids: Sequence[str]) -> None:
        """Keep only ``user_ids`` of a pending multicast ``chunk``.

        With none left the chunk becomes ``empty``. The broadcast's recipient count
        drops by the number removed from the chunk as stored now: the server may
        have taken a resident who left out of it since ``chunk`` was read, and
        that one was counted then. The write applies only to the ids read in the
        same step, and is tried again when the server changed them meanwhile.
        """
        still_wanted = set(user_ids)
        for _attempt in range(NARROW_ATTEMPTS):
            with self._engine.begin() as connection:
                erase_deleted_rows(connection)
                stored = connection.execute(
                    select(chunks.c.user_ids).where(
                        chunks.c.broadcast_id == chunk.broadcast_id,
                        chunks.c.chunk_index == chunk.index,
                        chunks.c.status == "pending",
                    )
                ).scalar_one_or_none()
                if stored is None:
                    return
                stored_ids = json.loads(stored)
                remaining = [u for u in stored_ids if u in still_wanted]
                removed = len(stored_ids) - len(remaining)
                if removed <= 0:
                    return
                values: dict[str, Any] = {
                    "user_ids": json.dumps(remaining),
                    "recipients": len(remaining),
                }
                if not remaining:
                    values = {"user_ids": None, "recipients": 0, "status": "empty"}
                changed = connection.execute(
                    _chunk_update(chunk)
                    .where(chunks.c.user_ids == stored)
                    .values(**values)
                )
                if changed.rowcount != 1:
                    continue
                connection.execute(
                    update(broadcasts)
                    .where(broadcasts.c.id == chunk.broadcast_id)
                    .values(recipients=broadcasts.c.recipients - removed)
                )
                return
        logger.warning(
            "chunk %d of broadcast %s changed %d times while it was narrowed; "
            "it is sent to the residents it lists now",
            chunk.index + 1,
            chunk.broadcast_id,
            NARROW_ATTEMPTS,
        )

    def record_error(self, chunk: PendingChunk, error: str) -> None:
        """Store why the last attempt at ``chunk`` failed; it stays pending."""
        with self._engine.begin() as connection:
            connection.execute(_chunk_update(chunk).values(last_error=error[:500]))

    def finish_if_done(self, broadcast_id: str, now: datetime) -> bool:
        """Mark the broadcast finished if no chunk is pending; return whether it is."""
        with self._engine.begin() as connection:
            pending = connection.execute(
                select(chunks.c.chunk_index).where(
                    chunks.c.broadcast_id == broadcast_id,
                    chunks.c.status == "pending",
                )
            ).first()
            if pending is not None:
                return False
            connection.execute(
                update(broadcasts)
                .where(
                    broadcasts.c.id == broadcast_id, broadcasts.c.status == "sending"
                )
                .values(status="finished", finished_at=now)
            )
        return True

    def cancel(self, broadcast_id: str, now: datetime) -> BroadcastRecord:
        """Cancel the pending chunks of ``broadcast_id`` and delete their user ids.

        Chunks already accepted by LINE stay as they are. A chunk that was attempted
        may still have reached its recipients, which the log cannot tell.
        """
        record = self.get(broadcast_id)
        if record.status != "sending":
            return record
        with self._engine.begin() as connection:
            erase_deleted_rows(connection)
            connection.execute(
                update(chunks)
                .where(
                    chunks.c.broadcast_id == broadcast_id,
                    chunks.c.status == "pending",
                )
                .values(status="cancelled", user_ids=None, finished_at=now)
            )
            # A send that finished since the status was read stays finished.
            connection.execute(
                update(broadcasts)
                .where(
                    broadcasts.c.id == broadcast_id, broadcasts.c.status == "sending"
                )
                .values(status="cancelled", finished_at=now)
            )
        logger.info("cancelled broadcast %s", broadcast_id)
        return self.get(broadcast_id)

    def cancel_stale(self, now: datetime) -> list[str]:
        """Cancel the broadcasts still sending after STALE_AFTER; return their ids."""
        cutoff = now - STALE_AFTER
        stale = [
            record.id for record in self.unfinished() if record.created_at < cutoff
        ]
        for broadcast_id in stale:
            self.cancel(broadcast_id, now)
            logger.warning(
                "cancelled broadcast %s: it was still unfinished after %d days, and "
                "its pending user ids are now deleted",
                broadcast_id,
                STALE_AFTER.days,
            )
        return stale

    def _records(self, condition, limit: int | None = None) -> list[BroadcastRecord]:
        query = select(
            broadcasts.c.id,
            broadcasts.c.category,
            broadcasts.c.filters,
            broadcasts.c.text,
            broadcasts.c.url,
            broadcasts.c.mode,
            broadcasts.c.status,
            broadcasts.c.recipients,
            broadcasts.c.created_at,
            broadcasts.c.finished_at,
        ).order_by(broadcasts.c.created_at.desc(), broadcasts.c.id.desc())
        if condition is not None:
            query = query.where(condition)
        if limit is not None:
            query = query.limit(limit)
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
            ids = [row.id for row in rows]
            chunk_rows = connection.execute(
                select(
                    chunks.c.broadcast_id,
                    chunks.c.chunk_index,
                    chunks.c.status,
                    chunks.c.recipients,
                    chunks.c.first_attempt_at,
                    chunks.c.finished_at,
                    chunks.c.last_error,
                )
                .where(chunks.c.broadcast_id.in_(ids))
                .order_by(chunks.c.broadcast_id, chunks.c.chunk_index)
            ).all()
        by_broadcast: dict[str, list[ChunkRecord]] = {}
        for row in chunk_rows:
            by_broadcast.setdefault(row.broadcast_id, []).append(
                ChunkRecord(
                    index=row.chunk_index,
                    status=row.status,
                    recipients=row.recipients,
                    first_attempt_at=_aware(row.first_attempt_at),
                    finished_at=_aware(row.finished_at),
                    last_error=row.last_error,
                )
            )
        return [
            BroadcastRecord(
                id=row.id,
                category=row.category,
                filters=json.loads(row.filters),
                text=row.text,
                url=row.url,
                mode=row.mode,
                status=row.status,
                recipients=row.recipients,
                created_at=_aware(row.created_at),
                finished_at=_aware(row.finished_at),
                chunks=tuple(by_broadcast.get(row.id, [])),
            )
            for row in rows
        ]


def _chunk_row(
    broadcast_id: str, index: int, user_ids: Sequence[str] | None
) -> dict[str, Any]:
    return {
        "broadcast_id": broadcast_id,
        "chunk_index": index,
        "retry_key": str(uuid.uuid4()),
        "recipients": None if user_ids is None else len(user_ids),
        "user_ids": None if user_ids is None else json.dumps(list(user_ids)),
        "status": "pending",
    }


def _chunk_update(chunk: PendingChunk):
    return update(chunks).where(
        chunks.c.broadcast_id == chunk.broadcast_id,
        chunks.c.chunk_index == chunk.index,
        chunks.c.status == "pending",
    )


def _aware(value: datetime | None) -> datetime | None:
    """Return ``value`` in UTC; SQLite hands back naive datetimes."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
