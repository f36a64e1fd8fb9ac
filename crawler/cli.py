"""The ``cityline crawl`` and ``cityline pages`` commands."""

from __future__ import annotations

import contextlib
import json
import logging
import math
import sys
from collections.abc import Callable

import click

from cityline.errors import CitylineError
from cityline.settings import Settings
from crawler.config import (
    MAX_ALIAS_RECHECK_DAYS,
    MAX_CONCURRENCY,
    MAX_DELAY,
    MAX_REDIRECTS,
    MAX_TIMEOUT,
    CrawlConfig,
)
from crawler.crawl import crawl_site
from crawler.errors import (
    IncompleteCrawlError,
    InterruptedCrawlError,
    PageStoreError,
    TooManyRemovalsError,
)
from crawler.hosts import HostSelection, host_selection, keep_selection
from crawler.lock import writer_lock
from crawler.origin_rows import OriginRows
from crawler.progress import Progress
from crawler.records import StoredPage
from crawler.store import PageStore
from crawler.summary import CrawlSummary
from crawler.urls import (
    has_undecoded_bytes,
    normalize_url,
    shorten,
    undecoded_message,
)

logger = logging.getLogger(__name__)

_DEFAULTS = CrawlConfig()


class FiniteRange(click.FloatRange):
    """A FloatRange that also refuses nan and inf, which compare as in range."""

    name = "finite float range"

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


