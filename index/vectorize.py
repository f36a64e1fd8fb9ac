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
  differently still match.

The weighting is scikit-learn's ``TfidfTransformer`` (smooth idf, sublinear tf,
l2 rows). Counting is done here with numpy instead of ``CountVectorizer``,
because the build must stay close to the cost of tokenizing alone. Character
n-grams are kept as int64 codes (:func:`ngram_codes`) rather than strings.

The matrices are stored column-major (CSC): a question touches only its own few
columns, so scoring reads a handful of columns instead of the whole matrix.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer

from index.fields import PageRecord, passages
from index.normalize import normalize_nfkc_text, normalize_text
from index.tokenize import passage_terms, terms

logger = logging.getLogger(__name__)

# Code points take 21 bits, and a 3-gram code is three of them. A 2-gram code puts
# this value, which is no code point, in the last place, so the sizes never collide.
_CODE_BITS = 21
_NO_CHAR = (1 << _CODE_BITS) - 1
_WHITESPACE = re.compile(r"\s+")


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
    category listing page, and question n-grams and window terms found on more
    than ``common_df_share`` of the pages are left out of the n-gram and window
    scores (1.0 keeps all), which bounds the work per question on large sites.
    """

    title_weight: float = 1.0
    breadcrumbs_weight: float = 0.3
    body_weight: float = 1.0
    passage_window: int = 2
    char_weight: float = 0.3
    passage_weight: float = 0.3
    coverage_exponent: float = 0.5
    listing_penalty: float = 0.3
    common_df_share: float = 0.5

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


def ngram_codes(text: str) -> np.ndarray:
    """Return the int64 codes of the character 2- and 3-grams of ``text``.

    ``text`` must already be normalised; runs of whitespace count as one space,
    as in scikit-learn's ``char`` analyzer.
    """
    text = _WHITESPACE.sub(" ", text).strip()
    if len(text) < 2:
        return np.zeros(0, dtype=np.int64)
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    bigrams = (points[:-1] << (2 * _CODE_BITS)) | (points[1:] << _CODE_BITS) | _NO_CHAR
    trigrams = (
        (points[:-2] << (2 * _CODE_BITS)) | (points[1:-1] << _CODE_BITS) | points[2:]
    )
    return np.concatenate([bigrams, trigrams])


def ngram_text(code: int) -> str:
    """Return the characters of one n-gram code (the inverse of ngram_codes)."""
    mask = _NO_CHAR
    chars = [code >> (2 * _CODE_BITS), (code >> _CODE_BITS) & mask, code & mask]
    return "".join(chr(c) for c in chars if c != _NO_CHAR)


class _Vocabulary:
    """Term -> column ids, growing as pages are counted."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def row(self, tokens: list[str]) -> list[int]:
        ids = self.ids
        return [ids.setdefault(token, len(ids)) for token in tokens]


def _count_matrix(rows: list[list[int]], width: int) -> sparse.csr_matrix:
    """Return a term-count matrix with one row per id list."""
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    indices = np.fromiter(
        (i for r in rows for i in r), dtype=np.int32, count=int(indptr[-1])
    )
    data = np.ones(len(indices), dtype=np.float32)
    matrix = sparse.csr_matrix((data, indices, indptr), shape=(len(rows), width))
    matrix.sum_duplicates()
    return matrix


@dataclass
class _Counted:
    title: list[list[int]] = field(default_factory=list)
    breadcrumbs: list[list[int]] = field(default_factory=list)
    passages: list[list[int]] = field(default_factory=list)
    passage_pages: list[int] = field(default_factory=list)
    passage_starts: list[int] = field(default_factory=list)


def build_model(
    records: Iterable[PageRecord], parameters: IndexParameters | None = None
) -> IndexModel:
    """Tokenize ``records`` and build the term, window and character matrices.

    Raises ValueError when ``records`` is empty, because an index without pages
    cannot rank anything.
    """
    parameters = parameters or IndexParameters()
    records = list(records)
    if not records:
        raise ValueError(
            "no pages to index; crawl the site first with `cityline crawl`"
        )
    vocabulary = _Vocabulary()
    counted = _Counted()
    pages: list[PageEntry] = []
    char_texts: list[str] = []
    titles = _title_counts(records)
    for row, record in enumerate(records):
        page_passages = passages(record.text)
        normalized = [normalize_nfkc_text(passage) for passage in page_passages]
        listing = is_listing(record.title, normalized, titles)
        crumbs = " / ".join(record.breadcrumbs)
        counted.title.append(vocabulary.row(terms(record.title)))
        counted.breadcrumbs.append(vocabulary.row(terms(crumbs) if crumbs else []))
        counted.passage_starts.append(len(counted.passages))
        for found in passage_terms(normalized):
            counted.passages.append(vocabulary.row(found))
            counted.passage_pages.append(row)
        char_texts.append(normalize_text(record.title) + " " + " ".join(normalized))
        pages.append(
            PageEntry(
                url=record.url,
                title=record.title,
                breadcrumbs=record.breadcrumbs,
                passages=page_passages,
                listing=listing,
            )
        )
    term_idf, term_matrix, window_matrix = _term_matrices(
        counted, len(vocabulary.ids), len(pages), parameters
    )
    char_codes, char_idf, char_matrix = _char_matrix(char_texts)
    logger.info(
        "built index: %d pages, %d terms, %d character n-grams",
        len(pages),
        len(vocabulary.ids),
        len(char_codes),
    )
    return IndexModel(
        parameters=parameters,
        term_vocabulary=vocabulary.ids,
        term_idf=term_idf,
        term_matrix=term_matrix,
        char_codes=char_codes,
        char_idf=char_idf,
        char_matrix=char_matrix,
        window_matrix=window_matrix,
        window_starts=np.asarray(counted.passage_starts, dtype=np.int64),
        pages=pages,
    )


