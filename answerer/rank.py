"""Scores of every page for one question, from the three matrices of the index.

The question is turned into weighted columns here (:func:`query_terms`); the
per-entry work runs in compiled loops (:mod:`answerer.kernel`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from answerer import kernel
from answerer.kana import read_kana_words, reading_table
from answerer.snippet import QuestionGrams, best_snippet, usable_passages
from index.normalize import normalize_text, replace_surrogates
from index.tokenize import (
    content_word_count,
    terms,
    word_group_table,
    word_term_groups,
)
from index.variants import SYNONYM_PREFIX
from index.vectorize import CODE_BITS, IndexModel

_EMPTY_INT = np.zeros(0, dtype=np.int64)
_EMPTY_FLOAT = np.zeros(0, dtype=np.float32)


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
    char_idf: np.ndarray
    # Where each known n-gram first starts in ngram_codes(char_text), which lists
    # the 2-grams of char_text in order, then its 3-grams.
    char_positions: np.ndarray = field(default_factory=lambda: _EMPTY_INT)
    # The question as its n-grams were taken: normalised, whitespace runs as one
    # space.
    char_text: str = ""
    # Distinct content words of the question (see index.tokenize).
    word_count: int = 0
    # The known terms themselves, in the order of term_columns.
    term_names: tuple[str, ...] = ()

    @property
    def char_grams(self) -> tuple[tuple[str, float], ...]:
        """The known n-grams as text with their idf, in column order."""
        text = self.char_text
        bigrams = len(text) - 1
        grams = (
            text[p : p + 2] if p < bigrams else text[p - bigrams : p - bigrams + 3]
            for p in self.char_positions.tolist()
        )
        return tuple(zip(grams, self.char_idf.tolist(), strict=True))

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
    """Per-page arrays for one question, rows in the index's page order.

    ``best_windows`` gives the window row of each page's best passage window, or
    -1 where no window matches a term (or windows are not scored). ``top`` lists
    the rows of the best pages, best first, when :func:`rank` was asked for them.
    """

    query: QueryTerms
    scores: np.ndarray
    coverage: np.ndarray
    best_windows: np.ndarray | None = None
    top: np.ndarray | None = None


def query_terms(model: IndexModel, question: str) -> QueryTerms:
    """Turn ``question`` into weighted columns of the model's two matrices.

    Term weights are sublinear tf times idf, divided by the length of the whole
    vector, unknown terms included, so that a question with many unknown words
    scores lower everywhere. An unknown term counts at the largest idf. A synonym
    group term (``syn:<id>``) that no page contains does not count: it only offers
    its word another way to match, and the word itself is counted already.
    Character n-grams are weighted the same way, over the known ones only. A
    word typed all in hiragana is read with the index's terms instead
    (:func:`answerer.kana.read_kana_words`). A lone surrogate, which no
    tokenizer takes, is read as U+FFFD.
    """
    question = replace_surrogates(question)
    arrays = _arrays(model)
    vocabulary, all_idf = model.term_vocabulary, arrays.term_idf
    rest, kana_terms, unread_kana = read_kana_words(model, question)
    # Found on the first unknown term: half of the dev and demo questions have none.
    abbreviations = None
    columns, weights, idfs, unknown_terms = [], [], [], unread_kana
    names = []
    for term, count in Counter(terms(rest) + kana_terms).items():
        column = vocabulary.get(term)
        if column is None:
            if term.startswith(SYNONYM_PREFIX):
                continue
            if abbreviations is None:
                abbreviations = _abbreviations(vocabulary, rest)
            if term not in abbreviations:
                unknown_terms += 1
            continue
        idf = all_idf[column]
        names.append(term)
        columns.append(column)
        idfs.append(idf)
        weights.append((1.0 + math.log(count)) * idf if count > 1 else idf)
    max_idf = arrays.max_idf
    norm = math.sqrt(sum(w * w for w in weights) + unknown_terms * max_idf**2) or 1.0
    text = _WHITESPACE.sub(" ", normalize_text(question)).strip()
    char_columns, char_weights, char_idf, positions = _char_columns(model, text)
    return QueryTerms(
        term_columns=np.asarray(columns, dtype=np.int64),
        term_weights=np.asarray(weights, dtype=np.float32) / np.float32(norm),
        term_idf=np.asarray(idfs, dtype=np.float32),
        term_idf_total=float(sum(idfs) + max_idf * unknown_terms),
        char_columns=char_columns,
        char_weights=char_weights,
        char_idf=char_idf,
        char_positions=positions,
        char_text=text,
        word_count=content_word_count(rest) + len(set(kana_terms)) + unread_kana,
        term_names=tuple(names),
    )


def _abbreviations(vocabulary: dict[str, int], question: str) -> set[str]:
    """Return the question's words that no page contains but whose synonym term
    some page does: 国保 on a site that writes 国民健康保険.

    A Sudachi synonym group counts only for words of at most ABBREVIATION_CHARS
    characters. Longer words that share such a group with a page's word are often
    a related thing rather than the same one (市営住宅 and 公営住宅), and such a
    question is better left to the unknown-word fallback. A city word group
    (:mod:`index.word_groups`) lists words for the same thing, so it counts at
    any length: クーラー on a site that writes エアコン.
    """
    found = set()
    city_groups = word_group_table()
    for group in word_term_groups(question):
        word = group[0]
        if word in vocabulary:
            continue
        if len(word) <= ABBREVIATION_CHARS:
            if any(t.startswith(SYNONYM_PREFIX) and t in vocabulary for t in group[1:]):
                found.add(word)
        elif any(t in vocabulary for t in city_groups.get(word, ())):
            # Only the word's own groups count, not those of its parts: 補助金 on
            # no page is not known through 補助 and its group.
            found.add(word)
    return found


ABBREVIATION_CHARS = 2


def _char_columns(
    model: IndexModel, text: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the known n-grams of ``text``: columns, weights, idf, first positions.

    ``text`` is normalised with whitespace runs as one space, as
    :func:`index.vectorize.ngram_codes` takes it.
    """
    if len(text) < 2 or not len(model.char_codes):
        return _EMPTY_INT, _EMPTY_FLOAT, np.zeros(0, dtype=np.float32), _EMPTY_INT
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    table, shift = _arrays(model).code_table
    return kernel.question_grams(
        points, model.char_codes, model.char_idf, table, shift, CODE_BITS
    )


