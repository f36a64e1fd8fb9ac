"""The summary of one crawl: counts, failures and the text ``cityline crawl`` prints."""

from __future__ import annotations

from dataclasses import dataclass, field

# The keys of the JSON object ``cityline crawl --json`` prints.
SUMMARY_KEYS = (
    "new",
    "changed",
    "unchanged",
    "removed",
    "failed",
    "unavailable",
    "removals_held",
    "merges_held",
    "merged",
    "duplicates",
    "robots_skipped",
    "pages",
    "seconds",
    "noindex_skipped",
    "limited",
    "redirects",
    "files",
    "resumed",
    "stopped_at_max_pages",
    "stopped_unavailable",
    "outside_scope",
    "rechecked_aliases",
    "unconditional",
    "still_gone",
    "failures",
    "gone_urls",
    "merged_urls",
    "still_gone_urls",
    "wrong_canonical_urls",
)


# The text summary lists at most this many gone or merged pages of each kind;
# the JSON lists them all.
LISTED_URLS = 50

# A crawl is incomplete when at least this many URLs, and more than this share of
# the URLs it fetched, failed on the server's side: a site partly down serves
# its top page but fails the pages under it.
UNAVAILABLE_MIN_URLS = 10
UNAVAILABLE_SHARE = 0.2


