"""Raw LINE events to IncomingEvent, and where a push for an event goes."""

from __future__ import annotations

import pytest

from webhook.events import (
    MAX_TEXT_CHARS,
    parse_event_time_ms,
    source_key_of,
    to_incoming_event,
)
from webhook.sending import push_retry_key, push_target_of
from webhook.testing import (
    base_event,
    image_event,
    location_event,
    postback_event,
    text_event,
)


def test_text_event_fields():
    raw = text_event("Uaaa", "こんにちは😀", timestamp_ms=1_700_000_000_000)
    event = to_incoming_event(raw)
    assert event.event_id == raw["webhookEventId"]
    assert event.event_type == "message"
    assert event.message_type == "text"
    assert event.text == "こんにちは😀"
    assert event.user_id == "Uaaa"
    assert event.reply_token == raw["replyToken"]
    assert event.timestamp_ms == 1_700_000_000_000


def test_location_event_fields():
    event = to_incoming_event(
        location_event("Uaaa", 35.7178, 139.5661, address="武蔵野市中町")
    )
    assert event.message_type == "location"
    assert event.latitude == pytest.approx(35.7178)
    assert event.longitude == pytest.approx(139.5661)
    assert event.address == "武蔵野市中町"


def test_image_and_postback_fields():
    image = to_incoming_event(image_event("Uaaa", "m-42"))
    postback = to_incoming_event(
        postback_event("Uaaa", "flow=settings&action=toggle&category=bosai")
    )
    assert image.message_id == "m-42"
    assert postback.postback_params() == {
        "flow": "settings",
        "action": "toggle",
        "category": "bosai",
    }


def test_malformed_fields_become_none():
    raw = base_event("message", "Uaaa")
    raw["message"] = {"type": 3, "text": ["not", "text"], "latitude": True}
    raw["timestamp"] = "yesterday"
    event = to_incoming_event(raw)
    assert event.message_type is None
    assert event.text is None
    assert event.latitude is None
    assert event.timestamp_ms == 0


def test_coordinate_beyond_any_float_becomes_none():
    raw = location_event("Uaaa", 35.7178, 139.5661)
    raw["message"]["latitude"] = 10**400
    event = to_incoming_event(raw)
    assert event.latitude is None
    assert event.longitude == 139.5661


def test_event_without_id_rejected():
    raw = text_event("Uaaa", "質問")
    del raw["webhookEventId"]
    with pytest.raises(ValueError, match="webhookEventId"):
        to_incoming_event(raw)


def test_group_event_pushed_to_group():
    raw = text_event("Uaaa", "質問")
    raw["source"] = {"type": "group", "groupId": "Cgroup", "userId": "Uaaa"}
    assert push_target_of(raw) == "Cgroup"
    assert source_key_of(raw) == "Uaaa"


def test_event_without_source_has_no_target():
    raw = text_event("Uaaa", "質問")
    del raw["source"]
    assert push_target_of(raw) is None
    assert source_key_of(raw) is None


def test_push_retry_key_stable_per_event():
    assert push_retry_key("01ABC") == push_retry_key("01ABC")
    assert push_retry_key("01ABC") != push_retry_key("01ABD")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1_700_000_000_000, 1_700_000_000_000),
        (1_700_000_000_000.7, 1_700_000_000_000),
        (0, None),
        (-5, None),
        (None, None),
        (True, None),
        ("1700000000000", None),
        (float("nan"), None),
        (float("inf"), None),
    ],
)
def test_parse_event_time_ms(value, expected):
    assert parse_event_time_ms(value) == expected


def test_float_timestamp_read_as_ms():
    raw = text_event("Uaaa", "こんにちは", timestamp_ms=1_700_000_000_000)
    raw["timestamp"] = 1_700_000_000_000.0
    assert to_incoming_event(raw).timestamp_ms == 1_700_000_000_000


def test_text_longer_than_line_sends_is_cut():
    event = to_incoming_event(text_event("Uaaa", "穴" * 340_000))
    assert event.text == "穴" * MAX_TEXT_CHARS