# As in index.vectorize.ngram_codes, which treats a whitespace run as one space.
_WHITESPACE = re.compile(r"\s+")


def column_sums(
    matrix: sparse.csc_matrix, columns: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Return ``matrix[:, columns] @ weights`` from those columns alone."""
    return kernel.column_sums(
        matrix.indptr,
        matrix.indices,
        matrix.data,
        np.asarray(columns, dtype=np.int64),
        np.asarray(weights, dtype=np.float32),
        matrix.shape[0],
    )


def rank(model: IndexModel, question: str, top: int | None = None) -> Ranking:
    """Score every page for ``question``.

    score = ((1 - a) * term + a * ngram) * coverage ** b, times the listing penalty
    for category listing pages and, unless the question names a year or a
    revision (:func:`names_date`), the dated-title factor for pages whose title
    does, where

    - term = (1 - p) * page term cosine + p * best passage-window term cosine,
    - ngram is the dot product of the question's unit-length n-gram vector
      with the page's n-gram row, which has pivoted length rather than unit
      length (:func:`index.vectorize.pivoted_rows`), so it may exceed 1,
    - p, a, b are ``passage_weight``, ``char_weight`` and ``coverage_exponent``,
    - coverage is the share of the question's term idf that the page contains.

    Question n-grams and window terms found on more than ``common_df_share`` of
    the pages are left out of the n-gram and window parts. With ``top``, the
    ranking also holds the rows of the ``top`` best pages (``Ranking.top``).
    Raises ValueError when ``top`` is less than 1.
    """
    if top is not None and top < 1:
        raise ValueError(f"top={top!r} must be at least 1")
    arrays = _arrays(model)
    query = query_terms(model, question)
    scores, coverage, best_windows, rows = kernel.score_question(
        arrays.term_matrix,
        query.term_columns,
        query.term_weights,
        query.term_idf,
        arrays.window_matrix,
        arrays.window_pages,
        arrays.char_matrix,
        query.char_columns,
        query.char_weights,
        query.char_idf,
        arrays.listing if names_date(query.char_text) else arrays.undated,
        query.term_idf_total,
        arrays.min_term_idf,
        arrays.min_char_idf,
        arrays.passage_weight,
        arrays.char_weight,
        arrays.coverage_exponent,
        1 if top is None else top,
        arrays.window_bounds,
        BOUND_MIN_ENTRIES if top is not None and arrays.may_bound else _NEVER,
    )
    return Ranking(
        query=query,
        scores=scores,
        coverage=coverage,
        best_windows=best_windows if arrays.passage_weight else None,
        top=None if top is None else rows,
    )


@dataclass(frozen=True)
class _KernelArrays:
    """The kernel arguments that :func:`rank` passes for every question of a model."""

    term_matrix: tuple
    window_matrix: tuple
    char_matrix: tuple
    window_pages: np.ndarray
    listing: np.ndarray
    # The listing factors times the dated-title factor, for questions that name
    # no year or revision; the same array when no title names one.
    undated: np.ndarray
    # kernel.code_table of the model's n-gram codes.
    code_table: tuple[np.ndarray, int]
    # The idf of every term as Python floats, which are faster to read one by one.
    term_idf: list[float]
    max_idf: float
    min_term_idf: np.floating
    min_char_idf: np.floating
    # The idf floor of the n-grams that choose snippets (SNIPPET_COMMON_SHARE).
    snippet_min_char_idf: np.floating
    passage_weight: float
    char_weight: float
    coverage_exponent: float
    # See kernel.score_question; empty when the model is too small to bound.
    window_bounds: tuple
    may_bound: bool


# Windows are bounded (see kernel.bounded_windows) when the question's window
# columns contain at least this many entries and the caller asks for the top
# pages only. Below it, scoring every window was faster on the 450-page city
# mirror (2-core AMD EPYC).
BOUND_MIN_ENTRIES = 20_000
_NEVER = 2**62


def _arrays(model: IndexModel) -> _KernelArrays:
    """Return the model's kernel arguments, made once and kept on the model.

    Two threads may make them at the same time; both get equal values.
    """
    cached = model.__dict__.get("_kernel_arrays")
    if cached is None:
        params = model.parameters
        min_idf = _min_idf(model, params.common_df_share)
        cached = _KernelArrays(
            term_matrix=_csc(model.term_matrix),
            window_matrix=_csc(model.window_matrix),
            char_matrix=_csc(model.char_matrix),
            window_pages=_window_pages(model),
            listing=_listing_factors(model),
            undated=_undated_factors(model),
            term_idf=model.term_idf.tolist(),
            max_idf=math.log(model.page_count + 1) + 1.0,
            min_term_idf=np.float32(min_idf),
            min_char_idf=model.char_idf.dtype.type(min_idf),
            snippet_min_char_idf=model.char_idf.dtype.type(
                _min_idf(model, SNIPPET_COMMON_SHARE)
            ),
            passage_weight=float(params.passage_weight),
            char_weight=float(params.char_weight),
            coverage_exponent=float(params.coverage_exponent),
            **_window_bounds(model),
            # Made after the window bounds, whose temporaries are the peak of a
            # load. Made before them, the table raised the peak RSS by 32 MB on
            # 20,000 synthetic pages (glibc malloc).
            code_table=kernel.code_table(model.char_codes),
        )
        model.__dict__["_kernel_arrays"] = cached
    return cached


def _window_bounds(model: IndexModel) -> dict:
    """Return ``window_bounds`` and ``may_bound`` for :class:`_KernelArrays`.

    Bounding needs scores that never fall when a window score rises, and window
    rows sorted within each column. The bounds are built only when the window
    matrix has as many entries as one bounded question, since below that every
    question scores all windows.
    """
    params = model.parameters
    windows = model.window_matrix
    may_bound = (
        0.0 <= params.char_weight <= 1.0
        and 0.0 < params.passage_weight <= 1.0
        and params.coverage_exponent >= 0
        and params.listing_penalty >= 0
        and windows.has_sorted_indices
        and windows.nnz >= BOUND_MIN_ENTRIES
    )
    maxima = entry_window_maxima(model) if may_bound else None
    if maxima is None:
        # Typed as real bounds are, so the kernel is compiled once for both.
        empty = np.zeros(0, dtype=np.int64)
        bounds = (np.zeros(0, dtype=np.float32), empty, empty)
        return {"window_bounds": bounds, "may_bound": False}
    bounds = (maxima, model.window_starts, _window_ends(model))
    return {"window_bounds": bounds, "may_bound": True}


def entry_window_maxima(model: IndexModel) -> np.ndarray | None:
    """Return, for every stored entry of the term matrix, the largest value of its
    term in the windows of its page (0 where the term is in no window).

    The values line up with ``model.term_matrix.data``, so that the term pass
    of the kernel reads a page's window reach with its term cosine. None when
    the term matrix's rows are not sorted within each column, or when some
    window term of a page has no term matrix entry: the reach would then miss
    it and not bound the windows.
    """
    terms = model.term_matrix
    if not terms.has_sorted_indices:
        return None
    maxima = page_window_maxima(model)
    pages = np.int64(model.page_count)
    term_keys = _entry_keys(terms, pages)
    maxima_keys = _entry_keys(maxima, pages)
    places = np.searchsorted(term_keys, maxima_keys)
    inside = places < len(term_keys)
    if not inside.all() or not np.array_equal(term_keys[places], maxima_keys):
        return None
    aligned = np.zeros(terms.nnz, dtype=np.float32)
    aligned[places] = maxima.data
    return aligned


def _entry_keys(matrix: sparse.csc_matrix, rows: np.int64) -> np.ndarray:
    """Return column * rows + row for every stored entry, ascending when the
    rows are sorted within each column."""
    columns = np.repeat(
        np.arange(matrix.shape[1], dtype=np.int64), np.diff(matrix.indptr)
    )
    return columns * rows + matrix.indices.astype(np.int64)


def page_window_maxima(model: IndexModel) -> sparse.csc_matrix:
    """Return the page x term matrix of each term's largest value in the page's
    windows.

    Within a column of the window matrix the rows ascend (they are sorted first
    when they do not), and so do their pages, so each (column, page) group is
    one run of stored entries.
    """
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
    return sparse.csc_matrix(
        (maxima, pages[first], np.searchsorted(first, matrix.indptr)),
        shape=(model.page_count, matrix.shape[1]),
    )


def _window_ends(model: IndexModel) -> np.ndarray:
    """Return the end (exclusive) of every page's window rows."""
    ends = np.append(model.window_starts[1:], model.window_matrix.shape[0])
    return np.maximum(ends, model.window_starts).astype(np.int64)


def _csc(matrix: sparse.csc_matrix) -> tuple:
    """Return a CSC matrix as the (indptr, indices, data, rows) tuple of the kernel."""
    return matrix.indptr, matrix.indices, matrix.data, matrix.shape[0]


def prepare(model: IndexModel) -> None:
    """Build the per-model arrays and reading table that ranking caches, and
    compile the kernels of ranking and snippets.

    Optional: ranking does all of this on first use, which then takes a second
    or more in a process whose compiled code is not cached yet. Even from the
    cache, the three snippet kernels together took 18 to 30 ms on their first
    calls in a new process (mirror index, 2-core Xeon).
    """
    _arrays(model)
    reading_table(model)
    if not model.pages:
        rank(model, "", top=1)
        return
    page = model.pages[0]
    ranking = rank(model, page.title, top=1)
    grams = snippet_grams(model, ranking.query)
    best_snippet(page, grams)
    # The snippet of a 何時 question may weigh all passages with this kernel.
    usable_passages(page).weights(grams)


def snippet_grams(model: IndexModel, query: QueryTerms) -> QuestionGrams:
    """Return the question's n-grams for choosing snippets, weighted by their idf.

    N-grams found on more than SNIPPET_COMMON_SHARE of the pages (mostly
    particles and verb endings) are left out, unless no other n-gram is left.
    """
    values, codes, lookup = kernel.uncommon_grams(
        query.char_idf,
        query.char_columns,
        model.char_codes,
        _arrays(model).snippet_min_char_idf,
        CODE_BITS,
    )
    return QuestionGrams(values=values, codes=codes, lookup=lookup)


# Snippets keep n-grams on up to half of the pages, more than ranking does
# (``common_df_share``). A word such as 申請 does little to pick the page, but
# still points to the passage of the chosen page that is about it.
SNIPPET_COMMON_SHARE = 0.5


def _not_common(model: IndexModel, idf: np.ndarray, share: float) -> np.ndarray:
    """Return a mask of the columns whose document frequency is within ``share``."""
    return idf >= idf.dtype.type(_min_idf(model, share))


def _min_idf(model: IndexModel, share: float) -> float:
    """Return the smallest idf of a column on at most ``share`` of the pages.

    The smooth idf is ln((1 + n) / (1 + df)) + 1, so df <= share * n is true
    exactly when idf >= ln((1 + n) / (1 + share * n)) + 1. A share of 1 or more
    keeps every column.
    """
    if share >= 1.0:
        return -math.inf
    n = model.page_count
    return math.log((1 + n) / (1 + share * n)) + 1.0


def _window_pages(model: IndexModel) -> np.ndarray:
    """Return the page of every window row, cached on the model."""
    cached = getattr(model, "_window_pages", None)
    if cached is None:
        rows = np.arange(model.window_matrix.shape[0])
        # A page without windows has the next page's start, so "right" picks
        # the last page starting at or before the row, which owns it.
        cached = np.searchsorted(model.window_starts, rows, "right") - 1
        cached = cached.astype(np.int64)
        model._window_pages = cached
    return cached


def best_passage(model: IndexModel, ranking: Ranking, page: int) -> int | None:
    """Return the index of the first passage of ``page``'s best window, or None.

    None when windows were not scored or no window of the page matches a term.
    """
    if ranking.best_windows is None:
        return None
    row = int(ranking.best_windows[page])
    if row < 0:
        return None
    return row - int(model.window_starts[page])


def names_date(text: str) -> bool:
    """Tell whether ``text`` names a year (令和3年, 2026年) or a revision (改正).

    A page titled so is a notice of its time (令和3年度 個人住民税の申告受付会場,
    児童手当の制度改正について). A question that names neither is about the
    service as it is now, which the undated page on the same topic describes.
    """
    return _DATED.search(text) is not None


_DATED = re.compile(r"(?:令和|平成|昭和)\s*(?:\d+|元)\s*年|(?:19|20)\d\d\s*年|改正")


def _undated_factors(model: IndexModel) -> np.ndarray:
    listing = _listing_factors(model)
    factor = model.parameters.dated_title_factor
    dated = [names_date(page.title) for page in model.pages]
    if factor == 1.0 or not any(dated):
        return listing
    return np.where(dated, listing * np.float32(factor), listing).astype(np.float32)


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
