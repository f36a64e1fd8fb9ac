"""Builders for the messages the bot sends: texts, quick replies and answer carousels.

The feature flows use these helpers too, so that every message looks alike and
respects LINE's limits from the start. ``LineClient`` still runs
:func:`webhook.limits.enforce_limits` on everything it sends, so a builder that gets
too long an input degrades instead of failing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from linebot.v3.messaging import (
    FlexBox,
    FlexBubble,
    FlexButton,
    FlexCarousel,
    FlexMessage,
    FlexText,
    LocationAction,
    Message,
    MessageAction,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
    URIAction,
)

from cityline.settings import Settings
from webhook import texts
from webhook.broadcasts.categories import load_catalog
from webhook.limits import (
    MAX_ACTION_LABEL_UNITS,
    MAX_ALT_TEXT_UNITS,
    MAX_DISPLAY_TEXT_UNITS,
    MAX_QUICK_REPLY_ITEMS,
    MAX_TEXT_UNITS,
    MAX_URI_LENGTH,
    truncate,
)

MAX_ANSWER_BUBBLES = 3
MAX_TITLE_UNITS = 80
MAX_SNIPPET_UNITS = 200

REPORT_START_DATA = "flow=report&action=start"
SETTINGS_SHOW_DATA = "flow=settings&action=show"


class AnswerLike(Protocol):
    """One page offered as an answer (``answerer.answer.Answer`` fits).

    A page may also have a ``section`` (see :func:`shown_titles`). A page
    without it is shown by its title alone.
    """

    url: str
    title: str
    snippet: str


def welcome_text(settings: Settings, settings_kept: bool = False) -> str:
    """Build the follow greeting: the city's name and the safety category's default.

    New friends start subscribed to the safety category (named as in the data
    dir's category file). With ``use_line_broadcast_for_safety`` the greeting
    states instead that its broadcasts go to every friend. A friend whose
    settings were ``settings_kept`` (a repeated follow event) is told that they
    stay as they were. Raises ConfigError when the category file is invalid.
    """
    safety = load_catalog(settings).safety.name
    if settings.use_line_broadcast_for_safety:
        note = texts.WELCOME_SAFETY_TO_ALL
    elif settings_kept:
        note = texts.WELCOME_SETTINGS_KEPT
    else:
        note = texts.WELCOME_SAFETY_ON
    return texts.WELCOME_TEMPLATE.format(
        city_name=settings.city_name, safety_note=note.format(safety=safety)
    )


def text_message(text: str, quick_reply: QuickReply | None = None) -> TextMessage:
    """Build a text message, cut to 5,000 UTF-16 code units with an ellipsis."""
    return TextMessage(text=truncate(text, MAX_TEXT_UNITS), quickReply=quick_reply)


def postback_item(
    label: str, data: str, display_text: str | None = None
) -> QuickReplyItem:
    """Build a quick-reply button that sends postback ``data``.

    ``display_text`` is what appears in the chat as the resident's message; it
    defaults to the label. The label is cut to 20 UTF-16 code units.
    """
    label = truncate(label, MAX_ACTION_LABEL_UNITS)
    shown = truncate(display_text or label, MAX_DISPLAY_TEXT_UNITS)
    return QuickReplyItem(
        action=PostbackAction(label=label, data=data, displayText=shown)
    )


def message_item(label: str, text: str | None = None) -> QuickReplyItem:
    """Build a quick-reply button that sends ``text`` (the label by default)."""
    label = truncate(label, MAX_ACTION_LABEL_UNITS)
    sent = truncate(text or label, MAX_DISPLAY_TEXT_UNITS)
    return QuickReplyItem(action=MessageAction(label=label, text=sent))


def location_item(label: str) -> QuickReplyItem:
    """Build a quick-reply button that opens LINE's location picker."""
    return QuickReplyItem(
        action=LocationAction(label=truncate(label, MAX_ACTION_LABEL_UNITS))
    )


def quick_reply(items: Iterable[QuickReplyItem]) -> QuickReply | None:
    """Bundle quick-reply items, keeping the first 13; None when there are none."""
    kept = list(items)[:MAX_QUICK_REPLY_ITEMS]
    return QuickReply(items=kept) if kept else None


def default_quick_reply() -> QuickReply:
    """Return the quick replies that follow the core's answers.

    通報する starts a fault report, 受信設定 shows the receive settings (both as
    postbacks to their flows), and 使い方 sends the text 使い方.
    """
    return QuickReply(
        items=[
            postback_item(texts.QUICK_REPORT, REPORT_START_DATA),
            postback_item(texts.QUICK_SETTINGS, SETTINGS_SHOW_DATA),
            message_item(texts.QUICK_HELP),
        ]
    )


def answer_messages(answers: Sequence[AnswerLike]) -> list[Message]:
    """Build the reply to a question that found pages: one Flex carousel.

    The carousel has a bubble per page (at most 3) with the title, the snippet and
    a button that opens the page. A snippet that only repeats the page's title
    (a folder page whose text is its title) is left out. The altText lists the
    titles, for notifications and for LINE versions that cannot show Flex.
    """
    shown = list(answers)[:MAX_ANSWER_BUBBLES]
    if not shown:
        raise ValueError("answer_messages needs at least one answer; got none")
    titles = shown_titles(shown)
    alt_text = truncate(
        texts.ANSWER_ALT_TEXT.format(titles=" / ".join(titles)), MAX_ALT_TEXT_UNITS
    )
    bubbles = [
        answer_bubble(title, _snippet_beside_title(answer), answer.url)
        for title, answer in zip(titles, shown, strict=True)
    ]
    carousel = FlexMessage(
        altText=alt_text,
        contents=FlexCarousel(contents=bubbles),
        quickReply=default_quick_reply(),
    )
    return [carousel]


def answer_bubble(title: str, snippet: str, url: str) -> FlexBubble:
    """Build one carousel bubble: title, snippet, and a button that opens ``url``.
    A URL longer than LINE's 1,000-character limit for URI actions gets no button.
    """
    body: list[Any] = [
        FlexText(
            text=truncate(title, MAX_TITLE_UNITS),
            weight="bold",
            size="md",
            wrap=True,
            maxLines=3,
        )
    ]
    if snippet.strip():
        body.append(
            FlexText(
                text=truncate(snippet.strip(), MAX_SNIPPET_UNITS),
                size="sm",
                color="#555555",
                wrap=True,
                maxLines=6,
                margin="md",
            )
        )
    bubble = FlexBubble(
        size="kilo", body=FlexBox(layout="vertical", contents=body, spacing="sm")
    )
    if url and len(url) <= MAX_URI_LENGTH:
        bubble.footer = FlexBox(
            layout="vertical",
            contents=[
                FlexButton(
                    action=URIAction(label=texts.OPEN_PAGE_LABEL, uri=url),
                    style="primary",
                    height="sm",
                )
            ],
        )
    return bubble


def _snippet_beside_title(answer: AnswerLike) -> str:
    title = " ".join((answer.title or "").split())
    return "" if " ".join(answer.snippet.split()) == title else answer.snippet


def shown_titles(answers: Sequence[AnswerLike]) -> list[str]:
    """Return the title to show for each page, with a section where titles repeat.

    Two pages of one reply may share a title (two folder pages called がん検診,
    in different parts of the site). Each of those gets its ``section`` in
    brackets when no other page of that title has the same section; otherwise
    the snippets tell them apart. Titles are cut to MAX_TITLE_UNITS UTF-16 code
    units.
    """
    titles = [
        " ".join((answer.title or "").split()) or texts.UNTITLED_PAGE
        for answer in answers
    ]
    sections = [" ".join(getattr(answer, "section", "").split()) for answer in answers]
    shown = []
    for i, title in enumerate(titles):
        twins = [j for j, other in enumerate(titles) if other == title and j != i]
        if twins and sections[i] and all(sections[j] != sections[i] for j in twins):
            title = texts.SECTIONED_TITLE_TEMPLATE.format(
                title=title, section=sections[i]
            )
        shown.append(truncate(title, MAX_TITLE_UNITS))
    return shown
