"""The outcome of each URL of a crawl run: how a fetch result (a page, a 304, a
gone page, an error, noindex) becomes rows of the page store."""

from __future__ import annotations

import asyncio
import logging

from crawler.canonical import CanonicalLinks
from crawler.decode import binary_body_reason, looks_binary
from crawler.extract import EXTRACTOR_VERSION, Extracted, Link
from crawler.fetch import FetchResult
from crawler.fetched_page import (
    TEMPORARY_REDIRECTS,
    hash_content,
    page_home,
    parse_page,
)
from crawler.frontier import Frontier
from crawler.not_found import notice_title
from crawler.records import AliasRow, FrontierEntry, StoredPage, utc_now
from crawler.scope import CrawlScope
from crawler.store import PageStore

logger = logging.getLogger(__name__)

# Fetch errors on the server's side or the way to it: no connection, a timeout,
# a dropped connection, or a server error or 429 after the retries. A crawl where
# many URLs fail so, or send binary bodies as pages, is incomplete
# (CrawlSummary.mostly_unavailable).
UNAVAILABLE_KINDS = frozenset({"connect", "timeout", "transport", "http"})

# Frontier states of a URL that has no page of this run: not fetched yet or
# still in flight, or fetched and found failed, gone or not to be stored. A
# permanent redirect to such a URL is fetched, not taken as settled.
_NO_PAGE_STATES = frozenset(
    {
        None,
        "queued",
        "fetching",
        "held",
        "failed",
        "removed",
        "gone",
        "noindex",
        "robots",
    }
)

# The frontier source of a URL queued because a page names it as canonical.
CANONICAL_SOURCE = "canonical"

# The reason a stored page that returned 200 is gone, as the summary lists it.
NOINDEX_WHY = "noindex"
ROBOTS_WHY = "disallowed by robots.txt"


