"""Build the LINE messages of a broadcast and check them against LINE's limits.

A broadcast is one or more texts, the first one headed with the category name
(【防災・安全】), and optionally a link, sent as a Flex bubble with one button. The
last message carries a 受信設定 quick reply so that a resident can change what they
receive. Nothing is cut to fit: :func:`build_messages` raises InvalidBroadcastError,
which names what to shorten, before anything is stored or sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from linebot.v3.messaging import (
    FlexBox,
    FlexBubble,
    FlexButton,
    FlexMessage,
    FlexText,
    Message,
    MessageAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
    URIAction,
)

from cityline.errors import CitylineError
from cityline.terminal import control_character_problem
from index.normalize import visible_nfkc
from webhook import texts
from webhook.broadcasts.categories import Choice
from webhook.limits import (
    MAX_ALT_TEXT_UNITS,
    MAX_MESSAGES_PER_REQUEST,
    MAX_TEXT_UNITS,
    MAX_URI_LENGTH,
    utf16_length,
)


class InvalidBroadcastError(CitylineError):
    """Raised when a broadcast's texts or link break LINE's limits."""


def build_messages(
    category: Choice, bodies: Sequence[str], url: str | None
) -> list[Message]:
    """Return the messages for ``bodies`` and ``url`` in ``category``.

    Raises InvalidBroadcastError when there is no text, more than 5 messages, a
    text with a control character other than a line break or a tab, a text
    over 5,000 UTF-16 code units (the header included), or a link that is not
    an https URL of at most 1,000 characters.
    """
    # A text of characters that display nothing (a zero-width space) is empty.
    cleaned = [body.strip() if visible_nfkc(body).strip() else "" for body in bodies]
    if not any(cleaned):
        raise InvalidBroadcastError(
            "a broadcast needs text; pass a non-empty --text (it may be repeated)"
        )
    blank = [number for number, body in enumerate(cleaned, start=1) if not body]
    if blank:
        raise InvalidBroadcastError(
            f"text {blank[0]} of {len(cleaned)} is empty or only whitespace; give "
            "every --text some words or drop the empty one"
        )
    for number, body in enumerate(cleaned, start=1):
        problem = control_character_problem(f"text {number} of {len(cleaned)}", body)
        if problem is not None:
            raise InvalidBroadcastError(problem)
    count = len(cleaned) + (1 if url else 0)
    if count > MAX_MESSAGES_PER_REQUEST:
        raise InvalidBroadcastError(
            f"the broadcast has {count} messages ({len(cleaned)} texts"
            f"{' and a link' if url else ''}); LINE allows at most "
            f"{MAX_MESSAGES_PER_REQUEST} per request, so join some texts"
        )
    if url:
        validate_url(url)

    header = texts.BROADCAST_HEADER.format(category=category.name)
    cleaned[0] = f"{header}\n{cleaned[0]}"
    for position, body in enumerate(cleaned, start=1):
        length = utf16_length(body)
        if length > MAX_TEXT_UNITS:
            raise InvalidBroadcastError(
                f"text {position} has {length:,} UTF-16 code units with the category "
                f"header; LINE allows {MAX_TEXT_UNITS:,}, so shorten it by "
                f"{length - MAX_TEXT_UNITS:,}"
            )

    messages: list[Message] = [TextMessage(text=body) for body in cleaned]
    if url:
        messages.append(_link_message(category, url))
    messages[-1].quick_reply = _settings_quick_reply()
    return messages


def validate_url(url: str) -> None:
    """Raise InvalidBroadcastError unless ``url`` is an https URL LINE accepts."""
    if len(url) > MAX_URI_LENGTH:
        raise InvalidBroadcastError(
            f"the URL has {len(url)} characters; LINE allows {MAX_URI_LENGTH}, so "
            "use a shorter link"
        )
    if any(char.isspace() or ord(char) < 0x20 for char in url):
        raise InvalidBroadcastError(
            f"the URL {url!r} contains a space or control character; encode it"
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        raise InvalidBroadcastError(
            f"the URL {url!r} is invalid ({exc}); give a link such as "
            "https://www.city.musashino.lg.jp/..."
        ) from exc
    if parts.scheme != "https" or not parts.hostname:
        raise InvalidBroadcastError(
            f"the URL {url!r} is not an https URL with a host; LINE opens only "
            "links such as https://www.city.musashino.lg.jp/..."
        )


def _link_message(category: Choice, url: str) -> FlexMessage:
    alt_text = texts.BROADCAST_LINK_ALT_TEXT.format(category=category.name)
    if utf16_length(alt_text) > MAX_ALT_TEXT_UNITS:
        raise InvalidBroadcastError(
            f"the link's alt text for category {category.key!r} is longer than "
            f"{MAX_ALT_TEXT_UNITS} UTF-16 code units; shorten the category name"
        )
    bubble = FlexBubble(
        size="kilo",
        body=FlexBox(
            layout="vertical",
            spacing="md",
            contents=[
                FlexText(
                    text=texts.BROADCAST_HEADER.format(category=category.name),
                    weight="bold",
                    size="sm",
                    wrap=True,
                ),
                FlexButton(
                    style="primary",
                    height="sm",
                    action=URIAction(label=texts.BROADCAST_LINK_LABEL, uri=url),
                ),
            ],
        ),
    )
    return FlexMessage(altText=alt_text, contents=bubble)


def _settings_quick_reply() -> QuickReply:
    label = texts.BROADCAST_QUICK_SETTINGS
    return QuickReply(
        items=[QuickReplyItem(action=MessageAction(label=label, text=label))]
    )
