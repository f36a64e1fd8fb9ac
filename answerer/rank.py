"""Scores of every page for one question, from the three matrices of the index."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from index.normalize import normalize_text
from index.tokenize import content_word_count, terms
from index.variants import SYNONYM_PREFIX
from index.vectorize import IndexModel, ngram_codes, ngram_text


@dataclass(frozen=True)
class QueryTerms:
    """A question as index columns: known terms and n-grams with their weights."""

    term_columns: np.ndarray
    term_weights: np.ndarray
    # Inverse document frequency of each known term, and the sum over the
    # question's distinct terms (unknown ones at the maximum idf, except synonym
    # group terms, which then count nothing).
    term_idf: np.ndarray
    term_idf_total: float
    char_columns: np.ndarray
    char_weights: np.ndarray
    char_codes: np.ndarray
    char_idf: np.ndarray
    # The text of each known n-gram, in the order of char_codes.
    char_texts: tuple[str, ...] = ()
    # Distinct content words of the question (see index.tokenize).
    word_count: int = 0

    @property
    def char_grams(self) -> tuple[tuple[str, float], ...]:
        """The known n-grams as text with their idf, for choosing snippets."""
        texts = self.char_texts
        if len(texts) != len(self.char_codes):
            texts = tuple(ngram_text(int(code)) for code in self.char_codes)
        return tuple(zip(texts, self.char_idf.tolist(), strict=True))

    @property
    def unknown_share(self) -> float:
        """Share of the question's term idf that comes from terms on no page."""
        if self.term_idf_total == 0:
            return 0.0
        return max(0.0, 1.0 - float(self.term_idf.sum()) / self.term_idf_total)

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
    # Term score of every passage window when windows were scored, else None.
    window_scores: np.ndarray | None = None
    # Instead of window_scores when only some pages' windows were scored.
    page_windows: PageWindows | None = None


@dataclass(frozen=True)
class PageWindows:
    """Window term scores of some pages: ``pages`` ascending, and the scores of
    page ``pages[i]``'s windows in ``scores[offsets[i]:offsets[i + 1]]``."""

    pages: np.ndarray
    offsets: np.ndarray
    scores: np.ndarray

    def of_page(self, page: int) -> np.ndarray | None:
        """Return the window scores of ``page``, or None when they were not scored."""
        index = int(np.searchsorted(self.pages, page))
        if index == len(self.pages) or self.pages[index] != page:
            return None
        return self.scores[self.offsets[index] : self.offsets[index + 1]]


def query_terms(model: IndexModel, question: str) -> QueryTerms:
    """Turn ``question`` into weighted columns of the model's two matrices.

    Term weights are sublinear tf times idf, divided by the length of the whole
    vector, unknown terms included, so that a question with many unknown words
    scores lower everywhere. An unknown term counts at the largest idf. A synonym
    group term (``syn:<id>``) that no page contains does not count: it only offers
    its word another way to match, and the word itself is counted already.
    Character n-grams are weighted the same way.
    """
    max_idf = math.log(model.page_count + 1) + 1.0
    counts = Counter(terms(question))
    columns, weights, idfs, unknown_terms = [], [], [], 0
    for term, count in counts.items():
        column = model.term_vocabulary.get(term)
        if column is None:
            if not term.startswith(SYNONYM_PREFIX):
                unknown_terms += 1
            continue
        idf = float(model.term_idf[column])
        columns.append(column)
        idfs.append(idf)
        weights.append((1.0 + math.log(count)) * idf)
    norm = math.sqrt(sum(w * w for w in weights) + unknown_terms * max_idf**2) or 1.0
    unknown_idf = max_idf * unknown_terms
    char_columns, char_weights, char_codes, char_idf, char_texts = _char_columns(
        model, question
    )
    return QueryTerms(
        term_columns=np.asarray(columns, dtype=np.int64),
        term_weights=np.asarray(weights, dtype=np.float32) / norm,
        term_idf=np.asarray(idfs, dtype=np.float32),
        term_idf_total=float(sum(idfs) + unknown_idf),
        char_columns=char_columns,
        char_weights=char_weights,
        char_codes=char_codes,
        char_idf=char_idf,
        char_texts=char_texts,
        word_count=content_word_count(question),
    )