class OutcomeRecorder:
    """The recorder of each URL's outcome in one crawl run, in the store and the
    frontier.

    ``soft_404_hash`` is the content hash of the site's soft 404 page, found at
    ``soft_404_url``, or None when the site has none.
    """

    def __init__(
        self,
        store: PageStore,
        run_id: int,
        scope: CrawlScope,
        frontier: Frontier,
        canonical: CanonicalLinks,
        *,
        soft_404_hash: str | None,
        soft_404_url: str | None,
    ) -> None:
        self.store = store
        self.run_id = run_id
        self.scope = scope
        self.frontier = frontier
        self.canonical = canonical
        self.soft_404_hash = soft_404_hash
        self.soft_404_url = soft_404_url
        # URLs of the pages this call stored or found unchanged. A redirect to
        # one of them is not followed again (see Fetcher.fetch's stop_at).
        self.pages_now: set[str] = set()
        self.failed_now = 0
        # URLs of this call that failed on the server's side (UNAVAILABLE_KINDS),
        # in all and since the last URL that did not.
        self.unavailable = 0
        self.unavailable_in_a_row = 0
        # URLs held back until their canonical URL was done (_defer_to), and
        # the responses of those not yet applied again.
        self.deferred: set[str] = set()
        self.held_results: dict[str, FetchResult] = {}
        # URLs that failed this run on the server's side (UNAVAILABLE_KINDS).
        self.unavailable_urls: set[str] = set()

    async def apply(self, entry: FrontierEntry, result: FetchResult) -> None:
        """Turn a fetch result into the store's rows and the frontier's next URLs."""
        before = self.unavailable
        try:
            await self._apply(entry, result)
        finally:
            if self.unavailable > before:
                self.unavailable_in_a_row += 1
            else:
                self.unavailable_in_a_row = 0

    async def _apply(self, entry: FrontierEntry, result: FetchResult) -> None:
        url = entry.url
        final = result.final_url
        # Permanent redirects (301, 308) move a page. From the first temporary one
        # (302, 303, 307) on, it stays where it is (see page_home).
        home, moves = page_home(url, final, result.redirects)
        temporary = home != final
        aliases = [(hop, home, "redirect", status) for hop, status in moves]
        if result.error is not None:
            self._apply_error(entry, result, aliases)
            return
        if final != url and not temporary and self._redirect_settled(url, final):
            self.record(url, "redirect", aliases=aliases)
            return
        stored = self.stored(home)
        status = result.status

        if status == 304:
            self._apply_not_modified(entry, home, stored, final)
            return
        if status in (404, 410):
            self._apply_gone(entry, home, stored, status)
            return
        if status != 200:
            self.record(url, "failed", reason=f"HTTP {status}")
            return
        if not result.is_html:
            files = [(final, entry.referrer or "", "")]
            self.record(
                url, "file", aliases=aliases, files=files, done=[(final, "file")]
            )
            return

        content_type = result.headers.get("content-type")
        if looks_binary(result.body, content_type):
            # A site that sends such bodies for many pages is broken for now.
            self.unavailable += 1
            reason = binary_body_reason(result.body, content_type)
            self.record(url, "failed", reason=reason)
            return
        await self._apply_html(entry, result, home, moves, stored, aliases)

    def _apply_error(
        self,
        entry: FrontierEntry,
        result: FetchResult,
        aliases: list[AliasRow],
    ) -> None:
        """Record a fetch of ``entry.url`` that failed with ``result.error``."""
        # Redirects are remembered only when the target returned a page, so that a
        # transient failure does not hide the old URL from the next crawl. A hop off
        # the crawl scope is remembered, because a retry would not follow it either.
        if result.error_kind in UNAVAILABLE_KINDS:
            self.unavailable += 1
            self.unavailable_urls.add(entry.url)
        final_aliases = aliases if result.error_kind == "blocked" else []
        reason = self._named_by(entry, result.error or "")
        self.record(entry.url, "failed", reason=reason, aliases=final_aliases)

    def _named_by(self, entry: FrontierEntry, reason: str) -> str:
        """Return ``reason``, naming the page whose canonical link queued the URL
        of ``entry``: no page links such a URL, so staff could not find it."""
        if entry.source != CANONICAL_SOURCE:
            return reason
        return f"{reason} (the canonical link of {entry.referrer})"

    def _apply_not_modified(
        self,
        entry: FrontierEntry,
        home: str,
        stored: StoredPage | None,
        final: str,
    ) -> None:
        """Record a 304 response: the page stored at ``home`` is unchanged."""
        # The body is not sent again, so the links stored last time are followed.
        links, files = [], []
        if stored is not None:
            stored_links = [Link(u, "") for u in stored.links]
            links, files = self.frontier.follow(entry, stored_links, False, final)
        self.record(
            entry.url,
            "unchanged",
            touch_url=home,
            status=200,
            files=[f for f in files if f[2]],
            enqueue=links,
        )

    def _apply_gone(
        self,
        entry: FrontierEntry,
        home: str,
        stored: StoredPage | None,
        status: int,
    ) -> None:
        """Record a 404 or 410 response for the page that lives at ``home``."""
        home, stored = self._gone_home(entry.url, home, stored)
        self._record_gone(entry, home, stored, status)

    def _gone_home(
        self, url: str, home: str, stored: StoredPage | None
    ) -> tuple[str, StoredPage | None]:
        """Return the URL and stored page that a "not found" response for ``url``
        removes, where ``home`` is where permanent redirects led and ``stored``
        the page stored there.

        That is the page at ``url`` itself when it has one, or when ``home``
        has none: a page moved to a URL that is not found is gone from its own.
        A page stored at ``home`` is then found gone when that URL is fetched.
        """
        if home == url:
            return home, stored
        own = self.stored(url)
        if stored is None or (own is not None and not own.removed):
            return url, own
        return home, stored

    async def _apply_html(
        self,
        entry: FrontierEntry,
        result: FetchResult,
        home: str,
        moves: list[tuple[str, int]],
        stored: StoredPage | None,
        aliases: list[AliasRow],
    ) -> None:
        """Store the page of an HTML response with status 200, unless it is a soft
        404 page or a duplicate of another page.

        ``home`` is where the page lives, ``moves`` the permanent redirects that
        moved it there, ``stored`` the page stored at ``home`` and ``aliases`` the
        aliases that those redirects add.
        """
        url = entry.url
        final = result.final_url
        # Parsing is CPU work; a thread keeps the event loop fetching meanwhile.
        decoded, extracted = await asyncio.to_thread(
            parse_page, result.body, result.headers.get("content-type"), final
        )
        content_hash = hash_content(extracted)
        reason = self._soft_404_reason(url, final, extracted, content_hash)
        if reason is not None:
            home, stored = self._gone_home(url, home, stored)
            self._record_gone(entry, home, stored, 404, why=reason)
            return
        own_aliases = aliases
        page_url, aliases = self.canonical.target(
            home, extracted.canonical_url, aliases
        )
        shown_href = extracted.canonical_href
        named = page_url
        unverified = False
        if page_url != home:
            page_url, aliases = self._through_alias(
                home, page_url, own_aliases, aliases
            )
        at_canonical = None
        if page_url != home:
            if self._defer_to(entry, result, page_url):
                return
            # Fetched meanwhile, the canonical URL may have become an alias.
            page_url, aliases = self._through_alias(
                home, page_url, own_aliases, aliases
            )
            at_canonical = self.stored(page_url)
        if page_url == home:
            if named != home:
                # The canonical link names an old URL of this very page.
                shown_href = None
        elif self.canonical.names_another_page(
            home,
            page_url,
            at_canonical,
            extracted.title,
            content_hash,
            extracted.breadcrumbs,
        ):
            page_url, aliases, shown_href = home, own_aliases, None
        else:
            canonical_state = self.frontier.states.get(page_url)
            settled = canonical_state not in _NO_PAGE_STATES
            if at_canonical is not None and canonical_state in (None, "queued"):
                # Held once already and still not fetched (a crawl limit): the
                # page goes to the stored page there, as its copy.
                stored = at_canonical
            elif at_canonical is not None and settled:
                self.record(url, "duplicate", aliases=aliases)
                return
            elif page_url in self.unavailable_urls:
                # The canonical URL failed on the server's side, which shows
                # nothing of the page there. A copy of a stored page remains its
                # alias, and the stored page is left as it was.
                if at_canonical is not None or self.store.alias_target(url):
                    self.record(url, "duplicate", aliases=aliases)
                    return
                # A new copy goes there without validators, so the next crawl
                # fetches that URL in full and its own page replaces the copy.
                # NOTE: a wrong canonical link (another page) cannot be detected
                # here, so its text stays at that URL until a crawl reaches
                # it. Keeping the page at its own URL instead made every later
                # crawl count the true copies as merges and hit the removal
                # guard.
                unverified = True
            else:
                # The canonical URL was fetched and has no page (not found, a
                # redirect loop, or not to be stored), so this page stays here.
                # It is stored without validators, so that the next crawl
                # fetches it in full and reads its canonical link again.
                logger.info(
                    "%s names %s as canonical, which has no page; kept at %s",
                    home,
                    page_url,
                    home,
                )
                page_url, aliases, shown_href = home, own_aliases, None
                unverified = True

        links, files = self.frontier.follow(
            entry, extracted.links, extracted.nofollow, page_url
        )
        done = [(u, "redirect") for u in (final, page_url) if u != url]
        duplicate = self._duplicate_alias(
            url, result, home, moves, page_url, content_hash
        )
        if duplicate is not None:
            aliases.append(duplicate)
            self.record(
                url, "duplicate", aliases=aliases, files=files, enqueue=links, done=done
            )
            return
        self._store_page(
            entry,
            result,
            page_url,
            stored,
            decoded.encoding,
            extracted,
            content_hash,
            shown_href=shown_href,
            aliases=aliases,
            files=files,
            links=links,
            done=done,
            validators=not unverified and page_url == result.final_url,
        )

    def _through_alias(
        self,
        home: str,
        canonical: str,
        own_aliases: list[AliasRow],
        aliases: list[AliasRow],
    ) -> tuple[str, list[AliasRow]]:
        """Return where the page at ``home`` goes when it names ``canonical``,
        and its aliases: the page that ``canonical`` is an alias of, when it is
        one (an old URL that redirects), else ``canonical`` itself.

        An alias of ``home`` itself leaves the page at ``home``.
        """
        if self.stored(canonical) is not None:
            return canonical, aliases
        page = self.store.get(canonical)
        if page is None or page.removed or page.url == canonical:
            return canonical, aliases
        if page.url == home:
            return home, own_aliases
        return page.url, [*own_aliases, (home, page.url, "canonical", None)]

    def _defer_to(
        self, entry: FrontierEntry, result: FetchResult, canonical: str
    ) -> bool:
        """Hold ``entry`` back until ``canonical``, the URL its page names as
        canonical, has an outcome, when this run has not finished that URL;
        return whether it was held.

        Storing the page there at once would give the canonical URL this
        page's content for the whole crawl. A wrong canonical link (a page
        copied from another kept the other's link) would hide the real page
        there until the next crawl, and a copy of a page deleted in this crawl
        would leave with it. Fetched again once the canonical URL is done, the
        page meets what is there now. A URL is held once only, and its
        response is kept for then (``held_results``) instead of fetched again.
        """
        state = self.frontier.states.get(canonical)
        if entry.url in self.deferred or state not in (None, "queued", "fetching"):
            return False
        self.deferred.add(entry.url)
        self.held_results[entry.url] = result
        added = self.frontier.hold(entry, canonical, CANONICAL_SOURCE)
        if added is not None:
            self.store.enqueue(self.run_id, [added])
        logger.info(
            "fetching %s, which %s names as canonical, before storing the page",
            canonical,
            entry.url,
        )
        return True

    def _soft_404_reason(
        self, url: str, final: str, extracted: Extracted, content_hash: str
    ) -> str | None:
        """Return why the page fetched for ``url`` is a soft 404, or None.

        It is one when it is the page the site serves for unknown URLs, or when
        its title is that of a "page not found" notice (see
        :func:`crawler.not_found.notice_title`), as where a deleted page
        redirects to such a notice served with status 200.
        """
        if content_hash == self.soft_404_hash:
            return f"soft 404: the same page as {self.soft_404_url}"
        title = notice_title(extracted.title, extracted.head_title)
        if title is None:
            return None
        where = f"redirects to {final}, " if final != url else ""
        return f"soft 404: {where}a page titled {title!r}"

    def _duplicate_alias(
        self,
        url: str,
        result: FetchResult,
        home: str,
        moves: list[tuple[str, int]],
        page_url: str,
        content_hash: str,
    ) -> AliasRow | None:
        """Return the alias from ``page_url`` to a live page elsewhere with the
        same content, or None when no other page has ``content_hash``."""
        # The fetched URL and the redirect hops become aliases of this page, so
        # a stored page under one of them is this page, moved: no duplicate. The
        # target of a temporary redirect keeps its own page.
        moved = {home, *(hop for hop, _ in moves)}
        duplicate_of = self.store.find_by_hash(
            content_hash,
            other_than={page_url, url, *moved},
            run_id=self.run_id,
            accept=self.scope.contains,
        )
        if duplicate_of is None:
            return None
        # The status of a temporary redirect marks a copy that a link fetches
        # again, so that the page comes back when the redirect ends.
        status = (
            next(s for _, s in result.redirects if s in TEMPORARY_REDIRECTS)
            if home != result.final_url
            else None
        )
        return (page_url, duplicate_of, "duplicate", status)

    def _store_page(
        self,
        entry: FrontierEntry,
        result: FetchResult,
        page_url: str,
        stored: StoredPage | None,
        encoding: str,
        extracted: Extracted,
        content_hash: str,
        *,
        shown_href: str | None,
        aliases: list[AliasRow],
        files: list[tuple[str, str, str]],
        links: list[FrontierEntry],
        done: list[tuple[str, str]],
        validators: bool = True,
    ) -> None:
        """Store the page fetched for ``entry`` at ``page_url`` with the rows it
        adds, unless its robots meta tag or X-Robots-Tag header contains noindex.

        Without ``validators`` the page keeps no ETag or Last-Modified, so the
        next crawl fetches it in full: the response came from another URL (a
        copy naming ``page_url`` as canonical), or its canonical link could
        not be checked.

        ``stored`` is the page stored at ``page_url`` before, if any, and
        ``shown_href`` the canonical link that names the URL residents get
        (None when the page's own link was found to name another page). A
        changed page also queues its duplicate and canonical aliases again.
        """
        url = entry.url
        now = utc_now()
        if stored is None or stored.removed:
            # A page that an earlier crawl removed and that is back is new to
            # the index.
            state, changed_at = "new", now
            if stored is not None:
                links += self.frontier.recheck_aliases(page_url, entry.depth)
        elif stored.content_hash != content_hash:
            state, changed_at = "changed", now
            links += self.frontier.recheck_aliases(page_url, entry.depth)
        else:
            state, changed_at = "unchanged", stored.changed_at
        page = StoredPage(
            url=page_url,
            canonical_url=self.canonical.shown_url(page_url, shown_href),
            title=extracted.title,
            breadcrumbs=extracted.breadcrumbs,
            text=extracted.text,
            page_number=extracted.page_number,
            updated=extracted.updated,
            encoding=encoding,
            status=200,
            content_hash=content_hash,
            fetched_at=now,
            changed_at=changed_at,
            removed=False,
            etag=result.headers.get("etag") if validators else None,
            last_modified=(result.headers.get("last-modified") if validators else None),
            links=[link.url for link in extracted.links],
            extractor_version=EXTRACTOR_VERSION,
        )
        # The X-Robots-Tag header carries the same directives as the robots meta tag.
        header_noindex = _forbids_indexing(result.headers.get("x-robots-tag", ""))
        if extracted.noindex or header_noindex:
            self._apply_noindex(
                url,
                page_url,
                stored,
                aliases=aliases,
                files=files,
                links=links,
                done=done,
            )
            return
        if page_url == url:
            self.record(
                url, state, page=page, aliases=aliases, files=files, enqueue=links
            )
            return
        # The outcome belongs to the page's own URL; the fetched URL redirected or
        # named another URL as canonical.
        done = [
            (u, "redirect") for u in (result.final_url,) if u not in (url, page_url)
        ]
        # A failure of the page's own URL stays on record: a copy takes its
        # place until that URL responds.
        if self.frontier.states.get(page_url) != "failed":
            done.append((page_url, state))
        self.record(
            url,
            "redirect",
            page=page,
            aliases=aliases,
            files=files,
            enqueue=links,
            done=done,
        )

    def _apply_noindex(
        self,
        url: str,
        page_url: str,
        stored: StoredPage | None,
        *,
        aliases: list[AliasRow],
        files: list[tuple[str, str, str]],
        links: list[FrontierEntry],
        done: list[tuple[str, str]],
    ) -> None:
        """Record a page whose robots meta tag or X-Robots-Tag header contains
        noindex: it is not stored, and a live page stored at ``page_url`` is
        recorded as gone."""
        logger.info(
            "not storing %s: its robots meta tag or X-Robots-Tag header "
            "contains noindex",
            page_url,
        )
        removed = stored.url if stored is not None and not stored.removed else None
        if removed is None:
            state = "noindex"
        else:
            state = "removed" if removed == url else "redirect"
        self.record(
            url,
            state,
            aliases=aliases,
            enqueue=links,
            files=files,
            done=done,
            removed_url=removed,
            removed_why=NOINDEX_WHY,
            status=200,
        )

    def _redirect_settled(self, url: str, final: str) -> bool:
        """Return whether the page at ``final``, where ``url`` redirects, is known.

        It is when this run handled ``final`` already and did not find it failed
        or gone, or when it is an alias, unless it is an alias of ``url`` itself:
        the page then moved from ``url`` to ``final``, which must become the
        page.
        """
        if final in self.frontier.known_aliases:
            return self.store.alias_target(final) != url
        return self.frontier.states.get(final) not in _NO_PAGE_STATES

    def _record_gone(
        self,
        entry: FrontierEntry,
        final: str,
        stored: StoredPage | None,
        status: int,
        *,
        why: str | None = None,
    ) -> None:
        """Record a URL that returned ``status`` 404 or 410, or a soft 404 page.

        ``why`` gives the reason the page is gone when the status does not. The
        page stored at ``final`` is recorded as gone. A URL with no page stored
        is a failure (a broken link). A URL whose page an earlier crawl removed
        is recorded as ``gone``, which is not a failure to retry.
        """
        url = entry.url
        reason = why or f"HTTP {status}"
        if stored is None:
            self.record(url, "failed", reason=self._named_by(entry, reason))
            return
        if stored.removed:
            self.record(url, "gone", reason=reason)
            return
        state = "removed" if final == url else "redirect"
        rechecks = self.frontier.recheck_aliases(final, entry.depth)
        self.record(
            url,
            state,
            removed_url=final,
            removed_why=why,
            status=status,
            enqueue=rechecks,
        )

    def record(
        self,
        url: str,
        state: str,
        *,
        reason: str | None = None,
        aliases=(),
        files=(),
        enqueue=(),
        done=(),
        page: StoredPage | None = None,
        removed_url: str | None = None,
        removed_why: str | None = None,
        touch_url: str | None = None,
        status: int | None = None,
    ) -> None:
        """Record ``state`` for ``url``, with the rows it adds, in the store and
        the frontier."""
        # Queued entries are in the heap already; the worker that called this
        # wakes the others when it finishes the URL.
        robots_skipped = [
            (item.url, "robots")
            for item in enqueue
            if self.scope.knows_robots(item.url)
            and not self.scope.robots_for(item.url).allows(item.url)
        ]
        self.store.record_outcome(
            self.run_id,
            url,
            state,
            reason=reason,
            page=page,
            aliases=list(aliases),
            files=list(files),
            enqueue=list(enqueue),
            done_urls=list(done) + robots_skipped,
            removed_url=removed_url,
            removed_why=removed_why,
            status=status,
            touch_url=touch_url,
        )
        self.frontier.states[url] = state
        if page is not None:
            self.pages_now.add(page.url)
        if touch_url is not None:
            self.pages_now.add(touch_url)
        for other, other_state in list(done) + robots_skipped:
            self.frontier.states[other] = other_state
            self.frontier.release(other)
        self.frontier.release(url)
        if removed_url is not None:
            self.frontier.states[removed_url] = "removed"
        for alias_url, *_ in aliases:
            self.frontier.known_aliases.add(alias_url)
        if state == "failed":
            self.failed_now += 1
            logger.warning("failed %s: %s", url, reason)

    def stored(self, url: str) -> StoredPage | None:
        """Return the page stored under ``url`` itself, or None."""
        page = self.store.get(url)
        if page is not None and page.url != url:
            return None  # an alias of another page, not a page of its own
        return page

    def remove_disallowed(self) -> None:
        """Record the stored pages that robots.txt now disallows as gone.

        The crawl no longer fetches them, so without this they would stay in the
        index however long the site has disallowed them. They leave it as a
        noindex page does, and count toward the removal guard.
        """
        for url in self.store.known_urls():
            if not self.scope.contains(url) or not self.scope.knows_robots(url):
                continue
            rules = self.scope.robots_for(url)
            # A robots.txt that failed to load disallows everything for this run
            # only. That is no statement about the pages, so they stay.
            if rules.disallow_everything or rules.allows(url):
                continue
            if self.stored(url) is None:
                continue
            logger.info("removing %s: robots.txt now disallows it", url)
            self.record(
                url, "removed", removed_url=url, removed_why=ROBOTS_WHY, status=200
            )


def _forbids_indexing(header: str) -> bool:
    """Tell whether an X-Robots-Tag value forbids indexing for every crawler.

    A value aimed at one named crawler ("otherbot: noindex") is left alone.
    """
    for part in header.lower().split(","):
        directive = part.strip()
        if ":" in directive:  # a named crawler's rule, or unavailable_after: DATE
            continue
        if directive in ("noindex", "none"):
            return True
    return False
