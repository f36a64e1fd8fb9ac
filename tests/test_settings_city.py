"""City name and city hall phone settings: what residents read in replies."""

from __future__ import annotations

import pytest

from cityline.errors import ConfigError
from cityline.settings import Settings

PHONE = "CITYLINE_CITY_HALL_PHONE"
CITY = "CITYLINE_CITY_NAME"


@pytest.mark.parametrize(
    "value",
    [
        "0422-51-5131",
        "+81 422-51-5131",
        "(0422) 51-5131",
        "0422 51 5131",
        "0120-123-456",
    ],
)
def test_phone_formats_are_accepted(value):
    assert Settings.from_env({PHONE: value}).city_hall_phone == value


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "0422-51-5131 ext 2",
        "--",
        "12",
        "0422+51",
        "1234567890123456",
        "０４２２－５１－５１３１",
        "0422-51\n5131",
        "110",
        "119",
        "---110",
        "0 1 2",
    ],
)
def test_invalid_phone_is_rejected(value):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({PHONE: value})
    message = str(caught.value)
    assert f"{PHONE}=" in message
    assert "is not a valid phone number" in message
    assert "'0422-51-5131'" in message


def test_phone_error_names_the_value():
    with pytest.raises(ConfigError, match=r"CITYLINE_CITY_HALL_PHONE='abc'"):
        Settings.from_env({PHONE: "abc"})


def test_city_name_defaults_to_musashino():
    settings = Settings.from_env({})
    assert settings.city_name == "武蔵野市"
    assert settings.city_hall_name == "武蔵野市役所"


@pytest.mark.parametrize(
    ("name", "office"),
    [
        ("みどり市", "みどり市役所"),
        ("渋谷区", "渋谷区役所"),
        ("瑞穂町", "瑞穂町役場"),
        ("檜原村", "檜原村役場"),
    ],
)
def test_city_name_sets_the_office_name(name, office):
    settings = Settings.from_env({CITY: f" {name} ", PHONE: "0000-11-2222"})
    assert settings.city_name == name
    assert settings.city_hall_name == office


@pytest.mark.parametrize("value", ["", "  ", "東京都", "Musashino", "市", "市" * 21])
def test_invalid_city_name_is_rejected(value):
    with pytest.raises(
        ConfigError, match=r"CITYLINE_CITY_NAME=.* is not a valid municip"
    ):
        Settings.from_env({CITY: value})


def test_city_name_with_inner_space_is_rejected():
    with pytest.raises(ConfigError, match="contains whitespace"):
        Settings.from_env({CITY: "武蔵野 市"})


def test_other_city_without_phone_is_rejected():
    with pytest.raises(ConfigError, match="CITYLINE_CITY_HALL_PHONE is not") as error:
        Settings.from_env({CITY: "三鷹市"})
    assert "'三鷹市'" in str(error.value)
    assert "0422-51-5131" in str(error.value)


HOURS = "CITYLINE_OFFICE_HOURS"


@pytest.mark.parametrize(
    ("value", "span"),
    [
        ("9:00-17:00", "9:00〜17:00"),
        (" 08:30 - 17:15 ", "8:30〜17:15"),
        ("8:45〜17:30", "8:45〜17:30"),
    ],
)
def test_office_hours_setting_is_read(value, span):
    assert Settings.from_env({HOURS: value}).office_hours.span == span


def test_office_hours_default_to_the_city_office():
    assert Settings.from_env({}).office_hours.span == "8:30〜17:15"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "is not office hours"),
        ("9-17", "is not office hours"),
        ("9:00", "is not office hours"),
        ("24:00-25:00", "names a time that does not exist"),
        ("9:75-17:00", "names a time that does not exist"),
        ("17:00-9:00", "closes before it opens"),
        ("9:00-9:00", "closes before it opens"),
    ],
)
def test_invalid_office_hours_are_rejected(value, problem):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({HOURS: value})
    message = str(caught.value)
    assert f"{HOURS}={value!r}" in message or f"{HOURS}={value.strip()!r}" in message
    assert problem in message
    assert "'8:30-17:15'" in message
