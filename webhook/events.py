"""Turn LINE webhook event objects (parsed JSON) into :class:`IncomingEvent`.

The core works on the JSON objects themselves rather than on line-bot-sdk's event
models, so that an event type or field that the SDK does not know yet is still
stored, ordered and handled (as an unknown event) instead of failing to parse.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from webhook.flow import IncomingEvent

logger = logging.getLogger(__name__)


def event_id_of(raw: Mapping[str, Any]) -> str | None:
    """Return the ``webhookEventId`` of a raw event, or None when it has none."""
    value = raw.get("webhookEventId")
    return value if isinstance(value, str) and value else None


def postback_flow(raw: Mapping[str, Any]) -> str | None:
    """Return the ``flow`` named in the postback data of ``raw``, or None."""
    postback = raw.get("postback")
    data = postback.get("data") if isinstance(postback, Mapping) else None
    if not isinstance(data, str):
        return None
    return parse_qs(data).get("flow", [None])[0]


def parse_event_time_ms(value: Any) -> int | None:
    """Parse an event's ``timestamp`` value into whole ms since the epoch.

    LINE sends an integer, and a float is cut to whole ms. Returns None when the
    value is missing, not a finite number, or not after the epoch, so that
    callers treat the time as unknown instead of as 1970.
    ``IncomingEvent.timestamp_ms`` stores that None as 0.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    stamp = int(value)
    return stamp if stamp > 0 else None


def source_key_of(raw: Mapping[str, Any]) -> str | None:
    """Return the id that orders this event: user, else group or room; None if none."""
    source = raw.get("source")
    if not isinstance(source, Mapping):
        return None
    for key in ("userId", "groupId", "roomId"):
        value = source.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def to_incoming_event(raw: Mapping[str, Any]) -> IncomingEvent:
    """Build the IncomingEvent of one raw event; missing fields become None.

    Raises ValueError when the event has no ``webhookEventId``.
    """
    event_id = event_id_of(raw)
    if event_id is None:
        raise ValueError(
            f"LINE event has no webhookEventId (keys {sorted(raw)!r}); "
            "it cannot be stored or deduplicated"
        )
    source = _mapping(raw.get("source"))
    message = _mapping(raw.get("message"))
    postback = _mapping(raw.get("postback"))
    event_type = _text(raw.get("type")) or "unknown"
    is_message = event_type == "message"
    return IncomingEvent(
        event_id=event_id,
        event_type=event_type,
        user_id=_text(source.get("userId")),
        reply_token=_text(raw.get("replyToken")),
        timestamp_ms=parse_event_time_ms(raw.get("timestamp")) or 0,
        message_type=_text(message.get("type")) if is_message else None,
        message_id=_text(message.get("id")) if is_message else None,
        text=_message_text(message.get("text")) if is_message else None,
        postback_data=_text(postback.get("data")),
        latitude=_number(message.get("latitude")) if is_message else None,
        longitude=_number(message.get("longitude")) if is_message else None,
        address=_text(message.get("address")) if is_message else None,
        raw=dict(raw),
    )


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


MAX_TEXT_CHARS = 10_000
"""How much of a message's text is read, in characters.

NOTE: LINE documents 5,000 UTF-16 units as the limit of the texts a bot sends,
but gives no limit for those a resident sends. Twice that is an estimate,
meant to keep any real message whole.
"""


def _message_text(value: Any) -> str | None:
    """Return a message's text cut to MAX_TEXT_CHARS, logging a cut.

    A text of hundreds of thousands of characters with a valid signature would
    otherwise hold up the checks of every other resident's message.
    """
    text = _text(value)
    if text is None or len(text) <= MAX_TEXT_CHARS:
        return text
    logger.warning(
        "a message text of %d characters was cut to %d", len(text), MAX_TEXT_CHARS
    )
    return text[:MAX_TEXT_CHARS]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return float(value)
    except OverflowError:  # an integer beyond any float, which is no coordinate
        return None
