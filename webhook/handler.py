"""Handle one stored event: decide the reply, send it, and clear the inbox row.

The order of decisions is the contract in ``webhook.flow``: follow and unfollow are
the core's own, every other event is offered to the flows in order, and a text
message that no flow takes is classified (``webhook.classify``) and answered here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from linebot.v3.messaging import Message

from cityline.settings import Settings
from index.normalize import visible_nfkc
from webhook import texts
from webhook.answering import AnswererSource, question_reply
from webhook.broadcasts.views import FLOW_NAME as SETTINGS_FLOW
from webhook.classify import (
    REPORT_START_WORDS,
    TextKind,
    asks_something,
    classify_text,
    greeting_word,
)
from webhook.contact_route import contact_text
from webhook.emergency import is_crisis, is_emergency
from webhook.events import postback_flow, to_incoming_event
from webhook.flow import Flow, IncomingEvent, Preface, addressed_text, is_one_to_one
from webhook.inbox import Inbox, InboxItem
from webhook.line_client import LineApiError
from webhook.privacy import UserHasher
from webhook.replies import (
    default_quick_reply,
    text_message,
    welcome_text,
)
from webhook.reports.urgent import mentions_gas
from webhook.sending import ReplySender

logger = logging.getLogger(__name__)

ERASE_ATTEMPTS = 3
"""How often an unfollow tries each flow's erasure before the event is kept for
the next start."""
ERASE_RETRY_S = 0.5
"""Pause before the second try of an erasure; the third waits twice as long."""


class ErasureIncomplete(Exception):
    """Some flow could not erase an unfollowed user's data."""


# Events that need no reply from a one-to-one city account.
SILENT_EVENT_TYPES = frozenset(
    {
        "join",
        "leave",
        "memberJoined",
        "memberLeft",
        "unsend",
        "videoPlayComplete",
        "beacon",
        "accountLink",
        "things",
        "membership",
        "module",
        "activated",
        "deactivated",
        "botSuspended",
        "botResumed",
    }
)
UNSUPPORTED_MESSAGE_TYPES = frozenset({"video", "audio", "file"})
# A group text this short that names 通報 is a request to report, not a question.
MAX_REPORT_REQUEST_CHARS = 10


