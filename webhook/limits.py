"""LINE's limits on outgoing messages, and the code that keeps messages within them.

LINE rejects a whole request when one field breaks a limit, so every message goes
through :func:`enforce_limits` before it is sent (``LineClient`` does this for reply,
push, multicast and broadcast). Texts that are too long are cut cleanly with an
ellipsis. Items over a count limit are dropped from the end. An action that cannot be
cut (a URI or postback data over its limit) is removed together with the button or
quick-reply item that carries it. Each change is logged at WARNING, because it means
a message was built too large.

The figures are those of the LINE Messaging API reference (message objects, Flex
Message elements and quick reply). LINE counts text lengths in UTF-16 code units, so
an emoji outside the Basic Multilingual Plane counts 2.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Sequence
from typing import Any

from linebot.v3.messaging import Message

from index.normalize import joins_previous

logger = logging.getLogger(__name__)

MAX_MESSAGES_PER_REQUEST = 5
MAX_CAROUSEL_BUBBLES = 12
MAX_QUICK_REPLY_ITEMS = 13
MAX_TEXT_UNITS = 5000
MAX_ALT_TEXT_UNITS = 400
MAX_URI_LENGTH = 1000
MAX_ACTION_LABEL_UNITS = 20
MAX_POSTBACK_DATA_LENGTH = 300
MAX_DISPLAY_TEXT_UNITS = 300
MAX_CAROUSEL_JSON_BYTES = 50_000
MAX_BUBBLE_JSON_BYTES = 30_000
# A text component is never cut below this many UTF-16 code units to fit a bubble.
MIN_FLEX_TEXT_UNITS = 20
MAX_CONFIRM_TEXT_UNITS = 240
MAX_BUTTONS_TITLE_UNITS = 40
MAX_BUTTONS_TEXT_UNITS = 160
# The buttons template's text limit when it also has a title or an image.
MAX_BUTTONS_SHORT_TEXT_UNITS = 60
ELLIPSIS = "…"

_ZERO_WIDTH_JOINER = "\u200d"
_REGIONAL_INDICATORS = range(0x1F1E6, 0x1F200)


def utf16_length(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units, as LINE counts it."""
    return len(text.encode("utf-16-le")) // 2


def truncate(text: str, max_units: int, ellipsis: str = ELLIPSIS) -> str:
    """Cut ``text`` to at most ``max_units`` UTF-16 code units, ending in ``ellipsis``.

    A text within the limit is returned unchanged. The cut never splits a surrogate
    pair, an emoji sequence (skin tone, ZWJ sequence, flag, variation selector) or a
    letter from its combining marks: the whole cluster is dropped instead. Raises
    ValueError when ``max_units`` cannot hold the ellipsis.
    """
    if utf16_length(text) <= max_units:
        return text
    budget = max_units - utf16_length(ellipsis)
    if budget < 0:
        raise ValueError(
            f"max_units={max_units!r} is shorter than the ellipsis {ellipsis!r}; "
            "pass a larger limit or a shorter ellipsis"
        )
    cut = 0
    used = 0
    for char in text:
        width = 2 if ord(char) > 0xFFFF else 1
        if used + width > budget:
            break
        used += width
        cut += 1
    cut = _cluster_start(text, cut)
    return text[:cut].rstrip() + ellipsis


def _cluster_start(text: str, cut: int) -> int:
    """Move ``cut`` back so that it does not fall inside a user-perceived character."""
    while 0 < cut < len(text) and (
        joins_previous(text[cut]) or text[cut - 1] == _ZERO_WIDTH_JOINER
    ):
        cut -= 1
    # Flags are pairs of regional indicators: never keep an odd one at the end.
    run = 0
    while run < cut and ord(text[cut - 1 - run]) in _REGIONAL_INDICATORS:
        run += 1
    if run % 2 == 1 and cut < len(text) and ord(text[cut]) in _REGIONAL_INDICATORS:
        cut -= 1
    return cut


def enforce_limits(messages: Sequence[Message]) -> list[Message]:
    """Return ``messages`` changed as little as needed to fit LINE's limits.

    Over five messages, plain texts are joined first (:func:`within_count`), and
    messages between the fourth and the last are dropped only when that is not
    enough. A text
    message left empty is dropped. The input objects are not modified.
    """
    if len(messages) > MAX_MESSAGES_PER_REQUEST:
        joined = within_count([message.to_dict() for message in messages])
        return [
            _rebuild(cleaned)
            for cleaned in map(enforce_message_limits, joined)
            if cleaned is not None
        ]
    fitted: list[Message] = []
    for message in messages:
        original = message.to_dict()
        cleaned = enforce_message_limits(copy.deepcopy(original))
        if cleaned is None:
            continue
        fitted.append(message if cleaned == original else _rebuild(cleaned))
    return fitted


