"""TF-IDF matrices over page fields plus a character n-gram channel.

Three matrices score a question against every page:

- **terms**: Sudachi terms (:func:`index.tokenize.terms`) of the title, the
  breadcrumbs and the body, each field a sublinear TF-IDF matrix with unit-length
  rows, summed with the field weights into one matrix. The inverse document
  frequency is computed once over whole pages, so a term weighs the same in every
  field.
- **passage windows**: the same terms over windows of consecutive body passages
  (a question line and its answer on a FAQ page), so that one matching paragraph
  of a long page counts as much as a short page about the same thing.
- **chars**: character 2- and 3-grams of the normalised title and body, sublinear
  TF-IDF, so that typos, unknown words and spellings that Sudachi splits
  differently still match. Its rows get pivoted length normalisation
  (:func:`pivoted_rows`) instead of unit length.

The weighting is scikit-learn's ``TfidfTransformer`` (smooth idf, sublinear tf,
l2 rows unless pivoted). Counting is done here with numpy instead of
``CountVectorizer``, because the build must stay close to the cost of tokenizing
alone. Character n-grams are kept as int64 codes (:func:`ngram_codes`) rather
than strings.

The matrices are stored column-major (CSC): a question touches only its own few
columns, so scoring reads a handful of columns instead of the whole matrix.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from itertools import chain

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer

from index.fields import PageRecord, passages
from index.normalize import normalize_nfkc_text, normalize_text
from index.tokenize import passage_term_tuples, terms

logger = logging.getLogger(__name__)

# Code points take 21 bits, and a 3-gram code is three of them. A 2-gram code puts
# this value, which is no code point, in the last place, so the sizes never collide.
CODE_BITS = 21
_NO_CHAR = (1 << CODE_BITS) - 1
_WHITESPACE = re.compile(r"\s+")


class NoTermsError(ValueError):
    """Raised when no page of an index build gives a term or n-gram."""


@dataclass(frozen=True)
class IndexParameters:
    """Weights of the index, chosen on labelled questions (docs/accuracy.md).

    ``title_weight``, ``breadcrumbs_weight`` and ``body_weight`` scale each field's
    unit-length TF-IDF rows before they are summed, and ``passage_window`` is the
    number of consecutive passages per window; these four are fixed at build time.
    The rest are read at query time: ``char_weight`` mixes in the n-gram channel
    (0 = terms only), ``passage_weight`` mixes the best passage window into the
    term channel, ``coverage_exponent`` raises the share of the question's term
    weight that a page contains, ``listing_penalty`` is the score factor for a
    category listing page, ``dated_title_factor`` the factor for a page whose
    title names a year or a revision (令和3年度…, …の制度改正について) when the
    question names neither, and question n-grams and window terms found on more
    than ``common_df_share`` of the pages are left out of the n-gram and window
    scores (1.0 keeps all), which bounds the work per question on large sites.
    ``char_pivot_slope`` is fixed at build time too: the slope of the pivoted
    length normalisation of the n-gram rows (1.0 gives unit-length rows, lower
    values favour long pages more; see :func:`pivoted_rows`).
    """

    title_weight: float = 1.0
    breadcrumbs_weight: float = 0.3
    body_weight: float = 1.0
    passage_window: int = 2
    char_weight: float = 0.3
    passage_weight: float = 0.3
    coverage_exponent: float = 0.5
    listing_penalty: float = 0.3
    common_df_share: float = 0.2
    dated_title_factor: float = 0.8
    char_pivot_slope: float = 0.2

    def __post_init__(self) -> None:
        for name, field_type in (
            ("title_weight", float),
            ("breadcrumbs_weight", float),
            ("body_weight", float),
            ("passage_window", int),
            ("char_weight", float),
            ("passage_weight", float),
            ("coverage_exponent", float),
            ("listing_penalty", float),
            ("common_df_share", float),
            ("dated_title_factor", float),
            ("char_pivot_slope", float),
        ):
            value = getattr(self, name)
            wrong_type = isinstance(value, bool) or not isinstance(
                value, (int, float) if field_type is float else int
            )
            if wrong_type or value != value or value < 0:
                raise ValueError(
                    f"index parameter {name}={value!r} must be a number of at least 0"
                )
        if not (self.title_weight or self.breadcrumbs_weight or self.body_weight):
            raise ValueError(
                "index parameters title_weight, breadcrumbs_weight and body_weight "
                "are all 0; give at least one field a weight"
            )
        if self.passage_window < 1:
            raise ValueError(
                f"index parameter passage_window={self.passage_window!r} must be at "
                "least 1"
            )
        for name in ("char_weight", "passage_weight"):
            if getattr(self, name) > 1:
                raise ValueError(
                    f"index parameter {name}={getattr(self, name)!r} is a share; use "
                    "a number from 0 to 1"
                )
        if self.char_pivot_slope > 1:
            raise ValueError(
                f"index parameter char_pivot_slope={self.char_pivot_slope!r} must be "
                "from 0 to 1 (1 gives unit-length n-gram rows)"
            )
        if self.common_df_share == 0:
            raise ValueError(
                "index parameter common_df_share=0 would leave out every n-gram; use "
                "a share above 0 (1.0 keeps all)"
            )

    def to_json(self) -> dict:
        """Return the parameters as a JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> IndexParameters:
        """Build parameters from :meth:`to_json` output; unknown keys are ignored."""
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)