@click.command()
@click.argument("url")
@click.option(
    "--concurrency",
    type=click.IntRange(min=1, max=MAX_CONCURRENCY),
    default=_DEFAULTS.concurrency,
    show_default=True,
    help="Requests in flight per host.",
)
@click.option(
    "--delay",
    type=FiniteRange(min=0, max=MAX_DELAY),
    default=_DEFAULTS.delay,
    show_default=True,
    help="Seconds between request starts to one host (a robots.txt Crawl-delay "
    "raises it, to at most 60 s).",
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
    type=FiniteRange(min=0.1, max=MAX_TIMEOUT),
    default=_DEFAULTS.read_timeout,
    show_default=True,
    help="Read timeout in seconds.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1024),
    default=_DEFAULTS.max_bytes,
    show_default=True,
    help="Largest response body read, in bytes; a larger page fails.",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    default=_DEFAULTS.max_retries,
    show_default=True,
    help="Retries after a 429, a 5xx or a timeout.",
)
@click.option(
    "--max-redirects",
    type=click.IntRange(min=0, max=MAX_REDIRECTS),
    default=_DEFAULTS.max_redirects,
    show_default=True,
    help="Redirects followed from one URL; a longer chain fails that URL.",
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
    "that each is extracted again, and fetch every alias URL (redirect, canonical "
    "or duplicate) again (applies to this run only).",
)
@click.option(
    "--max-removed-share",
    type=FiniteRange(min=0, max=1),
    default=_DEFAULTS.max_removed_share,
    show_default=True,
    help="Maximum share (0 to 1) of the stored pages one crawl may mark removed "
    "or merge into other pages. Above it, and with at least "
    f"{_DEFAULTS.min_removals_checked} such pages, the crawl leaves the stored "
    "pages as they were, skips the index rebuild and exits with status 3.",
)
@click.option(
    "--allow-removals",
    is_flag=True,
    help="Mark every page found gone removed and merge every duplicate, however "
    "many (sets --max-removed-share to 1).",
)
@click.option(
    "--alias-recheck-days",
    type=FiniteRange(min=0, max=MAX_ALIAS_RECHECK_DAYS),
    default=_DEFAULTS.alias_recheck_days,
    show_default=True,
    help="Fetch a URL stored as a duplicate of another page again once it was last "
    "fetched this many days ago (0: on every crawl). A duplicate is also fetched "
    "again whenever the page it duplicates changes.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the summary as one JSON object: the counts, stopped_at_max_pages, "
    "and failures as a list of {url, reason}; a crawl that cannot run prints "
    "{error, exit_code}.",
)
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
    max_bytes: int,
    retries: int,
    max_redirects: int,
    allowed_prefixes: tuple[str, ...],
    refetch: bool,
    max_removed_share: float,
    allow_removals: bool,
    alias_recheck_days: float,
    as_json: bool,
    no_index: bool,
) -> None:
    """Crawl the city site from URL into the page store, then rebuild the index.

    The crawl stays on URL's host (plus --allow-prefix), obeys robots.txt, and
    re-fetches stored pages conditionally, except pages extracted by another
    extractor version and every page with --refetch. An interrupted crawl
    resumes on the next run with the same URL.
    """
    share_source = click.get_current_context().get_parameter_source("max_removed_share")
    if allow_removals and share_source is click.core.ParameterSource.COMMANDLINE:
        raise click.UsageError(
            "--allow-removals sets --max-removed-share to 1; give only one of them"
        )
    config = CrawlConfig(
        concurrency=concurrency,
        delay=delay,
        max_pages=max_pages,
        max_depth=max_depth,
        max_per_pattern=max_per_pattern,
        read_timeout=timeout,
        max_bytes=max_bytes,
        max_retries=retries,
        max_redirects=max_redirects,
        allowed_prefixes=tuple(allowed_prefixes),
        max_removed_share=1.0 if allow_removals else max_removed_share,
        alias_recheck_days=alias_recheck_days,
    )
    try:
        summary = crawl_site(
            settings, url, config, Progress(stream=sys.stderr), refetch=refetch
        )
    except CitylineError as exc:
        if as_json:
            # A script that reads the JSON summary gets an object here too.
            click.echo(json.dumps({"error": str(exc), "exit_code": exc.exit_code}))
        raise
    except KeyboardInterrupt:
        raise InterruptedCrawlError(
            f"the crawl of {url!r} was interrupted; the pages it fetched are stored, "
            "and the same command resumes it where it stopped"
        ) from None
    if as_json:
        click.echo(json.dumps(summary.to_json(), ensure_ascii=False))
    else:
        click.echo(summary.format())
    if summary.held:
        raise TooManyRemovalsError(_held_message(summary, config))
    if not no_index:
        try:
            _build_index(settings, echo=not as_json, done="the crawl was stored")
        except KeyboardInterrupt:
            raise InterruptedCrawlError(
                "the index rebuild was interrupted after the crawl was stored; "
                "`cityline index` builds the index from it"
            ) from None
    if summary.stopped_unavailable or summary.mostly_unavailable:
        rebuilt = "" if no_index else " and the index was rebuilt from the store"
        stopped = (
            ", the last of them in a row, so the crawl stopped early and the URLs "
            "left unfetched keep their stored copies too"
            if summary.stopped_unavailable
            else ""
        )
        raise IncompleteCrawlError(
            f"{summary.unavailable} of the {summary.fetched_now} URLs fetched failed "
            "on the server's side (server errors, timeouts, dropped connections, "
            f"bodies that are not text){stopped}, so "
            f"the site was partly unavailable; the pages fetched were stored{rebuilt}, "
            "and the failed pages keep their stored copies. Crawl again when the "
            "site is back"
        )


def _held_message(summary: CrawlSummary, config: CrawlConfig) -> str:
    """Return the error for a crawl that the removal guard kept from changing pages."""
    gone = (
        f"{summary.removals_held} stored pages were found gone (404, 410, noindex, "
        "a soft 404 or disallowed by robots.txt)"
    )
    merged = (
        f"{summary.merges_held} stored pages were merged into other pages (same "
        "content, a canonical link or a redirect)"
    )
    if summary.removals_held and summary.merges_held:
        lost = f"{gone}, and {merged}"
    else:
        lost = gone if summary.removals_held else merged
    return (
        f"{lost}, over --max-removed-share={config.max_removed_share:g}; the stored "
        "pages were left as they were before this crawl and the index was not "
        "rebuilt. If the site is down or in maintenance, crawl again later; if the "
        "pages are really gone or merged, run again with --allow-removals or a "
        "higher --max-removed-share"
    )


