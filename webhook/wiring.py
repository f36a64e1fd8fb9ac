"""Assemble the conversation flows and extra routers that the app serves.

Each feature package adds itself here: fault reports (``webhook.reports``) and receive
settings (``webhook.broadcasts``). The order of the flows is the order in which the
core offers them an event: an open report draft must see the resident's next photo or
location before anything else does.
"""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import Engine

from cityline.settings import Settings
from webhook.flow import ContentFetcher, Flow


def build_flows(
    settings: Settings, engine: Engine, fetch_content: ContentFetcher
) -> list[Flow]:
    """Return the flows in the order the core offers them events."""
    flows: list[Flow] = []
    from webhook.reports.flow import ReportFlow  # reports
    from webhook.reports.photos import warn_if_others_can_read

    warn_if_others_can_read(settings.photos_dir)
    flows.append(ReportFlow(settings, engine, fetch_content))
    from webhook.broadcasts.flow import build_settings_flow  # receive settings

    flows.append(build_settings_flow(settings, engine))
    return flows


def build_routers(settings: Settings, engine: Engine) -> list[APIRouter]:
    """Return the extra routers that the app includes, such as the Open311 API."""
    routers: list[APIRouter] = []
    from webhook.reports.open311 import build_open311_router  # reports

    routers.append(build_open311_router(settings, engine))
    return routers
