"""The public view of reports, shared by the published files and the Open311 API.

A public record contains no user data, comments or photos. The place is rounded to
about 100 m (3 decimals of latitude and longitude) and a typed address is reduced
to the town name. Reports still waiting for staff (submitted) and removed reports
are never public. A staff note with personal data (stored before the check of
``reports set-status`` caught its kind) is left out and kept in the store.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from webhook import texts
from webhook.reports import geo
from webhook.reports.models import Report
from webhook.reports.office_hours import iso_in_japan
from webhook.reports.personal_data import PersonalDetail, find_personal_detail
from webhook.reports.statuses import PUBLIC_STATUSES

PLACE_DECIMALS = 3


def to_the_hour(moment: datetime | None) -> datetime | None:
    """Return ``moment`` with its minutes and seconds cut, or None.

    Public times name the hour only. Down to the second, they would let a
    neighbour who saw a report being sent pick it out by its time and town.
    Japan time is a whole number of hours from UTC, so the hour is the same
    in both.
    """
    if moment is None:
        return None
    return moment.replace(minute=0, second=0, microsecond=0)


FIELDS = (
    "receipt_no",
    "category",
    "category_name",
    "department",
    "status",
    "status_name",
    "created_at",
    "accepted_at",
    "updated_at",
    "closed_at",
    "latitude",
    "longitude",
    "town",
    "result_note",
)


@dataclass(frozen=True)
class PublicReport:
    """The public form of one report, with times in ISO 8601 and Japan time."""

    receipt_no: str
    category: str
    category_name: str
    department: str
    status: str
    status_name: str
    created_at: str
    accepted_at: str | None
    updated_at: str
    closed_at: str | None
    latitude: float | None
    longitude: float | None
    town: str | None
    result_note: str

    def to_dict(self) -> dict:
        """Return the record as a dict in FIELDS order."""
        return asdict(self)


def is_public(report: Report) -> bool:
    """Return True when the report may appear in public views."""
    return report.status in PUBLIC_STATUSES


def to_public(report: Report, allowed_phone: str | None = None) -> PublicReport:
    """Return the public form of ``report`` (the caller checks :func:`is_public`).

    ``allowed_phone`` (the city hall's number) may appear in the result note.
    """
    latitude = longitude = None
    # A point outside the city is no city facility, so publishing it would only
    # reveal where the resident was.
    if (
        report.latitude is not None
        and report.longitude is not None
        and not report.outside_city
    ):
        latitude = round(report.latitude, PLACE_DECIMALS)
        longitude = round(report.longitude, PLACE_DECIMALS)
    return PublicReport(
        receipt_no=report.receipt_no,
        category=report.category,
        category_name=texts.REPORT_CATEGORY_LABELS.get(
            report.category, report.category
        ),
        department=report.department,
        status=report.status,
        status_name=texts.REPORT_STATUS_LABELS.get(report.status, report.status),
        created_at=iso_in_japan(to_the_hour(report.created_at)),
        accepted_at=iso_in_japan(to_the_hour(report.accepted_at)),
        updated_at=iso_in_japan(to_the_hour(report.updated_at)),
        closed_at=iso_in_japan(to_the_hour(report.closed_at)),
        latitude=latitude,
        longitude=longitude,
        # A neighbouring city's town of the same name (小金井市緑町) is not ours.
        town=(
            geo.find_town(report.address)
            if report.address and not report.outside_city
            else None
        ),
        result_note=public_note(report, allowed_phone),
    )


def public_reports(
    reports: list[Report], allowed_phone: str | None = None
) -> list[PublicReport]:
    """Return the public forms of the public reports among ``reports``."""
    return [to_public(report, allowed_phone) for report in reports if is_public(report)]


def public_note(report: Report, allowed_phone: str | None = None) -> str:
    """Return the result note of ``report`` as public views show it: the note,
    or "" when it contains personal data."""
    if withheld_note(report, allowed_phone) is not None:
        return ""
    return report.result_note


def withheld_note(
    report: Report, allowed_phone: str | None = None
) -> PersonalDetail | None:
    """Return the personal data that keeps the result note of ``report`` out of
    public views, or None when the note may be shown."""
    if not report.result_note:
        return None
    return find_personal_detail(report.result_note, allowed_phone)
