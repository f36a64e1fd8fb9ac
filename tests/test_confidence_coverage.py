"""The coverage floors of the confidence rule for short, ordinary and long questions."""

from __future__ import annotations

import numpy as np
import pytest

from answerer.confidence import ConfidenceRule
from answerer.rank import QueryTerms, Ranking


def ranking_with(coverage: float, word_count: int, score: float = 0.3) -> Ranking:
    """Return a one-page ranking whose question has only known terms."""
    query = QueryTerms(
        term_columns=np.array([0], dtype=np.int64),
        term_weights=np.array([1.0], dtype=np.float32),
        term_idf=np.array([2.0], dtype=np.float32),
        term_idf_total=2.0,
        char_columns=np.zeros(0, dtype=np.int64),
        char_weights=np.zeros(0, dtype=np.float32),
        char_idf=np.zeros(0, dtype=np.float32),
        char_text="ごみの出し方",
        word_count=word_count,
    )
    return Ranking(
        query=query,
        scores=np.array([score], dtype=np.float32),
        coverage=np.array([coverage], dtype=np.float32),
    )


RULE = ConfidenceRule()


def test_ordinary_question_needs_min_coverage():
    assert RULE.confident(ranking_with(0.2, RULE.long_words - 1))
    assert not RULE.confident(ranking_with(0.17, RULE.long_words - 1))


def test_long_question_needs_less_coverage():
    assert RULE.confident(ranking_with(0.17, RULE.long_words))
    assert RULE.confident(ranking_with(0.15, RULE.long_words + 5))


def test_long_question_below_its_floor_falls_back():
    assert not RULE.confident(ranking_with(0.14, RULE.long_words))


@pytest.mark.parametrize("coverage", [0.2, 0.4])
def test_short_question_keeps_its_higher_floor(coverage):
    assert not RULE.confident(ranking_with(coverage, RULE.short_words))


def test_long_question_still_needs_min_score():
    assert not RULE.confident(ranking_with(0.5, RULE.long_words, score=0.03))
