"""A read-only Open311 GeoReport v2 API over the public report records.

Routes, all JSON:

- ``GET /open311/v2/services.json``: one service per report category
- ``GET /open311/v2/requests.json``: public reports, filtered by
  ``service_request_id`` (comma-separated; other filters are then ignored),
  ``service_code`` (comma-separated), ``start_date`` and
  ``end_date`` (ISO 8601; a date without a zone is Japan time) and ``status``
  (``open``, ``closed`` or both). Without dates the last 90 days are returned, a
  range may span at most 90 days, and at most 1000 requests are returned.
- ``GET /open311/v2/requests/{id}.json``: one public report, as a one-element array

The data is that of :mod:`webhook.reports.public`: no user data, comments or photos,
places rounded to about 100 m. Errors use the Open311 form
``[{"code": 400, "description": "..."}]``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from cityline.settings import Settings
from webhook import texts
from webhook.reports.office_hours import JAPAN
from webhook.reports.public import PublicReport, is_public, to_public, to_the_hour
from webhook.reports.routing import CATEGORIES, load_routing
from webhook.reports.statuses import PUBLIC_STATUSES
from webhook.reports.store import ReportNotFoundError, ReportStore, receipt_key

logger = logging.getLogger(__name__)

PREFIX = "/open311/v2"
DEFAULT_WINDOW = timedelta(days=90)
MAX_WINDOW = timedelta(days=90)
MAX_RESULTS = 1000
OPEN311_STATUSES = {
    "open": frozenset({"accepted", "in_progress"}),
    "closed": frozenset({"resolved", "not_city_managed", "rejected"}),
}


class Open311Error(Exception):
    """A bad request, returned to the client in the Open311 error form."""

    def __init__(self, code: int, description: str) -> None:
        self.code = code
        self.description = description
        super().__init__(description)


def build_open311_router(settings: Settings, engine: Engine) -> APIRouter:
    """Return the router that serves the Open311 API from the report store."""
    store = ReportStore(engine, settings.user_hash_key())
    routing = load_routing(settings.data_dir)
    router = APIRouter(prefix=PREFIX)

    @router.get("/services.json")
    def services() -> JSONResponse:
        return JSONResponse(service_list(routing))

    @router.get("/requests.json")
    def requests(
        service_request_id: str | None = Query(None),
        service_code: str | None = Query(None),
        start_date: str | None = Query(None),
        end_date: str | None = Query(None),
        status: str | None = Query(None),
        jurisdiction_id: str | None = Query(None),
    ) -> JSONResponse:
        try:
            records = find_requests(
                store,
                service_request_id=service_request_id,
                service_code=service_code,
                start_date=start_date,
                end_date=end_date,
                status=status,
                allowed_phone=settings.city_hall_phone,
            )
        except Open311Error as exc:
            return _error(exc.code, exc.description)
        return JSONResponse([request_record(record) for record in records])

    @router.get("/requests/{request_id}.json")
    def request(request_id: str) -> JSONResponse:
        try:
            report = store.get(request_id)
        except ReportNotFoundError:
            report = None
        if report is None or not is_public(report):
            return _error(404, f"service request {request_id!r} not found")
        record = to_public(report, settings.city_hall_phone)
        return JSONResponse([request_record(record)])

    return router


def service_list(routing: dict[str, str]) -> list[dict]:
    """Return the Open311 service list: one realtime service per category."""
    return [
        {
            "service_code": category,
            "service_name": texts.REPORT_CATEGORY_LABELS[category],
            "description": texts.REPORT_SERVICE_DESCRIPTION.format(
                category=texts.REPORT_CATEGORY_LABELS[category]
            ),
            "metadata": False,
            "type": "realtime",
            "keywords": category,
            "group": routing[category],
        }
        for category in CATEGORIES
    ]


def find_requests(
    store: ReportStore,
    *,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: str | None = None,
    now: datetime | None = None,
    allowed_phone: str | None = None,
) -> list[PublicReport]:
    """Return the public records that match the Open311 filters, newest first.

    ``allowed_phone`` (the city hall's number) may appear in result notes. Raises
    Open311Error (400) for an invalid code, status, date or range.
    """
    if service_request_id:
        # The same key as a lookup by path: full-width digits, input-mode
        # dashes and a number without its R find the report too.
        requested_ids = [receipt_key(part) for part in service_request_id.split(",")]
        found = store.list(
            receipt_nos=[i for i in requested_ids if i], limit=MAX_RESULTS
        )
        return [
            to_public(report, allowed_phone) for report in found if is_public(report)
        ]

    statuses = set(PUBLIC_STATUSES)
    if status:
        statuses = set()
        for part in _split(status):
            if part not in OPEN311_STATUSES:
                raise Open311Error(
                    400, f"status {part!r} is invalid; use open or closed"
                )
            statuses |= OPEN311_STATUSES[part]
    categories = None
    if service_code:
        categories = _split(service_code)
        for code in categories:
            if code not in CATEGORIES:
                raise Open311Error(
                    400,
                    f"service_code {code!r} is unknown; use one of "
                    f"{', '.join(CATEGORIES)}",
                )
    start, end = _window(start_date, end_date, now or store.now())
    found = store.list(
        statuses=sorted(statuses),
        categories=categories,
        created_from=start,
        created_to=end,
        limit=MAX_RESULTS,
    )
    return [to_public(report, allowed_phone) for report in found]


def request_record(record: PublicReport) -> dict:
    """Return one Open311 service request from a public record."""
    state = "open" if record.status in OPEN311_STATUSES["open"] else "closed"
    return {
        "service_request_id": record.receipt_no,
        "status": state,
        "status_notes": record.result_note or record.status_name,
        "service_name": record.category_name,
        "service_code": record.category,
        "agency_responsible": record.department,
        "service_notice": "",
        "requested_datetime": record.created_at,
        "updated_datetime": record.updated_at,
        "expected_datetime": None,
        "address": record.town or "",
        "address_id": None,
        "zipcode": None,
        "lat": record.latitude,
        "long": record.longitude,
        "media_url": None,
    }


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _parse_date(name: str, value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise Open311Error(
            400,
            f"{name} {value!r} is invalid; use ISO 8601 such as "
            "2026-12-01T00:00:00+09:00",
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=JAPAN)
    try:
        # The database stores UTC, and 0001-01-01 in Japan time is before year 1.
        return moment.astimezone(UTC)
    except OverflowError:
        raise Open311Error(
            400,
            f"{name} {value!r} is too far from today; use a date after 0001 and "
            "before 9999",
        ) from None


def _window(
    start_date: str | None, end_date: str | None, now: datetime
) -> tuple[datetime, datetime]:
    start = _parse_date("start_date", start_date) if start_date else None
    end = _parse_date("end_date", end_date) if end_date else None
    if start is None and end is None:
        return now - DEFAULT_WINDOW, now
    try:
        if start is None:
            start = end - DEFAULT_WINDOW
        if end is None:
            end = start + DEFAULT_WINDOW
    except OverflowError:
        date_text = start_date if start_date else end_date
        raise Open311Error(
            400,
            f"date {date_text!r} is too far from today; use a date after 0001 and "
            "before 9999",
        ) from None
    if end < start:
        raise Open311Error(400, "end_date is before start_date; swap them")
    if end - start > MAX_WINDOW:
        raise Open311Error(
            400, f"the date range spans more than {MAX_WINDOW.days} days; narrow it"
        )
    # Public times name the hour only (see to_the_hour), so the window takes
    # whole hours: a window of seconds must not pick out one report.
    start = to_the_hour(start.astimezone(UTC))
    end = to_the_hour(end.astimezone(UTC))
    if end < datetime.max.replace(tzinfo=UTC) - timedelta(hours=1):
        end += timedelta(hours=1, microseconds=-1)
    return start, end


def _error(code: int, description: str) -> JSONResponse:
    return JSONResponse([{"code": code, "description": description}], status_code=code)