def fit_messages(messages: Sequence[Message]) -> list[dict[str, Any]]:
    """Return ``messages`` as JSON objects, fitted as :func:`enforce_limits` does.

    This is the form that ``LineClient`` sends: each message is serialized once.
    """
    fitted = []
    for data in within_count([message.to_dict() for message in messages]):
        cleaned = enforce_message_limits(data)
        if cleaned is not None:
            fitted.append(cleaned)
    return fitted


def within_count(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return at most five of ``messages``, joining plain texts before dropping.

    Over five, neighbouring plain texts (no quick reply) are joined with a blank
    line, earliest first. The last message, which carries the buttons of the
    next step, is kept that way. Messages still over five are dropped from the
    middle, with a warning: the first (it can be an emergency notice) and the
    last are kept.
    """
    merged = list(messages)
    place = 0
    while len(merged) > MAX_MESSAGES_PER_REQUEST and place < len(merged) - 1:
        first, second = merged[place], merged[place + 1]
        if _plain_text(first) and _plain_text(second):
            joined = f"{first['text']}\n\n{second['text']}"
            merged[place : place + 2] = [{"type": "text", "text": joined}]
        else:
            place += 1
    if len(merged) <= MAX_MESSAGES_PER_REQUEST:
        return merged
    logger.warning(
        "dropped %d messages over the limit of %d per request",
        len(merged) - MAX_MESSAGES_PER_REQUEST,
        MAX_MESSAGES_PER_REQUEST,
    )
    return merged[: MAX_MESSAGES_PER_REQUEST - 1] + merged[-1:]


def _plain_text(message: dict[str, Any]) -> bool:
    """Tell whether ``message`` is a text with nothing but its text."""
    return message.get("type") == "text" and set(message) <= {"type", "text"}


def _rebuild(data: dict[str, Any]) -> Message:
    return Message.from_dict(data)


def enforce_message_limits(data: dict[str, Any]) -> dict[str, Any] | None:
    """Fit one message, given as LINE's JSON object; None when nothing valid is left.

    The dict is modified in place and returned.
    """
    kind = data.get("type")
    if kind in ("text", "textV2"):
        text = data.get("text") or ""
        data["text"] = _cut(text, MAX_TEXT_UNITS, "text")
        if not data["text"].strip():
            logger.warning("dropped a text message with no text")
            return None
    if "altText" in data:
        data["altText"] = _cut(data["altText"] or "", MAX_ALT_TEXT_UNITS, "altText")
    if kind == "flex":
        _fit_flex(data)
    if kind == "template":
        _fit_template(data.get("template") or {})
    _fit_quick_reply(data)
    _fit_actions(data)
    return data


def _cut(text: str, max_units: int, field_name: str) -> str:
    cut = truncate(text, max_units)
    if cut != text:
        logger.warning(
            "cut %s from %d to %d UTF-16 code units",
            field_name,
            utf16_length(text),
            utf16_length(cut),
        )
    return cut


def _fit_flex(data: dict[str, Any]) -> None:
    container = data.get("contents") or {}
    if container.get("type") == "bubble":
        _fit_bubble(container)
    if container.get("type") != "carousel":
        return
    bubbles = container.get("contents") or []
    for bubble in bubbles:
        _fit_bubble(bubble)
    if len(bubbles) > MAX_CAROUSEL_BUBBLES:
        logger.warning(
            "dropped %d carousel bubbles over the limit of %d",
            len(bubbles) - MAX_CAROUSEL_BUBBLES,
            MAX_CAROUSEL_BUBBLES,
        )
        del bubbles[MAX_CAROUSEL_BUBBLES:]
    while len(bubbles) > 1 and _json_size(container) > MAX_CAROUSEL_JSON_BYTES:
        logger.warning(
            "dropped a carousel bubble: the carousel exceeds %d bytes of JSON",
            MAX_CAROUSEL_JSON_BYTES,
        )
        bubbles.pop()


def _fit_bubble(bubble: dict[str, Any]) -> None:
    """Cut the bubble's longest texts by half until its JSON fits the limit.

    No text is cut below ``MIN_FLEX_TEXT_UNITS``; a bubble that is still too large
    is logged and left for LINE to reject.
    """
    size = _json_size(bubble)
    if size <= MAX_BUBBLE_JSON_BYTES:
        return
    texts = list(_text_components(bubble))
    while _json_size(bubble) > MAX_BUBBLE_JSON_BYTES:
        longest = max(texts, key=lambda node: utf16_length(node["text"]), default=None)
        units = utf16_length(longest["text"]) if longest is not None else 0
        if units <= MIN_FLEX_TEXT_UNITS:
            logger.warning(
                "a bubble of %d bytes of JSON exceeds %d even with its texts cut",
                _json_size(bubble),
                MAX_BUBBLE_JSON_BYTES,
            )
            return
        longest["text"] = truncate(
            longest["text"], max(units // 2, MIN_FLEX_TEXT_UNITS)
        )
    logger.warning(
        "cut the texts of a bubble from %d to %d bytes of JSON",
        size,
        _json_size(bubble),
    )


def _text_components(node: Any):
    """Yield the Flex text and span components under ``node`` that hold text."""
    if isinstance(node, list):
        for item in node:
            yield from _text_components(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") in ("text", "span") and isinstance(node.get("text"), str):
        yield node
    for key, value in node.items():
        if key != "action":
            yield from _text_components(value)


def _fit_template(template: dict[str, Any]) -> None:
    """Cut the title and text of a confirm or buttons template to LINE's limits."""
    kind = template.get("type")
    if kind == "confirm" and template.get("text"):
        template["text"] = _cut(template["text"], MAX_CONFIRM_TEXT_UNITS, "text")
    if kind != "buttons":
        return
    if template.get("title"):
        template["title"] = _cut(template["title"], MAX_BUTTONS_TITLE_UNITS, "title")
    if template.get("text"):
        short = template.get("title") or template.get("thumbnailImageUrl")
        limit = MAX_BUTTONS_SHORT_TEXT_UNITS if short else MAX_BUTTONS_TEXT_UNITS
        template["text"] = _cut(template["text"], limit, "text")


def _json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode("utf-8"))