def _term_matrices(
    counted: _Counted, width: int, page_count: int, parameters: IndexParameters
) -> tuple[np.ndarray, sparse.csc_matrix, sparse.csc_matrix]:
    title = _count_matrix(counted.title, width)
    crumbs = _count_matrix(counted.breadcrumbs, width)
    passage_counts = _count_matrix(counted.passages, width)
    # Body counts are the sums of each page's passage rows.
    owner = sparse.csr_matrix(
        (
            np.ones(len(counted.passage_pages), dtype=np.float32),
            (counted.passage_pages, np.arange(len(counted.passage_pages))),
        ),
        shape=(page_count, len(counted.passage_pages)),
    )
    body = owner @ passage_counts
    transformer = TfidfTransformer(sublinear_tf=True)
    transformer.fit(title + crumbs + body)
    weighted = None
    for counts, weight in (
        (title, parameters.title_weight),
        (crumbs, parameters.breadcrumbs_weight),
        (body, parameters.body_weight),
    ):
        if weight == 0:
            continue
        part = transformer.transform(counts) * weight
        weighted = part if weighted is None else weighted + part
    windows = _window_counts(counted, passage_counts, parameters.passage_window)
    window_matrix = transformer.transform(windows)
    return (
        transformer.idf_.astype(np.float32),
        sparse.csc_matrix(weighted, dtype=np.float32),
        sparse.csc_matrix(window_matrix, dtype=np.float32),
    )


def _window_counts(
    counted: _Counted, passage_counts: sparse.csr_matrix, window: int
) -> sparse.csr_matrix:
    """Sum each passage with the next ``window - 1`` passages of the same page."""
    total = passage_counts.shape[0]
    rows, cols = [], []
    pages = counted.passage_pages
    for first in range(total):
        for offset in range(window):
            other = first + offset
            if other < total and pages[other] == pages[first]:
                rows.append(first)
                cols.append(other)
    adder = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(total, total)
    )
    return adder @ passage_counts


def _char_matrix(
    texts: list[str],
) -> tuple[np.ndarray, np.ndarray, sparse.csc_matrix]:
    per_page = [np.unique(ngram_codes(text), return_counts=True) for text in texts]
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
        shape=(len(texts), len(vocabulary)),
    )
    transformer = TfidfTransformer(sublinear_tf=True)
    weighted = transformer.fit_transform(matrix)
    return (
        vocabulary.astype(np.int64),
        transformer.idf_.astype(np.float32),
        sparse.csc_matrix(weighted, dtype=np.float32),
    )


def _title_counts(records: list[PageRecord]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in records:
        key = normalize_text(record.title).strip()
        counts[key] = counts.get(key, 0) + 1
    return counts


def is_listing(title: str, normalized_lines: list[str], titles: dict[str, int]) -> bool:
    """Tell whether a page is a listing page, like a category index.

    A listing page's body is mostly the titles of other pages: at least half of its
    non-empty lines, and at least one, are the exact title of another page.
    ``titles`` counts the normalised titles of all pages, the page's own included.
    """
    own = normalize_text(title).strip()
    lines = [line for line in normalized_lines if line]
    other_titles = sum(
        1 for line in lines if titles.get(line, 0) > (1 if line == own else 0)
    )
    return other_titles >= 1 and other_titles * 2 >= len(lines)


def mark_listing_pages(records: list[PageRecord]) -> list[bool]:
    """Return :func:`is_listing` for each record, comparing against all titles."""
    titles = _title_counts(records)
    return [
        is_listing(
            record.title,
            [normalize_nfkc_text(p) for p in passages(record.text)],
            titles,
        )
        for record in records
    ]
