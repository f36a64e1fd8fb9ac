"""Words on no page that a synonym group joins to a page's word."""

from __future__ import annotations

import pytest

from answerer.answer import Answerer
from answerer.rank import _abbreviations, query_terms
from cityline.settings import Settings
from index.build import build_from_records
from index.fields import PageRecord
from index.tokenize import terms
from index.vectorize import IndexParameters, build_model

PAGES = [
    PageRecord(
        url="https://city.example/kenko/kokuho.html",
        title="国民健康保険の加入",
        text="会社を辞めたときは、14日以内に国民健康保険の加入の届出をしてください。",
    ),
    PageRecord(
        url="https://city.example/gomi/kaden.html",
        title="家電リサイクル",
        text="エアコンと冷蔵庫は家電リサイクル法の対象です。",
    ),
    PageRecord(
        url="https://city.example/jutaku/koei.html",
        title="公営住宅",
        text="公営住宅の入居者は年に一度募集します。",
    ),
]


@pytest.fixture(scope="module")
def model():
    return build_model(PAGES, IndexParameters(), workers=1)


def test_short_synonym_word_is_an_abbreviation(model):
    assert _abbreviations(model.term_vocabulary, "国保に入りたい") == {"国保"}


def test_long_synonym_word_stays_unknown(model):
    # 市営住宅 shares synonym groups with 公営住宅 but is another thing.
    assert [t for t in terms("市営住宅") if t.startswith("syn:")]
    assert _abbreviations(model.term_vocabulary, "市営住宅に申し込みたい") == set()


def test_abbreviation_not_counted_unknown(model):
    assert query_terms(model, "国保の加入").unknown_share == 0.0


def test_abbreviation_question_answered(tmp_path):
    settings = Settings(data_dir=tmp_path)
    build_from_records(PAGES, settings.index_dir)
    result = Answerer.load(settings).ask("国保の加入の届出")
    assert result.fallback is False
    assert result.answers[0].url == "https://city.example/kenko/kokuho.html"


def test_long_word_of_city_group_is_known(model):
    # クーラー is on no page, but the city word groups join it to エアコン.
    assert _abbreviations(model.term_vocabulary, "クーラーのリサイクル") == {"くーらー"}
    assert query_terms(model, "クーラーのリサイクル").unknown_share == 0.0
