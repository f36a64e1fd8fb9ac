"""The ``cityline crawl`` and ``cityline pages`` commands."""

from __future__ import annotations

import json
import logging
import sys

import click

from cityline.settings import Settings
from crawler.config import CrawlConfig
from crawler.crawl import crawl_site
from crawler.errors import PageStoreError, TooManyRemovalsError
from crawler.progress import Progress
from crawler.store import PageStore, StoredPage
from crawler.urls import normalize_url, shorten

logger = logging.getLogger(__name__)

_DEFAULTS = CrawlConfig()


@click.command()
@click.argument("url")
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=_DEFAULTS.concurrency,
    show_default=True,
    help="Requests in flight per host.",
)
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=_DEFAULTS.delay,
    show_default=True,
    help="Seconds between request starts to one host (robots.txt Crawl-delay "
    "raises it).",
)
@click.option(
    "--max-pages",
    type=click.IntRange(min=1),
    default=_DEFAULTS.max_pages,
    show_default=True,
    help="Maximum number of URLs fetched in one crawl.",
)
@click.option(
    "--max-depth",
    type=click.IntRange(min=0),
    default=_DEFAULTS.max_depth,
    show_default=True,
    help="Maximum number of links followed from the start page or a sitemap.",
)
@click.option(
    "--max-per-pattern",
    type=click.IntRange(min=1),
    default=_DEFAULTS.max_per_pattern,
    show_default=True,
    help="Maximum URLs per pattern (digits collapsed) reached by links between "
    "pages of that pattern, which ends calendars and other traps.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=_DEFAULTS.read_timeout,
    show_default=True,
    help="Read timeout in seconds.",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    default=_DEFAULTS.max_retries,
    show_default=True,
    help="Retries after a 429, a 5xx or a timeout.",
)
@click.option(
    "--allow-prefix",
    "allowed_prefixes",
    multiple=True,
    metavar="URL",
    help="Also crawl URLs that start with this prefix (repeatable).",
)
@click.option(
    "--refetch",
    is_flag=True,
    help="Fetch every stored page without If-None-Match and If-Modified-Since, so "
    "that each is extracted again (applies to this run only).",
)
@click.option(
    "--max-removed-share",
    type=click.FloatRange(min=0, max=1),
    default=_DEFAULTS.max_removed_share,
    show_default=True,
    help="Maximum share (0 to 1) of the stored pages one crawl may mark removed. "
    f"Above it, and with at least {_DEFAULTS.min_removals_checked} pages gone, "
    "the crawl keeps every page, skips the index rebuild and exits with status 2.",
)
@click.option(
    "--allow-removals",
    is_flag=True,
    help="Mark every page found gone removed, however many (sets "
    "--max-removed-share to 1).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option(
    "--no-index", is_flag=True, help="Do not rebuild the search index afterwards."
)
@click.pass_obj
def crawl(
    settings: Settings,
    url: str,
    concurrency: int,
    delay: float,
    max_pages: int,
    max_depth: int,
    max_per_pattern: int,
    timeout: float,
    retries: int,
    allowed_prefixes: tuple[str, ...],
    refetch: bool,
    max_removed_share: float,
    allow_removals: bool,
    as_json: bool,
    no_index: bool,
) -> None:
    """Crawl the city site from URL into the page store, then rebuild the index.

    The crawl stays on URL's host (plus --allow-prefix), obeys robots.txt, and
    re-fetches stored pages conditionally, except pages extracted by another
    extractor version and every page with --refetch. An interrupted crawl
    resumes on the next run with the same URL.
    """
    config = CrawlConfig(
        concurrency=concurrency,
        delay=delay,
        max_pages=max_pages,
        max_depth=max_depth,
        max_per_pattern=max_per_pattern,
        read_timeout=timeout,
        max_retries=retries,
        allowed_prefixes=tuple(allowed_prefixes),
        max_removed_share=1.0 if allow_removals else max_removed_share,
    )
    summary = crawl_site(
        settings, url, config, Progress(stream=sys.stderr), refetch=refetch
    )
    if as_json:
        click.echo(json.dumps(summary.to_json(), ensure_ascii=False))
    else:
        click.echo(summary.format())
    if summary.removals_held:
        raise TooManyRemovalsError(
            f"{summary.removals_held} stored pages were found gone (404, 410 or "
            f"noindex), over --max-removed-share={config.max_removed_share:g}; "
            "every page was kept and the index was not rebuilt. If the site is "
            "down, crawl again later; if the pages are really gone, run again "
            "with --allow-removals or a higher --max-removed-share"
        )
    if not no_index:
        _build_index(settings, echo=not as_json)


def _build_index(settings: Settings, echo: bool) -> None:
    """Rebuild the index; print its one-line report unless ``echo`` is false."""
    try:
        from index.build import build_index
    except ImportError as exc:
        logger.warning("index not rebuilt: index.build is unavailable (%s)", exc)
        return
    report = build_index(settings)
    if echo:
        click.echo(report.format())


@click.command()
@click.argument("url", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def pages(settings: Settings, url: str | None, as_json: bool) -> None:
    """Show the page store: counts by status, or the page stored for URL.

    URL may be the fetched URL, an old URL that redirects to the page, or the
    page's canonical URL, which `cityline ask` prints.
    """
    with PageStore.open_existing(settings.pages_db_path) as store:
        if url is None:
            counts = store.count_by_status()
            if as_json:
                click.echo(json.dumps(counts))
            else:
                for key, value in counts.items():
                    click.echo(f"{key}: {value}")
            return
        page = _find_page(store, url)
        if page is None:
            raise PageStoreError(
                f"no page stored for {shorten(url)!r}; run `cityline pages` for the "
                "counts"
            )
        if as_json:
            click.echo(json.dumps(page.to_json(), ensure_ascii=False))
            return
        click.echo(f"url: {page.url}")
        click.echo(f"canonical: {page.canonical_url}")
        click.echo(f"title: {page.title}")
        click.echo(f"breadcrumbs: {' > '.join(page.breadcrumbs)}")
        click.echo(f"status: {page.status}{' (removed)' if page.removed else ''}")
        click.echo(f"encoding: {page.encoding}")
        click.echo(f"page number: {page.page_number or '-'}")
        click.echo(f"updated: {page.updated or '-'}")
        click.echo(f"fetched: {page.fetched_at}, changed: {page.changed_at}")
        click.echo(f"extractor version: {page.extractor_version}")
        click.echo("")
        click.echo(page.text)


def _find_page(store: PageStore, url: str) -> StoredPage | None:
    """Return the page stored, aliased or canonical under ``url`` or its normal form."""
    for candidate in dict.fromkeys([url, _normalized(url)]):
        page = store.get(candidate) or store.get_by_canonical(candidate)
        if page is not None:
            return page
    return None


def _normalized(url: str) -> str:
    try:
        return normalize_url(url)
    except ValueError:
        return url