def _build_index(
    settings: Settings, echo: bool, done: str, still_listed: str | None = None
) -> None:
    """Rebuild the index; print its one-line report unless ``echo`` is false.

    ``done`` states what the command changed before, such as "the crawl was
    stored". An IndexWriteError is raised again with it and ``still_listed``
    (see ``IndexWriteError.after``), so that the error line names the work
    that is finished.
    """
    # Imported here, so that commands that build no index never load NumPy,
    # SciPy and SudachiPy. An ImportError means a broken install, so it is raised.
    from index.artifact import IndexWriteError
    from index.build import build_index

    try:
        report = build_index(settings)
    except IndexWriteError as exc:
        raise exc.after(done, still_listed) from exc.error
    if echo:
        click.echo(report.format())


@click.command()
@click.argument("url", required=False)
@click.option(
    "--remove-host",
    metavar="HOST",
    callback=lambda ctx, param, value: _parsed(host_selection, value),
    help="List the stored pages of HOST, given as old.example, old.example:8080 or "
    "http://old.example/ (that scheme only); with --confirm, remove them.",
)
@click.option(
    "--remove-other-hosts",
    "keep_url",
    metavar="URL",
    callback=lambda ctx, param, value: _parsed(keep_selection, value),
    help="List the stored pages of every host except the host of URL, the site's "
    "current start URL; with --confirm, remove them.",
)
@click.option(
    "--confirm",
    is_flag=True,
    help="Remove the listed pages, then rebuild the index.",
)
@click.option(
    "--no-index",
    is_flag=True,
    help="With --confirm, do not rebuild the search index afterwards.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def pages(
    ctx: click.Context,
    url: str | None,
    remove_host: HostSelection | None,
    keep_url: HostSelection | None,
    confirm: bool,
    no_index: bool,
    as_json: bool,
) -> None:
    """Show the page store, or remove the pages stored from old hosts.

    Without URL: counts by status. With URL: the page stored for URL, which may be
    the fetched URL, an old URL that redirects to the page, or the page's canonical
    URL, which `cityline ask` prints.

    After the site moved to a new origin (another host, scheme or port), the pages
    stored from the old one stay until they are removed here. Hosts are
    distinguished by host and port, so every scheme of the kept host stays. Pass
    http://HOST/ to --remove-host to select one scheme. A removal option
    alone is a dry run: it lists the pages and their count and changes nothing.
    With --confirm, the pages are removed in one transaction and the index is
    rebuilt, as `cityline crawl` does at its end. A removal that would leave
    no page to index is rejected unless --no-index is given, and a dry run
    notes it and exits 0.

    \b
    Examples:
      cityline pages --remove-other-hosts https://www.city.example.lg.jp/
      cityline pages --remove-host old.example
      cityline pages --remove-host old.example --confirm
    """
    settings: Settings = ctx.obj
    if url is not None and has_undecoded_bytes(url):
        raise PageStoreError(undecoded_message("URL", shorten(url)))
    removal = remove_host or keep_url
    if remove_host is not None and keep_url is not None:
        raise click.UsageError(
            "pass --remove-host or --remove-other-hosts, not both", ctx
        )
    if removal is not None and url is not None:
        raise click.UsageError(
            f"URL {shorten(url)!r} cannot be combined with --remove-host or "
            "--remove-other-hosts; pass one of them",
            ctx,
        )
    if removal is None and (confirm or no_index):
        raise click.UsageError(
            "--confirm and --no-index need --remove-host or --remove-other-hosts",
            ctx,
        )
    if removal is not None:
        done = _remove_hosts(settings, removal, confirm, no_index, as_json)
        if done and not no_index:
            _build_index(
                settings,
                echo=not as_json,
                done="the listed pages were removed from the page store",
                still_listed="the removed pages",
            )
        return
    with PageStore.open_existing(settings.pages_db_path) as store:
        if url is None:
            _show_counts(store, as_json)
        else:
            _show_page(store, url, as_json)


def _show_counts(store: PageStore, as_json: bool) -> None:
    counts = store.count_by_status()
    if as_json:
        click.echo(json.dumps(counts))
        return
    for key, value in counts.items():
        click.echo(f"{key}: {value}")