@dataclass
class CrawlSummary:
    """Counts and failures of one crawl. ``pages`` counts pages stored, not removed.

    ``robots_skipped`` counts the URLs that robots.txt disallows, and
    ``noindex_skipped`` the pages fetched but not stored because a robots meta tag
    or X-Robots-Tag header says noindex, stored pages that this removed among
    them. ``failures`` lists (URL, reason) of the failed URLs. ``limited`` counts
    URLs not
    queued because of the depth, URL length or per-pattern limits, and
    ``stopped_at_max_pages`` is true when ``max_pages`` ended the crawl early.
    ``removals_held`` counts the pages found gone but kept live, because more
    than ``max_removed_share`` of the stored pages were gone; ``removed`` is then 0.
    ``outside_scope`` counts the stored pages of other hosts, which the crawl
    neither fetched nor removed, as after the site moved to another origin.
    ``allowed_prefixes`` are the crawl's extra URL prefixes (``--allow-prefix``).
    ``unconditional`` counts the stored pages this call fetched without conditional
    headers, and ``unconditional_reason`` gives the reason: they were extracted by
    another extractor version, or ``refetch`` was requested.
    ``merged`` counts the pages stored before the run that it merged into another
    page (they became aliases, see ``PageStore.collapsed_pages``). ``merges_held``
    is that count when the run kept every page because of the removal guard, and
    then ``merged`` is 0. ``rechecked_aliases`` counts the alias URLs queued again.
    ``fetched_now`` counts the URLs fetched by this call (not by an earlier,
    interrupted call of a resumed run), and ``unavailable`` those of them that
    failed on the server's side: no connection, a timeout, a dropped connection,
    a server error or 429 after the retries, or a binary body served as a page.
    """

    start_url: str
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: int = 0
    robots_skipped: int = 0
    noindex_skipped: int = 0
    pages: int = 0
    seconds: float = 0.0
    duplicates: int = 0
    redirects: int = 0
    files: int = 0
    limited: int = 0
    resumed: bool = False
    stopped_at_max_pages: bool = False
    # The crawl stopped early because many URLs in a row failed on the server's
    # side (CrawlConfig.max_unavailable_in_a_row).
    stopped_unavailable: bool = False
    removals_held: int = 0
    merged: int = 0
    merges_held: int = 0
    rechecked_aliases: int = 0
    max_removed_share: float = 1.0
    outside_scope: int = 0
    allowed_prefixes: tuple[str, ...] = ()
    unconditional: int = 0
    unconditional_reason: str | None = None
    failures: list[tuple[str, str]] = field(default_factory=list)
    # (URL, why) of the stored pages this crawl found gone, and (URL, target) of
    # those it merged into another page, whether the removal guard held them or
    # not.
    gone_urls: list[tuple[str, str]] = field(default_factory=list)
    merged_urls: list[tuple[str, str]] = field(default_factory=list)
    # (URL, why) of the URLs whose pages an earlier crawl removed and that are
    # still not found: a link or the sitemap still names them.
    still_gone_urls: list[tuple[str, str]] = field(default_factory=list)
    # (URL, canonical URL) of the pages whose canonical link names another,
    # different page: a template mistake; both pages were kept.
    wrong_canonical_urls: list[tuple[str, str]] = field(default_factory=list)
    fetched_now: int = 0
    unavailable: int = 0

    @property
    def still_gone(self) -> int:
        """The number of URLs in ``still_gone_urls``."""
        return len(self.still_gone_urls)

    @property
    def held(self) -> bool:
        """Whether the removal guard kept every page as it was before the run."""
        return bool(self.removals_held or self.merges_held)

    @property
    def mostly_unavailable(self) -> bool:
        """Whether so many URLs failed on the server's side that the crawl is
        incomplete: at least UNAVAILABLE_MIN_URLS, and more than
        UNAVAILABLE_SHARE of the URLs this call fetched."""
        return (
            self.unavailable >= UNAVAILABLE_MIN_URLS
            and self.unavailable > UNAVAILABLE_SHARE * self.fetched_now
        )

    def to_json(self) -> dict:
        """Return the summary as the JSON object ``cityline crawl --json`` prints."""
        values = {key: getattr(self, key) for key in SUMMARY_KEYS}
        values["seconds"] = round(self.seconds, 2)
        values["failures"] = [
            {"url": url, "reason": reason} for url, reason in self.failures
        ]
        values["gone_urls"] = _with_reasons(self.gone_urls)
        values["merged_urls"] = [
            {"url": url, "into": target} for url, target in self.merged_urls
        ]
        values["still_gone_urls"] = _with_reasons(self.still_gone_urls)
        values["wrong_canonical_urls"] = [
            {"url": url, "names": named} for url, named in self.wrong_canonical_urls
        ]
        return values

    def _removal_command(self) -> str:
        """Return the command that lists the stored pages of other hosts.

        ``--remove-other-hosts`` would also list the pages under an allowed prefix
        on another host, so a crawl with prefixes names ``--remove-host``.
        """
        if self.allowed_prefixes:
            return "`cityline pages --remove-host HOST`"
        return f"`cityline pages --remove-other-hosts {self.start_url}`"

    def format(self) -> str:
        """Return the summary as lines of text for a terminal."""
        counts = (
            f"new {self.new}, changed {self.changed}, unchanged {self.unchanged}, "
            f"removed {self.removed}, failed {self.failed}"
        )
        if self.held:
            # The store was put back as it was, so nothing counted here is in it.
            counts = f"found {counts}; none of it applied (see below)"
        lines = [
            f"crawl of {self.start_url}" + (" (resumed)" if self.resumed else ""),
            f"  {counts}",
            f"  skipped by robots.txt {self.robots_skipped}, by noindex "
            f"{self.noindex_skipped}, not queued by limits "
            f"{self.limited}, duplicates {self.duplicates}, redirects "
            f"{self.redirects}, file links {self.files}",
            f"  {self.pages} pages stored, {self.seconds:.1f} s",
        ]
        if self.unconditional_reason is not None:
            lines.append(
                f"  re-fetched {self.unconditional} stored pages without "
                f"conditional headers, because {self.unconditional_reason}"
            )
        if self.stopped_at_max_pages:
            lines.append("  stopped at --max-pages; URLs were left unfetched")
        if self.stopped_unavailable:
            lines.append(
                "  stopped early: the last URLs fetched all failed on the server's "
                "side, so the site seems down; the URLs left unfetched keep their "
                "stored pages"
            )
        if self.outside_scope:
            lines.append(
                f"  left {self.outside_scope} stored pages of other hosts as they "
                "are (outside this crawl's scope: not fetched, not removed); "
                f"{self._removal_command()} lists them for removal"
            )
        if self.merged:
            lines.append(
                f"  merged {self.merged} stored pages into other pages (same content, "
                "a canonical link or a redirect)"
            )
        if self.rechecked_aliases:
            lines.append(f"  fetched {self.rechecked_aliases} alias URLs again")
        if self.held:
            merges = (
                f" and {self.merges_held} pages merged into other pages"
                if self.merges_held
                else ""
            )
            lines.append(
                f"  kept {self.removals_held} pages found gone{merges}, over the "
                f"limit of {self.max_removed_share:.0%} of the stored pages; the "
                "stored pages are as they were before this crawl"
            )
        if self.mostly_unavailable:
            lines.append(
                f"  {self.unavailable} of the {self.fetched_now} URLs fetched failed "
                "on the server's side (server errors, timeouts, dropped "
                "connections, bodies that are not text); their stored pages were kept"
            )
        lines.extend(_listed("gone", [f"{u} ({why})" for u, why in self.gone_urls]))
        merged = [f"{url} into {target}" for url, target in self.merged_urls]
        lines.extend(_listed("merged", merged))
        if self.still_gone_urls:
            lines.append(
                f"  still gone {self.still_gone}: pages removed by an earlier crawl "
                "that a link or the sitemap still names (nothing to retry)"
            )
        still = [f"{u} ({why})" for u, why in self.still_gone_urls]
        lines.extend(_listed("still gone", still))
        wrong = [
            f"{url} names {named}, another page; kept apart"
            for url, named in self.wrong_canonical_urls
        ]
        lines.extend(_listed("wrong canonical", wrong))
        for url, reason in self.failures:
            lines.append(f"  failed: {url}: {reason}")
        return "\n".join(lines)


def _with_reasons(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    """Return (URL, reason) pairs as the JSON objects of ``cityline crawl --json``."""
    return [{"url": url, "reason": reason} for url, reason in pairs]


def _listed(label: str, items: list[str]) -> list[str]:
    """Return a line per item, at most LISTED_URLS, and one that counts the rest."""
    lines = [f"  {label}: {item}" for item in items[:LISTED_URLS]]
    if len(items) > LISTED_URLS:
        lines.append(
            f"  {label}: {len(items) - LISTED_URLS} more (`cityline crawl --json` "
            "lists them all)"
        )
    return lines
