"""The receive-settings conversation: show, change and delete one's own settings.

The flow takes the text 受信設定 (and close variants such as 配信設定 or
受信設定を変更) and every postback whose ``flow`` is ``settings``:

- ``action=show``: the settings card (also the rich-menu postback).
- ``action=toggle&category=K[&to=on|off][&confirmed=1]``: subscribe or unsubscribe.
  Without ``to`` it flips the current state. Turning the safety category off first
  asks for confirmation, and the confirming button carries ``confirmed=1``.
- ``action=pick&attr=A``: the options of attribute A (gender, age band, area).
- ``action=set&attr=A&value=V``: store the answer; ``value=none`` is 回答しない,
  which deletes it, and the reply says that the answer was withdrawn.
- ``action=delete[&confirmed=1]``: delete every setting and answer at once. Without
  ``confirmed=1`` it first asks, with quick-reply buttons, unless nothing is
  stored. The text 受信設定を削除 gets the same question.

Settings are shown only in a one-to-one chat with the resident they belong to, and
never in a group or room. New friends start with the safety category only
(:meth:`SettingsFlow.on_follow`), and an unfollow deletes everything
(:meth:`SettingsFlow.forget_user`). After a deletion the inbox ignores the
resident's events sent before it (:meth:`SettingsFlow.erases_user_data`).
"""

from __future__ import annotations

import logging
import re
import unicodedata

from linebot.v3.messaging import Message, TextMessage
from sqlalchemy import Engine

from cityline.settings import Settings
from webhook import texts
from webhook.broadcasts.categories import (
    ATTRIBUTES,
    SAFETY_CATEGORY,
    Catalog,
    load_catalog,
)
from webhook.broadcasts.store import ReceiveSettingsStore
from webhook.broadcasts.views import (
    FLOW_NAME,
    NO_ANSWER_KEY,
    delete_confirmation,
    option_picker,
    safety_confirmation,
    settings_card,
)
from webhook.classify import TextKind, classify_text
from webhook.flow import IncomingEvent, is_one_to_one

logger = logging.getLogger(__name__)

SHOW_TEXTS = frozenset(
    {
        "受信設定",
        "受信の設定",
        "受信設定変更",
        "受信設定の変更",
        "受信設定を変更",
        "受信設定を変更する",
        "受信設定を見る",
        "受信設定確認",
        "受信設定の確認",
        "受信設定を確認",
        "配信設定",
        "通知設定",
        "お知らせ設定",
        "お知らせの設定",
        "じゅしんせってい",
        "設定",
        "設定変更",
        "配信停止",
        "お知らせ停止",
    }
)
DELETE_TEXTS = frozenset({"受信設定を削除", "受信設定の削除", "受信設定削除"})
_IGNORED_CHARACTERS = re.compile(r"[\s。、．.!！?？「」]+")


def normalize_text(text: str) -> str:
    """Return ``text`` in NFKC form without spaces, quotes and end punctuation."""
    return _IGNORED_CHARACTERS.sub("", unicodedata.normalize("NFKC", text))