def _char_columns(
    model: IndexModel, question: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, tuple[str, ...]]:
    """Return the question's known n-grams: columns, weights, codes, idf, texts."""
    text = _WHITESPACE.sub(" ", normalize_text(question)).strip()
    codes, first, counts = np.unique(
        ngram_codes(text), return_index=True, return_counts=True
    )
    columns = model.char_columns(codes)
    known = columns >= 0
    codes, first, counts, columns = (
        codes[known],
        first[known],
        counts[known],
        columns[known],
    )
    idf = model.char_idf[columns]
    vector = ((1.0 + np.log(counts)) * idf).astype(np.float32)
    norm = float(np.linalg.norm(vector)) or 1.0
    texts = _gram_texts(text, first.tolist())
    return columns.astype(np.int64), vector / norm, codes, idf, texts


# As in index.vectorize.ngram_codes, which treats a whitespace run as one space.
_WHITESPACE = re.compile(r"\s+")


def _gram_texts(text: str, positions: list[int]) -> tuple[str, ...]:
    """Return the n-grams at ``positions`` of ``ngram_codes(text)``.

    ``ngram_codes`` lists the 2-grams of ``text`` in order, then its 3-grams.
    """
    bigrams = len(text) - 1
    return tuple(
        text[p : p + 2] if p < bigrams else text[p - bigrams : p - bigrams + 3]
        for p in positions
    )


