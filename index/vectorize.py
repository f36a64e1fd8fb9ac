"""TF-IDF matrices over page fields plus a character n-gram channel.

Two channels score a question against every page:

- **terms**: Sudachi terms (:func:`index.tokenize.terms`) of the title, the
  breadcrumbs and the body, each field a sublinear TF-IDF matrix with unit-length
  rows, summed with the field weights into one matrix. The inverse document
  frequency is computed once over whole pages, so a term weighs the same in every
  field.
- **chars**: character 2- and 3-grams of the normalised title and body, sublinear
  TF-IDF, so that typos, unknown words and spellings that Sudachi splits
  differently still match.

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
from index.normalize import normalize_text
from index.tokenize import terms

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexParameters:
    """Weights and shapes of the index, chosen on labelled questions.

    ``title_weight``, ``breadcrumbs_weight`` and ``body_weight`` scale each field's
    unit-length TF-IDF rows before they are summed. ``char_ngram_range`` sets the
    character n-gram sizes. The remaining fields are read at query time:
    ``char_weight`` mixes the two channels (0 = terms only), ``coverage_exponent``
    raises the share of the question's term weight that a page contains, and
    ``listing_penalty`` is the score factor for a category listing page.
    """

    title_weight: float = 1.0
    breadcrumbs_weight: float = 0.3
    body_weight: float = 1.0
    char_ngram_range: tuple[int, int] = (2, 3)
    char_weight: float = 0.3
    coverage_exponent: float = 1.0
    listing_penalty: float = 0.7

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
    body: list[str]
    char_text: str


def build_model(
    records: Iterable[PageRecord], parameters: IndexParameters | None = None
) -> IndexModel:
    """Tokenize ``records`` and build the term and character matrices.

    Raises ValueError when ``records`` is empty, because an index without pages
    cannot rank anything.
    """
    parameters = parameters or IndexParameters()
    tokenized: list[_TokenizedPage] = []
    pages: list[PageEntry] = []
    for record in records:
        tokenized.append(_tokenize_page(record))
        pages.append(
            PageEntry(
                url=record.url,
                title=record.title,
                breadcrumbs=record.breadcrumbs,
                passages=passages(record.text),
                listing=is_listing_page(record.text),
            )
        )
    if not pages:
        raise ValueError(
            "no pages to index; crawl the site first with `cityline crawl`"
        )
    vocabulary, idf, term_matrix = _term_matrix(tokenized, parameters)
    char_vocabulary, char_idf, char_matrix = _char_matrix(tokenized, parameters)
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
        pages=pages,
    )


def _tokenize_page(record: PageRecord) -> _TokenizedPage:
    crumbs = " / ".join(record.breadcrumbs)
    return _TokenizedPage(
        title=terms(record.title),
        breadcrumbs=terms(crumbs) if crumbs else [],
        body=terms(record.text),
        char_text=normalize_text(f"{record.title}\n{record.text}"),
    )


def _term_matrix(
    tokenized: list[_TokenizedPage], parameters: IndexParameters
) -> tuple[dict[str, int], np.ndarray, sparse.csc_matrix]:
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
    vocabulary = {term: int(col) for term, col in counter.vocabulary_.items()}
    idf = transformer.idf_.astype(np.float32)
    return vocabulary, idf, sparse.csc_matrix(weighted, dtype=np.float32)


def _char_matrix(
    tokenized: list[_TokenizedPage], parameters: IndexParameters
) -> tuple[dict[str, int], np.ndarray, sparse.csc_matrix]:
    vectorizer = TfidfVectorizer(
        analyzer="char",
        ngram_range=tuple(parameters.char_ngram_range),
        sublinear_tf=True,
        lowercase=False,
        dtype=np.float32,
    )
    matrix = vectorizer.fit_transform([page.char_text for page in tokenized])
    vocabulary = {gram: int(col) for gram, col in vectorizer.vocabulary_.items()}
    idf = vectorizer.idf_.astype(np.float32)
    return vocabulary, idf, sparse.csc_matrix(matrix, dtype=np.float32)


def is_listing_page(text: str) -> bool:
    """Tell whether a page body is mostly a list of links, like a category index.

    The signal is the shape of the text: a listing page is many short lines that do
    not end like sentences. Pages with at least 8 non-empty lines, of which at least
    70 % are shorter than 40 characters and do not end with 。, count as listings.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) < 8:
        return False
    short = sum(1 for line in lines if len(line) < 40 and not line.endswith("。"))
    return short / len(lines) >= 0.7
