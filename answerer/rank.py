"""Scores of every page for one question, from the two channels of the index."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from index.normalize import normalize_text
from index.tokenize import terms
from index.vectorize import IndexModel

_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class QueryTerms:
    """A question as index columns: known terms and n-grams with their weights."""

    term_columns: np.ndarray
    term_weights: np.ndarray
    # Inverse document frequency of each known term, and the sum over all the
    # question's distinct terms (unknown ones counted at the maximum idf).
    term_idf: np.ndarray
    term_idf_total: float
    char_columns: np.ndarray
    char_weights: np.ndarray
    char_grams: tuple[str, ...]

    @property
    def empty(self) -> bool:
        """True when the question has no content term and no known n-gram."""
        return self.term_idf_total == 0 and len(self.char_columns) == 0


@dataclass(frozen=True)
class Ranking:
    """Per-page arrays for one question, rows in the index's page order."""

    query: QueryTerms
    scores: np.ndarray
    coverage: np.ndarray


def query_terms(model: IndexModel, question: str) -> QueryTerms:
    """Turn ``question`` into weighted columns of the model's two matrices.

    Term weights are sublinear tf times idf, divided by the length of the whole
    vector, unknown terms included, so that a question with many unknown words
    scores lower everywhere. Character n-grams are weighted the same way.
    """
    max_idf = math.log(model.page_count + 1) + 1.0
    counts = Counter(terms(question))
    columns, weights, idfs, unknown = [], [], [], 0.0
    for term, count in counts.items():
        column = model.term_vocabulary.get(term)
        if column is None:
            unknown += max_idf**2
            continue
        idf = float(model.term_idf[column])
        columns.append(column)
        idfs.append(idf)
        weights.append((1.0 + math.log(count)) * idf)
    norm = math.sqrt(sum(w * w for w in weights) + unknown) or 1.0
    unknown_idf = max_idf * sum(
        1 for term in counts if term not in model.term_vocabulary
    )
    char_columns, char_weights, grams = _char_columns(model, question)
    return QueryTerms(
        term_columns=np.asarray(columns, dtype=np.int64),
        term_weights=np.asarray(weights, dtype=np.float32) / norm,
        term_idf=np.asarray(idfs, dtype=np.float32),
        term_idf_total=float(sum(idfs) + unknown_idf),
        char_columns=char_columns,
        char_weights=char_weights,
        char_grams=grams,
    )


def char_grams(model: IndexModel, text: str) -> Counter[str]:
    """Count the character n-grams of ``text`` in the sizes the model uses."""
    low, high = model.parameters.char_ngram_range
    text = _WHITESPACE.sub(" ", normalize_text(text)).strip()
    grams: Counter[str] = Counter()
    for size in range(low, high + 1):
        for start in range(len(text) - size + 1):
            grams[text[start : start + size]] += 1
    return grams


def _char_columns(
    model: IndexModel, question: str
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    grams = char_grams(model, question)
    columns, weights, known = [], [], []
    for gram, count in grams.items():
        column = model.char_vocabulary.get(gram)
        if column is None:
            continue
        columns.append(column)
        known.append(gram)
        weights.append((1.0 + math.log(count)) * float(model.char_idf[column]))
    vector = np.asarray(weights, dtype=np.float32)
    norm = float(np.linalg.norm(vector)) or 1.0
    return np.asarray(columns, dtype=np.int64), vector / norm, tuple(known)


def rank(model: IndexModel, question: str) -> Ranking:
    """Score every page for ``question``.

    score = ((1 - a) * term + a * ngram + g * window ngram) * coverage ** b, times
    the listing penalty for category listing pages, where

    - term = (1 - p) * page term cosine + p * best passage-window term cosine,
    - ngram is the page's n-gram cosine, window ngram the best window's,
    - p, a, g, b are ``passage_weight``, ``char_weight``, ``char_passage_weight``
      and ``coverage_exponent``,
    - coverage is the share of the question's term idf that the page contains.
    """
    params = model.parameters
    query = query_terms(model, question)
    n = model.page_count
    term_score = np.zeros(n, dtype=np.float32)
    coverage = np.zeros(n, dtype=np.float32)
    if len(query.term_columns):
        columns = model.term_matrix[:, query.term_columns]
        term_score = np.asarray(columns @ query.term_weights).ravel()
        if params.passage_weight:
            beta = params.passage_weight
            best = _best_windows(
                model, model.window_matrix, query.term_columns, query.term_weights
            )
            term_score = (1.0 - beta) * term_score + beta * best
        present = columns.copy()
        present.data = np.ones_like(present.data)
        coverage = np.asarray(present @ query.term_idf).ravel() / query.term_idf_total
    char_score = np.zeros(n, dtype=np.float32)
    char_window = np.zeros(n, dtype=np.float32)
    if len(query.char_columns):
        columns = model.char_matrix[:, query.char_columns]
        char_score = np.asarray(columns @ query.char_weights).ravel()
        if params.char_passage_weight:
            char_window = _best_windows(
                model,
                model.window_char_matrix,
                query.char_columns,
                query.char_weights,
            )
    alpha = params.char_weight
    scores = (1.0 - alpha) * term_score + alpha * char_score
    scores = scores + params.char_passage_weight * char_window
    if params.coverage_exponent:
        scores = scores * np.power(coverage, params.coverage_exponent)
    if params.listing_penalty != 1.0:
        scores = scores * _listing_factors(model)
    return Ranking(query=query, scores=scores, coverage=coverage)


def _best_windows(
    model: IndexModel, matrix, columns: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Return each page's best passage-window cosine (0 for pages without windows)."""
    best = np.zeros(model.page_count, dtype=np.float32)
    total = matrix.shape[0]
    if total == 0:
        return best
    window_scores = np.asarray(matrix[:, columns] @ weights).ravel()
    starts = model.window_starts
    has_windows = np.diff(np.append(starts, total)) > 0
    reduced = np.maximum.reduceat(window_scores, np.minimum(starts, total - 1))
    best[has_windows] = reduced[has_windows]
    return best


def _listing_factors(model: IndexModel) -> np.ndarray:
    cached = getattr(model, "_listing_factors", None)
    if cached is None:
        penalty = model.parameters.listing_penalty
        cached = np.asarray(
            [penalty if page.listing else 1.0 for page in model.pages],
            dtype=np.float32,
        )
        model._listing_factors = cached
    return cached
