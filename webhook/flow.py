"""The contract between the webhook core and the conversation flows.

The core verifies and stores each LINE event, turns it into an :class:`IncomingEvent`
and offers it to the flows in order (reports first, then receive settings). The first
flow whose :meth:`Flow.handle` returns messages takes the event, and the core sends
those messages as the reply. When no flow takes a text message, the core answers it
as a question or as small talk.

Postback data is a query string whose ``flow`` key names the flow that owns it, for
example ``flow=report&action=start`` or ``flow=settings&action=toggle&category=bosai``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qs

from linebot.v3.messaging import Message

from cityline.errors import CitylineError

ContentFetcher = Callable[[str], bytes]
"""Download the content of a LINE message (an image) by message id."""


class ContentTooLarge(CitylineError):
    """Raised by a ContentFetcher when the content is larger than it keeps."""


@dataclass(frozen=True)
class IncomingEvent:
    """One verified LINE webhook event, reduced to the fields the flows use.

    ``event_type`` is LINE's event type ("message", "postback", "follow", ...) and
    ``message_type`` the message's type ("text", "image", "location", ...) or None.
    ``timestamp_ms`` is LINE's event time in milliseconds since the epoch, or 0
    when the event has none. Read it with ``webhook.events.parse_event_time_ms``,
    which returns None for that 0.
    """

    event_id: str
    event_type: str
    user_id: str | None
    reply_token: str | None
    timestamp_ms: int
    message_type: str | None = None
    message_id: str | None = None
    text: str | None = None
    postback_data: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def postback_params(self) -> dict[str, str]:
        """Return the postback data as a dict of its first values ({} if none)."""
        if not self.postback_data:
            return {}
        parsed = parse_qs(self.postback_data, keep_blank_values=True)
        return {key: values[0] for key, values in parsed.items()}


class Preface(list):
    """Messages that a flow sends before another reply, for an event it leaves.

    A flow returns a Preface instead of None when it has something to say about
    the event but does not take it: the messages go first, and the next flow or
    the core replies to the event as usual.
    """


class Flow(Protocol):
    """A conversation that may take an event, such as a fault report."""

    name: str

    def handle(self, event: IncomingEvent) -> list[Message] | None:
        """Return the reply messages if this flow takes ``event``, else None.

        Called from a worker thread, in event order for each user. A flow that takes an
        event and has nothing to say returns an empty list; one that leaves the event
        but has a notice for it returns a :class:`Preface`.
        """
        ...

    def on_follow(self, user_id: str) -> bool | None:
        """Set up what a new friend starts with (for example default settings).

        Returns False when the flow already kept settings of ``user_id`` and left
        them as they were (a repeated follow event), so that the greeting does
        not state the defaults; True or None otherwise.
        """
        ...

    def forget_user(self, user_id: str) -> None:
        """Delete what this flow stores about ``user_id`` (called on unfollow)."""
        ...


def is_one_to_one(event: IncomingEvent) -> bool:
    """Tell whether ``event`` comes from a resident's one-to-one chat with the
    account, not from a group or a room (an event without a source counts as
    one-to-one)."""
    source = event.raw.get("source") if event.raw else None
    if not isinstance(source, dict):
        return True
    return source.get("type", "user") == "user"


def addressed_text(event: IncomingEvent) -> str | None:
    """Return the text of a group message that mentions the account, without
    the mention; None when the account is not mentioned.

    LINE marks the account's own mention with ``isSelf``; its ``index`` and
    ``length`` count UTF-16 code units of the text.
    """
    message = event.raw.get("message") if event.raw else None
    mention = message.get("mention") if isinstance(message, dict) else None
    mentionees = mention.get("mentionees") if isinstance(mention, dict) else None
    if not isinstance(mentionees, list):
        return None
    own = [m for m in mentionees if isinstance(m, dict) and m.get("isSelf") is True]
    if not own:
        return None
    units = (event.text or "").encode("utf-16-le")
    for item in sorted(own, key=_mention_start, reverse=True):
        start, length = _mention_start(item), item.get("length")
        if isinstance(length, int) and 0 <= start and length > 0:
            units = units[: 2 * start] + units[2 * (start + length) :]
    return units.decode("utf-16-le", errors="replace").strip()


def _mention_start(item: dict) -> int:
    start = item.get("index")
    return start if isinstance(start, int) else -1
