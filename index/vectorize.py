"""TF-IDF matrices over page fields plus a character n-gram channel.

Two channels score a question against every page:

- **terms**: Sudachi terms (:func:`index.tokenize.terms`) of the title, the
  breadcrumbs and the body, each field a sublinear TF-IDF matrix with unit-length
  rows, summed with the field weights into one matrix. The inverse document
  frequency is computed once over whole pages, so a term weighs the same in every
  field.
- **passages**: the same terms over windows of consecutive body passages (a
  question line and its answer on a FAQ page), so that one matching paragraph of a
  long page counts as much as a short page about the same thing.
- **chars**: character 2- and 3-grams of the normalised title and body, sublinear
  TF-IDF, so that typos, unknown words and spellings that Sudachi splits
  differently still match. The same n-grams over the passage windows find a page
  whose FAQ question line is worded like the resident's question.

Both matrices are stored column-major (CSC): a question touches only its own few
columns, so scoring reads a handful of columns instead of the whole matrix.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import (
    CountVectorizer,
    TfidfTransformer,
    TfidfVectorizer,
)

from index.fields import PageRecord, passages
from index.normalize import normalize_nfkc_text, normalize_text
from index.tokenize import terms

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexParameters:
    """Weights and shapes of the index, chosen on labelled questions.

    ``title_weight``, ``breadcrumbs_weight`` and ``body_weight`` scale each field's
    unit-length TF-IDF rows before they are summed. ``char_ngram_range`` sets the
    character n-gram sizes.
    ``passage_window`` is the number of consecutive passages per window. The
    remaining fields are read at query time: ``char_weight`` mixes in the n-gram
    channel (0 = terms only), ``passage_weight`` mixes the best passage window into
    the term channel, ``char_passage_weight`` adds the best window's n-gram cosine,
    ``coverage_exponent``
    raises the share of the question's term weight that a page contains, and
    ``listing_penalty`` is the score factor for a category listing page.
    """

    title_weight: float = 1.0
    breadcrumbs_weight: float = 0.3
    body_weight: float = 1.0
    char_ngram_range: tuple[int, int] = (2, 3)
    char_weight: float = 0.3
    passage_weight: float = 0.3
    passage_window: int = 2
    char_passage_weight: float = 0.0
    coverage_exponent: float = 0.5
    listing_penalty: float = 0.3

    def to_json(self) -> dict:
        """Return the parameters as a JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> IndexParameters:
        """Build parameters from :meth:`to_json` output; unknown keys are ignored."""
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        if "char_ngram_range" in known:
            known["char_ngram_range"] = tuple(known["char_ngram_range"])
        return cls(**known)


@dataclass
class PageEntry:
    """What the answerer shows for one page: URL, title, breadcrumbs, passages."""

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
    """The matrices and vocabularies that answer queries, rows in page order."""

    parameters: IndexParameters
    term_vocabulary: dict[str, int]
    term_idf: np.ndarray
    term_matrix: sparse.csc_matrix
    char_vocabulary: dict[str, int]
    char_idf: np.ndarray
    char_matrix: sparse.csc_matrix
    # Passage windows in page order; window_starts[i] is the first window row of
    # page i, and pages without windows repeat the next page's start.
    window_matrix: sparse.csc_matrix
    window_char_matrix: sparse.csc_matrix
    window_starts: np.ndarray
    pages: list[PageEntry] = field(default_factory=list)

    @property
    def page_count(self) -> int:
        """Number of indexed pages."""
        return len(self.pages)


def identity_analyzer(tokens: Sequence[str]) -> Sequence[str]:
    """Return pre-tokenized ``tokens`` unchanged (an analyzer for CountVectorizer)."""
    return tokens


@dataclass
class _TokenizedPage:
    title: list[str]
    breadcrumbs: list[str]
    passages: list[list[str]]
    passage_texts: list[str]
    char_text: str

    @property
    def body(self) -> list[str]:
        return [term for passage in self.passages for term in passage]


def build_model(
    records: Iterable[PageRecord], parameters: IndexParameters | None = None
) -> IndexModel:
    """Tokenize ``records`` and build the term and character matrices.

    Raises ValueError when ``records`` is empty, because an index without pages
    cannot rank anything.
    """
    parameters = parameters or IndexParameters()
    records = list(records)
    tokenized: list[_TokenizedPage] = []
    pages: list[PageEntry] = []
    for record, listing in zip(records, mark_listing_pages(records), strict=True):
        page_passages = passages(record.text)
        tokenized.append(_tokenize_page(record, page_passages))
        pages.append(
            PageEntry(
                url=record.url,
                title=record.title,
                breadcrumbs=record.breadcrumbs,
                passages=page_passages,
                listing=listing,
            )
        )
    if not pages:
        raise ValueError(
            "no pages to index; crawl the site first with `cityline crawl`"
        )
    counter, transformer, term_matrix = _term_matrix(tokenized, parameters)
    window_matrix, window_starts = _window_matrix(
        tokenized, counter, transformer, parameters.passage_window
    )
    vocabulary = {term: int(col) for term, col in counter.vocabulary_.items()}
    idf = transformer.idf_.astype(np.float32)
    char_vectorizer, char_matrix = _char_matrix(tokenized, parameters)
    window_char_matrix = _window_char_matrix(
        tokenized, char_vectorizer, parameters.passage_window
    )
    char_vocabulary = {
        gram: int(col) for gram, col in char_vectorizer.vocabulary_.items()
    }
    char_idf = char_vectorizer.idf_.astype(np.float32)
    logger.info(
        "built index: %d pages, %d terms, %d character n-grams",
        len(pages),
        len(vocabulary),
        len(char_vocabulary),
    )
    return IndexModel(
        parameters=parameters,
        term_vocabulary=vocabulary,
        term_idf=idf,
        term_matrix=term_matrix,
        char_vocabulary=char_vocabulary,
        char_idf=char_idf,
        char_matrix=char_matrix,
        window_matrix=window_matrix,
        window_char_matrix=window_char_matrix,
        window_starts=window_starts,
        pages=pages,
    )