def _fit_quick_reply(data: dict[str, Any]) -> None:
    quick_reply = data.get("quickReply")
    if not quick_reply:
        return
    items = [
        item
        for item in quick_reply.get("items") or []
        if _action_is_valid(item.get("action"))
    ]
    if len(items) > MAX_QUICK_REPLY_ITEMS:
        logger.warning(
            "dropped %d quick-reply items over the limit of %d",
            len(items) - MAX_QUICK_REPLY_ITEMS,
            MAX_QUICK_REPLY_ITEMS,
        )
        del items[MAX_QUICK_REPLY_ITEMS:]
    if items:
        quick_reply["items"] = items
    else:
        del data["quickReply"]


def _fit_actions(node: Any) -> None:
    """Cut action labels and texts, and remove actions that cannot be cut."""
    if isinstance(node, list):
        node[:] = [
            item
            for item in node
            if not (
                isinstance(item, dict)
                and item.get("type") == "button"
                and not _action_is_valid(item.get("action"))
            )
        ]
        for item in node:
            _fit_actions(item)
        return
    if not isinstance(node, dict):
        return
    action = node.get("action")
    if isinstance(action, dict):
        if _action_is_valid(action):
            _fit_action_texts(action)
        else:
            logger.warning("removed a %s action over its length limit", action["type"])
            del node["action"]
    for key, value in node.items():
        if key != "action":
            _fit_actions(value)


def _action_is_valid(action: Any) -> bool:
    if not isinstance(action, dict):
        return False
    if action.get("type") == "uri":
        uris = [action.get("uri") or ""]
        uris += list((action.get("altUri") or {}).values())
        return all(0 < len(uri) <= MAX_URI_LENGTH for uri in uris)
    if action.get("type") == "postback":
        return 0 < len(action.get("data") or "") <= MAX_POSTBACK_DATA_LENGTH
    return True


def _fit_action_texts(action: dict[str, Any]) -> None:
    if action.get("label"):
        action["label"] = _cut(action["label"], MAX_ACTION_LABEL_UNITS, "label")
    if action.get("displayText"):
        action["displayText"] = _cut(
            action["displayText"], MAX_DISPLAY_TEXT_UNITS, "displayText"
        )
    if action.get("type") == "message" and action.get("text"):
        action["text"] = _cut(action["text"], MAX_DISPLAY_TEXT_UNITS, "action text")
