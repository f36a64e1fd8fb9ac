"""The question side of ranking: n-gram texts, column sums, coverage."""

from __future__ import annotations

import numpy as np
import pytest

import answerer.rank as rank_module
from answerer import kernel
from answerer.answer import top_rows
from answerer.rank import column_sums, query_terms, rank
from index.fields import PageRecord
from index.normalize import normalize_text
from index.vectorize import build_model, ngram_codes, ngram_text

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
        ngram_text(int(code)) for code in model.char_codes[query.char_columns]
    ]


@pytest.mark.parametrize(
    "question",
    ["粗大ごみの手数料", "ごみ  の 出し方", "ごみごみごみ", "住民", "ご", ""],
)
def test_question_grams_match_numpy_unique(model, question):
    text = " ".join(normalize_text(question).split())
    codes, first, counts = np.unique(
        ngram_codes(text), return_index=True, return_counts=True
    )
    columns = model.char_columns(codes)
    known = columns >= 0
    query = query_terms(model, question)
    assert list(query.char_columns) == list(columns[known])
    assert list(query.char_positions) == list(first[known])
    weights = (1.0 + np.log(counts[known])) * model.char_idf[columns[known]]
    if len(weights):
        weights = weights / np.linalg.norm(weights)
    assert np.allclose(query.char_weights, weights, rtol=1e-6)


def test_code_table_finds_every_column(model):
    table, shift = kernel.code_table(model.char_codes)
    assert len(table) >= 2 * len(model.char_codes)
    for column, code in enumerate(model.char_codes.tolist()):
        assert kernel.find_code(table, shift, model.char_codes, code) == column


def test_code_table_misses_codes_not_indexed(model):
    table, shift = kernel.code_table(model.char_codes)
    indexed = set(model.char_codes.tolist())
    others = [code for code in ngram_codes("天気予報 ABC 0123") if code not in indexed]
    assert others
    for code in others:
        assert kernel.find_code(table, shift, model.char_codes, code) == -1


def test_code_table_of_no_codes_finds_nothing():
    codes = np.zeros(0, dtype=np.int64)
    table, shift = kernel.code_table(codes)
    assert kernel.find_code(table, shift, codes, 12345) == -1


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


def test_scores_follow_the_documented_formula(model):
    params = model.parameters
    for question in ["粗大ごみの手数料", "住民票 コンビニ", "ごみの出し方 月曜日"]:
        ranking = rank(model, question)
        query = ranking.query
        term = model.term_matrix[:, query.term_columns].toarray() @ query.term_weights
        # N-grams and window terms on more than half of the pages are left out.
        rare = rank_module._not_common(model, query.char_idf, params.common_df_share)
        chars = model.char_matrix[:, query.char_columns[rare]].toarray()
        chars = chars @ query.char_weights[rare]
        rare = rank_module._not_common(model, query.term_idf, params.common_df_share)
        windows = model.window_matrix[:, query.term_columns[rare]].toarray()
        windows = windows @ query.term_weights[rare]
        ends = list(model.window_starts[1:]) + [len(windows)]
        best = np.array(
            [
                windows[start:end].max() if end > start else 0.0
                for start, end in zip(model.window_starts, ends, strict=True)
            ]
        )
        blend = (1 - params.passage_weight) * term + params.passage_weight * best
        expected = (1 - params.char_weight) * blend + params.char_weight * chars
        expected *= ranking.coverage**params.coverage_exponent
        listing = [params.listing_penalty if p.listing else 1.0 for p in model.pages]
        expected *= np.asarray(listing)
        assert np.allclose(ranking.scores, expected, rtol=1e-5), question


def test_kernel_top_rows_match_numpy_ranking():
    generator = np.random.default_rng(3)
    for size in [1, 2, 5, 40]:
        scores = generator.integers(0, 4, size).astype(float)
        for count in [1, 3, 5, 50]:
            expected = top_rows(scores, count)
            assert list(kernel.top_rows(scores, count)) == list(expected)


def test_unknown_word_counts_once_despite_synonym_groups(model):
    # 逃げる is on no page and has two synonym groups, which are on no page either.
    assert [t for t in rank_module.terms("逃げる") if t.startswith("syn:")]
    known = query_terms(model, "粗大ごみ")
    both = query_terms(model, "粗大ごみから逃げる")
    max_idf = np.log(model.page_count + 1) + 1.0
    assert both.term_idf_total == pytest.approx(known.term_idf_total + max_idf)
    assert both.unknown_share == pytest.approx(max_idf / both.term_idf_total)


@pytest.mark.parametrize("top", [0, -1])
def test_rank_rejects_top_below_one(model, top):
    with pytest.raises(ValueError, match=f"top={top} must be at least 1"):
        rank(model, "粗大ごみの出し方", top=top)


def test_rank_reads_a_lone_surrogate_as_a_replacement(model):
    ranking = rank(model, "粗大ごみ\ud800の出し方", top=3)
    assert ranking.top is not None and len(ranking.top) == 3
