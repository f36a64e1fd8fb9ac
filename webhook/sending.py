"""Send the reply to an event: by reply token, or by push when the token fails.

A reply token can be used once and only for a short time after the event. When
LINE refuses it with 400 (expired, used, or never valid), when the reply keeps
failing (5xx, no connection) after the client's retries, or when the event is
already too old for its token (after a restart, say), the messages are pushed to
the event's source instead. The push's retry key is derived from the event id, so
handling the same event again after a crash cannot push the reply twice.

NOTE: when LINE took a reply but its response was lost (a 5xx after delivery, a
dropped connection), or the process stopped between the reply and marking the
event handled, the push repeats the reply: a resident may get it twice. A reply
has no retry key to tell, and a lost reply (an urgent report's answer) is judged
worse than a repeated one.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from linebot.v3.messaging import Message

from webhook.events import parse_event_time_ms
from webhook.flow import IncomingEvent
from webhook.line_client import LineApiError, LineClient

logger = logging.getLogger(__name__)

REPLY_TOKEN_MAX_AGE_S = 50.0
"""Age in seconds past which an event's reply is pushed without trying its token.

NOTE: 50 s is an estimate. A reply token must be used soon after the webhook, but
this code does not rely on a documented validity period: a token refused with 400
falls back to push at any age.
"""

_RETRY_KEY_NAMESPACE = uuid.UUID("6f1d9c1e-3c55-4a3e-9f0a-2c4a8f2f6b11")


def push_retry_key(event_id: str) -> str:
    """Return the X-Line-Retry-Key for the push that replaces ``event_id``'s reply."""
    return str(uuid.uuid5(_RETRY_KEY_NAMESPACE, event_id))


def push_target_of(raw: Mapping[str, Any]) -> str | None:
    """Return where a push for this event goes: its group or room, else its user."""
    source = raw.get("source")
    if not isinstance(source, Mapping):
        return None
    for key in ("groupId", "roomId", "userId"):
        value = source.get(key)
        if isinstance(value, str) and value:
            return value
    return None


# Statuses of a failed delivery that concern the whole channel besides LINE's
# own failures (5xx): a wrong token, rate or quota limits. None means LINE sent
# no response.
CHANNEL_FAILURES = frozenset({401, 403, 429})
# How long /healthz reports a channel failure when no delivery follows it, so a
# quiet night after one failure does not keep the server marked unhealthy.
FAILURE_WINDOW_S = 15 * 60


class ReplySender:
    """Deliver reply messages for events through one LineClient."""

    def __init__(
        self,
        line_client: LineClient,
        *,
        reply_token_max_age_s: float = REPLY_TOKEN_MAX_AGE_S,
    ) -> None:
        self._line = line_client
        self._max_age_s = reply_token_max_age_s
        self._health_lock = threading.Lock()
        self._last_error: str | None = None
        self._failed_at = 0.0
        self._delivered = False

    def delivery_health(self) -> dict[str, str | None]:
        """Return whether deliveries reach LINE: ``replies`` is "failing" (with
        ``reply_error``) after a failure of the whole channel in the last
        FAILURE_WINDOW_S seconds with no delivery since, else "ok", or "none yet"
        before the first delivery."""
        with self._health_lock:
            recent = time.monotonic() - self._failed_at < FAILURE_WINDOW_S
            if self._last_error is not None and recent:
                return {"replies": "failing", "reply_error": self._last_error}
            return {"replies": "ok" if self._delivered else "none yet"}

    def _record(self, error: LineApiError | None) -> None:
        """Remember a delivery (``error`` None) or a failure. A failure that one
        resident's message alone causes (400: a blocked account, a bad reply
        token) tells nothing about the channel and is not remembered."""
        with self._health_lock:
            if error is None:
                self._last_error = None
                self._delivered = True
            elif (
                error.status is None
                or error.status in CHANNEL_FAILURES
                or error.status >= 500
            ):
                self._last_error = str(error)
                self._failed_at = time.monotonic()

    def send(self, event: IncomingEvent, messages: Sequence[Message]) -> str:
        """Send ``messages`` for ``event``; return "reply", "push" or "none".

        Raises LineApiError when the push fails too, after the client's retries.
        """
        if not messages:
            return "none"
        # An event without a time counts as just sent. So its reply token is
        # tried, and a rejected token falls back to a push below.
        sent_ms = parse_event_time_ms(event.timestamp_ms)
        age_s = 0.0 if sent_ms is None else time.time() - sent_ms / 1000
        if event.reply_token and age_s <= self._max_age_s:
            try:
                self._line.reply(event.reply_token, messages)
                self._record(None)
                return "reply"
            except LineApiError as exc:
                logger.log(
                    logging.INFO if exc.status == 400 else logging.WARNING,
                    "reply to event %s failed (status %s, x-line-request-id %s); "
                    "pushing instead",
                    event.event_id,
                    exc.status,
                    exc.request_id,
                )
        elif event.reply_token:
            logger.info(
                "event %s is %.0f s old, past its reply token; pushing instead",
                event.event_id,
                age_s,
            )
        target = push_target_of(event.raw)
        if target is None:
            logger.warning(
                "event %s has no reply token and no source to push to; reply dropped",
                event.event_id,
            )
            return "none"
        try:
            self._line.push(target, messages, retry_key=push_retry_key(event.event_id))
        except LineApiError as exc:
            self._record(exc)
            raise
        self._record(None)
        return "push"
