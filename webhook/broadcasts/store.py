"""Receive settings in the app database, stored so that they serve sending only.

Tables (component ``receive_settings``, prefix ``recv_``):

- ``recv_subscriptions``: one row per (LINE user id, category key). It has the user
  id because multicast needs it, and nothing else: no timestamps, no history.
- ``recv_friends``: one row per LINE user id that this account greeted, so that
  a repeated follow event keeps the settings of a resident who turned every
  category off. Keyed by the user id, like the subscriptions, so that it cannot
  be joined to the attributes either.
- ``recv_attributes``: the optional gender, age band and area. A row is keyed by a
  *subject*, an HMAC-SHA256 of the user id under the user-hash key (see
  ``Settings.user_hash_key_file``), so the table has no LINE user id and cannot be
  joined to the subscriptions in SQL.
  Only this module computes subjects. It uses them for three things: to show a
  resident their own answers, to count residents per attribute value, and to narrow
  a broadcast's audience inside :meth:`ReceiveSettingsStore.audience`, which rejects
  an audience below the floor of :mod:`webhook.broadcasts.privacy`.
- ``recv_broadcasts`` and ``recv_broadcast_chunks``: the delivery log, written by
  :class:`webhook.broadcasts.delivery_log.DeliveryLog`.

No method returns one resident's settings except :meth:`own_settings`, which the
LINE flow calls to show them to that resident. Staff code gets counts only.

On SQLite, every transaction that deletes settings or user ids first turns on
``PRAGMA secure_delete``, so the deleted bytes are overwritten in the database file
instead of lingering in free pages.

NOTE: until the next WAL checkpoint, the ``-wal`` file may still hold old copies of
pages with deleted rows; SQLite checkpoints on its own every 1,000 pages.

On SQLite, ``recv_attributes`` is stored in subject order, so SQL reads it in
an order that says nothing of when a resident answered. NOTE: the file itself
still can. Within a page, SQLite writes each new row's bytes after the last
ones, and the ``-wal`` file holds pages in the order written, so someone who
parses the file can line recent answers up with the follow order of user ids.
A ``VACUUM`` (run once when an older table is rebuilt) rewrites the pages in
subject order; answers given since keep their write order until the next one.
PostgreSQL keeps a table's rows in the order written (their ``ctid``), so there
an SQL session can still line the answers up that way.

NOTE: the separation protects a database export or an SQL session, not a person who
holds both the database and the key file, because targeting by attribute needs the
code to link the two. ``CITYLINE_USER_HASH_KEY_FILE`` keeps the key out of the data
dir, so that a copy of the data dir alone is not enough.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.schema import CreateTable

from cityline.db import ensure_schema, erase_deleted_rows, is_read_only
from cityline.errors import DataDirError
from webhook.broadcasts.categories import ATTRIBUTES, SAFETY_CATEGORY
from webhook.broadcasts.privacy import require_min_audience

logger = logging.getLogger(__name__)

# A LINE user id; a subject is 64 hex digits, so the two never look alike.
_LINE_USER_ID = re.compile(r"U[0-9a-f]{32}")

COMPONENT = "receive_settings"
VERSION = 1
_SUBJECT_CONTEXT = b"cityline receive-settings attributes\x00"
# Maximum attempts to remove a leaving resident from a chunk that the sender
# keeps narrowing, as NARROW_ATTEMPTS in the delivery log.
_REMOVE_ATTEMPTS = 5
_FINGERPRINT_CONTEXT = b"cityline user-hash key check\x00"

metadata = MetaData()

subscriptions = Table(
    "recv_subscriptions",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("category", String(32), primary_key=True),
    Index("recv_subscriptions_by_category", "category"),
)

# Friends this account has greeted, so that a repeated follow event (one whose
# unfollow was lost) does not turn the safety category back on for a resident
# who turned every category off. Keyed by user id, never by subject: a subject
# here would pair with the attributes row of the same resident, and the row
# order of a follow's two inserts would then link attributes to user ids.
# ensure_schema adds the table to a database made before it existed.
friends = Table(
    "recv_friends",
    metadata,
    Column("user_id", String(64), primary_key=True),
)

# On SQLite the rows are stored in subject order, not in the order residents
# answered: insertion order (a rowid) would line up with the order of
# recv_friends and recv_subscriptions, which follow the order residents added
# the account, and so link answers to user ids without the key.
attributes = Table(
    "recv_attributes",
    metadata,
    Column("subject", String(64), primary_key=True),
    Column("gender", String(32)),
    Column("age_band", String(32)),
    Column("area", String(64)),
    sqlite_with_rowid=False,
)

broadcasts = Table(
    "recv_broadcasts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("category", String(32), nullable=False),
    Column("filters", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("url", Text),
    Column("messages", Text, nullable=False),
    Column("mode", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("recipients", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
)

# One row: a fingerprint of the user-hash key the attribute answers were stored
# under (an HMAC of a fixed text, which reveals nothing of the key).
key_check = Table(
    "recv_key_check",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("fingerprint", String(64), nullable=False),
)
chunks = Table(
    "recv_broadcast_chunks",
    metadata,
    Column(
        "broadcast_id",
        String(40),
        ForeignKey("recv_broadcasts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("chunk_index", Integer, primary_key=True),
    Column("retry_key", String(36), nullable=False, unique=True),
    Column("recipients", Integer),
    Column("user_ids", Text),
    Column("status", String(16), nullable=False),
    Column("first_attempt_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("last_error", Text),
)


@dataclass(frozen=True)
class ResidentSettings:
    """One resident's own settings, for showing to that resident only."""

    categories: frozenset[str] = frozenset()
    attributes: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """True when nothing is stored for the resident."""
        return not self.categories and not self.attributes


