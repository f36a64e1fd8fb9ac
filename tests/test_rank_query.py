"""The question side of ranking: n-gram texts, column sums, coverage."""

from __future__ import annotations

import numpy as np
import pytest

import answerer.rank as rank_module
from answerer.rank import column_sums, query_terms, rank
from index.fields import PageRecord
from index.vectorize import build_model, ngram_text

PAGES = [
    PageRecord(
        url="https://city.example/gomi/sodai.html",
        title="粗大ごみの出し方",
        text="粗大ごみは申し込みが必要です。\n手数料は1点400円です。",
        breadcrumbs=["ごみ・リサイクル"],
    ),
    PageRecord(
        url="https://city.example/gomi/katei.html",
        title="家庭ごみの分け方",
        text="燃やすごみは週2回です。\n資源ごみは月曜日に出してください。",
        breadcrumbs=["ごみ・リサイクル"],
    ),
    PageRecord(
        url="https://city.example/kurashi/juminhyo.html",
        title="住民票の写し",
        text="住民票の写しは市民課の窓口で取れます。\nマイナンバーカードでコンビニでも取れます。",
        breadcrumbs=["くらし"],
    ),
]


@pytest.fixture(scope="module")
def model():
    return build_model(PAGES)


@pytest.mark.parametrize(
    "question",
    ["粗大ごみの手数料", "ごみ  の 出し方", "ABC ごみ", "住民", "ご", ""],
)
def test_gram_texts_spell_the_gram_codes(model, question):
    query = query_terms(model, question)
    assert [gram for gram, _ in query.char_grams] == [
        ngram_text(int(code)) for code in query.char_codes
    ]


def test_column_sums_equal_sliced_matrix_product(model):
    matrix = model.char_matrix
    columns = np.array([0, 3, 5, matrix.shape[1] - 1], dtype=np.int64)
    weights = np.array([0.5, 1.0, 0.25, 2.0], dtype=np.float32)
    expected = matrix[:, columns].toarray() @ weights.astype(np.float64)
    assert np.allclose(column_sums(matrix, columns, weights), expected, rtol=1e-6)


def test_coverage_is_share_of_idf_on_page(model):
    ranking = rank(model, "粗大ごみの手数料")
    query = ranking.query
    present = model.term_matrix[:, query.term_columns].toarray() > 0
    expected = present @ query.term_idf.astype(np.float64) / query.term_idf_total
    assert np.allclose(ranking.coverage, expected, rtol=1e-6)


def test_question_without_known_columns_scores_zero_everywhere(model):
    ranking = rank(model, "!!")
    assert not ranking.scores.any()
    assert ranking.query.empty


def test_slices_and_gathers_give_the_same_entries(model, monkeypatch):
    matrix = model.char_matrix
    columns = np.arange(0, matrix.shape[1], 7, dtype=np.int64)
    weights = np.linspace(0.1, 1.0, len(columns)).astype(np.float32)
    monkeypatch.setattr(rank_module, "GATHER_ENTRIES_PER_COLUMN", 10**9)
    gathered = column_sums(matrix, columns, weights)
    monkeypatch.setattr(rank_module, "GATHER_ENTRIES_PER_COLUMN", 0)
    sliced = column_sums(matrix, columns, weights)
    assert np.array_equal(gathered, sliced)


def test_unknown_word_counts_once_despite_synonym_groups(model):
    # 逃げる is on no page and has two synonym groups, which are on no page either.
    assert [t for t in rank_module.terms("逃げる") if t.startswith("syn:")]
    known = query_terms(model, "粗大ごみ")
    both = query_terms(model, "粗大ごみから逃げる")
    max_idf = np.log(model.page_count + 1) + 1.0
    assert both.term_idf_total == pytest.approx(known.term_idf_total + max_idf)
    assert both.unknown_share == pytest.approx(max_idf / both.term_idf_total)
