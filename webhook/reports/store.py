"""The report store: reports, photos, status history and conversation drafts.

Tables live in the app database (component ``reports``, prefix ``report_``) and use
only portable SQLAlchemy Core types, so SQLite and PostgreSQL both work. Each write
is one short transaction. The resident's LINE user id is never stored: rows carry
``user_hash``, a keyed HMAC-SHA256 of it (see :func:`hash_user_id`), which is enough
to rate-limit a resident and to forget them on unfollow.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from sqlalchemy import (
    Engine,
    Table,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from cityline.db import ensure_schema, erase_deleted_rows
from cityline.errors import CitylineError
from webhook.reports import geo
from webhook.reports.models import (
    Draft,
    Report,
    StatusChange,
    StoredPhoto,
    fold_receipt_dashes,
)
from webhook.reports.office_hours import JAPAN
from webhook.reports.public import PLACE_DECIMALS
from webhook.reports.statuses import (
    OPEN_STATUSES,
    check_status,
    check_transition,
)
from webhook.reports.tables import (
    closed_sets_table,
    counters_table,
    drafts_table,
    history_table,
    metadata,
    photos_table,
    reports_table,
)

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
DUPLICATE_RADIUS_M = 30.0
# Degrees that certainly cover DUPLICATE_RADIUS_M at Tokyo's latitude (1e-3 degree
# of latitude is about 111 m, of longitude about 90 m), used to narrow the query.
_DUPLICATE_BOX_DEG = 0.001
RESIDENT = "resident"
CLOSED_STATUSES = frozenset({"resolved", "not_city_managed", "rejected", "removed"})


class ReportNotFoundError(CitylineError):
    """Raised when no report has the given receipt number."""


class ConcurrentChangeError(CitylineError):
    """Raised when another writer changed a report's status first."""


def receipt_key(receipt_no: str) -> str:
    """Return ``receipt_no`` as stored: NFKC (R2026-00000８ has a full-width
    digit when typed in a Japanese input mode), with the dashes an input mode
    types (−, ー, ‐) as "-", trimmed, in capitals, and with the R that a
    number typed without it (2026-000001) leaves out, as the chat accepts."""
    normalized = unicodedata.normalize("NFKC", receipt_no).strip().upper()
    folded = fold_receipt_dashes(normalized)
    # R2026 000001 and R2026000001: a space or no dash between year and serial.
    loose = _LOOSE_RECEIPT.fullmatch(folded)
    if loose is not None:
        return f"R{loose['year']}-{loose['serial']}"
    return folded


# A receipt number's year and serial, with or without its leading R, joined by
# a dash, spaces or nothing.
_LOOSE_RECEIPT = re.compile(r"R?\s*(?P<year>\d{4})(?:\s*-\s*|\s+|)(?P<serial>\d{6})")


def _not_found_message(receipt_no: str) -> str:
    """Return the message for a receipt number that no report has, with the
    form of one when ``receipt_no`` does not have it (X123)."""
    hint = (
        ""
        if _LOOSE_RECEIPT.fullmatch(receipt_key(receipt_no))
        else ("; a receipt number looks like R2026-000001")
    )
    # A pasted paragraph is no receipt number, so its start is quoted alone.
    quoted = receipt_no if len(receipt_no) <= 60 else f"{receipt_no[:60]}..."
    return (
        f"report {quoted!r} not found{hint}; run `cityline reports list` "
        "for the receipt numbers"
    )


def _given_receipt_key(receipt_no: str) -> str:
    """Return receipt_key(receipt_no), or raise ReportNotFoundError for an
    empty or blank number, which a bare "not found" would not explain."""
    key = receipt_key(receipt_no)
    if not key:
        raise ReportNotFoundError(
            "the receipt number is empty; give one such as R2026-000001, as "
            "`cityline reports list` shows them"
        )
    return key


def hash_user_id(key: bytes, user_id: str) -> str:
    """Return the keyed HMAC-SHA256 of a LINE user id, as 64 hex digits."""
    return hmac.new(key, user_id.encode("utf-8"), hashlib.sha256).hexdigest()


def new_draft_id() -> str:
    """Return a fresh random draft id."""
    return uuid.uuid4().hex