@dataclass(frozen=True)
class Audience:
    """The user ids a broadcast goes to, sorted; never printed or logged."""

    user_ids: tuple[str, ...] = field(repr=False)

    def __len__(self) -> int:
        return len(self.user_ids)


def _check_key(key: bytes) -> bytes:
    if len(key) < 16:
        raise ValueError("hash_key must have at least 16 bytes")
    return key


def _fingerprint(key: bytes) -> str:
    return hmac.new(key, _FINGERPRINT_CONTEXT, hashlib.sha256).hexdigest()


def _match_stored_key(engine: Engine, key: bytes, adopt: bool) -> None:
    """Check the key against the fingerprint stored with the receive settings.

    Subjects made with another key match no stored answer, so a mistyped
    CITYLINE_USER_HASH_KEY_FILE or a copied-in key would silently orphan every
    answer and empty every filtered audience. Raises DataDirError when the
    database names another key. With no fingerprint yet (a database written
    before the check), ``adopt`` records this key's, but only after checking
    that stored answers, if any, match it: some subscriber's subject must be
    among them. Staff commands do not adopt, so that only the server decides; a
    read-only file without the fingerprint table is checked the same way.
    """
    fingerprint = _fingerprint(key)
    try:
        with engine.connect() as connection:
            stored = connection.execute(
                select(key_check.c.fingerprint).where(key_check.c.id == 1)
            ).scalar_one_or_none()
    except OperationalError:
        if not is_read_only(engine):
            raise
        stored = None  # a read-only file written before the check existed
    if stored == fingerprint:
        return
    if stored is not None or not _answers_match(engine, key):
        raise DataDirError(
            "the user-hash key is not the one this database's receive settings were "
            "stored under; point CITYLINE_USER_HASH_KEY_FILE (or user-hash.key in "
            "the data dir) at the original key, since answers under another key "
            "cannot be matched"
        )
    if not adopt or is_read_only(engine):
        return
    with engine.begin() as connection:
        if connection.execute(select(key_check.c.id)).first() is None:
            connection.execute(insert(key_check).values(id=1, fingerprint=fingerprint))