def _tokenize_page(record: PageRecord, page_passages: list[str]) -> _TokenizedPage:
    # The body is tokenized passage by passage, so the passage windows and the
    # whole-body field come from one tokenizer pass.
    crumbs = " / ".join(record.breadcrumbs)
    return _TokenizedPage(
        title=terms(record.title),
        breadcrumbs=terms(crumbs) if crumbs else [],
        passages=[terms(passage) for passage in page_passages],
        passage_texts=page_passages,
        char_text=normalize_text(record.title) + "\n" + "\n".join(page_passages),
    )


def _term_matrix(
    tokenized: list[_TokenizedPage], parameters: IndexParameters
) -> tuple[CountVectorizer, TfidfTransformer, sparse.csc_matrix]:
    counter = CountVectorizer(analyzer=identity_analyzer, dtype=np.float32)
    whole = counter.fit_transform(
        [page.title + page.breadcrumbs + page.body for page in tokenized]
    )
    transformer = TfidfTransformer(sublinear_tf=True)
    transformer.fit(whole)
    weighted = None
    for attribute, weight in (
        ("title", parameters.title_weight),
        ("breadcrumbs", parameters.breadcrumbs_weight),
        ("body", parameters.body_weight),
    ):
        if weight == 0:
            continue
        counts = counter.transform([getattr(page, attribute) for page in tokenized])
        part = transformer.transform(counts) * weight
        weighted = part if weighted is None else weighted + part
    return counter, transformer, sparse.csc_matrix(weighted, dtype=np.float32)


def _window_matrix(
    tokenized: list[_TokenizedPage],
    counter: CountVectorizer,
    transformer: TfidfTransformer,
    window: int,
) -> tuple[sparse.csc_matrix, np.ndarray]:
    windows: list[list[str]] = []
    starts = np.zeros(len(tokenized), dtype=np.int64)
    for row, page in enumerate(tokenized):
        starts[row] = len(windows)
        for first in range(len(page.passages)):
            chunk = page.passages[first : first + window]
            windows.append([term for passage in chunk for term in passage])
    if not windows:
        empty = sparse.csc_matrix((0, len(counter.vocabulary_)), dtype=np.float32)
        return empty, starts
    weighted = transformer.transform(counter.transform(windows))
    return sparse.csc_matrix(weighted, dtype=np.float32), starts


def _char_matrix(
    tokenized: list[_TokenizedPage], parameters: IndexParameters
) -> tuple[TfidfVectorizer, sparse.csc_matrix]:
    vectorizer = TfidfVectorizer(
        analyzer="char",
        ngram_range=tuple(parameters.char_ngram_range),
        sublinear_tf=True,
        lowercase=False,
        dtype=np.float32,
    )
    matrix = vectorizer.fit_transform([page.char_text for page in tokenized])
    return vectorizer, sparse.csc_matrix(matrix, dtype=np.float32)


def _window_char_matrix(
    tokenized: list[_TokenizedPage], vectorizer: TfidfVectorizer, window: int
) -> sparse.csc_matrix:
    # Rows line up with _window_matrix: one window per passage, in page order.
    texts = [
        " ".join(page.passage_texts[first : first + window])
        for page in tokenized
        for first in range(len(page.passage_texts))
    ]
    if not texts:
        width = len(vectorizer.vocabulary_)
        return sparse.csc_matrix((0, width), dtype=np.float32)
    return sparse.csc_matrix(vectorizer.transform(texts), dtype=np.float32)


def mark_listing_pages(records: list[PageRecord]) -> list[bool]:
    """Tell for each record whether it is a listing page, like a category index.

    A listing page's body is mostly the titles of other pages: at least half of its
    non-empty lines, and at least one, are the exact title of another record.
    """
    titles: dict[str, int] = {}
    for record in records:
        key = normalize_text(record.title).strip()
        titles[key] = titles.get(key, 0) + 1
    flags = []
    for record in records:
        own = normalize_text(record.title).strip()
        lines = [normalize_text(line).strip() for line in record.text.splitlines()]
        lines = [line for line in lines if line]
        other_titles = sum(
            1 for line in lines if titles.get(line, 0) > (1 if line == own else 0)
        )
        flags.append(other_titles >= 1 and other_titles * 2 >= len(lines))
    return flags
