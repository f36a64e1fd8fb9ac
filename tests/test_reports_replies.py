"""Report replies: urgent texts, the comment-step question check, valid points."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from cityline.settings import Settings
from webhook import texts
from webhook.contact_route import contact_text
from webhook.reports import geo
from webhook.reports.messages import outside_city_text, submitted
from webhook.reports.models import Report
from webhook.reports.questions import looks_like_question
from webhook.reports.urgent import mentions_gas, staff_time_line, urgent_reply_text

# Monday 11 January 2027 is a national holiday (成人の日), 10:00 in Japan.
COMING_OF_AGE_DAY = datetime(2027, 1, 11, 1, 0, tzinfo=UTC)
# Friday 4 December 2026, 10:00 in Japan.
OFFICE_HOURS = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)

CITY_HALL_LINE = contact_text(texts.REPORT_URGENT_CITY_HALL, Settings())


@dataclass
class FakeIntent:
    label: str
    confidence: float


@pytest.mark.parametrize(
    "text",
    [
        "ガスのにおいがする",
        "ガス臭い",
        "ｶﾞｽが漏れているみたい",
        "ガスがもれている",
        "ガスのにおいが消えない",
        "ガスのにおいがしませんか？",
        "ガスクサイ",
        "ｶﾞｽｸｻｲ",
        "がすくさい",
    ],
)
def test_gas_is_recognised(text):
    assert mentions_gas(text)


@pytest.mark.parametrize(
    "text",
    [
        "道路が陥没している",
        "ガスメーター",
        "",
        None,
        "ガスのにおいはしません",
        "ガス臭くはない",
        "雨がすごくて臭い",
    ],
)
def test_no_gas_is_recognised(text):
    assert not mentions_gas(text)


def test_holiday_reply_gives_next_working_day():
    line = staff_time_line(COMING_OF_AGE_DAY)
    expected = texts.REPORT_URGENT_STAFF_AFTER_HOURS.format(when="1月12日（火）8:30")
    assert line == expected


def test_office_hours_reply_has_no_time():
    assert staff_time_line(OFFICE_HOURS) == texts.REPORT_URGENT_STAFF_DURING_HOURS


def test_urgent_reply_line_order():
    text = urgent_reply_text(
        "歩道でガス臭いにおいがしています", COMING_OF_AGE_DAY, Settings()
    )
    assert text.splitlines() == [
        texts.REPORT_URGENT_EMERGENCY_CALL,
        texts.REPORT_URGENT_GAS,
        CITY_HALL_LINE,
        staff_time_line(COMING_OF_AGE_DAY),
        texts.REPORT_URGENT_CONTINUE,
    ]


def test_urgent_reply_skips_emergency_lines():
    text = urgent_reply_text("ガスのにおいがする", COMING_OF_AGE_DAY, Settings())
    assert text.splitlines() == [
        CITY_HALL_LINE,
        staff_time_line(COMING_OF_AGE_DAY),
        texts.REPORT_URGENT_CONTINUE,
    ]


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("市役所の開庁時間は？", FakeIntent("question", 0.9), True),
        ("市役所の開庁時間は？　", FakeIntent("question", 0.9), True),
        ("開いていますか。", FakeIntent("question", 0.9), True),
        ("粗大ごみの出し方", FakeIntent("question", 0.96), True),
        ("昨日の夜から", FakeIntent("question", 0.9), False),
        ("直してもらえませんか？", FakeIntent("report", 0.6), False),
        ("いつ直りますか", None, True),
        ("昨日の夜から", None, False),
    ],
)
def test_question_check(text, intent, expected):
    assert looks_like_question(text, intent) is expected


@pytest.mark.parametrize(
    ("latitude", "longitude", "expected"),
    [
        (35.7031, 139.5798, True),
        (90.0, 180.0, True),
        (-90.0, -180.0, True),
        (999.0, 999.0, False),
        (90.0001, 0.0, False),
        (0.0, -180.0001, False),
        (float("nan"), 0.0, False),
        (0.0, float("-inf"), False),
        (None, 0.0, False),
        (0.0, None, False),
    ],
)
def test_point_validity(latitude, longitude, expected):
    assert geo.is_valid_point(latitude, longitude) is expected


def test_urgent_reply_names_the_configured_city():
    settings = Settings(city_name="みどり市", city_hall_phone="0000-00-1111")
    text = urgent_reply_text("道路が陥没しています", OFFICE_HOURS, settings)
    assert "みどり市役所（電話 0000-00-1111）" in text
    assert "武蔵野市" not in text


def test_outside_city_note_names_the_configured_city():
    assert "みどり市の外" in outside_city_text(Settings(city_name="みどり市"))


def test_urgent_reply_follows_the_office_hours_setting(tmp_path):
    settings = Settings.from_env({"CITYLINE_OFFICE_HOURS": "9:00-17:00"}, tmp_path)
    before_opening = datetime(2026, 12, 3, 23, 45, tzinfo=UTC)  # Friday 8:45 JST
    text = urgent_reply_text("道路が陥没しています", before_opening, settings)
    when = "12月4日（金）9:00"
    assert texts.REPORT_URGENT_STAFF_AFTER_HOURS.format(when=when) in text


def test_submitted_reply_follows_the_office_hours_setting(tmp_path):
    settings = Settings.from_env({"CITYLINE_OFFICE_HOURS": "9:00-17:00"}, tmp_path)
    created = datetime(2026, 12, 3, 23, 45, tzinfo=UTC)
    report = Report(
        id=1,
        receipt_no="R2026-000001",
        draft_id="d1",
        user_hash=None,
        category="road",
        department="道路管理課",
        status="submitted",
        latitude=None,
        longitude=None,
        address="中町1丁目",
        location_source="text",
        outside_city=False,
        urgent=False,
        description=None,
        comment=None,
        duplicate_of=None,
        created_at=created,
        updated_at=created,
        accepted_at=None,
        closed_at=None,
    )
    text = submitted(report, created, settings, outside_note=False).text
    assert "開庁時間（平日 9:00〜17:00。" in text
    assert texts.REPORT_NEXT_CONFIRMATION.format(when="12月4日（金）9:00") in text