def _drop_answer_order(engine: Engine) -> None:
    """Rebuild a SQLite ``recv_attributes`` made with rowids (before cityline
    stored it in subject order) so that its rows no longer keep the order in
    which residents answered.

    The rows are copied in subject order into a new table, which then replaces
    the old one, all in one ``BEGIN IMMEDIATE`` transaction. SQLite includes
    table changes in a transaction opened that way, so an interrupted rebuild
    leaves the old table as it was. The old table's pages are overwritten, and a
    ``VACUUM`` then rewrites the file so that no page keeps the old order.
    """
    if engine.dialect.name != "sqlite":
        return
    name = attributes.name
    ordered = f"{name}_ordered"
    columns = ", ".join(column.name for column in attributes.columns)
    create = str(CreateTable(attributes).compile(dialect=engine.dialect)).strip()
    create = create.replace(f"CREATE TABLE {name} ", f"CREATE TABLE {ordered} ", 1)
    raw = engine.raw_connection()
    try:
        sqlite = raw.driver_connection
        previous = sqlite.isolation_level
        sqlite.isolation_level = None  # this code issues BEGIN and COMMIT itself
        try:
            cursor = sqlite.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                row = cursor.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                    (name,),
                ).fetchone()
                if row is None or "WITHOUT ROWID" in row[0].upper():
                    cursor.execute("ROLLBACK")
                    return
                cursor.execute("PRAGMA secure_delete=ON")
                cursor.execute(f"DROP TABLE IF EXISTS {ordered}")
                cursor.execute(create)
                cursor.execute(
                    f"INSERT INTO {ordered} ({columns}) SELECT {columns} "
                    f"FROM {name} ORDER BY subject"
                )
                cursor.execute(f"DROP TABLE {name}")
                cursor.execute(f"ALTER TABLE {ordered} RENAME TO {name}")
                cursor.execute("COMMIT")
            except BaseException:
                # After some errors (an interrupt, a full disk, an I/O error)
                # SQLite may have rolled back already. A ROLLBACK would then
                # fail with an error that hides the first one.
                if sqlite.in_transaction:
                    cursor.execute("ROLLBACK")
                raise
            cursor.execute("VACUUM")
        finally:
            sqlite.isolation_level = previous
    finally:
        raw.close()
    logger.info("receive-settings answers rebuilt in subject order")


def _answers_match(engine: Engine, key: bytes) -> bool:
    """Tell whether the stored attribute answers, if any, were made with ``key``."""
    with engine.connect() as connection:
        if connection.execute(select(attributes.c.subject).limit(1)).first() is None:
            return True
        stored = set(connection.execute(select(attributes.c.subject)).scalars())
        user_ids = connection.execute(
            select(subscriptions.c.user_id).distinct()
        ).scalars()
        return any(_subject_with(key, user_id) in stored for user_id in user_ids)