@dataclass
class PageEntry:
    """Display data of one page: URL, title, breadcrumbs and passages."""

    url: str
    title: str
    breadcrumbs: list[str]
    passages: list[str]
    listing: bool = False

    def section(self) -> str:
        """Return :func:`section_label` of this page, computed once.

        Two threads may compute it at the same time; both get the same text.
        """
        cached = self.__dict__.get("_section")
        if cached is None:
            cached = section_label(self.title, self.breadcrumbs)
            self.__dict__["_section"] = cached
        return cached

    def match_passages(self) -> list[str]:
        """Return the passages in :func:`normalize_text` form, computed once.

        Two threads may compute it at the same time; both get equal lists.
        """
        cached = self.__dict__.get("_match_passages")
        if cached is None:
            cached = [normalize_nfkc_text(passage) for passage in self.passages]
            self.__dict__["_match_passages"] = cached
        return cached


@dataclass
class IndexModel:
    """Matrices and vocabularies used to score questions, rows in page order."""

    parameters: IndexParameters
    term_vocabulary: dict[str, int]
    term_idf: np.ndarray
    term_matrix: sparse.csc_matrix
    # Sorted n-gram codes; the column of a code is its position in this array.
    char_codes: np.ndarray
    char_idf: np.ndarray
    char_matrix: sparse.csc_matrix
    # Passage windows in page order; window_starts[i] is the first window row of
    # page i, and a page without windows has the next page's start.
    window_matrix: sparse.csc_matrix
    window_starts: np.ndarray
    pages: list[PageEntry] = field(default_factory=list)

    @property
    def page_count(self) -> int:
        """Number of indexed pages."""
        return len(self.pages)

    def char_columns(self, codes: np.ndarray) -> np.ndarray:
        """Return the column of each n-gram code, or -1 for codes not indexed."""
        positions = np.searchsorted(self.char_codes, codes)
        positions = np.minimum(positions, max(len(self.char_codes) - 1, 0))
        found = (
            self.char_codes[positions] == codes
            if len(self.char_codes)
            else np.zeros(len(codes), dtype=bool)
        )
        return np.where(found, positions, -1)


def section_label(title: str, breadcrumbs: list[str]) -> str:
    """Return the label of the nearest breadcrumb above a page that reads as a
    name, or "" when there is none.

    The page's own title does not count, nor the first label (ホーム). Nor
    does a label that is only digits or only ASCII: some CMSs show a folder id
    or a URL slug (1027208, kyufu naiyo) for an untitled folder.
    """
    own = " ".join(title.split())
    for label in reversed(breadcrumbs[1:]):
        label = " ".join(label.split())
        if label and label != own and not label.isascii():
            return label
    return ""


def ngram_codes(text: str) -> np.ndarray:
    """Return the int64 codes of the character 2- and 3-grams of ``text``.

    ``text`` must already be normalised; runs of whitespace count as one space,
    as in scikit-learn's ``char`` analyzer.
    """
    text = _WHITESPACE.sub(" ", text).strip()
    if len(text) < 2:
        return np.zeros(0, dtype=np.int64)
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    bigrams = (points[:-1] << (2 * CODE_BITS)) | (points[1:] << CODE_BITS) | _NO_CHAR
    trigrams = (
        (points[:-2] << (2 * CODE_BITS)) | (points[1:-1] << CODE_BITS) | points[2:]
    )
    return np.concatenate([bigrams, trigrams])


