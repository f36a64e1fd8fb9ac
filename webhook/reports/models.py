"""Plain data objects of the report store: drafts, photos, reports, status changes."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

# Dashes that a Japanese input mode types in a receipt number (R2026−000001,
# R2026ー000001) where the receipt has "-".
_RECEIPT_DASHES = re.compile("[\u2010-\u2015\u2212\u30fc\uff70]")


def fold_receipt_dashes(text: str) -> str:
    """Return ``text`` with each dash of _RECEIPT_DASHES as "-"."""
    return _RECEIPT_DASHES.sub("-", text)


@dataclass
class StoredPhoto:
    """One photo saved in the photos dir; ``path`` is relative to that dir."""

    path: str
    sha256: str
    width: int
    height: int
    size_bytes: int
    message_id: str | None = None


@dataclass
class Draft:
    """A report being written in the conversation, stored between events.

    ``step`` is the input the flow waits for: category, photo, location, comment
    or confirm.
    """

    draft_id: str
    step: str
    category: str | None = None
    photos: list[StoredPhoto] = field(default_factory=list)
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None
    location_source: str | None = None
    outside_city: bool = False
    description: str | None = None
    comment: str | None = None
    comment_done: bool = False
    # A text typed at the comment step that looks like a question, kept until the
    # resident chooses whether it is the comment.
    pending_comment: str | None = None
    urgent: bool = False
    # The urgent reply with the gas company's line was sent for this draft.
    gas_warned: bool = False
    # Photos sent together (a LINE image set) arrive as one event each. Until
    # every photo of the set has come, this contains its id, its size, the indexes
    # seen, whether the set started the draft, and the errors to tell.
    photo_set: dict[str, Any] | None = None
    # The id of the last photo set closed, so that a photo of it arriving late
    # is taken as a photo sent alone.
    closed_photo_set: str | None = None
    # The webhook event id that last changed the draft. The same event handled
    # again after a restart (its reply unconfirmed) must not add its text twice.
    last_event_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def has_location(self) -> bool:
        """True when the draft has a point or an address."""
        return self.latitude is not None or bool(self.address)

    def to_state(self) -> dict[str, Any]:
        """Return the JSON-ready state stored in the drafts table."""
        state = asdict(self)
        state.pop("created_at")
        state.pop("updated_at")
        return state

    @classmethod
    def from_state(
        cls, state: dict[str, Any], created_at: datetime, updated_at: datetime
    ) -> Draft:
        """Rebuild a draft from its stored state and times."""
        known = {item.name for item in fields(cls)}
        # A field written by a newer release is left out, so that a rollback
        # still loads the resident's draft.
        values = {key: value for key, value in state.items() if key in known}
        values["photos"] = [StoredPhoto(**photo) for photo in values.get("photos", [])]
        return cls(**values, created_at=created_at, updated_at=updated_at)


@dataclass(frozen=True)
class StatusChange:
    """One entry of a report's status history."""

    old_status: str | None
    new_status: str
    changed_by: str
    changed_at: datetime
    note: str


@dataclass(frozen=True)
class Report:
    """A submitted report with its photos and status history (oldest first)."""

    id: int
    receipt_no: str
    draft_id: str
    user_hash: str | None
    category: str
    department: str
    status: str
    latitude: float | None
    longitude: float | None
    address: str | None
    location_source: str | None
    outside_city: bool
    urgent: bool
    description: str | None
    comment: str | None
    duplicate_of: str | None
    created_at: datetime
    updated_at: datetime
    accepted_at: datetime | None
    closed_at: datetime | None
    photos: tuple[StoredPhoto, ...] = ()
    history: tuple[StatusChange, ...] = ()

    @property
    def has_content(self) -> bool:
        """Whether the report still has texts, an address text or photos."""
        return bool(self.description or self.comment or self.address or self.photos)

    @property
    def result_note(self) -> str:
        """The note of the latest staff status change, or "" when staff made none.

        A row that keeps the status (a later deletion of the content) is not a
        result, so its note does not count.
        """
        for change in reversed(self.history):
            if change.old_status is not None and change.old_status != change.new_status:
                return change.note
        return ""