class EventHandler:
    """Turn inbox items into replies; one instance serves all worker threads."""

    def __init__(
        self,
        *,
        settings: Settings,
        inbox: Inbox,
        flows: Sequence[Flow],
        answerers: AnswererSource,
        sender: ReplySender,
        hasher: UserHasher,
        compute_slot: Callable[[], AbstractContextManager[None]] = nullcontext,
    ) -> None:
        """``compute_slot`` is held while a question is answered (the CPU-heavy
        step), not while flows run or replies are sent (see ``webhook.priority``).
        """
        self._settings = settings
        self._inbox = inbox
        self._flows = list(flows)
        self._answerers = answerers
        self._sender = sender
        self._hasher = hasher
        self._compute_slot = compute_slot
        self._welcome = welcome_text(settings)
        self._welcome_back = welcome_text(settings, settings_kept=True)

    def handle_item(self, item: InboxItem) -> None:
        """Handle ``item`` and mark it handled, whatever happens on the way,
        except an unfollow whose erasure failed.

        An event that fails is logged with its id and not tried again: trying at
        every restart would only repeat the failure. An unfollow is the
        exception: the resident's data must go, so when a flow could not erase
        it (a locked database), the event stays pending and the next start of
        the app tries it again. After an unfollow or a receive-settings
        postback, it requests a checkpoint of the inbox (see
        :func:`_checkpoint_soon`).
        """
        handled = True
        try:
            event = to_incoming_event(item.raw)
            self.handle_event(event, item.seq)
        except ErasureIncomplete as exc:
            handled = False
            logger.error(
                "event %s: %s; the event stays in the inbox and is tried again at "
                "the next start",
                item.event_id,
                exc,
            )
        except LineApiError as exc:
            logger.error("event %s: reply not delivered: %s", item.event_id, exc)
        except Exception:
            logger.exception("event %s: handling failed", item.event_id)
        finally:
            if handled:
                self._inbox.mark_handled(item.seq)
            if _checkpoint_soon(item.raw):
                self._inbox.request_checkpoint()

    def handle_event(self, event: IncomingEvent, seq: int | None = None) -> None:
        """Decide and send the reply to ``event``; ``seq`` is its inbox position."""
        logger.debug(
            "event %s: %s/%s from user %s",
            event.event_id,
            event.event_type,
            event.message_type,
            self._hasher.for_log(event.user_id),
        )
        if event.raw.get("mode") == "standby":
            logger.info("event %s: channel in standby mode; ignored", event.event_id)
            return
        messages = self.respond(event, seq)
        how = self._sender.send(event, messages)
        logger.info(
            "event %s (%s) handled: %d messages by %s",
            event.event_id,
            event.event_type,
            len(messages),
            how,
        )

    def respond(self, event: IncomingEvent, seq: int | None = None) -> list[Message]:
        """Return the messages that reply to ``event`` (empty for no reply)."""
        if event.event_type == "follow":
            return self._on_follow(event)
        if event.event_type == "unfollow":
            self._on_unfollow(event, seq)
            return []
        if not is_one_to_one(event):
            return self._group_reply(event)
        # 119/110 comes first whatever else replies, a report step included.
        preface = _emergency_first(event.text or "") if _emergency(event) else []
        for flow in self._flows:
            try:
                taken = flow.handle(event)
            except Exception:
                logger.exception("event %s: flow %r failed", event.event_id, flow.name)
                failed = contact_text(texts.HANDLING_FAILED, self._settings)
                return [*preface, text_message(failed)]
            if isinstance(taken, Preface):
                preface.extend(taken)
            elif taken is not None:
                logger.debug("event %s taken by flow %r", event.event_id, flow.name)
                return [*preface, *taken]
        return [*preface, *self._core_reply(event)]

    def _on_follow(self, event: IncomingEvent) -> list[Message]:
        settings_kept = False
        if event.user_id:
            for flow in self._flows:
                try:
                    kept_here = flow.on_follow(event.user_id) is False
                    settings_kept = settings_kept or kept_here
                except Exception:
                    logger.exception(
                        "event %s: on_follow of flow %r failed",
                        event.event_id,
                        flow.name,
                    )
        welcome = self._welcome_back if settings_kept else self._welcome
        return [text_message(welcome, default_quick_reply())]

    def _on_unfollow(self, event: IncomingEvent, seq: int | None) -> None:
        """Erase the user's data in every flow and their earlier inbox events.

        Raises ErasureIncomplete when a flow still fails after ERASE_ATTEMPTS
        tries; the inbox events are then kept for the next try as well.
        """
        # NOTE: an unfollow retried at the next start also erases what the
        # resident set up after following again in the meantime, since the
        # stores cannot tell data from before the unfollow from data after it.
        if not event.user_id:
            return
        failed = [flow.name for flow in self._flows if not self._forget(flow, event)]
        if failed:
            raise ErasureIncomplete(f"the user's data was not erased in {failed}")
        if seq is not None:
            self._inbox.forget_source(event.user_id, before_seq=seq)
        logger.info("event %s: unfollow; the user's data was deleted", event.event_id)

    def _forget(self, flow: Flow, event: IncomingEvent) -> bool:
        """Call ``flow.forget_user`` up to ERASE_ATTEMPTS times; tell whether it
        succeeded."""
        for attempt in range(1, ERASE_ATTEMPTS + 1):
            try:
                flow.forget_user(event.user_id)
                return True
            except Exception:
                logger.exception(
                    "event %s: forget_user of flow %r failed (try %d of %d)",
                    event.event_id,
                    flow.name,
                    attempt,
                    ERASE_ATTEMPTS,
                )
            if attempt < ERASE_ATTEMPTS:
                time.sleep(ERASE_RETRY_S * attempt)
        return False

    def _core_reply(self, event: IncomingEvent) -> list[Message]:
        if event.event_type == "message":
            return self._message_reply(event)
        if event.event_type == "postback":
            return self._postback_reply(event)
        if event.event_type not in SILENT_EVENT_TYPES:
            logger.info(
                "event %s: event type %r is not handled; ignored",
                event.event_id,
                event.event_type,
            )
        return []

    def _message_reply(self, event: IncomingEvent) -> list[Message]:
        kind = event.message_type
        if kind == "text":
            return self._text_reply(event.text or "", event.event_id)
        if kind == "sticker":
            return [text_message(texts.STICKER_REPLY, default_quick_reply())]
        if kind == "image":
            return [text_message(texts.IMAGE_WITHOUT_REPORT, default_quick_reply())]
        if kind == "location":
            return [text_message(texts.LOCATION_WITHOUT_REPORT, default_quick_reply())]
        if kind not in UNSUPPORTED_MESSAGE_TYPES:
            logger.info("event %s: message type %r unknown", event.event_id, kind)
            return [text_message(texts.UNKNOWN_MESSAGE, default_quick_reply())]
        return [text_message(texts.UNSUPPORTED_MESSAGE, default_quick_reply())]

    def _group_reply(self, event: IncomingEvent) -> list[Message]:
        """Reply in a group or room only when spoken to.

        The account answers a text that mentions it (the mention itself left out
        of the question) and a tap on one of its own buttons. Reports and receive
        settings belong to the one-to-one chat, so their buttons point there.
        Every other message of the members' own conversation gets no reply.
        """
        if event.event_type == "postback":
            if event.postback_params().get("flow") in ("report", "settings"):
                return [text_message(texts.ONE_TO_ONE_ONLY)]
            return self._core_reply(event)
        if event.event_type != "message" or event.message_type != "text":
            return []
        text = addressed_text(event)
        if text is None:
            return []
        if not text or classify_text(text) is TextKind.HELP:
            # The one-to-one help names buttons that group replies do not carry.
            return [text_message(texts.GROUP_HELP)]
        first = _emergency_first(text) if is_emergency(text) else []
        if _asks_for_one_to_one(text) or self._starts_report(text):
            return [*first, text_message(texts.ONE_TO_ONE_ONLY)]
        # Quick replies would offer reports and settings, which a group cannot use.
        return [
            _without_quick_reply(m)
            for m in first + self._text_reply(text, event.event_id)
        ]

    def _starts_report(self, text: str) -> bool:
        """Tell whether a flow with ``starts_report`` (the report flow) would
        start a report with ``text`` in a one-to-one chat."""
        for flow in self._flows:
            starts = getattr(flow, "starts_report", None)
            if starts is not None and starts(text):
                return True
        return False

    def _text_reply(self, text: str, event_id: str) -> list[Message]:
        """Reply to a text the flows did not take.

        A text about an emergency gets no page links unless it asks something
        (交通事故証明書はどこで), because the links would answer the wrong
        thing (救急車を呼んで); the caller has put 119/110 first.
        """
        if is_emergency(text) and not asks_something(text):
            return []
        return self._core_text_reply(text, event_id)

    def _core_text_reply(self, text: str, event_id: str) -> list[Message]:
        kind = classify_text(text)
        if kind is TextKind.RECEIVE_SETTINGS:
            return [text_message(texts.RECEIVE_SETTINGS_UNAVAILABLE)]
        if kind is TextKind.GREETING:
            reply = texts.GREETING_REPLY.replace(
                texts.GREETING_DAYTIME, greeting_word(text), 1
            )
            return [text_message(reply, default_quick_reply())]
        if kind is TextKind.THANKS:
            return [text_message(texts.THANKS_REPLY, default_quick_reply())]
        if kind is TextKind.FAREWELL:
            return [text_message(texts.FAREWELL_REPLY, default_quick_reply())]
        if kind is TextKind.CHAT:
            return [text_message(texts.CHAT_REPLY, default_quick_reply())]
        if kind is TextKind.HELP:
            return [text_message(texts.HELP_TEXT, default_quick_reply())]
        if kind is TextKind.REPORT_STATUS:
            status = contact_text(texts.REPORT_STATUS_TEMPLATE, self._settings)
            return [text_message(status, default_quick_reply())]
        if kind is TextKind.REPORT_CHANGE:
            change = contact_text(texts.REPORT_CHANGE_ROUTE, self._settings)
            return [text_message(change, default_quick_reply())]
        if kind is TextKind.CANCEL:
            # A report under way took its cancel word in the report flow already.
            return [text_message(texts.NOTHING_TO_CANCEL, default_quick_reply())]
        answerer = self._answerers.get()
        with self._compute_slot():
            return question_reply(
                answerer,
                text,
                self._settings,
                source=self._answerers,
                event_id=event_id,
            )

    def _postback_reply(self, event: IncomingEvent) -> list[Message]:
        owner = event.postback_params().get("flow")
        if owner == "settings":
            return [text_message(texts.RECEIVE_SETTINGS_UNAVAILABLE)]
        if owner == "report":
            unavailable = contact_text(
                texts.REPORTS_UNAVAILABLE_TEMPLATE, self._settings
            )
            return [text_message(unavailable)]
        logger.info(
            "event %s: postback for flow %r that no flow took", event.event_id, owner
        )
        return [text_message(texts.UNKNOWN_POSTBACK, default_quick_reply())]