def ngram_code(gram: str) -> int:
    """Return the code of one 2- or 3-gram, as :func:`ngram_codes` makes it."""
    if len(gram) not in (2, 3):
        raise ValueError(f"gram={gram!r} must have 2 or 3 characters")
    last = ord(gram[2]) if len(gram) == 3 else _NO_CHAR
    return (ord(gram[0]) << (2 * CODE_BITS)) | (ord(gram[1]) << CODE_BITS) | last


def ngram_text(code: int) -> str:
    """Return the characters of one n-gram code (the inverse of ngram_codes)."""
    mask = _NO_CHAR
    chars = [code >> (2 * CODE_BITS), (code >> CODE_BITS) & mask, code & mask]
    return "".join(chr(c) for c in chars if c != _NO_CHAR)


def build_model(
    records: Iterable[PageRecord],
    parameters: IndexParameters | None = None,
    workers: int | None = None,
) -> IndexModel:
    """Tokenize ``records`` and build the term, window and character matrices.

    ``workers`` threads tokenize the pages (default: one per CPU, at most
    :data:`MAX_WORKERS`). SudachiPy releases the GIL while it tokenizes, so one
    thread's Sudachi call runs beside another's term extraction. Each thread has
    its own Tokenizer, and pages are put back in their order before counting, so
    the index is the same for any number of workers.

    Raises ValueError when ``records`` is empty, because an index without pages
    cannot rank anything, or when ``workers`` is below 1, and NoTermsError (a
    ValueError) when no page gives a single term or n-gram.
    """
    parameters = parameters or IndexParameters()
    records = list(records)
    if not records:
        raise ValueError(
            "no pages to index; crawl the site first with `cityline crawl`"
        )
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise ValueError(f"workers={workers!r} must be at least 1")
    title_forms = [normalize_text(record.title) for record in records]
    titles = _count_titles(title.strip() for title in title_forms)
    tokenized = _tokenize_pages(records, title_forms, titles, workers)
    term_lists: list[Sequence[str]] = []
    passage_counts: list[int] = []
    char_grams: list[tuple[np.ndarray, np.ndarray]] = []
    pages: list[PageEntry] = []
    for page in tokenized:
        term_lists.append(page.title_terms)
        term_lists.append(page.breadcrumb_terms)
        term_lists.extend(page.passage_terms)
        passage_counts.append(len(page.passage_terms))
        char_grams.append(page.char_grams)
        pages.append(page.entry)
    counts = _TermCounts.from_lists(term_lists, passage_counts)
    if not counts.vocabulary or not any(len(codes) for codes, _ in char_grams):
        raise NoTermsError(
            f"none of the {len(records)} pages has a title or text that gives a "
            "search term (all are empty, symbols or emoji); check that the site's "
            "pages carry their text in the HTML, then crawl again"
        )
    term_idf, term_matrix, window_matrix = _term_matrices(counts, parameters)
    char_codes, char_idf, char_matrix = _char_matrix(
        char_grams, parameters.char_pivot_slope
    )
    logger.info(
        "built index: %d pages, %d terms, %d character n-grams",
        len(pages),
        len(counts.vocabulary),
        len(char_codes),
    )
    return IndexModel(
        parameters=parameters,
        term_vocabulary=counts.vocabulary,
        term_idf=term_idf,
        term_matrix=term_matrix,
        char_codes=char_codes,
        char_idf=char_idf,
        char_matrix=char_matrix,
        window_matrix=window_matrix,
        window_starts=counts.passage_starts[:-1],
        pages=pages,
    )


# An estimate: more threads than this should gain little, because the term
# extraction between Sudachi calls holds the GIL (on 2 cores, 3 threads built
# the mirror's index more slowly than 2).
MAX_WORKERS = 4
# Pages per task handed to a worker thread.
_PAGES_PER_TASK = 16


def default_workers() -> int:
    """Return the number of tokenizing threads: one per CPU, at most MAX_WORKERS."""
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