def _subject_with(key: bytes, user_id: str) -> str:
    message = _SUBJECT_CONTEXT + user_id.encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class ReceiveSettingsStore:
    """Subscriptions and attributes; per-resident access for the LINE flow only.

    ``hash_key`` is the secret that turns a user id into an attribute subject
    (``Settings.user_hash_key()``). Changing it orphans every stored answer. A
    callable is read on the first use of the key, so that commands that only
    count never need the key file. ``adopt_key`` lets the store record the key's
    fingerprint in a database that has none (see ``_match_stored_key``); staff
    commands pass False.
    """

    def __init__(
        self,
        engine: Engine,
        hash_key: bytes | Callable[[], bytes],
        *,
        adopt_key: bool = True,
    ) -> None:
        if not callable(hash_key):
            _check_key(hash_key)
        ensure_schema(engine, COMPONENT, metadata, VERSION)
        if not is_read_only(engine):
            _drop_answer_order(engine)
        self._engine = engine
        self._hash_key = hash_key
        self._adopt_key = adopt_key
        if not callable(hash_key):
            _match_stored_key(engine, hash_key, adopt_key)

    @property
    def engine(self) -> Engine:
        """The app database engine."""
        return self._engine

    def _subject(self, user_id: str) -> str:
        if callable(self._hash_key):
            key = _check_key(self._hash_key())
            _match_stored_key(self._engine, key, self._adopt_key)
            self._hash_key = key
        return _subject_with(self._hash_key, user_id)

    # The resident's own settings, used by the LINE flow -----------------------------

    def own_settings(self, user_id: str) -> ResidentSettings:
        """Return the settings of ``user_id``, only to show them to that resident."""
        with self._engine.connect() as connection:
            stored = frozenset(
                connection.execute(
                    select(subscriptions.c.category).where(
                        subscriptions.c.user_id == user_id
                    )
                ).scalars()
            )
            row = connection.execute(
                select(*(attributes.c[name] for name in ATTRIBUTES)).where(
                    attributes.c.subject == self._subject(user_id)
                )
            ).first()
        answers = {}
        if row is not None:
            answers = {
                name: value
                for name, value in zip(ATTRIBUTES, row, strict=True)
                if value is not None
            }
        return ResidentSettings(categories=stored, attributes=answers)

    def start_defaults(self, user_id: str) -> bool:
        """Subscribe a new friend to the safety category if they have no categories.

        Returns True when it subscribed them. A resident who kept settings (a repeated
        follow event, say) keeps them unchanged, also when every category is off.

        NOTE: in a database made before ``recv_friends`` existed, a resident who
        turned every category off and set no attribute is not known, so a
        repeated follow subscribes them to the safety category again.
        """
        with self._engine.begin() as connection:
            greeted = connection.execute(
                select(friends.c.user_id).where(friends.c.user_id == user_id)
            ).first()
            existing = connection.execute(
                select(func.count())
                .select_from(subscriptions)
                .where(subscriptions.c.user_id == user_id)
            ).scalar_one()
            answered = connection.execute(
                select(attributes.c.subject).where(
                    attributes.c.subject == self._subject(user_id)
                )
            ).first()
            if greeted is None:
                connection.execute(insert(friends).values(user_id=user_id))
            if greeted is not None or existing or answered is not None:
                return False
            connection.execute(
                insert(subscriptions).values(user_id=user_id, category=SAFETY_CATEGORY)
            )
        return True

    def set_subscription(self, user_id: str, category: str, subscribed: bool) -> bool:
        """Turn ``category`` on or off for ``user_id``; return True if it changed.

        Turned off, the resident also leaves the chunks of broadcasts to the
        category that no request was tried for yet, as in :meth:`delete_resident`.
        """
        # Computed before the transaction, because the first use of a key read
        # lazily may record its fingerprint through another connection, which
        # would wait for this transaction's lock on SQLite.
        subject = None if subscribed else self._subject(user_id)
        with self._engine.begin() as connection:
            present = connection.execute(
                select(subscriptions.c.category).where(
                    subscriptions.c.user_id == user_id,
                    subscriptions.c.category == category,
                )
            ).first()
            if subscribed and present is None:
                connection.execute(
                    insert(subscriptions).values(user_id=user_id, category=category)
                )
                return True
            if not subscribed and present is not None:
                _remember_friend(connection, user_id)
                erase_deleted_rows(connection)
                connection.execute(
                    delete(subscriptions).where(
                        subscriptions.c.user_id == user_id,
                        subscriptions.c.category == category,
                    )
                )
                entries = (user_id, subject)
                _remove_from_unattempted_chunks(connection, entries, category)
                return True
        return False

    def set_attribute(self, user_id: str, attribute: str, value: str | None) -> bool:
        """Store ``value`` for ``attribute``, and return whether the stored value
        changed. None (回答しない) removes the answer.

        A row whose answers are all removed is deleted.
        """
        if attribute not in ATTRIBUTES:
            raise ValueError(
                f"unknown attribute {attribute!r}; use one of {', '.join(ATTRIBUTES)}"
            )
        subject = self._subject(user_id)
        with self._engine.begin() as connection:
            erase_deleted_rows(connection)
            row = connection.execute(
                select(attributes).where(attributes.c.subject == subject)
            ).first()
            if row is None:
                if value is not None:
                    connection.execute(
                        insert(attributes).values(subject=subject, **{attribute: value})
                    )
                return value is not None
            previous = row._mapping[attribute]
            connection.execute(
                update(attributes)
                .where(attributes.c.subject == subject)
                .values(**{attribute: value})
            )
            connection.execute(
                delete(attributes).where(
                    attributes.c.subject == subject,
                    *(attributes.c[name].is_(None) for name in ATTRIBUTES),
                )
            )
        return previous != value

    def delete_resident(self, user_id: str) -> None:
        """Delete every subscription and answer of ``user_id``.

        The user id, or in a filtered broadcast its subject, is also removed from
        broadcast chunks that are stored but not yet attempted. A chunk already
        attempted keeps it until the send finishes, because a retry must repeat
        the request exactly for LINE to recognise its retry key.
        """
        subject = self._subject(user_id)
        with self._engine.begin() as connection:
            erase_deleted_rows(connection)
            connection.execute(
                delete(subscriptions).where(subscriptions.c.user_id == user_id)
            )
            connection.execute(
                delete(attributes).where(attributes.c.subject == subject)
            )
            connection.execute(delete(friends).where(friends.c.user_id == user_id))
            _remove_from_unattempted_chunks(connection, (user_id, subject))
        logger.debug("deleted the receive settings of one resident")

    # Aggregates, the only view staff get -------------------------------------------

    def count_residents(self) -> int:
        """Return how many residents subscribe to at least one category."""
        with self._engine.connect() as connection:
            return connection.execute(
                select(func.count(subscriptions.c.user_id.distinct()))
            ).scalar_one()

    def count_subscribers(self) -> dict[str, int]:
        """Return the number of subscribers per category key."""
        query = select(subscriptions.c.category, func.count()).group_by(
            subscriptions.c.category
        )
        with self._engine.connect() as connection:
            return {category: count for category, count in connection.execute(query)}

    def count_attributes(self) -> dict[str, dict[str, int]]:
        """Return, per attribute, the number of residents per answered value."""
        counts: dict[str, dict[str, int]] = {}
        with self._engine.connect() as connection:
            for name in ATTRIBUTES:
                column = attributes.c[name]
                query = (
                    select(column, func.count())
                    .where(column.is_not(None))
                    .group_by(column)
                )
                counts[name] = {
                    value: count for value, count in connection.execute(query)
                }
        return counts

    def audience(self, category: str, filters: Mapping[str, str]) -> Audience:
        """Return the subscribers of ``category`` whose answers match ``filters``.

        ``filters`` maps attribute names to option keys; a resident who gave no answer
        for a filtered attribute does not match. Raises AudienceTooSmallError when
        filters narrow the audience below the privacy floor.
        """
        for name in filters:
            if name not in ATTRIBUTES:
                raise ValueError(
                    f"unknown attribute {name!r}; use one of {', '.join(ATTRIBUTES)}"
                )
        with self._engine.connect() as connection:
            user_ids = (
                connection.execute(
                    select(subscriptions.c.user_id)
                    .where(subscriptions.c.category == category)
                    .order_by(subscriptions.c.user_id)
                )
                .scalars()
                .all()
            )
            if filters:
                matching = set(
                    connection.execute(
                        select(attributes.c.subject).where(
                            *(
                                attributes.c[name] == value
                                for name, value in filters.items()
                            )
                        )
                    ).scalars()
                )
                selected = tuple(u for u in user_ids if self._subject(u) in matching)
            else:
                selected = tuple(user_ids)
        require_min_audience(len(selected), filters)
        return Audience(selected)

    def subjects(self, user_ids: Sequence[str]) -> tuple[str, ...]:
        """Return the subject of each of ``user_ids``, in order.

        A filtered broadcast stores its chunks as subjects, so that the delivery
        log never contains LINE user ids beside the attribute values they matched.
        """
        return tuple(self._subject(user_id) for user_id in user_ids)

    def subscriber_subjects(self, category: str) -> dict[str, str]:
        """Return the user id of every subscriber of ``category`` by subject."""
        with self._engine.connect() as connection:
            user_ids = connection.execute(
                select(subscriptions.c.user_id).where(
                    subscriptions.c.category == category
                )
            ).scalars()
            return {self._subject(user_id): user_id for user_id in user_ids}

    def resolve_recipients(
        self,
        entries: Sequence[str],
        category: str,
        filters: Mapping[str, str],
        by_subject: Mapping[str, str] | None = None,
    ) -> list[tuple[str, str]]:
        """Return (entry, user id) for the stored chunk ``entries`` still in the
        audience: subscribed to ``category`` and, with ``filters``, matching them.

        An entry is a user id, or with ``filters`` a subject (see
        :meth:`subjects`); a chunk stored before subjects were used contains user
        ids and is read as such. ``by_subject`` is
        :meth:`subscriber_subjects` of ``category`` when the caller has it. A
        broadcast resumed after a stop must not reach a resident who turned the
        category off or withdrew the filtered answer since; no privacy floor
        applies, as the broadcast passed it when it was created.
        """
        if not entries:
            return []
        if not filters:
            return [(u, u) for u in self._subscribed(entries, category)]
        if by_subject is None:
            by_subject = self.subscriber_subjects(category)
        pairs = []
        for entry in entries:
            if _LINE_USER_ID.fullmatch(entry):
                user_id = entry if self._subscribed([entry], category) else None
                subject = self._subject(entry)
            else:
                user_id, subject = by_subject.get(entry), entry
            if user_id is not None:
                pairs.append((entry, user_id, subject))
        with self._engine.connect() as connection:
            matching = set(
                connection.execute(
                    select(attributes.c.subject).where(
                        attributes.c.subject.in_([p[2] for p in pairs]),
                        *(
                            attributes.c[name] == value
                            for name, value in filters.items()
                        ),
                    )
                ).scalars()
            )
        return [
            (entry, user_id) for entry, user_id, subject in pairs if subject in matching
        ]

    def _subscribed(self, user_ids: Sequence[str], category: str) -> list[str]:
        with self._engine.connect() as connection:
            found = set(
                connection.execute(
                    select(subscriptions.c.user_id).where(
                        subscriptions.c.category == category,
                        subscriptions.c.user_id.in_(list(user_ids)),
                    )
                ).scalars()
            )
        return [u for u in user_ids if u in found]