def _show_page(store: PageStore, url: str, as_json: bool) -> None:
    page = _find_page(store, url)
    if page is None:
        target = store.alias_target(_normalized(url))
        leads = (
            f"; it redirects to {shorten(target)!r}, which is no stored page"
            if target
            else ""
        )
        raise PageStoreError(
            f"no page stored for {shorten(url)!r}{leads}; run `cityline pages` for "
            "the counts"
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


def _parsed(
    parse: Callable[[str], HostSelection], value: str | None
) -> HostSelection | None:
    """Run a removal option's parser, turning its ValueError into a usage error."""
    if value is None:
        return None
    try:
        return parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def _remove_hosts(
    settings: Settings,
    selection: HostSelection,
    confirm: bool,
    no_index: bool,
    as_json: bool,
) -> bool:
    """List the pages of the selected hosts, or remove them with ``confirm``.

    Returns whether pages were removed. Raises PageStoreError, changing nothing,
    when the data dir has no page store, when no stored host matches, and, with
    ``confirm`` but not ``no_index``, when no live page would be left to index.
    A dry run prints that last case as a note instead.
    """
    path = settings.pages_db_path
    opened = PageStore.open_existing(path)
    if confirm:
        opened.close()
        opened = PageStore.open(path)
    with opened as store:
        # Only a removal needs the writer lock, which keeps crawls out until the
        # transaction ends.
        lock = writer_lock(path) if confirm else contextlib.nullcontext()
        with lock:
            stored = store.count_by_origin()
            origins = selection.select(stored)
            rows = store.origin_rows(origins)
            remaining = store.count_pages() - rows.live_pages
            note = None
            if rows.page_urls and remaining == 0 and not no_index:
                note = _no_page_left_note(len(rows.page_urls))
                if confirm:
                    raise PageStoreError(note)
            if confirm and rows.page_urls:
                rows = store.remove_origins(origins)
    _print_removal(rows, stored, remaining, confirm, no_index, as_json, note)
    return confirm and bool(rows.page_urls)


def _no_page_left_note(page_count: int) -> str:
    """Return why a removal of ``page_count`` pages that leaves no live page is
    rejected without --no-index, and what to do instead."""
    return (
        f"removing {_count(page_count, 'stored page')} would leave no page to "
        "index; crawl the new site first with `cityline crawl URL`, or pass "
        "--no-index to remove them anyway (the current index then lists them "
        "until the next index build)"
    )


def _print_removal(
    rows: OriginRows,
    stored: dict[str, int],
    remaining: int,
    confirm: bool,
    no_index: bool,
    as_json: bool,
    note: str | None,
) -> None:
    """Print what a removal did, or in a dry run what it would do.

    ``note`` is the reason that `--confirm` would be rejected, or None.
    """
    hosts = {item: stored[item] for item in rows.origins}
    if as_json:
        result = {
            "dry_run": not confirm,
            "hosts": hosts,
            "pages": rows.page_urls,
            "aliases": rows.aliases,
            "files": rows.files,
            "remaining": remaining,
            "note": note,
        }
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    if not rows.page_urls:
        click.echo("no pages stored for other hosts; nothing to remove")
        return
    host_list = ", ".join(f"{item} ({count})" for item, count in hosts.items())
    click.echo(
        f"{'removed' if confirm else 'would remove'} "
        f"{_count(len(rows.page_urls), 'stored page')} of {host_list}, with "
        f"{_count(rows.aliases, 'alias', 'aliases')} and "
        f"{_count(rows.files, 'file link')}; "
        f"{_count(remaining, 'live page')} of the hosts kept stay"
    )
    if confirm:
        return
    for url in rows.page_urls:
        click.echo(f"  {url}")
    if note is not None:
        click.echo(f"note: {note}")
        click.echo(
            "dry run: nothing was removed, and --confirm alone would be rejected "
            "for the reason above"
        )
        return
    rebuild = "" if no_index else " and rebuild the index"
    click.echo(
        "dry run: nothing was removed; run again with --confirm to remove these "
        f"{_count(len(rows.page_urls), 'page')}{rebuild}"
    )


def _count(number: int, singular: str, plural: str | None = None) -> str:
    word = singular if number == 1 else plural or f"{singular}s"
    return f"{number} {word}"