@dataclass
class _TokenizedPage:
    """One page's terms per field and passage, its n-gram counts and its entry.

    ``char_grams`` contains the distinct n-gram codes of the title and body, sorted,
    and the count of each.
    """

    title_terms: Sequence[str]
    breadcrumb_terms: Sequence[str]
    passage_terms: list[tuple[str, ...]]
    char_grams: tuple[np.ndarray, np.ndarray]
    entry: PageEntry


def _tokenize_pages(
    records: list[PageRecord],
    title_forms: list[str],
    titles: dict[str, int],
    workers: int,
) -> list[_TokenizedPage]:
    """Tokenize every page, in ``workers`` threads, and return them in order."""
    tasks = [
        range(start, min(start + _PAGES_PER_TASK, len(records)))
        for start in range(0, len(records), _PAGES_PER_TASK)
    ]

    def tokenize_task(task: range) -> list[_TokenizedPage]:
        return [_tokenize_page(records[i], title_forms[i], titles) for i in task]

    if workers == 1 or len(tasks) == 1:
        return [page for task in tasks for page in tokenize_task(task)]
    with (
        _short_switch_interval(),
        ThreadPoolExecutor(workers, thread_name_prefix="index-build") as pool,
    ):
        return [page for done in pool.map(tokenize_task, tasks) for page in done]


# While pages are tokenized in threads, Python hands the GIL from thread to thread
# at least this often (seconds). At the default 5 ms, a thread back from a Sudachi
# call waits for the other thread's term extraction. At 1 ms they interleave
# better (mirror, 2 cores: 0.29 s to 0.26 s for the tokenizing step).
BUILD_SWITCH_INTERVAL = 0.001


@contextmanager
def _short_switch_interval() -> Iterator[None]:
    """Lower the interpreter's thread switch interval for the block, then restore it.

    The interval is process-wide, so other threads of the process switch more
    often too while the block runs. That is acceptable because the build is short
    and mostly runs in a command of its own.
    """
    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(previous, BUILD_SWITCH_INTERVAL))
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def _tokenize_page(
    record: PageRecord, title_form: str, titles: dict[str, int]
) -> _TokenizedPage:
    """Return the terms of one page's title, breadcrumbs and passages."""
    page_passages = passages(record.text)
    normalized = [normalize_nfkc_text(passage) for passage in page_passages]
    title_terms = terms(record.title)
    # Each label of the trail is tokenized alone, so no word is cut by the context
    # of the label next to it. Labels recur across pages (the last is mostly the
    # title), so their terms mostly come from the cache of short texts.
    crumb_terms = [term for crumb in record.breadcrumbs for term in terms(crumb)]
    return _TokenizedPage(
        title_terms=title_terms,
        breadcrumb_terms=crumb_terms,
        passage_terms=passage_term_tuples(normalized),
        char_grams=np.unique(
            ngram_codes(title_form + " " + " ".join(normalized)), return_counts=True
        ),
        entry=PageEntry(
            url=record.url,
            title=record.title,
            breadcrumbs=record.breadcrumbs,
            passages=page_passages,
            listing=_is_listing(title_form.strip(), normalized, titles),
        ),
    )