def _remember_friend(connection, user_id: str) -> None:
    """Record ``user_id`` as greeted, if it is not yet (see ``friends``)."""
    known = connection.execute(
        select(friends.c.user_id).where(friends.c.user_id == user_id)
    ).first()
    if known is None:
        connection.execute(insert(friends).values(user_id=user_id))


def _remove_from_unattempted_chunks(
    connection, entries: Collection[str], category: str | None = None
) -> None:
    """Remove ``entries`` from the pending chunks that no request was tried for,
    of broadcasts to ``category`` or, when it is None, of every broadcast.

    ``entries`` are one resident's user id and subject, because a filtered
    broadcast stores subjects (see :meth:`ReceiveSettingsStore.subjects`) and
    other chunks, also a filtered one stored before subjects were used, store
    user ids.
    """
    conditions = [
        chunks.c.status == "pending",
        chunks.c.first_attempt_at.is_(None),
        chunks.c.user_ids.is_not(None),
        or_(
            *(
                chunks.c.user_ids.contains(json.dumps(entry), autoescape=True)
                for entry in entries
            )
        ),
    ]
    if category is not None:
        to_category = select(broadcasts.c.id).where(broadcasts.c.category == category)
        conditions.append(chunks.c.broadcast_id.in_(to_category))
    keys = connection.execute(
        select(chunks.c.broadcast_id, chunks.c.chunk_index).where(*conditions)
    ).all()
    for broadcast_id, chunk_index in keys:
        _remove_from_chunk(connection, broadcast_id, chunk_index, entries)


