"""The URLs one crawl may fetch: its scope and the robots.txt rules of each host."""

from __future__ import annotations

import logging

from crawler.config import CrawlConfig
from crawler.errors import UnreachableHostError
from crawler.fetch import Fetcher
from crawler.robots import RobotsRules, parse_robots
from crawler.urls import in_scope, origin

logger = logging.getLogger(__name__)

# The maximum robots.txt Crawl-delay honoured, in seconds.
MAX_CRAWL_DELAY = 60.0


class CrawlScope:
    """The start URL, the extra URL prefixes and the robots.txt rules of one crawl.

    ``start_url`` changes when the start page redirects to another host, and the
    crawl then covers that host. ``user_agent`` is the crawler's name
    (``Settings.crawler_user_agent``), whose product token selects the robots.txt
    group.
    """

    def __init__(self, start_url: str, config: CrawlConfig, user_agent: str) -> None:
        self.start_url = start_url
        self.config = config
        self.user_agent = user_agent
        self.robots: dict[str, RobotsRules] = {}

    def contains(self, url: str) -> bool:
        """Return whether ``url`` is on the start host or under an allowed prefix."""
        return in_scope(url, self.start_url, self.config.allowed_prefixes)

    def hop_reason(self, url: str) -> str | None:
        """Return why a redirect to ``url`` is not followed, or None to follow it."""
        if not self.contains(url):
            return "outside the crawl scope"
        if not self.robots_for(url).allows(url):
            return "disallowed by robots.txt"
        return None

    def knows_robots(self, url: str) -> bool:
        """Tell whether the robots.txt of the host of ``url`` was loaded."""
        return origin(url) in self.robots

    def robots_for(self, url: str) -> RobotsRules:
        """Return the robots.txt rules of the host of ``url``."""
        # Hosts whose robots.txt was not loaded are outside the scope anyway.
        return self.robots.get(origin(url), RobotsRules.disallow_all())

    async def load_robots(self, fetcher: Fetcher, url: str, required: bool) -> None:
        """Fetch and keep the robots.txt rules of the host of ``url``, once per host.

        Sets the host's delay in ``fetcher`` to the larger of ``config.delay`` and
        its Crawl-delay. A robots.txt that fails with a server error or a timeout
        disallows everything. Raises UnreachableHostError when ``required`` and
        the host cannot be reached.
        """
        host = origin(url)
        if host in self.robots:
            return
        robots_url = f"{host}/robots.txt"
        result = await fetcher.fetch(robots_url, html_only=False)
        if result.error_kind in ("connect", "timeout") and required:
            if result.redirects and origin(result.final_url) != host:
                # The host replied, so only the target of the redirect is unreachable.
                raise UnreachableHostError(
                    f"robots.txt of {host!r} redirects to {result.final_url!r}, "
                    f"which cannot be reached ({result.error}); check that "
                    "redirect on the site, or that its target is up"
                )
            raise UnreachableHostError(
                f"site {host!r} cannot be reached ({result.error}); check the start "
                "URL, that the site is up and the network"
            )
        if result.error is None and result.status == 200:
            # utf-8-sig drops a byte-order mark, which would otherwise hide the
            # first User-agent line and leave every rule without a group.
            text = result.body.decode("utf-8-sig", errors="replace")
            rules = parse_robots(text, self.user_agent, robots_url)
        elif result.error is None and result.status is not None and result.status < 500:
            rules = RobotsRules.allow_all()
        else:
            logger.warning(
                "robots.txt of %s is unavailable (%s); fetching nothing there",
                host,
                result.error or f"HTTP {result.status}",
            )
            rules = RobotsRules.disallow_all()
        self.robots[host] = rules
        delay = max(self.config.delay, _crawl_delay(host, rules.crawl_delay))
        fetcher.set_host_delay(url, delay)
        logger.debug(
            "robots.txt of %s: %d rules, delay %.2f s", host, len(rules.rules), delay
        )


def _crawl_delay(host: str, requested: float | None) -> float:
    """Return the robots.txt Crawl-delay to keep, at most MAX_CRAWL_DELAY.

    A delay above the cap (or infinite) would stall the crawl for hours per page,
    which on a city's own site is a mistake in its robots.txt rather than a wish.
    """
    if requested is None:
        return 0.0
    if requested > MAX_CRAWL_DELAY:
        logger.warning(
            "robots.txt of %s asks for a Crawl-delay of %g s; waiting %g s, the "
            "most this crawler waits between requests (ask the site's admins to "
            "lower it)",
            host,
            requested,
            MAX_CRAWL_DELAY,
        )
        return MAX_CRAWL_DELAY
    if requested > 0:
        logger.info("robots.txt of %s asks for %g s between requests", host, requested)
    return requested