@dataclass
class _TermCounts:
    """Term counts of every page field and passage, with their vocabulary.

    Columns are numbered in the order in which terms first occur, reading each
    page's title, then its breadcrumbs, then its passages.
    """

    vocabulary: dict[str, int]
    title: sparse.csr_matrix
    breadcrumbs: sparse.csr_matrix
    passages: sparse.csr_matrix
    # passage_starts[i] is the first passage row of page i; the last entry is
    # the number of passages.
    passage_starts: np.ndarray

    @property
    def page_count(self) -> int:
        return len(self.passage_starts) - 1

    @classmethod
    def from_lists(
        cls, term_lists: list[Sequence[str]], passage_counts: list[int]
    ) -> _TermCounts:
        """Count ``term_lists``: per page its title, breadcrumbs, then passages.

        ``passage_counts[i]`` is the number of passage lists of page ``i``. The
        terms go through C-level loops (``dict.fromkeys``, ``map``) and numpy,
        not a Python statement per term.
        """
        flat = list(chain.from_iterable(term_lists))
        vocabulary = {term: i for i, term in enumerate(dict.fromkeys(flat))}
        columns = np.fromiter(
            map(vocabulary.__getitem__, flat), dtype=np.int32, count=len(flat)
        )
        lengths = np.fromiter(map(len, term_lists), dtype=np.int64)
        owner = np.repeat(np.arange(len(term_lists)), lengths)
        per_page = np.asarray(passage_counts, dtype=np.int64)
        page_count = len(per_page)
        passage_starts = np.zeros(page_count + 1, dtype=np.int64)
        np.cumsum(per_page, out=passage_starts[1:])
        # Page i owns lists 2 * i + passage_starts[i] onwards: title, breadcrumbs
        # and its passages, so the offset of a list within its page gives its field.
        list_page = np.repeat(np.arange(page_count), per_page + 2)
        list_offset = np.arange(len(term_lists)) - (
            2 * list_page + passage_starts[:-1][list_page]
        )
        term_page = list_page[owner]
        term_offset = list_offset[owner]
        width = len(vocabulary)
        in_body = term_offset >= 2
        title, crumbs = (term_offset == 0), (term_offset == 1)
        return cls(
            vocabulary=vocabulary,
            title=_count_rows(term_page[title], columns[title], page_count, width),
            breadcrumbs=_count_rows(
                term_page[crumbs], columns[crumbs], page_count, width
            ),
            passages=_count_rows(
                owner[in_body] - 2 * (term_page[in_body] + 1),
                columns[in_body],
                int(passage_starts[-1]),
                width,
            ),
            passage_starts=passage_starts,
        )

    def passage_pages(self) -> np.ndarray:
        """Return the page row of each passage row."""
        return np.repeat(np.arange(self.page_count), np.diff(self.passage_starts))


def _count_rows(
    rows: np.ndarray, columns: np.ndarray, row_count: int, width: int
) -> sparse.csr_matrix:
    """Return a count matrix with a 1 added at each (row, column). Rows must ascend."""
    indptr = np.zeros(row_count + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=row_count), out=indptr[1:])
    data = np.ones(len(columns), dtype=np.float32)
    matrix = sparse.csr_matrix((data, columns, indptr), shape=(row_count, width))
    matrix.sum_duplicates()
    return matrix


def _term_matrices(
    counts: _TermCounts, parameters: IndexParameters
) -> tuple[np.ndarray, sparse.csc_matrix, sparse.csc_matrix]:
    passage_counts = counts.passages
    passage_pages = counts.passage_pages()
    # Body counts are the sums of each page's passage rows.
    owner = sparse.csr_matrix(
        (
            np.ones(len(passage_pages), dtype=np.float32),
            (passage_pages, np.arange(len(passage_pages))),
        ),
        shape=(counts.page_count, len(passage_pages)),
    )
    body = owner @ passage_counts
    transformer = TfidfTransformer(sublinear_tf=True)
    transformer.fit(counts.title + counts.breadcrumbs + body)
    weighted = None
    for part_counts, weight in (
        (counts.title, parameters.title_weight),
        (counts.breadcrumbs, parameters.breadcrumbs_weight),
        (body, parameters.body_weight),
    ):
        if weight == 0:
            continue
        part = transformer.transform(part_counts) * weight
        weighted = part if weighted is None else weighted + part
    windows = _window_counts(passage_pages, passage_counts, parameters.passage_window)
    if windows.shape[0]:
        window_matrix = transformer.transform(windows)
    else:
        # No page has body text; the titles and breadcrumbs are indexed alone.
        window_matrix = sparse.csr_matrix(windows.shape, dtype=np.float32)
    return (
        transformer.idf_.astype(np.float32),
        sparse.csc_matrix(weighted, dtype=np.float32),
        sparse.csc_matrix(window_matrix, dtype=np.float32),
    )


def _window_counts(
    passage_pages: np.ndarray, passage_counts: sparse.csr_matrix, window: int
) -> sparse.csr_matrix:
    """Sum each passage with the next ``window - 1`` passages of the same page."""
    total = passage_counts.shape[0]
    rows, cols = [], []
    for offset in range(min(window, total)):
        first = np.arange(total - offset)
        same = passage_pages[first + offset] == passage_pages[first]
        rows.append(first[same])
        cols.append(first[same] + offset)
    row_array = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    col_array = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    adder = sparse.csr_matrix(
        (np.ones(len(row_array), dtype=np.float32), (row_array, col_array)),
        shape=(total, total),
    )
    return adder @ passage_counts