def column_sums(
    matrix: sparse.csc_matrix, columns: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Return ``matrix[:, columns] @ weights`` without building the sliced matrix.

    The stored entries of the chosen columns are gathered from the CSC arrays and
    summed per row with np.bincount, which is several times faster than scipy's
    fancy indexing for the few columns of one question.
    """
    rows = matrix.shape[0]
    entry_rows, values = column_entries(matrix, columns, weights)
    return np.bincount(entry_rows, weights=values, minlength=rows)


def column_entries(
    matrix: sparse.csc_matrix, columns: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return the row and weighted value of every stored entry of ``columns``.

    Entries come column after column, in the matrix's storage order, so a row
    can appear once per chosen column.
    """
    rows, values, lengths = _column_slices(matrix, columns)
    return rows, _weighted(values, weights, lengths)


def _weighted(
    values: np.ndarray, weights: np.ndarray, lengths: np.ndarray
) -> np.ndarray:
    """Return ``values * np.repeat(weights, lengths)`` as float64.

    The products are float32 products, as with float32 output, but written
    straight into the float64 array that np.bincount needs.
    """
    return np.multiply(values, np.repeat(weights, lengths), out=np.empty(len(values)))


def _column_slices(
    matrix: sparse.csc_matrix, columns: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the rows and values stored in ``columns``, and each column's count.

    Columns with many entries are copied as contiguous slices, which is about
    twice as fast per entry as gathering them by position. Many columns with few
    entries (a long question on a small site) are gathered by position instead,
    because that takes a fixed number of numpy calls.
    """
    if len(columns) == 0 or matrix.shape[0] == 0:
        empty = np.zeros(0, dtype=np.int64)
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32), empty
    bounds = matrix.indptr
    starts = bounds[columns]
    lengths = bounds[columns + 1] - starts
    total = int(lengths.sum())
    if total < GATHER_ENTRIES_PER_COLUMN * len(columns):
        positions = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        positions += np.arange(total)
        return matrix.indices[positions], matrix.data[positions], lengths
    spans = list(zip(starts.tolist(), (starts + lengths).tolist(), strict=True))
    rows = np.concatenate([matrix.indices[start:end] for start, end in spans])
    values = np.concatenate([matrix.data[start:end] for start, end in spans])
    return rows, values, lengths


# Below this many entries per column on average, gathering by position beats
# copying slices. Estimated from timings on a 2-core AMD EPYC with numpy 2.4.
GATHER_ENTRIES_PER_COLUMN = 200


def rank(model: IndexModel, question: str, top: int | None = None) -> Ranking:
    """Score every page for ``question``.

    score = ((1 - a) * term + a * ngram) * coverage ** b, times the listing penalty
    for category listing pages, where

    - term = (1 - p) * page term cosine + p * best passage-window term cosine,
    - ngram is the page's n-gram cosine,
    - p, a, b are ``passage_weight``, ``char_weight`` and ``coverage_exponent``,
    - coverage is the share of the question's term idf that the page contains.

    With ``top``, the scores of the ``top`` best pages, and of every page that
    could be among them, are exact, and so is their order. On large sites the
    windows of the other pages are then skipped (see :func:`_bounded_windows`)
    and their scores leave the window part out, which can only lower them.
    """
    params = model.parameters
    query = query_terms(model, question)
    n = model.page_count
    keep = _not_common(model, query.char_idf, params.common_df_share)
    char_score = column_sums(
        model.char_matrix, query.char_columns[keep], query.char_weights[keep]
    )
    if not len(query.term_columns):
        zeros = np.zeros(n)
        return Ranking(
            query=query,
            scores=_combine(model, zeros, char_score, zeros),
            coverage=zeros,
        )
    beta = params.passage_weight
    window_columns = None
    if beta:
        keep = _not_common(model, query.term_idf, params.common_df_share)
        window_columns = (query.term_columns[keep], query.term_weights[keep])
    bounded = (
        window_columns is not None
        and top is not None
        and _may_bound_windows(model, window_columns[0])
    )
    term_score, coverage = _term_scores(model.term_matrix, query)
    if window_columns is None:
        return Ranking(
            query=query,
            scores=_combine(model, term_score, char_score, coverage),
            coverage=coverage,
        )
    if bounded:
        scores, page_windows = _bounded_windows(
            model, window_columns, term_score, char_score, coverage, top
        )
        return Ranking(
            query=query, scores=scores, coverage=coverage, page_windows=page_windows
        )
    entry_rows, values = column_entries(model.window_matrix, *window_columns)
    window_scores = np.bincount(
        entry_rows, weights=values, minlength=model.window_matrix.shape[0]
    )
    best = _best_per_page(model, window_scores, entry_rows)
    return Ranking(
        query=query,
        scores=_combine(
            model, (1.0 - beta) * term_score + beta * best, char_score, coverage
        ),
        coverage=coverage,
        window_scores=window_scores,
    )


def _combine(
    model: IndexModel,
    term_score: np.ndarray,
    char_score: np.ndarray,
    coverage: np.ndarray,
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """Return the page scores from the two channels and the coverage.

    The arrays hold every page, or only the pages ``rows`` when given. For
    0 <= char_weight <= 1 the score never falls when ``term_score`` rises,
    which :func:`_bounded_windows` relies on.
    """
    params = model.parameters
    alpha = params.char_weight
    scores = (1.0 - alpha) * term_score
    scores += alpha * char_score
    if params.coverage_exponent:
        scores *= np.power(coverage, params.coverage_exponent)
    if params.listing_penalty != 1.0:
        factors = _listing_factors(model)
        scores *= factors if rows is None else factors[rows]
    return scores


def prepare(model: IndexModel) -> None:
    """Build the per-model arrays that ranking caches, so no question waits for them.

    Optional: ranking builds each one on first use.
    """
    _listing_factors(model)
    _window_pages(model)
    _window_ends(model)
    windows = model.window_matrix
    if windows.nnz >= BOUND_MIN_ENTRIES and windows.has_sorted_indices:
        page_window_maxima(model)


def snippet_grams(
    model: IndexModel, query: QueryTerms
) -> tuple[tuple[str, float], ...]:
    """Return the question's n-grams for choosing snippets, with their idf.

    N-grams found on more than ``common_df_share`` of the pages (mostly particles
    and verb endings) are left out, as in the n-gram score, unless no other
    n-gram is left.
    """
    keep = _not_common(model, query.char_idf, model.parameters.common_df_share)
    grams = query.char_grams
    specific = tuple(gram for gram, kept in zip(grams, keep, strict=True) if kept)
    return specific or grams


def _term_scores(
    matrix: sparse.csc_matrix, query: QueryTerms
) -> tuple[np.ndarray, np.ndarray]:
    """Return each page's term cosine and its coverage, the share of the question's
    term idf that the page contains, from one copy of the question's entries."""
    rows, values, lengths = _column_slices(matrix, query.term_columns)
    rows = rows.astype(np.intp)
    pages = matrix.shape[0]
    score = np.bincount(
        rows,
        weights=_weighted(values, query.term_weights, lengths),
        minlength=pages,
    )
    idf = query.term_idf.astype(np.float64)
    found = np.bincount(rows, weights=np.repeat(idf, lengths), minlength=pages)
    return score, found / query.term_idf_total


# Windows are bounded (see _bounded_windows) when the question's window columns
# contain at least this many entries. Below it, scoring every window was faster
# on the 450-page city mirror (2-core AMD EPYC, numpy 2.4).
BOUND_MIN_ENTRIES = 20_000


def _may_bound_windows(model: IndexModel, columns: np.ndarray) -> bool:
    """Tell whether :func:`_bounded_windows` is valid and worth it for ``columns``."""
    params = model.parameters
    if not (0.0 <= params.char_weight <= 1.0 and 0.0 < params.passage_weight <= 1.0):
        return False
    if params.coverage_exponent < 0 or params.listing_penalty < 0:
        return False
    if not model.window_matrix.has_sorted_indices:
        return False
    bounds = model.window_matrix.indptr
    return int((bounds[columns + 1] - bounds[columns]).sum()) >= BOUND_MIN_ENTRIES


def _bounded_windows(
    model: IndexModel,
    window_columns: tuple[np.ndarray, np.ndarray],
    term_score: np.ndarray,
    char_score: np.ndarray,
    coverage: np.ndarray,
    top: int,
) -> tuple[np.ndarray, PageWindows]:
    """Return the page scores, with the windows scored only where they can matter.

    A page's best window score is at most the sum, over the question's window
    columns, of the column weight times the largest value of that column in
    the page's windows (:func:`page_window_maxima`). Each page gets a lower
    score (no window) and an upper score (that bound). Only the windows of
    pages whose upper score reaches the ``top``-th best lower score, and whose
    bound is positive, are scored, and those pages get their exact score. The
    others keep the lower score: those with a zero bound have no matching
    window, and the rest stay below the ``top`` best pages with scores no
    higher than their exact ones.
    """
    beta = model.parameters.passage_weight
    reach = column_sums(page_window_maxima(model), *window_columns)
    base = (1.0 - beta) * term_score
    scores = _combine(model, base, char_score, coverage)
    # The margin covers the rounding of the float32 products in both sums.
    upper = _combine(model, base + beta * (reach * (1.0 + 1e-5)), char_score, coverage)
    n = len(scores)
    threshold = np.partition(scores, n - top)[n - top] if n > top else -np.inf
    pages = np.flatnonzero((upper >= threshold) & (reach > 0))
    windows = _windows_of_pages(model, pages, *window_columns)
    best = np.zeros(len(pages))
    scored = np.diff(windows.offsets) > 0
    if scored.any():
        best[scored] = np.maximum.reduceat(windows.scores, windows.offsets[:-1][scored])
    scores[pages] = _combine(
        model,
        base[pages] + beta * best,
        char_score[pages],
        coverage[pages],
        rows=pages,
    )
    return scores, windows


def page_window_maxima(model: IndexModel) -> sparse.csc_matrix:
    """Return the page x term matrix of each term's largest value in the page's
    windows, built once per model.

    Within a column of the window matrix the rows ascend (they are sorted first
    when they do not), and so do their pages, so each (column, page) group is
    one run of stored entries.
    """
    cached = getattr(model, "_page_window_maxima", None)
    if cached is None:
        matrix = model.window_matrix
        if not matrix.has_sorted_indices:
            matrix = matrix.sorted_indices()
        pages = _window_pages(model).astype(np.int32)[matrix.indices]
        group_starts = np.ones(len(pages), dtype=bool)
        group_starts[1:] = pages[1:] != pages[:-1]
        group_starts[matrix.indptr[:-1][np.diff(matrix.indptr) > 0]] = True
        first = np.flatnonzero(group_starts)
        maxima = (
            np.maximum.reduceat(matrix.data, first)
            if len(first)
            else np.zeros(0, dtype=matrix.data.dtype)
        )
        cached = sparse.csc_matrix(
            (maxima, pages[first], np.searchsorted(first, matrix.indptr)),
            shape=(model.page_count, matrix.shape[1]),
        )
        model._page_window_maxima = cached
    return cached


def _windows_of_pages(
    model: IndexModel, pages: np.ndarray, columns: np.ndarray, weights: np.ndarray
) -> PageWindows:
    """Return the window term scores of ``pages`` (ascending) for ``columns``.

    The entries of each column within the pages' window rows are found by binary
    search, since a column's rows are sorted. Each window's entries are added
    column after column, as np.bincount adds them over all windows, so every
    score is the same float.
    """
    matrix = model.window_matrix
    starts = model.window_starts[pages]
    ends = _window_ends(model)[pages]
    offsets = np.concatenate([[0], np.cumsum(ends - starts)])
    size = int(offsets[-1])
    if len(columns) == 0 or len(pages) == 0:
        return PageWindows(pages=pages, offsets=offsets, scores=np.zeros(size))
    # int32 like the stored rows, so that searchsorted does not copy them.
    edges = np.concatenate([starts, ends]).astype(matrix.indices.dtype)
    bounds = matrix.indptr
    found = np.concatenate(
        [
            np.searchsorted(matrix.indices[first:last], edges) + first
            for first, last in zip(
                bounds[columns].tolist(), bounds[columns + 1].tolist(), strict=True
            )
        ]
    ).reshape(len(columns), 2, len(pages))
    low = found[:, 0, :].ravel()
    lengths = found[:, 1, :].ravel() - low
    total = int(lengths.sum())
    if total == 0:
        return PageWindows(pages=pages, offsets=offsets, scores=np.zeros(size))
    positions = np.repeat(low - np.cumsum(lengths) + lengths, lengths)
    positions += np.arange(total)
    shift = np.tile(offsets[:-1] - starts, len(columns))
    local = matrix.indices[positions] + np.repeat(shift, lengths)
    values = matrix.data[positions] * np.repeat(np.repeat(weights, len(pages)), lengths)
    scores = np.bincount(local, weights=values, minlength=size)
    return PageWindows(pages=pages, offsets=offsets, scores=scores)


def _window_ends(model: IndexModel) -> np.ndarray:
    """Return the end (exclusive) of every page's window rows, cached on the model."""
    cached = getattr(model, "_window_ends", None)
    if cached is None:
        cached = np.append(model.window_starts[1:], model.window_matrix.shape[0])
        cached = np.maximum(cached, model.window_starts)
        model._window_ends = cached
    return cached


def _not_common(model: IndexModel, idf: np.ndarray, share: float) -> np.ndarray:
    """Return a mask of the columns whose document frequency is within ``share``.

    The smooth idf is ln((1 + n) / (1 + df)) + 1, so df <= share * n is true
    exactly when idf >= ln((1 + n) / (1 + share * n)) + 1.
    """
    if share >= 1.0:
        return np.ones(len(idf), dtype=bool)
    n = model.page_count
    return idf >= math.log((1 + n) / (1 + share * n)) + 1.0


# When the question's terms have fewer stored window entries than this share of
# the window rows, the best window per page is taken over those entries alone.
# Above it, one pass over every window is faster. The two cost the same near 1/7
# on the synthetic 20,000-page corpus of benchmarks/index_speed.py (2-core AMD
# EPYC, numpy 2.4).
SPARSE_WINDOW_SHARE = 1 / 8


def _best_per_page(
    model: IndexModel, window_scores: np.ndarray, entry_rows: np.ndarray
) -> np.ndarray:
    """Return each page's best window score (0 for pages without windows).

    ``entry_rows`` are the window rows of the stored entries summed into
    ``window_scores``. Both paths return the same values, because window scores
    are never negative (matrix entries and question term weights are positive),
    so a page whose windows have no entry gets 0 either way.
    """
    total = len(window_scores)
    if total == 0:
        return np.zeros(model.page_count)
    if len(entry_rows) < SPARSE_WINDOW_SHARE * total:
        best = np.zeros(model.page_count)
        pages = _window_pages(model)[entry_rows]
        np.maximum.at(best, pages, window_scores[entry_rows])
        return best
    starts = model.window_starts
    has_windows = np.diff(np.append(starts, total)) > 0
    reduced = np.maximum.reduceat(window_scores, np.minimum(starts, total - 1))
    return np.where(has_windows, reduced, 0.0)


def _window_pages(model: IndexModel) -> np.ndarray:
    """Return the page of every window row, cached on the model."""
    cached = getattr(model, "_window_pages", None)
    if cached is None:
        rows = np.arange(model.window_matrix.shape[0])
        # A page without windows has the next page's start, so "right" picks
        # the last page starting at or before the row, which owns it.
        cached = np.searchsorted(model.window_starts, rows, "right") - 1
        model._window_pages = cached
    return cached


def best_passage(model: IndexModel, ranking: Ranking, page: int) -> int | None:
    """Return the index of the first passage of ``page``'s best window, or None.

    None when windows were not scored or no window of the page matches a term.
    """
    if ranking.page_windows is not None:
        scores = ranking.page_windows.of_page(page)
        if scores is None or len(scores) == 0:
            return None
        best = int(scores.argmax())
        return best if scores[best] > 0 else None
    if ranking.window_scores is None:
        return None
    first = int(model.window_starts[page])
    last = (
        int(model.window_starts[page + 1])
        if page + 1 < model.page_count
        else len(ranking.window_scores)
    )
    if last <= first:
        return None
    scores = ranking.window_scores[first:last]
    best = int(scores.argmax())
    return best if scores[best] > 0 else None


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
