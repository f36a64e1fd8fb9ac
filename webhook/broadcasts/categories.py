"""Broadcast categories and the optional resident attributes, as configuration.

A city lists its categories (``key`` in postbacks, the database and the command line;
``name`` as residents see it) and its residence areas. Both default to the values
below, written for Musashino City. A JSON file ``receive_categories.json`` in the
data dir replaces either list:

    {"categories": [{"key": "bosai", "name": "防災・安全", "description": "..."}],
     "areas": [{"key": "sakai", "name": "境"}]}

Gender and age bands are fixed lists. Every attribute also offers 回答しない, which
is stored as no value at all. The safety category ``bosai`` must stay in any list,
because new friends start with it and turning it off asks for confirmation.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from cityline.errors import ConfigError
from cityline.settings import Settings

CATALOG_FILE_NAME = "receive_categories.json"
SAFETY_CATEGORY = "bosai"
MAX_CATEGORIES = 20
MAX_AREAS = 30
MAX_NAME_LENGTH = 20
ATTRIBUTES = ("gender", "age_band", "area")

_KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_RESERVED_KEYS = frozenset({"none"})


@dataclass(frozen=True)
class Choice:
    """One option: a category, an area, a gender or an age band."""

    key: str
    name: str
    description: str = ""


DEFAULT_CATEGORIES = (
    Choice("bosai", "防災・安全", "災害、防犯、気象、警察・消防の情報"),
    Choice("kosodate", "子育て・教育", "保育、学校、子育て支援"),
    Choice("kenko", "健康・福祉", "健診、予防接種、福祉の制度"),
    Choice("korei", "高齢者・介護", "介護保険、高齢者の支援"),
    Choice("gomi", "ごみ・環境", "ごみの収集、リサイクル、環境"),
    Choice("zei", "税・保険・年金", "市税、国民健康保険、年金"),
    Choice("bunka", "文化・スポーツ・イベント", "催し、講座、スポーツ"),
    Choice("machi", "まちづくり・交通", "道路、公園、交通、都市計画"),
    Choice("shisei", "市政・お知らせ", "市からのお知らせ、広報"),
)

DEFAULT_AREAS = (
    Choice("kichijoji_higashicho", "吉祥寺東町"),
    Choice("kichijoji_minamicho", "吉祥寺南町"),
    Choice("gotenyama", "御殿山"),
    Choice("kichijoji_honcho", "吉祥寺本町"),
    Choice("kichijoji_kitamachi", "吉祥寺北町"),
    Choice("nakacho", "中町"),
    Choice("nishikubo", "西久保"),
    Choice("midoricho", "緑町"),
    Choice("yahatacho", "八幡町"),
    Choice("sekimae", "関前"),
    Choice("sakai", "境"),
    Choice("kyonancho", "境南町"),
    Choice("sakurazutsumi", "桜堤"),
)

GENDERS = (
    Choice("female", "女性"),
    Choice("male", "男性"),
    Choice("other", "その他"),
)

AGE_BANDS = (
    Choice("under20", "19歳以下"),
    Choice("20s", "20代"),
    Choice("30s", "30代"),
    Choice("40s", "40代"),
    Choice("50s", "50代"),
    Choice("60s", "60代"),
    Choice("70plus", "70歳以上"),
)


@dataclass(frozen=True)
class Catalog:
    """The categories and attribute options that one deployment offers."""

    categories: tuple[Choice, ...] = DEFAULT_CATEGORIES
    areas: tuple[Choice, ...] = DEFAULT_AREAS
    genders: tuple[Choice, ...] = GENDERS
    age_bands: tuple[Choice, ...] = AGE_BANDS

    def __post_init__(self) -> None:
        _check_choices("categories", self.categories, MAX_CATEGORIES)
        _check_choices("areas", self.areas, MAX_AREAS)
        if SAFETY_CATEGORY not in {category.key for category in self.categories}:
            raise ConfigError(
                f"the category list has no {SAFETY_CATEGORY!r} category; keep the "
                "safety category, because new friends start with it"
            )

    @property
    def safety(self) -> Choice:
        """The safety category (防災・安全 by default)."""
        return self.category(SAFETY_CATEGORY)

    def category(self, key_or_name: str) -> Choice:
        """Return the category with this key or name; raise ConfigError if none."""
        return _find("category", self.categories, key_or_name)

    def find_category(self, key: str) -> Choice | None:
        """Return the category with this key, or None."""
        return next((c for c in self.categories if c.key == key), None)

    def options(self, attribute: str) -> tuple[Choice, ...]:
        """Return the options of ``attribute`` ("gender", "age_band" or "area")."""
        if attribute == "gender":
            return self.genders
        if attribute == "age_band":
            return self.age_bands
        if attribute == "area":
            return self.areas
        raise ConfigError(
            f"unknown attribute {attribute!r}; use one of {', '.join(ATTRIBUTES)}"
        )

    def option(self, attribute: str, key_or_name: str) -> Choice:
        """Return the option of ``attribute`` with this key or name.

        Raises ConfigError that lists the valid keys when there is none.
        """
        return _find(attribute, self.options(attribute), key_or_name)

    def find_option(self, attribute: str, key: str | None) -> Choice | None:
        """Return the option of ``attribute`` with this key, or None."""
        if attribute not in ATTRIBUTES or key is None:
            return None
        return next((o for o in self.options(attribute) if o.key == key), None)


def load_catalog(settings: Settings, path: Path | None = None) -> Catalog:
    """Return the catalog from ``path``, else from the data dir's file, else defaults.

    ``path`` defaults to ``settings.receive_categories_path``, which must exist when
    set. Raises ConfigError naming the file and the field when the file is invalid.
    """
    if path is None:
        path = settings.receive_categories_path
    if path is None:
        path = settings.data_dir / CATALOG_FILE_NAME
        if not path.exists():
            return Catalog()
    if not path.is_file():
        raise ConfigError(
            f"the category file {str(path)!r} (CITYLINE_RECEIVE_CATEGORIES_FILE) "
            "does not exist or is not a file; set the variable to a JSON file, or "
            "unset it to use the built-in categories"
        )
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot read the category file {str(path)!r} ({exc}); fix the JSON or "
            "remove the file to use the built-in categories"
        ) from exc
    if not isinstance(document, dict):
        raise ConfigError(
            f"the category file {str(path)!r} must contain a JSON object with "
            "'categories' and/or 'areas'"
        )
    unknown = sorted(set(document) - {"categories", "areas"})
    if unknown:
        # A misspelt list name would otherwise fall back to the defaults silently.
        raise ConfigError(
            f"the category file {str(path)!r} has unknown field(s) "
            f"{', '.join(map(repr, unknown))}; use only 'categories' and 'areas'"
        )
    try:
        return Catalog(
            categories=_parse_choices(document, "categories", DEFAULT_CATEGORIES),
            areas=_parse_choices(document, "areas", DEFAULT_AREAS),
        )
    except ConfigError as exc:
        raise ConfigError(f"in {str(path)!r}: {exc}") from exc


def _parse_choices(
    document: dict, field: str, default: tuple[Choice, ...]
) -> tuple[Choice, ...]:
    if field not in document:
        return default
    items = document[field]
    if not isinstance(items, list):
        raise ConfigError(f"{field!r} must be a list of {{'key', 'name'}} objects")
    choices = []
    for position, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            raise ConfigError(f"{field}[{position}] needs a string 'key', got {item!r}")
        if not isinstance(item.get("name"), str):
            raise ConfigError(
                f"{field}[{position}] needs a string 'name', got {item!r}"
            )
        description = item.get("description", "")
        if not isinstance(description, str):
            raise ConfigError(f"{field}[{position}].description must be a string")
        choices.append(Choice(item["key"], item["name"].strip(), description.strip()))
    return tuple(choices)


def _check_choices(field: str, choices: tuple[Choice, ...], limit: int) -> None:
    if not choices:
        raise ConfigError(f"the {field} list is empty; give at least one entry")
    if len(choices) > limit:
        raise ConfigError(
            f"the {field} list has {len(choices)} entries; at most {limit} fit in "
            "the settings message"
        )
    keys: set[str] = set()
    names: set[str] = set()
    for choice in choices:
        if not _KEY_PATTERN.match(choice.key) or choice.key in _RESERVED_KEYS:
            raise ConfigError(
                f"{field} key {choice.key!r} is invalid; use lower-case ASCII letters, "
                "digits and '_', starting with a letter (and not 'none')"
            )
        if not choice.name or len(choice.name) > MAX_NAME_LENGTH:
            raise ConfigError(
                f"{field} name {choice.name!r} must have 1 to {MAX_NAME_LENGTH} "
                "characters"
            )
        if choice.key in keys or choice.name in names:
            raise ConfigError(
                f"{field} entry {choice.key!r} ({choice.name}) repeats a key or name"
            )
        keys.add(choice.key)
        names.add(choice.name)
    # Staff pick an entry by key or by name, so one entry's name may not be
    # another entry's key.
    for choice in choices:
        if choice.name in keys and choice.name != choice.key:
            raise ConfigError(
                f"{field} entry {choice.key!r} has the name {choice.name!r}, which "
                "is another entry's key; give it another name"
            )


def _find(kind: str, choices: tuple[Choice, ...], key_or_name: str) -> Choice:
    requested = key_or_name.strip()
    for choice in choices:
        if requested in (choice.key, choice.name):
            return choice
    valid = ", ".join(f"{c.key} ({c.name})" for c in choices)
    raise ConfigError(f"unknown {kind} {key_or_name!r}; use one of: {valid}")