def _char_matrix(
    per_page: list[tuple[np.ndarray, np.ndarray]], pivot_slope: float
) -> tuple[np.ndarray, np.ndarray, sparse.csc_matrix]:
    """Weight the pages' n-gram counts (codes and counts, per page) with TF-IDF,
    rows normalised by :func:`pivoted_rows` with ``pivot_slope``."""
    all_codes = (
        np.concatenate([codes for codes, _ in per_page])
        if per_page
        else np.zeros(0, dtype=np.int64)
    )
    vocabulary, columns = np.unique(all_codes, return_inverse=True)
    lengths = [len(codes) for codes, _ in per_page]
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    counts = np.concatenate([c for _, c in per_page]).astype(np.float32)
    matrix = sparse.csr_matrix(
        (counts, columns.astype(np.int32), indptr),
        shape=(len(per_page), len(vocabulary)),
    )
    transformer = TfidfTransformer(sublinear_tf=True, norm=None)
    weighted = pivoted_rows(transformer.fit_transform(matrix), pivot_slope)
    return (
        vocabulary.astype(np.int64),
        transformer.idf_.astype(np.float32),
        sparse.csc_matrix(weighted, dtype=np.float32),
    )


def pivoted_rows(matrix: sparse.spmatrix, slope: float) -> sparse.csr_matrix:
    """Divide each row by ``(1 - slope) * pivot + slope * its length``.

    This is pivoted length normalisation. The pivot is the mean Euclidean
    length of the non-empty rows, so a row of that length ends up with unit
    length, as with cosine normalisation, and a slope of 1 gives every row unit
    length. A slope below 1 divides a long row by less than its length and a
    short one by more. A long page contains more of a question's n-grams
    because it has more text, and unit-length rows divide that away. Then a
    long page that answers the question can lose to a short page that shares
    only a few of its words (docs/accuracy.md gives the figures). No row ends up
    longer than MAX_PIVOTED_LENGTH, and empty rows stay empty.

    Returns a new float64 CSR matrix with duplicate entries summed. Raises
    ValueError when ``slope`` is not from 0 to 1.
    """
    if not 0.0 <= slope <= 1.0:
        raise ValueError(f"pivot slope={slope!r} must be from 0 to 1")
    result = sparse.csr_matrix(matrix, dtype=np.float64, copy=True)
    result.sum_duplicates()
    rows = np.repeat(np.arange(result.shape[0]), np.diff(result.indptr))
    squares = np.square(result.data)
    lengths = np.sqrt(np.bincount(rows, weights=squares, minlength=result.shape[0]))
    nonzero = lengths > 0
    if not nonzero.any():
        return result
    pivot = lengths[nonzero].mean()
    divisors = (1.0 - slope) * pivot + slope * lengths
    divisors = np.maximum(divisors, lengths / MAX_PIVOTED_LENGTH)
    scale = np.zeros(len(lengths))
    scale[nonzero] = 1.0 / divisors[nonzero]
    result.data *= scale[rows]
    return result


# The maximum length of a pivoted row, in units of a cosine-normalised row. The
# slope was chosen on a mirror whose pages are cut at about 1,300 characters,
# where the longest row reached about 2. NOTE: on a site of much longer pages the
# cap, not the slope, bounds how far the longest pages rise. No labelled set of
# such a site was at hand to check that.
MAX_PIVOTED_LENGTH = 2.0


def _count_titles(keys: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    return counts


def _is_listing(own: str, normalized_lines: list[str], titles: dict[str, int]) -> bool:
    """Tell whether a page is a listing page, like a category index.

    A listing page's body is mostly the titles of other pages: at least half of its
    non-empty lines, and at least one, are the exact title of another page.
    ``own`` is the page's normalised title, and ``titles`` counts the normalised
    titles of all pages, the page's own included.
    """
    lines = [line for line in normalized_lines if line]
    other_titles = sum(
        1 for line in lines if titles.get(line, 0) > (1 if line == own else 0)
    )
    return other_titles >= 1 and other_titles * 2 >= len(lines)