class SettingsFlow:
    """The receive-settings flow (name "settings"); see the module docstring."""

    name = FLOW_NAME

    def __init__(
        self,
        store: ReceiveSettingsStore,
        catalog: Catalog,
        *,
        safety_goes_to_all_friends: bool = False,
    ) -> None:
        self._store = store
        self._catalog = catalog
        self._safety_goes_to_all_friends = safety_goes_to_all_friends

    def handle(self, event: IncomingEvent) -> list[Message] | None:
        """Return the reply to a settings request or postback, else None."""
        action, params = self._request_of(event)
        if action is None:
            return None
        if event.user_id is None or not is_one_to_one(event):
            return [TextMessage(text=texts.RECV_PRIVATE_CHAT_ONLY)]
        user_id = event.user_id
        if action == "toggle":
            return self._toggle(user_id, params)
        if action == "pick":
            return self._pick(user_id, params.get("attr", ""))
        if action == "set":
            return self._set(user_id, params.get("attr", ""), params.get("value", ""))
        if action == "delete":
            return self._delete(user_id, confirmed=params.get("confirmed") == "1")
        return [self._card(user_id)]

    def on_follow(self, user_id: str) -> bool:
        """Subscribe a new friend to the safety category only; return False when
        the friend kept settings from before, which stay unchanged."""
        started = self._store.start_defaults(user_id)
        if started:
            logger.debug("a new friend starts with the safety category")
        return started

    def forget_user(self, user_id: str) -> None:
        """Delete every setting and answer of ``user_id``."""
        self._store.delete_resident(user_id)

    def erases_user_data(self, event: IncomingEvent) -> bool:
        """Tell whether handling ``event`` deletes every setting and answer of its
        sender: the confirmed delete postback in a one-to-one chat.

        The inbox then ignores the sender's events sent before it, so that a
        late delivery of one cannot store a deleted answer again.
        """
        if event.event_type != "postback" or event.user_id is None:
            return False
        action, params = self._request_of(event)
        return (
            action == "delete"
            and params.get("confirmed") == "1"
            and is_one_to_one(event)
        )

    def _request_of(self, event: IncomingEvent) -> tuple[str | None, dict[str, str]]:
        if event.event_type == "postback":
            params = event.postback_params()
            if params.get("flow") != FLOW_NAME:
                return None, {}
            return params.get("action") or "show", params
        if event.event_type == "message" and event.message_type == "text":
            text = normalize_text(event.text or "")
            if text in DELETE_TEXTS:
                return "delete", {}
            # Free wording about the settings (配信を止めたい, 通知設定を見たい)
            # shows the card too, because it contains every switch, stopping included.
            raw = event.text or ""
            if text in SHOW_TEXTS or classify_text(raw) is TextKind.RECEIVE_SETTINGS:
                return "show", {}
        return None, {}

    def _card(self, user_id: str) -> Message:
        return settings_card(self._catalog, self._store.own_settings(user_id))

    def _toggle(self, user_id: str, params: dict[str, str]) -> list[Message]:
        category = self._catalog.find_category(params.get("category", ""))
        if category is None:
            return [TextMessage(text=texts.RECV_UNKNOWN_CHOICE), self._card(user_id)]
        target = params.get("to")
        if target not in ("on", "off"):
            subscribed = category.key in self._store.own_settings(user_id).categories
            target = "off" if subscribed else "on"
        confirmed = params.get("confirmed") == "1"
        if target == "off" and category.key == SAFETY_CATEGORY and not confirmed:
            if category.key in self._store.own_settings(user_id).categories:
                return [safety_confirmation(category, self._safety_goes_to_all_friends)]
        self._store.set_subscription(user_id, category.key, target == "on")
        note = texts.RECV_TURNED_ON if target == "on" else texts.RECV_TURNED_OFF
        note = note.format(category=category.name)
        if (
            target == "off"
            and category.key == SAFETY_CATEGORY
            and self._safety_goes_to_all_friends
        ):
            note += texts.RECV_SAFETY_OFF_TO_ALL
        return [TextMessage(text=note), self._card(user_id)]

    def _pick(self, user_id: str, attribute: str) -> list[Message]:
        if attribute not in ATTRIBUTES:
            return [TextMessage(text=texts.RECV_UNKNOWN_CHOICE), self._card(user_id)]
        return [option_picker(self._catalog, attribute)]

    def _set(self, user_id: str, attribute: str, value: str) -> list[Message]:
        if attribute not in ATTRIBUTES:
            return [TextMessage(text=texts.RECV_UNKNOWN_CHOICE), self._card(user_id)]
        if value == NO_ANSWER_KEY:
            return self._withdraw(user_id, attribute)
        option = self._catalog.find_option(attribute, value)
        if option is None:
            return [
                TextMessage(text=texts.RECV_UNKNOWN_CHOICE),
                self._card(user_id),
            ]
        self._store.set_attribute(user_id, attribute, option.key)
        note = texts.RECV_ATTRIBUTE_SET.format(
            attribute=texts.RECV_ATTRIBUTE_NAMES[attribute], value=option.name
        )
        return [TextMessage(text=note), self._card(user_id)]

    def _withdraw(self, user_id: str, attribute: str) -> list[Message]:
        """Delete the answer for ``attribute`` (the 回答しない button); the
        reply states whether there was one to withdraw."""
        answered = self._store.set_attribute(user_id, attribute, None)
        template = (
            texts.RECV_ATTRIBUTE_WITHDRAWN
            if answered
            else texts.RECV_ATTRIBUTE_NOT_GIVEN
        )
        note = template.format(attribute=texts.RECV_ATTRIBUTE_NAMES[attribute])
        return [TextMessage(text=note), self._card(user_id)]

    def _delete(self, user_id: str, *, confirmed: bool) -> list[Message]:
        stored = not self._store.own_settings(user_id).is_empty
        if stored and not confirmed:
            return [delete_confirmation(self._catalog)]
        # Runs even when nothing is stored, because it also removes the user id
        # from broadcast chunks not yet attempted.
        self._store.delete_resident(user_id)
        note = texts.RECV_DELETED if stored else texts.RECV_NOTHING_TO_DELETE
        if self._safety_goes_to_all_friends:
            note += texts.RECV_DELETED_SAFETY_TO_ALL
        return [TextMessage(text=note)]


def build_settings_flow(settings: Settings, engine: Engine) -> SettingsFlow:
    """Build the flow on the app database, with the data dir's category list."""
    store = ReceiveSettingsStore(engine, settings.user_hash_key())
    return SettingsFlow(
        store,
        load_catalog(settings),
        safety_goes_to_all_friends=settings.use_line_broadcast_for_safety,
    )
