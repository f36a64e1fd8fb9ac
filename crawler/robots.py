"""A robots.txt parser with wildcards, ``$`` anchors and Crawl-delay.

Rules follow RFC 9309: a crawler obeys the group whose ``User-agent`` matches its
product token (case-insensitive), else the ``*`` group. Groups for the same agent are
merged. Among the rules whose pattern matches a URL's path and query, the longest
pattern wins, and ``Allow`` wins a tie. ``*`` matches any run of characters and a
final ``$`` anchors the pattern at the end of the URL. ``Crawl-delay`` (seconds, a
common extension) and ``Sitemap`` lines are read too.

The standard library's ``urllib.robotparser`` (Python 3.11) is not used because it
applies the first matching rule and treats ``*`` and ``$`` as literal characters.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit

logger = logging.getLogger(__name__)

# RFC 9309 lets crawlers stop parsing after 500 KiB.
MAX_ROBOTS_BYTES = 500 * 1024


@dataclass(frozen=True)
class Rule:
    """One Allow or Disallow line, with its pattern compiled."""

    allow: bool
    pattern: str
    regex: re.Pattern[str]


@dataclass
class _Group:
    agents: list[str] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    crawl_delay: float | None = None


@dataclass
class RobotsRules:
    """The rules of one robots.txt that apply to one user agent.

    ``allow_all`` and ``disallow_all`` build the rules for a missing robots.txt
    (4xx: everything allowed) and an unreachable one (5xx: nothing allowed, as RFC
    9309 requires).
    """

    rules: list[Rule] = field(default_factory=list)
    crawl_delay: float | None = None
    sitemaps: list[str] = field(default_factory=list)
    disallow_everything: bool = False

    @classmethod
    def allow_all(cls) -> RobotsRules:
        return cls()

    @classmethod
    def disallow_all(cls) -> RobotsRules:
        return cls(disallow_everything=True)

    def allows(self, url: str) -> bool:
        """Return whether the rules let the crawler fetch ``url``."""
        parts = urlsplit(url)
        path = parts.path or "/"
        if path == "/robots.txt":
            return True
        if self.disallow_everything:
            return False
        target = _decode(path + (f"?{parts.query}" if parts.query else ""))
        best: Rule | None = None
        for rule in self.rules:
            if not rule.regex.match(target):
                continue
            if (
                best is None
                or len(rule.pattern) > len(best.pattern)
                or (len(rule.pattern) == len(best.pattern) and rule.allow)
            ):
                best = rule
        return best is None or best.allow


def parse_robots(text: str, user_agent: str, robots_url: str) -> RobotsRules:
    """Parse robots.txt ``text`` for the agent whose product token is ``user_agent``.

    ``robots_url`` resolves relative ``Sitemap`` lines. Unknown lines and malformed
    patterns are skipped.
    """
    token = user_agent.split("/")[0].strip().lower()
    groups: list[_Group] = []
    sitemaps: list[str] = []
    current: _Group | None = None
    in_agent_lines = False

    for raw_line in text[:MAX_ROBOTS_BYTES].lstrip("\ufeff").splitlines():
        line = raw_line.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        name, value = (part.strip() for part in line.split(":", 1))
        name = name.lower()
        if name == "sitemap":
            try:
                sitemap_url = urljoin(robots_url, value) if value else None
            except ValueError:  # an invalid IPv6 host
                sitemap_url = None
            if sitemap_url:
                sitemaps.append(sitemap_url)
            continue
        if name == "user-agent":
            if current is None or not in_agent_lines:
                current = _Group()
                groups.append(current)
            current.agents.append(value.lower())
            in_agent_lines = True
            continue
        in_agent_lines = False
        if current is None:
            continue
        if name in ("allow", "disallow"):
            if not value:
                continue  # an empty Disallow allows everything
            rule = _compile(name == "allow", value)
            if rule is not None:
                current.rules.append(rule)
        elif name == "crawl-delay":
            try:
                delay = float(value)
            except ValueError:
                logger.warning("robots.txt Crawl-delay %r is not a number", value)
                continue
            if delay >= 0:
                current.crawl_delay = delay

    chosen = [g for g in groups if any(_agent_matches(a, token) for a in g.agents)]
    if not chosen:
        chosen = [g for g in groups if "*" in g.agents]
    rules = [rule for group in chosen for rule in group.rules]
    delays = [g.crawl_delay for g in chosen if g.crawl_delay is not None]
    return RobotsRules(
        rules=rules, crawl_delay=max(delays) if delays else None, sitemaps=sitemaps
    )


def _agent_matches(agent: str, token: str) -> bool:
    return agent != "*" and bool(agent) and token.startswith(agent)


def _compile(allow: bool, pattern: str) -> Rule | None:
    if not pattern.startswith(("/", "*")):
        return None
    decoded = _decode(pattern)
    anchored = decoded.endswith("$")
    body = decoded[:-1] if anchored else decoded
    regex = ".*".join(re.escape(piece) for piece in body.split("*"))
    if anchored:
        regex += r"\Z"
    return Rule(allow=allow, pattern=pattern, regex=re.compile(regex, re.DOTALL))


def _decode(value: str) -> str:
    # Percent-encoded and literal forms of a character compare equal, except an
    # encoded slash, which stays distinct from a path separator.
    return "%2F".join(unquote(piece) for piece in re.split("%2[fF]", value))