def utc_now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class ReportStore:
    """Reads and writes reports and drafts; safe to share between threads.

    ``clock`` returns the current aware datetime and is injectable for tests.
    """

    def __init__(
        self,
        engine: Engine,
        hash_key: bytes | Callable[[], bytes],
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.engine = engine
        # A callable is read on the first hash, so that staff commands, which
        # never hash a user id, do not need the key file.
        self._hash_key = hash_key
        self._clock = clock
        ensure_schema(engine, "reports", metadata, SCHEMA_VERSION)

    def hash_user(self, user_id: str) -> str:
        """Return the stored form of ``user_id``."""
        if callable(self._hash_key):
            self._hash_key = self._hash_key()
        return hash_user_id(self._hash_key, user_id)

    def now(self) -> datetime:
        """Return the store clock's current time."""
        return self._clock()

    # Drafts -----------------------------------------------------------------------

    def listed_photo_paths(self) -> set[str]:
        """Return the paths of the photos that drafts and reports list.

        Drafts are read first: a photo moves from a draft to its report in one
        transaction, so one sent between the two reads is still found.
        """
        listed: set[str] = set()
        with self.engine.connect() as connection:
            for state in connection.execute(select(drafts_table.c.state)).scalars():
                listed.update(photo["path"] for photo in state.get("photos", []))
            listed.update(connection.execute(select(photos_table.c.path)).scalars())
        return listed

    def load_draft(self, user_hash: str) -> Draft | None:
        """Return the resident's draft, or None when there is none."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(drafts_table).where(drafts_table.c.user_hash == user_hash)
            ).first()
        return _draft_from_row(row) if row else None

    def save_draft(self, user_hash: str, draft: Draft) -> Draft:
        """Insert or replace the resident's draft and stamp ``updated_at``."""
        now = self.now()
        draft.updated_at = now
        if draft.created_at is None:
            draft.created_at = now
        values = {
            "draft_id": draft.draft_id,
            "state": draft.to_state(),
            "created_at": draft.created_at,
            "updated_at": now,
        }
        if not self._upsert_by_user(drafts_table, user_hash, values):
            raise CitylineError(
                f"draft {draft.draft_id} could not be saved after 3 attempts; retry"
            )
        return draft

    def _upsert_by_user(self, table: Table, user_hash: str, values: dict) -> bool:
        """Update the row of ``table`` keyed by ``user_hash`` with ``values``, or
        insert it; return False when three attempts all raced another writer."""
        for _attempt in range(3):
            try:
                with self.engine.begin() as connection:
                    changed = connection.execute(
                        update(table)
                        .where(table.c.user_hash == user_hash)
                        .values(**values)
                    ).rowcount
                    if not changed:
                        connection.execute(
                            insert(table).values(user_hash=user_hash, **values)
                        )
                return True
            except IntegrityError:
                # Another thread inserted the same resident's row first: update it.
                logger.debug("%s insert raced; retrying as an update", table.name)
        return False

    def delete_draft(self, user_hash: str) -> Draft | None:
        """Delete the resident's draft and return it, or None when there was none."""
        with self.engine.begin() as connection:
            erase_deleted_rows(connection)
            row = connection.execute(
                select(drafts_table).where(drafts_table.c.user_hash == user_hash)
            ).first()
            if row is None:
                return None
            connection.execute(
                delete(drafts_table).where(drafts_table.c.user_hash == user_hash)
            )
        return _draft_from_row(row)

    def strip_idle_photos(
        self,
        idle_before: datetime,
        *,
        complete_idle_before: datetime | None = None,
        complete_steps: tuple[str, ...] = (),
    ) -> list[str]:
        """Drop the photos of drafts last changed before ``idle_before`` from their
        state, keeping the drafts and their ``updated_at``; return the photo paths.

        A draft at one of ``complete_steps`` (it holds all a report needs)
        keeps its photos until ``complete_idle_before`` instead, when given.
        An expired draft is kept a while only so that its resident hears that
        it expired; its photos are no longer needed for that.
        """
        paths: list[str] = []
        with self.engine.begin() as connection:
            rows = connection.execute(
                select(drafts_table).where(drafts_table.c.updated_at < idle_before)
            ).all()
            for row in rows:
                draft = _draft_from_row(row)
                if not draft.photos:
                    continue
                if (
                    draft.step in complete_steps
                    and complete_idle_before is not None
                    and row.updated_at >= complete_idle_before
                ):
                    continue  # a complete draft, waiting for 送信
                photo_paths = [photo.path for photo in draft.photos]
                draft.photos = []
                # pysqlite runs the SELECT outside the transaction, so the
                # resident may have saved the draft since. Such a draft is kept.
                changed = connection.execute(
                    update(drafts_table)
                    .where(drafts_table.c.user_hash == row.user_hash)
                    .where(drafts_table.c.draft_id == row.draft_id)
                    .where(drafts_table.c.updated_at == row.updated_at)
                    .values(state=draft.to_state())
                ).rowcount
                if changed:
                    paths.extend(photo_paths)
                else:
                    logger.debug("draft changed while its photos were stripped")
        return paths

    def purge_drafts(self, idle_before: datetime) -> list[Draft]:
        """Delete drafts last changed before ``idle_before`` and return them.

        A draft saved again after it was read is kept and not returned, so
        the photos of the returned drafts are exactly those no draft refers to.
        """
        purged: list[Draft] = []
        with self.engine.begin() as connection:
            rows = connection.execute(
                select(drafts_table).where(drafts_table.c.updated_at < idle_before)
            ).all()
            for row in rows:
                # pysqlite runs the SELECT outside the transaction, so each
                # DELETE checks again that the row read is still there, unchanged.
                deleted = connection.execute(
                    delete(drafts_table)
                    .where(drafts_table.c.user_hash == row.user_hash)
                    .where(drafts_table.c.draft_id == row.draft_id)
                    .where(drafts_table.c.updated_at == row.updated_at)
                ).rowcount
                if deleted:
                    purged.append(_draft_from_row(row))
                else:
                    logger.debug("draft saved again while drafts were purged; kept")
        return purged

    # Photo sets -------------------------------------------------------------------

    def remember_closed_set(self, user_hash: str, set_id: str) -> None:
        """Record ``set_id`` as the resident's last closed photo set."""
        values = {"set_id": set_id[:100], "closed_at": self.now()}
        if not self._upsert_by_user(closed_sets_table, user_hash, values):
            logger.warning("closed photo set not recorded after 3 attempts")

    def closed_set(self, user_hash: str) -> str | None:
        """Return the resident's last closed photo set id, or None."""
        with self.engine.connect() as connection:
            return connection.execute(
                select(closed_sets_table.c.set_id).where(
                    closed_sets_table.c.user_hash == user_hash
                )
            ).scalar_one_or_none()

    def purge_closed_sets(self, closed_before: datetime) -> int:
        """Forget photo sets closed before ``closed_before``; return how many."""
        with self.engine.begin() as connection:
            return connection.execute(
                delete(closed_sets_table).where(
                    closed_sets_table.c.closed_at < closed_before
                )
            ).rowcount

    # Submitting -------------------------------------------------------------------

    def submit(
        self, user_hash: str | None, draft: Draft, department: str
    ) -> tuple[Report, bool]:
        """Store ``draft`` as a submitted report and delete the draft.

        Idempotent by draft id: when a report from this draft exists, it is returned
        with ``False`` and nothing is written. Otherwise returns the new report and
        ``True``. Raises ValueError when the draft lacks a category, a photo or a
        location.
        """
        _check_complete(draft)
        now = self.now()
        year = now.astimezone(JAPAN).year
        with self.engine.begin() as connection:
            # The counter update comes first so that the transaction holds the write
            # lock before it reads, which keeps SQLite from failing a lock upgrade.
            number = _next_receipt_number(connection, year)
            existing = connection.execute(
                select(reports_table.c.receipt_no).where(
                    reports_table.c.draft_id == draft.draft_id
                )
            ).scalar_one_or_none()
            if existing is not None:
                connection.rollback()
                return self.get(existing), False
            receipt_no = f"R{year}-{number:06d}"
            duplicate_of = _find_duplicate(connection, draft)
            report_id = connection.execute(
                insert(reports_table).values(
                    receipt_no=receipt_no,
                    draft_id=draft.draft_id,
                    user_hash=user_hash,
                    category=draft.category,
                    department=department,
                    status="submitted",
                    latitude=draft.latitude,
                    longitude=draft.longitude,
                    address=draft.address,
                    location_source=draft.location_source,
                    outside_city=draft.outside_city,
                    urgent=draft.urgent,
                    description=draft.description,
                    comment=draft.comment,
                    duplicate_of=duplicate_of,
                    created_at=now,
                    updated_at=now,
                )
            ).inserted_primary_key[0]
            _insert_photos(connection, report_id, draft.photos)
            connection.execute(
                insert(history_table).values(
                    report_id=report_id,
                    old_status=None,
                    new_status="submitted",
                    changed_by=RESIDENT,
                    changed_at=now,
                    note="",
                )
            )
            if user_hash is not None:
                connection.execute(
                    delete(drafts_table).where(
                        drafts_table.c.user_hash == user_hash,
                        drafts_table.c.draft_id == draft.draft_id,
                    )
                )
        logger.info(
            "report %s submitted (category %s, duplicate of %s)",
            receipt_no,
            draft.category,
            duplicate_of,
        )
        return self.get(receipt_no), True

    def find_by_draft(self, draft_id: str) -> Report | None:
        """Return the report submitted from ``draft_id``, or None."""
        with self.engine.connect() as connection:
            receipt_no = connection.execute(
                select(reports_table.c.receipt_no).where(
                    reports_table.c.draft_id == draft_id
                )
            ).scalar_one_or_none()
        return self.get(receipt_no) if receipt_no else None

    def count_since(self, user_hash: str, since: datetime) -> int:
        """Return how many reports the resident submitted since ``since``."""
        with self.engine.connect() as connection:
            return connection.execute(
                select(func.count())
                .select_from(reports_table)
                .where(
                    reports_table.c.user_hash == user_hash,
                    reports_table.c.created_at >= since,
                )
            ).scalar_one()

    def last_receipt_since(self, user_hash: str, since: datetime) -> str | None:
        """Return the receipt number of the resident's latest report submitted
        since ``since``, or None."""
        with self.engine.connect() as connection:
            return connection.execute(
                select(reports_table.c.receipt_no)
                .where(
                    reports_table.c.user_hash == user_hash,
                    reports_table.c.created_at >= since,
                )
                .order_by(reports_table.c.created_at.desc(), reports_table.c.id.desc())
                .limit(1)
            ).scalar_one_or_none()

    # Reading ----------------------------------------------------------------------

    def get(self, receipt_no: str) -> Report:
        """Return the report, or raise ReportNotFoundError naming the number."""
        key = _given_receipt_key(receipt_no)
        with self.engine.connect() as connection:
            row = connection.execute(
                select(reports_table).where(reports_table.c.receipt_no == key)
            ).first()
            if row is None:
                raise ReportNotFoundError(_not_found_message(receipt_no))
            return _load_reports(connection, [row])[0]

    def list(
        self,
        *,
        status: str | None = None,
        department: str | None = None,
        statuses: Iterable[str] | None = None,
        categories: Iterable[str] | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
        receipt_nos: Iterable[str] | None = None,
        limit: int | None = None,
    ) -> list[Report]:
        """Return reports matching every given filter, newest first."""
        query = select(reports_table).order_by(
            reports_table.c.created_at.desc(), reports_table.c.id.desc()
        )
        if status is not None:
            query = query.where(reports_table.c.status == check_status(status))
        if statuses is not None:
            query = query.where(reports_table.c.status.in_(list(statuses)))
        if department is not None:
            query = query.where(reports_table.c.department == department)
        if categories is not None:
            query = query.where(reports_table.c.category.in_(list(categories)))
        if created_from is not None:
            query = query.where(reports_table.c.created_at >= created_from)
        if created_to is not None:
            query = query.where(reports_table.c.created_at <= created_to)
        if receipt_nos is not None:
            query = query.where(reports_table.c.receipt_no.in_(list(receipt_nos)))
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
            return _load_reports(connection, rows)

    # Staff changes ----------------------------------------------------------------

    def set_status(
        self, receipt_no: str, new_status: str, *, changed_by: str, note: str
    ) -> Report:
        """Change the report's status and record who, when and why.

        Raises ReportNotFoundError, UnknownStatusError or InvalidTransitionError,
        each naming the value at fault, and ConcurrentChangeError when another
        writer changed the status between the read and the write; nothing is
        written then.
        """
        check_status(new_status)
        now = self.now()
        key = _given_receipt_key(receipt_no)
        with self.engine.begin() as connection:
            row = connection.execute(
                select(reports_table.c.id, reports_table.c.status).where(
                    reports_table.c.receipt_no == key
                )
            ).first()
            if row is None:
                raise ReportNotFoundError(_not_found_message(receipt_no))
            check_transition(key, row.status, new_status)
            values: dict = {"status": new_status, "updated_at": now}
            if new_status == "accepted":
                values["accepted_at"] = now
            values["closed_at"] = now if new_status in CLOSED_STATUSES else None
            changed = connection.execute(
                update(reports_table)
                .where(
                    reports_table.c.id == row.id,
                    reports_table.c.status == row.status,
                )
                .values(**values)
            )
            if changed.rowcount != 1:
                raise ConcurrentChangeError(
                    f"report {key} was changed from {row.status} by someone else "
                    f"while it was being set to {new_status}; run `cityline "
                    f"reports show {key}` and set the status again if still needed"
                )
            connection.execute(
                insert(history_table).values(
                    report_id=row.id,
                    old_status=row.status,
                    new_status=new_status,
                    changed_by=changed_by,
                    changed_at=now,
                    note=note,
                )
            )
        logger.info(
            "report %s changed from %s to %s by %s",
            key,
            row.status,
            new_status,
            changed_by,
        )
        return self.get(key)

    def set_category(
        self,
        receipt_no: str,
        category: str,
        department: str,
        *,
        changed_by: str,
        note: str,
    ) -> Report:
        """Move the report to ``category`` and ``department``, keeping its status.

        The change is recorded in the history as a row that keeps the status, so
        it is no result and its note is not published as one. Raises
        ReportNotFoundError when no report has ``receipt_no``.
        """
        report = self.get(receipt_no)
        now = self.now()
        with self.engine.begin() as connection:
            connection.execute(
                update(reports_table)
                .where(reports_table.c.id == report.id)
                .values(category=category, department=department, updated_at=now)
            )
            connection.execute(
                insert(history_table).values(
                    report_id=report.id,
                    old_status=report.status,
                    new_status=report.status,
                    changed_by=changed_by,
                    changed_at=now,
                    note=note,
                )
            )
        logger.info(
            "report %s moved from %s to %s by %s",
            report.receipt_no,
            report.category,
            category,
            changed_by,
        )
        return self.get(report.receipt_no)

    def delete_content(
        self,
        receipt_no: str,
        *,
        changed_by: str | None = None,
        note: str | None = None,
        keep_photos: frozenset[str] = frozenset(),
    ) -> list[str]:
        """Clear the report's free texts and photo rows; return the photo paths.

        The rows of ``keep_photos`` (paths whose files could not be deleted)
        stay, so that the report still lists them and a later call can delete
        them.

        The free texts are the first message, the comment and the address text.
        The point is rounded to about 100 m, as published reports show it: an
        exact point may be someone's home. Used when a removed report contains
        content that must not be kept. The caller deletes the photo files.
        With ``changed_by``, the deletion is recorded in the history with ``note``,
        its status unchanged.
        """
        report = self.get(receipt_no)
        has_content = report.has_content
        with self.engine.begin() as connection:
            erase_deleted_rows(connection)
            if changed_by is not None and has_content:
                connection.execute(
                    insert(history_table).values(
                        report_id=report.id,
                        old_status=report.status,
                        new_status=report.status,
                        changed_by=changed_by,
                        changed_at=self.now(),
                        note=note or "",
                    )
                )
            connection.execute(
                update(reports_table)
                .where(reports_table.c.id == report.id)
                .values(
                    description=None,
                    comment=None,
                    address=None,
                    latitude=_rounded_place(report.latitude),
                    longitude=_rounded_place(report.longitude),
                    updated_at=self.now(),
                )
            )
            connection.execute(
                delete(photos_table).where(
                    photos_table.c.report_id == report.id,
                    photos_table.c.path.not_in(keep_photos),
                )
            )
        return [photo.path for photo in report.photos]

    def forget_user(self, user_hash: str) -> tuple[Draft | None, int]:
        """Delete the resident's draft and unlink their reports.

        Returns the deleted draft (so that the caller can delete its photo files)
        and the number of reports unlinked.
        """
        draft = self.delete_draft(user_hash)
        with self.engine.begin() as connection:
            connection.execute(
                delete(closed_sets_table).where(
                    closed_sets_table.c.user_hash == user_hash
                )
            )
            unlinked = connection.execute(
                update(reports_table)
                .where(reports_table.c.user_hash == user_hash)
                .values(user_hash=None)
            ).rowcount
        return draft, unlinked


def _rounded_place(degrees: float | None) -> float | None:
    """Return ``degrees`` rounded as published reports show a place."""
    return None if degrees is None else round(degrees, PLACE_DECIMALS)


def _check_complete(draft: Draft) -> None:
    if not draft.category:
        raise ValueError(f"draft {draft.draft_id} has no category")
    if not draft.photos:
        raise ValueError(f"draft {draft.draft_id} has no photo")
    if not draft.has_location:
        raise ValueError(f"draft {draft.draft_id} has no location")
    if draft.latitude is not None and not geo.is_valid_point(
        draft.latitude, draft.longitude
    ):
        raise ValueError(
            f"draft {draft.draft_id} has an invalid point "
            f"({draft.latitude!r}, {draft.longitude!r}); latitude must be in "
            "-90..90 and longitude in -180..180"
        )


def _next_receipt_number(connection: Connection, year: int) -> int:
    changed = connection.execute(
        update(counters_table)
        .where(counters_table.c.year == year)
        .values(last_number=counters_table.c.last_number + 1)
    ).rowcount
    if not changed:
        # Two first reports of a year at the same moment on PostgreSQL can both
        # reach this insert. The loser fails with IntegrityError, and ReportFlow
        # retries its submit once.
        connection.execute(insert(counters_table).values(year=year, last_number=1))
        return 1
    return connection.execute(
        select(counters_table.c.last_number).where(counters_table.c.year == year)
    ).scalar_one()


def _find_duplicate(connection: Connection, draft: Draft) -> str | None:
    """Return the receipt number an open nearby report of the same category has.

    The link points at the earliest report of a cluster, so that staff see one
    group instead of a chain.
    """
    if draft.latitude is None or draft.longitude is None:
        return None
    rows = connection.execute(
        select(
            reports_table.c.receipt_no,
            reports_table.c.latitude,
            reports_table.c.longitude,
            reports_table.c.duplicate_of,
        ).where(
            reports_table.c.category == draft.category,
            reports_table.c.status.in_(sorted(OPEN_STATUSES)),
            reports_table.c.latitude.between(
                draft.latitude - _DUPLICATE_BOX_DEG, draft.latitude + _DUPLICATE_BOX_DEG
            ),
            reports_table.c.longitude.between(
                draft.longitude - _DUPLICATE_BOX_DEG,
                draft.longitude + _DUPLICATE_BOX_DEG,
            ),
        )
    ).all()
    best: tuple[float, str] | None = None
    for row in rows:
        distance = geo.haversine_m(
            draft.latitude, draft.longitude, row.latitude, row.longitude
        )
        if distance <= DUPLICATE_RADIUS_M and (best is None or distance < best[0]):
            best = (distance, row.duplicate_of or row.receipt_no)
    return best[1] if best else None


def _insert_photos(
    connection: Connection, report_id: int, photos: list[StoredPhoto]
) -> None:
    for position, photo in enumerate(photos, start=1):
        connection.execute(
            insert(photos_table).values(
                report_id=report_id,
                position=position,
                path=photo.path,
                sha256=photo.sha256,
                width=photo.width,
                height=photo.height,
                size_bytes=photo.size_bytes,
            )
        )


def _draft_from_row(row: Row) -> Draft:
    return Draft.from_state(dict(row.state), row.created_at, row.updated_at)


def _load_reports(connection: Connection, rows: list[Row]) -> list[Report]:
    if not rows:
        return []
    ids = [row.id for row in rows]
    photos: dict[int, list[StoredPhoto]] = {report_id: [] for report_id in ids}
    for photo in connection.execute(
        select(photos_table)
        .where(photos_table.c.report_id.in_(ids))
        .order_by(photos_table.c.report_id, photos_table.c.position)
    ):
        photos[photo.report_id].append(
            StoredPhoto(
                path=photo.path,
                sha256=photo.sha256,
                width=photo.width,
                height=photo.height,
                size_bytes=photo.size_bytes,
            )
        )
    history: dict[int, list[StatusChange]] = {report_id: [] for report_id in ids}
    for change in connection.execute(
        select(history_table)
        .where(history_table.c.report_id.in_(ids))
        .order_by(history_table.c.report_id, history_table.c.id)
    ):
        history[change.report_id].append(
            StatusChange(
                old_status=change.old_status,
                new_status=change.new_status,
                changed_by=change.changed_by,
                changed_at=change.changed_at,
                note=change.note,
            )
        )
    return [
        Report(
            id=row.id,
            receipt_no=row.receipt_no,
            draft_id=row.draft_id,
            user_hash=row.user_hash,
            category=row.category,
            department=row.department,
            status=row.status,
            latitude=row.latitude,
            longitude=row.longitude,
            address=row.address,
            location_source=row.location_source,
            outside_city=bool(row.outside_city),
            urgent=bool(row.urgent),
            description=row.description,
            comment=row.comment,
            duplicate_of=row.duplicate_of,
            created_at=row.created_at,
            updated_at=row.updated_at,
            accepted_at=row.accepted_at,
            closed_at=row.closed_at,
            photos=tuple(photos[row.id]),
            history=tuple(history[row.id]),
        )
        for row in rows
    ]
