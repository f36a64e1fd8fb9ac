"""The Flex messages of the receive settings: the settings card and the pickers.

Every button is a postback to the settings flow (``flow=settings&...``), and each
names the state it sets (``to=on``/``to=off``, ``value=...``) rather than flipping
it, so a repeated tap leaves the settings as the resident last saw them.
"""

from __future__ import annotations

from urllib.parse import urlencode

from linebot.v3.messaging import (
    ConfirmTemplate,
    FlexBox,
    FlexBubble,
    FlexButton,
    FlexMessage,
    FlexSeparator,
    FlexText,
    Message,
    PostbackAction,
    TemplateMessage,
    TextMessage,
)

from webhook import texts
from webhook.broadcasts.categories import ATTRIBUTES, Catalog, Choice
from webhook.broadcasts.store import ResidentSettings
from webhook.limits import MAX_ALT_TEXT_UNITS, truncate
from webhook.replies import postback_item, quick_reply

FLOW_NAME = "settings"
NO_ANSWER_KEY = "none"
_OFF_COLOR = "#888888"


def postback_data(action: str, **params: str) -> str:
    """Return the postback data of a settings action, e.g. ``flow=settings&...``."""
    return urlencode({"flow": FLOW_NAME, "action": action, **params})


def settings_card(catalog: Catalog, settings: ResidentSettings) -> FlexMessage:
    """Build the card that shows ``settings`` with a toggle per category."""
    rows: list = [
        FlexText(text=texts.RECV_TITLE, weight="bold", size="lg"),
        FlexText(text=texts.RECV_INTRO, size="sm", wrap=True, color=_OFF_COLOR),
    ]
    rows += [_category_row(c, c.key in settings.categories) for c in catalog.categories]
    rows += [
        FlexSeparator(margin="lg"),
        FlexText(text=texts.RECV_ATTRIBUTES_TITLE, weight="bold", margin="lg"),
        FlexText(
            text=texts.RECV_ATTRIBUTES_NOTE, size="xs", wrap=True, color=_OFF_COLOR
        ),
    ]
    rows += [
        _attribute_row(name, catalog.find_option(name, settings.attributes.get(name)))
        for name in ATTRIBUTES
    ]
    footer = FlexBox(
        layout="vertical",
        spacing="sm",
        contents=[
            FlexText(
                text=texts.RECV_PRIVACY_NOTE, size="xxs", wrap=True, color=_OFF_COLOR
            ),
            FlexButton(
                style="link",
                height="sm",
                color="#c0392b",
                action=PostbackAction(
                    label=texts.RECV_BUTTON_DELETE,
                    data=postback_data("delete"),
                    displayText=texts.RECV_DISPLAY_DELETE,
                ),
            ),
        ],
    )
    bubble = FlexBubble(
        size="mega",
        body=FlexBox(layout="vertical", spacing="sm", contents=rows),
        footer=footer,
    )
    return FlexMessage(altText=_alt_text(catalog, settings), contents=bubble)


def option_picker(catalog: Catalog, attribute: str) -> FlexMessage:
    """Build the list of options for ``attribute``, with 回答しない last."""
    attribute_name = texts.RECV_ATTRIBUTE_NAMES[attribute]
    options = [*catalog.options(attribute), Choice(NO_ANSWER_KEY, texts.RECV_NO_ANSWER)]
    buttons = [
        FlexButton(
            style="secondary" if option.key == NO_ANSWER_KEY else "primary",
            height="sm",
            action=PostbackAction(
                label=option.name,
                data=postback_data("set", attr=attribute, value=option.key),
                displayText=texts.RECV_DISPLAY_PICK.format(
                    attribute=attribute_name, value=option.name
                ),
            ),
        )
        for option in options
    ]
    title = texts.RECV_PICK_TITLE.format(attribute=attribute_name)
    bubble = FlexBubble(
        size="kilo",
        body=FlexBox(
            layout="vertical",
            spacing="sm",
            contents=[FlexText(text=title, weight="bold", wrap=True), *buttons],
        ),
    )
    alt_text = texts.RECV_PICK_ALT.format(attribute=attribute_name)
    return FlexMessage(altText=alt_text, contents=bubble)


