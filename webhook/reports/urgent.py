"""The reply to an urgent report: emergency numbers, city hall, and when staff look.

A report is urgent when the intent classifier flags it (a cave-in, gushing water, a
gas smell, a fallen tree blocking the road, a person in danger). Staff read reports
only in office hours, so the reply names the routes that work at any hour first.
"""

from __future__ import annotations

from datetime import datetime

from answerer.intent_cues import GAS_SMELL
from cityline.settings import OfficeHours, Settings
from index.normalize import visible_nfkc
from webhook import texts
from webhook.contact_route import contact_text
from webhook.emergency import is_emergency
from webhook.reports.office_hours import (
    DEFAULT_HOURS,
    format_japanese,
    is_office_hours,
    next_confirmation_time,
)


def mentions_gas(text: str | None) -> bool:
    """Return True when ``text`` speaks of a gas smell or leak."""
    if not text:
        return False
    return bool(GAS_SMELL.search(visible_nfkc(text)))


def urgent_reply_text(
    text: str | None, now: datetime, settings: Settings, can_continue: bool = True
) -> str:
    """Build the urgent reply to ``text`` sent at ``now`` (an aware datetime).

    The lines are: 110 and 119 for people in danger and the gas company for a
    gas smell (both left out when ``text`` is an emergency, for which the core
    sends them first), the city office and phone of ``settings`` for the
    city's roads and trees, when staff will read the report, and, with
    ``can_continue``, that the report can go on.
    """
    # NOTE: the city's policy gives the city hall number for emergencies, but this
    # code cannot check whether that number is staffed at night or on holidays.
    # The core sent an emergency text the 119/110 message just before, with the
    # gas line for a gas smell, so the same lines here would only repeat them.
    emergency = bool(text) and is_emergency(text)
    lines = [] if emergency else [texts.REPORT_URGENT_EMERGENCY_CALL]
    if mentions_gas(text) and not emergency:
        lines.append(texts.REPORT_URGENT_GAS)
    lines.append(contact_text(texts.REPORT_URGENT_CITY_HALL, settings))
    lines.append(staff_time_line(now, settings.office_hours))
    if can_continue:
        lines.append(texts.REPORT_URGENT_CONTINUE)
    return "\n".join(lines)


def staff_time_line(now: datetime, hours: OfficeHours = DEFAULT_HOURS) -> str:
    """Return the line that states when staff, at work in ``hours``, will read a
    report sent at ``now``."""
    if is_office_hours(now, hours):
        return texts.REPORT_URGENT_STAFF_DURING_HOURS
    when = format_japanese(next_confirmation_time(now, hours))
    return texts.REPORT_URGENT_STAFF_AFTER_HOURS.format(when=when)
