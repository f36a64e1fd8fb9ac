"""Replies that name the city, its office and phone, built from the settings."""

from __future__ import annotations

import json

import pytest

from answerer.answer import fallback_text
from cityline.errors import ConfigError
from cityline.settings import Settings
from webhook import texts
from webhook.contact_route import contact_text
from webhook.replies import welcome_text

CONTACT_TEMPLATES = [
    texts.FALLBACK_TEMPLATE,
    texts.ANSWERER_UNAVAILABLE_TEMPLATE,
    texts.REPORTS_UNAVAILABLE_TEMPLATE,
    texts.HANDLING_FAILED,
]


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path)


@pytest.fixture
def midori(tmp_path) -> Settings:
    env = {"CITYLINE_CITY_NAME": "みどり市", "CITYLINE_CITY_HALL_PHONE": "0000-11-2222"}
    return Settings.from_env(env, data_dir=tmp_path)


def test_fallback_names_city_hall_and_phone(settings):
    text = fallback_text(settings)
    assert "武蔵野市役所（電話 0422-51-5131）" in text


def test_fallback_follows_city_name_setting(midori):
    text = fallback_text(midori)
    assert "みどり市役所（電話 0000-11-2222）" in text
    assert "武蔵野" not in text


def test_answerer_and_webhook_fallbacks_match(midori):
    assert fallback_text(midori) == contact_text(texts.FALLBACK_TEMPLATE, midori)


@pytest.mark.parametrize("template", CONTACT_TEMPLATES)
def test_contact_texts_name_the_office(template, midori):
    text = contact_text(template, midori)
    assert "みどり市役所（電話 0000-11-2222）" in text


def text_constants() -> list:
    found = []
    for name, value in vars(texts).items():
        values = value.values() if isinstance(value, dict) else [value]
        found += [(name, item) for item in values if isinstance(item, str)]
    return [
        pytest.param(name, item, id=name)
        for name, item in found
        if not name.startswith("__")
    ]


@pytest.mark.parametrize(("name", "text"), text_constants())
def test_texts_use_full_width_brackets(name, text):
    assert "(" not in text, name
    assert ")" not in text, name


def test_welcome_names_city_and_safety_default(settings):
    text = welcome_text(settings)
    assert "武蔵野市のLINE公式アカウントです" in text
    assert "「防災・安全」のお知らせは、はじめから受け取る設定" in text
    assert "「受信設定」から変更できます" in text


def test_welcome_follows_city_name_setting(midori):
    text = welcome_text(midori)
    assert "みどり市のLINE公式アカウントです" in text
    assert "武蔵野" not in text


def test_welcome_names_renamed_safety_category(settings):
    catalog = {
        "categories": [
            {"key": "bosai", "name": "防災・防犯"},
            {"key": "gomi", "name": "ごみ"},
        ]
    }
    path = settings.data_dir / "receive_categories.json"
    path.write_text(json.dumps(catalog, ensure_ascii=False), encoding="utf-8")
    assert "「防災・防犯」のお知らせ" in welcome_text(settings)


def test_welcome_says_safety_goes_to_every_friend(tmp_path):
    env = {"CITYLINE_SAFETY_USES_LINE_BROADCAST": "1"}
    text = welcome_text(Settings.from_env(env, data_dir=tmp_path))
    assert texts.WELCOME_SAFETY_TO_ALL.format(safety="防災・安全") in text
    assert texts.WELCOME_SAFETY_ON.format(safety="防災・安全") not in text


def test_welcome_with_invalid_category_file_is_rejected(settings):
    (settings.data_dir / "receive_categories.json").write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match="receive_categories.json"):
        welcome_text(settings)


OFFICE_HOUR_TEMPLATES = [
    (name, value)
    for name, value in vars(texts).items()
    if isinstance(value, str) and "{office_hours}" in value
]


@pytest.mark.parametrize(
    ("name", "template"),
    [pytest.param(name, value, id=name) for name, value in OFFICE_HOUR_TEMPLATES],
)
def test_office_hours_in_texts_follow_the_setting(name, template, tmp_path):
    env = {"CITYLINE_OFFICE_HOURS": "9:00-17:00"}
    settings = Settings.from_env(env, data_dir=tmp_path)
    fields = {
        "receipt_no": "R2026-000001",
        "department": "道路管理課",
        "sentence": "",
        "within": "24時間",
    }
    text = contact_text(template, settings, **fields)
    assert "開庁時間（平日 9:00〜17:00。" in text, name
    assert "8:30" not in text
    assert "{" not in text


def test_default_office_hours_are_worded_in_full(settings):
    text = contact_text(texts.FALLBACK_TEMPLATE, settings)
    assert "開庁時間（平日 8:30〜17:15。祝日と12月29日〜1月3日を除く）に" in text
