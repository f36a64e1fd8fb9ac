"""Build the index from the page store and make it current."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cityline.errors import CitylineError
from cityline.settings import Settings
from index.artifact import check_writable, save_model
from index.fields import PageRecord, records_from_pages
from index.vectorize import IndexParameters, NoTermsError, build_model

logger = logging.getLogger(__name__)


class EmptyStoreError(CitylineError):
    """Raised when the page store contains no page to index."""


@dataclass(frozen=True)
class BuildReport:
    """Summary of one index build: pages, vocabulary sizes, time and the new folder."""

    page_count: int
    term_count: int
    char_gram_count: int
    seconds: float
    folder: Path

    def format(self) -> str:
        """Return the report as the one line ``cityline index`` prints."""
        return (
            f"indexed {self.page_count} pages ({self.term_count} terms, "
            f"{self.char_gram_count} character n-grams) in {self.seconds:.1f} s "
            f"into {self.folder}"
        )


def build_from_records(
    records: Iterable[PageRecord],
    index_dir: Path,
    parameters: IndexParameters | None = None,
    workers: int | None = None,
) -> BuildReport:
    """Index ``records`` into a new build folder under ``index_dir`` and swap it in.

    ``workers`` is the number of tokenizing threads (see
    :func:`index.vectorize.build_model`). Raises EmptyStoreError when ``records``
    is empty or give no search term, and IndexWriteError when ``index_dir``
    cannot be written. The current index then stays.
    """
    started = time.perf_counter()
    records = list(records)
    if not records:
        raise EmptyStoreError(
            "no pages to index; crawl the site first with `cityline crawl`"
        )
    check_writable(index_dir)
    try:
        model = build_model(records, parameters, workers)
    except NoTermsError as exc:
        raise EmptyStoreError(str(exc)) from exc
    folder = save_model(model, index_dir)
    return BuildReport(
        page_count=model.page_count,
        term_count=len(model.term_vocabulary),
        char_gram_count=len(model.char_codes),
        seconds=time.perf_counter() - started,
        folder=folder,
    )


def build_index(settings: Settings) -> BuildReport:
    """Read every live page of the page store and build the index from it.

    Raises PageStoreError, creating nothing, when the data dir has no page store,
    EmptyStoreError when the store contains no live page, and IndexWriteError
    when the index folder cannot be written.
    """
    from crawler.store import PageStore  # the crawler is imported only when building

    with PageStore.open_existing(settings.pages_db_path) as store:
        records = list(records_from_pages(store.iter_pages()))
    if not records:
        raise EmptyStoreError(
            f"the page store {str(settings.pages_db_path)!r} holds no pages; run "
            "`cityline crawl URL` first"
        )
    settings.ensure_data_dir()
    report = build_from_records(records, settings.index_dir)
    # DEBUG: the commands print the report themselves (BuildReport.format).
    logger.debug(
        "indexed %d pages in %.1f s into %s",
        report.page_count,
        report.seconds,
        report.folder,
    )
    return report
