"""The passage and short-text caches of index.tokenize must never change a term."""

import random
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sudachipy import SplitMode

from index import tokenize
from index.normalize import normalize_text
from index.sudachi import tokenizer
from index.tokenize import (
    clear_caches,
    morpheme_terms,
    noun_spans,
    passage_terms,
    terms,
)

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


def test_noun_spans_short_text_cache_is_transparent():
    questions = ["パスポートの申請はどこでできますか", "国民健康保険税の通知書", ""]
    cold = []
    for question in questions:
        clear_caches()
        cold.append(noun_spans(question))
    assert cold[0]
    for question, expected in zip(questions * 2, cold * 2, strict=True):
        assert noun_spans(question) == expected


def test_noun_spans_returns_a_new_list_each_call():
    spans = noun_spans("パスポートの申請")
    spans.clear()
    assert noun_spans("パスポートの申請")


def context_terms(passage: str, first: bool, last: bool) -> list[str]:
    """Terms of ``passage`` tokenized on its own, line breaks where it had neighbours.

    Every morpheme's terms are computed afresh, without any cache.
    """
    text = passage
    if not first:
        text = "\n" + text
    if not last:
        text = text + "\n"
    found = []
    for morpheme in tokenizer().tokenize(text, SplitMode.C):
        found.extend(morpheme_terms(morpheme))
    return found


def test_passage_terms_equal_each_passage_in_its_context():
    for passages in site_passage_lists():
        last = len(passages) - 1
        expected = [
            context_terms(passage, i == 0, i == last)
            for i, passage in enumerate(passages)
        ]
        clear_caches()
        assert passage_terms(passages) == expected
        assert passage_terms(passages) == expected  # from the caches


def test_offset_path_gives_the_same_terms(monkeypatch):
    lists = site_passage_lists(10)
    expected = [cold_passage_terms(passages) for passages in lists]
    monkeypatch.setattr(tokenize, "_separated_terms", lambda *args: None)
    for passages, cold in zip(lists, expected, strict=True):
        assert cold_passage_terms(passages) == cold


@pytest.mark.parametrize(
    "text",
    [
        "1人と一人と1つ",
        "第1回と第一回",
        "十二月と12月",
        "ΑΒΓとαβγの表記",
        "国民健康保険と国保",
        "粗大ゴミと粗大ごみ",
    ],
)
def test_terms_are_the_same_from_the_word_cache(text):
    cold = terms(text)
    for other in ("1人2人3人", "一人二人", "12月の第1回", "αβγ", "国保 粗大ごみ"):
        terms(other)
    tokenize._TEXT_CACHE.clear()  # so that the words come from the word cache
    assert terms(text) == cold
