"""The city office that residents should call, filled into reply texts."""

from __future__ import annotations

from cityline.settings import Settings
from webhook import texts


def contact_text(template: str, settings: Settings, **fields: object) -> str:
    """Format ``template`` with the city office, phone and office hours.

    ``template`` is a text of :mod:`webhook.texts` that may use the placeholders
    ``{city_hall}``, ``{phone}`` and ``{office_hours}``, such as
    ``FALLBACK_TEMPLATE``; ``fields`` fill in any others it has.
    """
    return template.format(
        city_hall=settings.city_hall_name,
        phone=settings.city_hall_phone,
        office_hours=office_hours_text(settings),
        **fields,
    )


def office_hours_text(settings: Settings) -> str:
    """Return the office hours of ``settings`` as replies word them."""
    return texts.OFFICE_HOURS_TEMPLATE.format(span=settings.office_hours.span)
