"""Category and area lists: the defaults and the data dir's JSON file."""

from __future__ import annotations

import json

import pytest

from cityline.errors import ConfigError
from cityline.settings import Settings
from webhook.broadcasts.categories import (
    CATALOG_FILE_NAME,
    DEFAULT_AREAS,
    DEFAULT_CATEGORIES,
    Catalog,
    load_catalog,
)


def write_catalog(tmp_path, document) -> Settings:
    (tmp_path / CATALOG_FILE_NAME).write_text(
        json.dumps(document, ensure_ascii=False), encoding="utf-8"
    )
    return Settings(data_dir=tmp_path)


def test_defaults_cover_city_categories_and_towns(tmp_path):
    catalog = load_catalog(Settings(data_dir=tmp_path))
    assert [c.key for c in catalog.categories] == [
        "bosai",
        "kosodate",
        "kenko",
        "korei",
        "gomi",
        "zei",
        "bunka",
        "machi",
        "shisei",
    ]
    assert catalog.safety.name == "防災・安全"
    assert [a.name for a in catalog.areas] == [
        "吉祥寺東町",
        "吉祥寺南町",
        "御殿山",
        "吉祥寺本町",
        "吉祥寺北町",
        "中町",
        "西久保",
        "緑町",
        "八幡町",
        "関前",
        "境",
        "境南町",
        "桜堤",
    ]


def test_lookup_by_key_or_name():
    catalog = Catalog()
    assert catalog.category("防災・安全").key == "bosai"
    assert catalog.category(" gomi ").name == "ごみ・環境"
    assert catalog.option("age_band", "30代").key == "30s"
    assert catalog.option("area", "kyonancho").name == "境南町"
    assert catalog.find_option("gender", "nobody") is None


def test_file_replaces_categories_and_keeps_areas(tmp_path):
    settings = write_catalog(
        tmp_path,
        {
            "categories": [
                {"key": "bosai", "name": "防災", "description": "災害の情報"},
                {"key": "suido", "name": "水道"},
            ]
        },
    )
    catalog = load_catalog(settings)
    assert [c.name for c in catalog.categories] == ["防災", "水道"]
    assert catalog.safety.description == "災害の情報"
    assert catalog.areas == DEFAULT_AREAS


def test_file_replaces_areas(tmp_path):
    settings = write_catalog(tmp_path, {"areas": [{"key": "kita", "name": "北町"}]})
    catalog = load_catalog(settings)
    assert [a.key for a in catalog.areas] == ["kita"]
    assert catalog.categories == DEFAULT_CATEGORIES


def test_explicit_path_wins(tmp_path):
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"areas": [{"key": "x", "name": "X町"}]}))
    catalog = load_catalog(Settings(data_dir=tmp_path), other)
    assert [a.name for a in catalog.areas] == ["X町"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"categories": [{"key": "gomi", "name": "ごみ"}]}, "no 'bosai' category"),
        ({"categories": []}, "is empty"),
        ({"categories": "bosai"}, "must be a list"),
        ({"categories": [{"key": "Bosai", "name": "防災"}]}, "key 'Bosai' is invalid"),
        ({"categories": [{"key": "none", "name": "防災"}]}, "key 'none' is invalid"),
        ({"categories": [{"key": "bosai"}]}, "needs a string 'name'"),
        ({"areas": [{"key": "a", "name": "A"}, {"key": "a", "name": "B"}]}, "repeats"),
        ({"areas": [{"key": "a", "name": "あ" * 21}]}, "1 to 20 characters"),
        (
            {
                "categories": [
                    {"key": "bosai", "name": "kosodate"},
                    {"key": "kosodate", "name": "子育て"},
                ]
            },
            "another entry's key",
        ),
        (["bosai"], "must contain a JSON object"),
    ],
)
def test_invalid_file_names_the_problem(tmp_path, document, message):
    settings = write_catalog(tmp_path, document)
    with pytest.raises(ConfigError, match=message) as error:
        load_catalog(settings)
    assert CATALOG_FILE_NAME in str(error.value)


def test_file_that_is_not_json_is_rejected(tmp_path):
    (tmp_path / CATALOG_FILE_NAME).write_text("{not json")
    with pytest.raises(ConfigError, match="fix the JSON or remove the file"):
        load_catalog(Settings(data_dir=tmp_path))
