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