def erasure_check(flows: Sequence[Flow]) -> Callable[[Mapping[str, Any]], bool]:
    """Return a test of whether handling a raw event deletes its sender's data,
    for the inbox (``Inbox(erases_data=...)``).

    It calls ``erases_user_data(event)`` of each flow that has the method, such
    as the receive-settings flow. It calls them for postbacks only, because the
    test runs before each webhook's 200.
    """
    checks = [
        check
        for flow in flows
        if (check := getattr(flow, "erases_user_data", None)) is not None
    ]

    def erases(raw: Mapping[str, Any]) -> bool:
        if not checks or raw.get("type") != "postback":
            return False
        event = to_incoming_event(raw)
        return any(check(event) for check in checks)

    return erases


def _checkpoint_soon(raw: Mapping[str, Any]) -> bool:
    """Tell whether the JSON of ``raw`` must leave SQLite's -wal file soon after
    it is handled, instead of at the next periodic checkpoint.

    That is an unfollow, whose handling deletes the resident's data, and a
    receive-settings postback, which pairs the user id with a category, an
    attribute answer (``attr=area&value=...``) or a request to delete them.
    """
    return raw.get("type") == "unfollow" or postback_flow(raw) == SETTINGS_FLOW


def _emergency_first(text: str) -> list[Message]:
    """Return the first message for an emergency text: the consultation line
    with 119/110 for someone who wants to die, else the 119/110 line, with the
    gas company's route when the text speaks of a gas smell or leak."""
    if is_crisis(text):
        return [text_message(texts.CRISIS_FIRST)]
    if mentions_gas(text):
        return [text_message(texts.EMERGENCY_FIRST + "\n" + texts.REPORT_URGENT_GAS)]
    return [text_message(texts.EMERGENCY_FIRST)]


def _emergency(event: IncomingEvent) -> bool:
    return (
        event.event_type == "message"
        and event.message_type == "text"
        and is_emergency(event.text or "")
    )


def _asks_for_one_to_one(text: str) -> bool:
    """Tell whether a group text asks for a report or the receive settings."""
    word = visible_nfkc(text).strip().rstrip("。.!！")
    if word in REPORT_START_WORDS or classify_text(text) is TextKind.RECEIVE_SETTINGS:
        return True
    # A short message about reporting (ねえ 通報したい), not a question about it.
    return "通報" in word and len(word) <= MAX_REPORT_REQUEST_CHARS


def _without_quick_reply(message: Message) -> Message:
    if getattr(message, "quick_reply", None) is None:
        return message
    return message.copy(update={"quick_reply": None})
