"""The receive-settings flow, driven with IncomingEvent objects."""

from __future__ import annotations

import itertools
import json

import pytest

from cityline.db import create_db_engine, sqlite_url
from webhook import texts
from webhook.broadcasts.categories import Catalog, Choice
from webhook.broadcasts.flow import SettingsFlow, normalize_text
from webhook.broadcasts.store import ReceiveSettingsStore
from webhook.flow import IncomingEvent

RESIDENT = "U" + "a" * 32
_ids = itertools.count()


def text(body: str, user_id: str | None = RESIDENT, source: str = "user"):
    return IncomingEvent(
        event_id=f"e{next(_ids)}",
        event_type="message",
        user_id=user_id,
        reply_token="r",
        timestamp_ms=0,
        message_type="text",
        text=body,
        raw={"source": {"type": source, "userId": user_id}},
    )


def postback(data: str, user_id: str = RESIDENT, source: str = "user"):
    return IncomingEvent(
        event_id=f"e{next(_ids)}",
        event_type="postback",
        user_id=user_id,
        reply_token="r",
        timestamp_ms=0,
        postback_data=data,
        raw={"source": {"type": source, "userId": user_id}},
    )


def as_json(message) -> dict:
    return json.loads(message.to_json())


def buttons_of(message) -> list[dict]:
    """Return every button action in a Flex message, in order."""
    found: list[dict] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "button":
                found.append(node["action"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(as_json(message))
    return found


def texts_of(message) -> str:
    return json.dumps(as_json(message), ensure_ascii=False)


@pytest.fixture
def store(tmp_path) -> ReceiveSettingsStore:
    engine = create_db_engine(sqlite_url(tmp_path / "app.db"))
    return ReceiveSettingsStore(engine, b"k" * 32)


@pytest.fixture
def flow(store) -> SettingsFlow:
    return SettingsFlow(store, Catalog())


@pytest.mark.parametrize(
    "body",
    [
        "受信設定",
        " 受信設定 ",
        "受信設定。",
        "受信設定を変更",
        "配信設定",
        "受信 設定",
        "じゅしんせってい",
        "配信停止",
        "お知らせの設定を変更したい",
        "配信を止めたい",
        "通知設定を見たい",
        "受信設定を変更したいです",
        "ごみの受信設定はどこ",
        "LINEの通知が来ない",
        "防災の通知が来ない",
    ],
)
def test_settings_texts_show_the_card(flow, body):
    [card] = flow.handle(text(body))
    assert card.type == "flex"
    assert as_json(card)["contents"]["type"] == "bubble"


@pytest.mark.parametrize(
    "body", ["受信", "設定を教えて", "ごみの収集日はどこで見られますか", "", "設定済み"]
)
def test_other_texts_are_not_taken(flow, body):
    assert flow.handle(text(body)) is None


def test_full_width_variant_is_normalized():
    assert normalize_text("受信設定！") == "受信設定"
    assert normalize_text("「受信設定」") == "受信設定"


def test_other_flows_postbacks_are_not_taken(flow):
    assert flow.handle(postback("flow=report&action=start")) is None
    assert flow.handle(postback("action=show")) is None


def test_card_toggles_and_attributes(flow, store):
    flow.on_follow(RESIDENT)
    [card] = flow.handle(postback("flow=settings&action=show"))

    actions = buttons_of(card)
    toggles = [a["data"] for a in actions if "action=toggle" in a["data"]]
    assert len(toggles) == len(Catalog().categories)
    assert "flow=settings&action=toggle&category=bosai&to=off" in toggles
    assert "flow=settings&action=toggle&category=kosodate&to=on" in toggles
    picks = [a["data"] for a in actions if "action=pick" in a["data"]]
    assert picks == [
        "flow=settings&action=pick&attr=gender",
        "flow=settings&action=pick&attr=age_band",
        "flow=settings&action=pick&attr=area",
    ]
    assert any(a["data"] == "flow=settings&action=delete" for a in actions)
    card_text = texts_of(card)
    assert card_text.count(texts.RECV_NO_ANSWER) == 3
    assert "✅ 防災・安全" in card_text
    assert "⬜ 子育て・教育" in card_text
    assert as_json(card)["altText"] == "受信設定：防災・安全"
    assert all(len(a["data"]) <= 300 for a in actions)


def test_new_friend_gets_safety_only(flow, store):
    flow.on_follow(RESIDENT)
    assert store.own_settings(RESIDENT).categories == {"bosai"}


def test_toggle_on_then_off(flow, store):
    note, card = flow.handle(
        postback("flow=settings&action=toggle&category=kosodate&to=on")
    )
    assert note.text == texts.RECV_TURNED_ON.format(category="子育て・教育")
    assert "✅ 子育て・教育" in texts_of(card)
    assert store.own_settings(RESIDENT).categories == {"kosodate"}

    flow.handle(postback("flow=settings&action=toggle&category=kosodate&to=off"))
    assert store.own_settings(RESIDENT).categories == frozenset()


def test_repeated_tap_keeps_the_state(flow, store):
    data = "flow=settings&action=toggle&category=gomi&to=on"
    flow.handle(postback(data))
    flow.handle(postback(data))
    assert store.own_settings(RESIDENT).categories == {"gomi"}


def test_toggle_without_target_flips(flow, store):
    flow.handle(postback("flow=settings&action=toggle&category=zei"))
    assert "zei" in store.own_settings(RESIDENT).categories
    flow.handle(postback("flow=settings&action=toggle&category=zei"))
    assert "zei" not in store.own_settings(RESIDENT).categories


def test_turning_safety_off_asks_first(flow, store):
    flow.on_follow(RESIDENT)

    [question] = flow.handle(
        postback("flow=settings&action=toggle&category=bosai&to=off")
    )

    assert question.type == "template"
    assert "災害、防犯、気象、警察・消防" in question.template.text
    assert store.own_settings(RESIDENT).categories == {"bosai"}
    yes, no = [action.data for action in question.template.actions]
    assert no == "flow=settings&action=show"

    flow.handle(postback(yes))
    assert store.own_settings(RESIDENT).categories == frozenset()


def test_keeping_safety_shows_card_unchanged(flow, store):
    flow.on_follow(RESIDENT)
    flow.handle(postback("flow=settings&action=toggle&category=bosai&to=off"))
    [card] = flow.handle(postback("flow=settings&action=show"))
    assert "✅ 防災・安全" in texts_of(card)


def test_turning_safety_on_needs_no_confirmation(flow, store):
    note, _card = flow.handle(
        postback("flow=settings&action=toggle&category=bosai&to=on")
    )
    assert note.text == texts.RECV_TURNED_ON.format(category="防災・安全")


def test_pick_lists_areas_with_no_answer(flow):
    [picker] = flow.handle(postback("flow=settings&action=pick&attr=area"))
    labels = [action["label"] for action in buttons_of(picker)]
    assert labels[0] == "吉祥寺東町"
    assert "桜堤" in labels
    assert labels[-1] == texts.RECV_NO_ANSWER
    assert len(labels) == 14


def test_set_and_clear_an_attribute(flow, store):
    note, card = flow.handle(
        postback("flow=settings&action=set&attr=area&value=kyonancho")
    )
    assert note.text == "お住まいの地域を「境南町」にしました。"
    assert "お住まいの地域：境南町" in texts_of(card)
    assert store.own_settings(RESIDENT).attributes == {"area": "kyonancho"}

    note, card = flow.handle(postback("flow=settings&action=set&attr=area&value=none"))
    assert note.text == "お住まいの地域の回答を取り消しました。"
    assert "回答しない" not in note.text
    assert "お住まいの地域：回答しない" in texts_of(card)
    assert store.own_settings(RESIDENT).attributes == {}


def test_no_answer_without_answer_says_so(flow, store):
    note, _card = flow.handle(
        postback("flow=settings&action=set&attr=age_band&value=none")
    )
    assert note.text == "年代は未回答のままです。"
    assert store.own_settings(RESIDENT).attributes == {}


@pytest.mark.parametrize(
    "data",
    [
        "flow=settings&action=set&attr=area&value=shinjuku",
        "flow=settings&action=set&attr=income&value=high",
        "flow=settings&action=pick&attr=income",
        "flow=settings&action=toggle&category=weather&to=on",
    ],
)
def test_unknown_choices_get_a_note_and_the_card(flow, store, data):
    note, card = flow.handle(postback(data))
    assert note.text == texts.RECV_UNKNOWN_CHOICE
    assert card.type == "flex"
    assert store.own_settings(RESIDENT).is_empty


def test_unknown_action_shows_the_card(flow):
    [card] = flow.handle(postback("flow=settings&action=dance"))
    assert card.type == "flex"


def quick_reply_actions(message) -> list[dict]:
    return [item["action"] for item in as_json(message)["quickReply"]["items"]]


def test_delete_asks_before_deleting(flow, store):
    flow.on_follow(RESIDENT)
    flow.handle(postback("flow=settings&action=set&attr=gender&value=female"))

    [question] = flow.handle(postback("flow=settings&action=delete"))

    assert question.text == texts.RECV_DELETE_CONFIRM.format(safety="防災・安全")
    assert store.own_settings(RESIDENT).categories == {"bosai"}
    assert store.own_settings(RESIDENT).attributes == {"gender": "female"}


def test_delete_question_offers_yes_and_no(flow):
    flow.on_follow(RESIDENT)
    [question] = flow.handle(postback("flow=settings&action=delete"))

    yes, no = quick_reply_actions(question)

    assert yes["type"] == "postback"
    assert yes["label"] == texts.RECV_DELETE_CONFIRM_YES
    assert yes["data"] == "flow=settings&action=delete&confirmed=1"
    assert yes["displayText"] == texts.RECV_DISPLAY_DELETE_CONFIRMED
    assert no["label"] == texts.RECV_DELETE_CONFIRM_NO
    assert no["data"] == "flow=settings&action=show"


def test_confirmed_delete_removes_everything(flow, store):
    flow.on_follow(RESIDENT)
    flow.handle(postback("flow=settings&action=toggle&category=gomi&to=on"))
    flow.handle(postback("flow=settings&action=set&attr=gender&value=female"))

    [note] = flow.handle(postback("flow=settings&action=delete&confirmed=1"))

    assert note.text == texts.RECV_DELETED
    assert store.own_settings(RESIDENT).is_empty


def test_declined_delete_keeps_settings(flow, store):
    flow.on_follow(RESIDENT)
    flow.handle(postback("flow=settings&action=delete"))

    [card] = flow.handle(postback("flow=settings&action=show"))

    assert card.type == "flex"
    assert store.own_settings(RESIDENT).categories == {"bosai"}


def test_delete_by_text_asks_first(flow, store):
    flow.on_follow(RESIDENT)

    [question] = flow.handle(text("受信設定を削除"))

    assert question.text == texts.RECV_DELETE_CONFIRM.format(safety="防災・安全")
    assert store.own_settings(RESIDENT).categories == {"bosai"}


def test_delete_question_names_renamed_safety(store):
    catalog = Catalog(categories=(Choice("bosai", "防災"), Choice("gomi", "ごみ")))
    flow = SettingsFlow(store, catalog)
    flow.on_follow(RESIDENT)

    [question] = flow.handle(postback("flow=settings&action=delete"))

    assert "「防災」" in question.text


def test_delete_with_nothing_stored_needs_no_question(flow, store):
    [note] = flow.handle(postback("flow=settings&action=delete"))
    assert note.text == texts.RECV_NOTHING_TO_DELETE
    assert store.own_settings(RESIDENT).is_empty


def test_repeated_confirmed_delete_reports_nothing_left(flow, store):
    flow.on_follow(RESIDENT)
    flow.handle(postback("flow=settings&action=delete&confirmed=1"))

    [note] = flow.handle(postback("flow=settings&action=delete&confirmed=1"))

    assert note.text == texts.RECV_NOTHING_TO_DELETE


def test_delete_mentions_safety_broadcast(store):
    flow = SettingsFlow(store, Catalog(), safety_goes_to_all_friends=True)
    flow.on_follow(RESIDENT)
    [note] = flow.handle(postback("flow=settings&action=delete&confirmed=1"))
    assert note.text == texts.RECV_DELETED + texts.RECV_DELETED_SAFETY_TO_ALL


def test_safety_off_notes_broadcast_mode(store):
    flow = SettingsFlow(store, Catalog(), safety_goes_to_all_friends=True)
    flow.on_follow(RESIDENT)
    [question] = flow.handle(
        postback("flow=settings&action=toggle&category=bosai&to=off")
    )
    assert "この設定にかかわらず友だち全員にお送りします" in question.template.text
    yes = question.template.actions[0].data
    note, _card = flow.handle(postback(yes))
    assert note.text.endswith(texts.RECV_SAFETY_OFF_TO_ALL)
    assert store.own_settings(RESIDENT).categories == frozenset()


def test_forget_user_deletes_settings(flow, store):
    flow.on_follow(RESIDENT)
    flow.handle(postback("flow=settings&action=set&attr=age_band&value=40s"))
    flow.forget_user(RESIDENT)
    assert store.own_settings(RESIDENT).is_empty


def test_refollow_after_unfollow_starts_from_safety(flow, store):
    flow.on_follow(RESIDENT)
    flow.handle(postback("flow=settings&action=toggle&category=gomi&to=on"))
    flow.forget_user(RESIDENT)
    flow.on_follow(RESIDENT)
    assert store.own_settings(RESIDENT).categories == {"bosai"}


@pytest.mark.parametrize("source", ["group", "room"])
def test_settings_never_shown_in_groups(flow, store, source):
    flow.on_follow(RESIDENT)
    [note] = flow.handle(text("受信設定", source=source))
    assert note.text == texts.RECV_PRIVATE_CHAT_ONLY
    [note] = flow.handle(
        postback("flow=settings&action=toggle&category=bosai&to=off", source=source)
    )
    assert note.text == texts.RECV_PRIVATE_CHAT_ONLY
    assert store.own_settings(RESIDENT).categories == {"bosai"}


def test_event_without_user_gets_private_chat_note(flow):
    [note] = flow.handle(text("受信設定", user_id=None))
    assert note.text == texts.RECV_PRIVATE_CHAT_ONLY
