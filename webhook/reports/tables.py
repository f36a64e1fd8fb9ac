"""Tables of the report store, in the app database under the prefix ``report_``.

Only portable SQLAlchemy Core types are used, so SQLite and PostgreSQL both work.
"""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)


class UtcDateTime(TypeDecorator):
    """A DateTime stored as naive UTC and read back as an aware UTC datetime.

    SQLite keeps no time zone, so every value is converted to UTC before writing.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"datetime {value!r} has no time zone; pass an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


metadata = MetaData()

reports_table = Table(
    "report_reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("receipt_no", String(20), nullable=False, unique=True),
    Column("draft_id", String(64), nullable=False, unique=True),
    Column("user_hash", String(64), nullable=True, index=True),
    Column("category", String(20), nullable=False),
    Column("department", String(100), nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("latitude", Float, nullable=True),
    Column("longitude", Float, nullable=True),
    Column("address", Text, nullable=True),
    Column("location_source", String(10), nullable=True),
    Column("outside_city", Boolean, nullable=False, default=False),
    Column("urgent", Boolean, nullable=False, default=False),
    Column("description", Text, nullable=True),
    Column("comment", Text, nullable=True),
    Column(
        "duplicate_of",
        String(20),
        ForeignKey("report_reports.receipt_no"),
        nullable=True,
    ),
    Column("created_at", UtcDateTime, nullable=False, index=True),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("accepted_at", UtcDateTime, nullable=True),
    Column("closed_at", UtcDateTime, nullable=True),
)

photos_table = Table(
    "report_photos",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "report_id",
        Integer,
        ForeignKey("report_reports.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("position", Integer, nullable=False),
    Column("path", String(300), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("size_bytes", Integer, nullable=False),
)

history_table = Table(
    "report_status_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "report_id",
        Integer,
        ForeignKey("report_reports.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("old_status", String(20), nullable=True),
    Column("new_status", String(20), nullable=False),
    Column("changed_by", String(100), nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
    Column("note", Text, nullable=False, default=""),
)

counters_table = Table(
    "report_receipt_counters",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("last_number", Integer, nullable=False),
)

# The last photo set that each resident's draft closed (sent, cancelled or
# counted), so that a photo of it that LINE delivers later, also after a
# restart, is answered instead of starting a draft.
closed_sets_table = Table(
    "report_closed_sets",
    metadata,
    Column("user_hash", String(64), primary_key=True),
    Column("set_id", String(100), nullable=False),
    Column("closed_at", UtcDateTime, nullable=False, index=True),
)

drafts_table = Table(
    "report_drafts",
    metadata,
    Column("user_hash", String(64), primary_key=True),
    Column("draft_id", String(64), nullable=False, unique=True),
    Column("state", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False, index=True),
)
