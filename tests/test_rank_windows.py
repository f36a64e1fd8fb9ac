"""Window scoring: bounded to the pages that can reach the top, or every window."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy import sparse

import answerer.rank as rank_module
from answerer.answer import top_rows
from answerer.evaluate import load_questions
from answerer.rank import best_passage, entry_window_maxima, page_window_maxima, rank
from index.vectorize import build_model
from tests.test_evaluate_gate import DEMO, site_records


@pytest.fixture(scope="module")
def model():
    return build_model(site_records(DEMO / "site"))


@pytest.fixture
def always_bounded(monkeypatch, model):
    """The demo model, copied so that ranking caches its arrays anew, bounded
    for every question."""
    monkeypatch.setattr(rank_module, "BOUND_MIN_ENTRIES", 0)
    return dataclasses.replace(model)


def demo_questions() -> list[str]:
    questions = [q.question for q in load_questions(DEMO / "questions.jsonl")]
    return questions + ["ごみ", "粗大ごみ 申し込み 手数料 支払い", "!!", ""]


def test_page_window_maxima_match_brute_force(model):
    windows = model.window_matrix.toarray()
    expected = np.zeros((model.page_count, windows.shape[1]), dtype=np.float32)
    ends = list(model.window_starts[1:]) + [windows.shape[0]]
    for page, (start, end) in enumerate(zip(model.window_starts, ends, strict=True)):
        if end > start:
            expected[page] = windows[start:end].max(axis=0)
    assert np.array_equal(page_window_maxima(model).toarray(), expected)


def test_page_window_maxima_sort_unsorted_rows(model):
    expected = page_window_maxima(model).toarray()
    matrix = model.window_matrix
    reversed_columns = matrix.copy()
    for column in range(matrix.shape[1]):
        start, end = matrix.indptr[column], matrix.indptr[column + 1]
        reversed_columns.indices[start:end] = matrix.indices[start:end][::-1]
        reversed_columns.data[start:end] = matrix.data[start:end][::-1]
    reversed_columns.has_sorted_indices = False
    unsorted = dataclasses.replace(model, window_matrix=reversed_columns)
    assert np.array_equal(page_window_maxima(unsorted).toarray(), expected)


def test_entry_maxima_match_term_matrix(model):
    aligned = entry_window_maxima(model)
    terms = model.term_matrix
    assert aligned is not None and len(aligned) == terms.nnz
    on_terms = sparse.csc_matrix((aligned, terms.indices, terms.indptr), terms.shape)
    assert np.array_equal(on_terms.toarray(), page_window_maxima(model).toarray())


def test_entry_maxima_missing_term_gives_none(model):
    terms = model.term_matrix.tolil()
    page, column = terms.nonzero()[0][0], terms.nonzero()[1][0]
    assert page_window_maxima(model)[page, column] > 0
    terms[page, column] = 0
    missing = dataclasses.replace(model, term_matrix=sparse.csc_matrix(terms))
    assert entry_window_maxima(missing) is None


@pytest.mark.parametrize("top", [1, 3, 5])
def test_bounded_windows_keep_the_top_pages_and_scores(model, always_bounded, top):
    for question in demo_questions():
        full = rank(model, question)
        bounded = rank(always_bounded, question, top=top)
        expected = top_rows(full.scores, top)
        found = top_rows(bounded.scores, top)
        assert list(found) == list(expected), question
        assert list(bounded.scores[found]) == list(full.scores[expected]), question
        assert np.all(bounded.scores <= full.scores), question
        assert list(bounded.top) == list(expected), question
        for row in expected:
            assert best_passage(model, bounded, int(row)) == best_passage(
                model, full, int(row)
            ), question


def test_bounded_ranking_scores_few_windows(model, always_bounded):
    ranking = rank(always_bounded, "粗大ごみの申し込み", top=3)
    scored = int((ranking.best_windows >= 0).sum())
    assert (
        3 <= scored < int((rank(model, "粗大ごみの申し込み").best_windows >= 0).sum())
    )


def test_best_passage_is_the_first_best_window_of_the_page(model):
    question = "粗大ごみの申し込み 手数料"
    ranking = rank(model, question)
    query = ranking.query
    share = model.parameters.common_df_share
    rare = rank_module._not_common(model, query.term_idf, share)
    windows = model.window_matrix[:, query.term_columns[rare]].toarray()
    windows = windows @ query.term_weights[rare]
    ends = list(model.window_starts[1:]) + [len(windows)]
    for page, (start, end) in enumerate(zip(model.window_starts, ends, strict=True)):
        scores = windows[start:end]
        expected = int(scores.argmax()) if len(scores) and scores.max() > 0 else None
        assert best_passage(model, ranking, page) == expected