def safety_confirmation(category: Choice, to_all_friends: bool = False) -> Message:
    """Build the question asked before the safety category is turned off.

    ``to_all_friends`` means that unfiltered safety messages go to every friend
    (LINE broadcast), so the question tells the resident they keep coming.
    """
    template = (
        texts.RECV_SAFETY_CONFIRM_TO_ALL
        if to_all_friends
        else texts.RECV_SAFETY_CONFIRM
    )
    question = template.format(
        category=category.name, description=category.description or category.name
    )
    return TemplateMessage(
        altText=texts.RECV_SAFETY_CONFIRM_ALT.format(category=category.name),
        template=ConfirmTemplate(
            text=truncate(question, 240),
            actions=[
                PostbackAction(
                    label=texts.RECV_SAFETY_CONFIRM_YES,
                    data=postback_data(
                        "toggle", category=category.key, to="off", confirmed="1"
                    ),
                    displayText=texts.RECV_DISPLAY_OFF.format(category=category.name),
                ),
                PostbackAction(
                    label=texts.RECV_SAFETY_CONFIRM_NO,
                    data=postback_data("show"),
                    displayText=texts.RECV_SAFETY_CONFIRM_NO,
                ),
            ],
        ),
    )


def delete_confirmation(catalog: Catalog) -> TextMessage:
    """Build the question asked before every setting and answer is deleted.

    Its quick reply has 削除する, which posts ``action=delete&confirmed=1``, and
    削除しない, which shows the settings card again.
    """
    question = texts.RECV_DELETE_CONFIRM.format(safety=catalog.safety.name)
    return TextMessage(
        text=question,
        quickReply=quick_reply(
            [
                postback_item(
                    texts.RECV_DELETE_CONFIRM_YES,
                    postback_data("delete", confirmed="1"),
                    texts.RECV_DISPLAY_DELETE_CONFIRMED,
                ),
                postback_item(texts.RECV_DELETE_CONFIRM_NO, postback_data("show")),
            ]
        ),
    )


def _category_row(category: Choice, subscribed: bool) -> FlexBox:
    state = texts.RECV_STATE_ON if subscribed else texts.RECV_STATE_OFF
    if subscribed:
        label, target, display = texts.RECV_BUTTON_OFF, "off", texts.RECV_DISPLAY_OFF
    else:
        label, target, display = texts.RECV_BUTTON_ON, "on", texts.RECV_DISPLAY_ON
    return FlexBox(
        layout="horizontal",
        spacing="sm",
        contents=[
            FlexText(
                text=state.format(category=category.name),
                size="sm",
                wrap=True,
                flex=5,
                gravity="center",
                color=None if subscribed else _OFF_COLOR,
            ),
            FlexButton(
                style="secondary" if subscribed else "primary",
                height="sm",
                flex=3,
                action=PostbackAction(
                    label=label,
                    data=postback_data("toggle", category=category.key, to=target),
                    displayText=display.format(category=category.name),
                ),
            ),
        ],
    )


def _attribute_row(attribute: str, answer: Choice | None) -> FlexBox:
    attribute_name = texts.RECV_ATTRIBUTE_NAMES[attribute]
    value = answer.name if answer is not None else texts.RECV_NO_ANSWER
    return FlexBox(
        layout="horizontal",
        spacing="sm",
        contents=[
            FlexText(
                text=texts.RECV_ATTRIBUTE_ROW.format(
                    attribute=attribute_name, value=value
                ),
                size="sm",
                wrap=True,
                flex=5,
                gravity="center",
            ),
            FlexButton(
                style="link",
                height="sm",
                flex=3,
                action=PostbackAction(
                    label=texts.RECV_BUTTON_CHANGE,
                    data=postback_data("pick", attr=attribute),
                    displayText=texts.RECV_PICK_TITLE.format(attribute=attribute_name),
                ),
            ),
        ],
    )


def _alt_text(catalog: Catalog, settings: ResidentSettings) -> str:
    names = [c.name for c in catalog.categories if c.key in settings.categories]
    if not names:
        return texts.RECV_ALT_TEXT_NONE
    alt_text = texts.RECV_ALT_TEXT.format(categories="、".join(names))
    return truncate(alt_text, MAX_ALT_TEXT_UNITS)
