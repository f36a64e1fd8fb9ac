"""The passage and short-text caches of index.tokenize must never change a term."""

import random
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from index.normalize import normalize_text
from index.tokenize import clear_caches, passage_terms, terms

SITE = Path(__file__).resolve().parents[1] / "cityline" / "demo" / "site"


def site_passage_lists(limit: int = 40) -> list[list[str]]:
    """Return the body lines of demo pages as passage lists, in normalize_text form."""
    lists = []
    for path in sorted(SITE.rglob("1*.html"))[:limit]:
        raw = path.read_bytes()
        try:
            html = raw.decode("utf-8")
        except UnicodeDecodeError:
            html = raw.decode("cp932")
        main = BeautifulSoup(html, "html.parser").find("main")
        lines = [
            normalize_text(line).strip() for line in main.get_text("\n").split("\n")
        ]
        lists.append([line for line in lines if line])
    return lists


def cold_passage_terms(passages: list[str]) -> list[list[str]]:
    clear_caches()
    return passage_terms(passages)


@pytest.fixture(autouse=True)
def empty_caches():
    clear_caches()
    yield
    clear_caches()


def test_passage_terms_warm_equals_cold():
    lists = site_passage_lists()
    expected = [cold_passage_terms(passages) for passages in lists]

    clear_caches()
    for passages in lists:  # fill the cache
        passage_terms(passages)
    for passages, cold in zip(lists, expected, strict=True):
        assert passage_terms(passages) == cold


def test_passage_terms_cached_in_other_positions():
    lists = site_passage_lists()
    shuffler = random.Random(7)
    for passages in lists:  # fill the cache with each passage in its page position
        passage_terms(passages)

    for passages in lists:
        moved = passages[:]
        shuffler.shuffle(moved)
        warm = passage_terms(moved)
        assert warm == cold_passage_terms(moved)
        for passage in lists[0]:  # warm the cache again for the next list
            passage_terms([passage])


def test_terms_short_text_cache_is_transparent():
    questions = ["粗大ゴミの申込方法", "子供の医療費助成", "ｺﾞﾐ 収集日", "障がい者手帳"]
    cold = []
    for question in questions:
        clear_caches()
        cold.append(terms(question))
    for question, expected in zip(questions * 2, cold * 2, strict=True):
        assert terms(question) == expected