def _remove_from_chunk(
    connection, broadcast_id: str, chunk_index: int, entries: Collection[str]
) -> None:
    """Remove ``entries`` from one pending, unattempted chunk and lower its
    broadcast's recipient count by the number removed.

    The write applies only to the list read in the same step, and is tried
    again when the sender changed the chunk meanwhile. At PostgreSQL's default
    READ COMMITTED level each statement reads the latest commit, so the
    sender's narrowing can come between the read and the write. A chunk
    attempted meanwhile keeps its list, as a retry must repeat the request
    exactly.
    """
    unattempted = (
        chunks.c.broadcast_id == broadcast_id,
        chunks.c.chunk_index == chunk_index,
        chunks.c.status == "pending",
        chunks.c.first_attempt_at.is_(None),
    )
    for _attempt in range(_REMOVE_ATTEMPTS):
        stored = connection.execute(
            select(chunks.c.user_ids).where(*unattempted)
        ).scalar_one_or_none()
        if stored is None:
            return
        stored_entries = json.loads(stored)
        remaining = [entry for entry in stored_entries if entry not in entries]
        removed = len(stored_entries) - len(remaining)
        if not removed:
            return
        values: dict[str, Any] = {
            "user_ids": json.dumps(remaining),
            "recipients": len(remaining),
        }
        if not remaining:
            values = {"user_ids": None, "recipients": 0, "status": "empty"}
        changed = connection.execute(
            update(chunks)
            .where(*unattempted, chunks.c.user_ids == stored)
            .values(**values)
        )
        if changed.rowcount != 1:
            continue
        connection.execute(
            update(broadcasts)
            .where(broadcasts.c.id == broadcast_id)
            .values(recipients=broadcasts.c.recipients - removed)
        )
        return
    logger.warning(
        "chunk %d of broadcast %s changed %d times while a resident was removed "
        "from it; the sender checks the settings again before it sends the chunk",
        chunk_index + 1,
        broadcast_id,
        _REMOVE_ATTEMPTS,
    )
