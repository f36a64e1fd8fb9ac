"""Host selection for page removal, parsed from the command line.

After a site moves to a new origin, ``cityline pages --remove-host HOST`` or
``--remove-other-hosts URL`` removes the pages stored from the old one. This module
turns those option values into a :class:`HostSelection` and picks the stored
origins it matches; the command in :mod:`crawler.cli` does the removal.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from crawler.errors import PageStoreError, StartUrlError
from crawler.urls import normalize_url, origin, shorten, validate_start_url

# Stored hosts named in an error about a host that has no stored pages.
_MAX_HOSTS_SHOWN = 10


@dataclass(frozen=True)
class HostSelection:
    """The stored origins (``scheme://host[:port]``) that a removal option selects.

    ``--remove-host`` selects the stored origins in ``origins``, and
    ``--remove-other-hosts`` every stored origin whose host and port differ from
    ``keep_netloc``, the same test a crawl uses for its scope. ``value`` is the
    option's value as given.
    """

    value: str
    origins: frozenset[str] = frozenset()
    keep_netloc: str | None = None

    def select(self, stored: dict[str, int]) -> list[str]:
        """Return the origins of ``stored`` to remove, or raise PageStoreError.

        Raises when ``--remove-host`` matches no stored origin, and when no page of
        the host that ``--remove-other-hosts`` keeps is stored, since every page
        would go.
        """
        if self.keep_netloc is None:
            chosen = [item for item in stored if item in self.origins]
            if not chosen:
                raise PageStoreError(
                    f"no pages stored for host {self.value!r}; "
                    f"{stored_hosts(stored)}; pass one of them to --remove-host"
                )
            return chosen
        kept_origins = [
            item for item in stored if urlsplit(item).netloc == self.keep_netloc
        ]
        if not kept_origins:
            raise PageStoreError(
                f"no pages stored for the host of {self.value!r}, so "
                "--remove-other-hosts would remove every page; "
                f"{stored_hosts(stored)}; pass the URL that the site is crawled "
                "from now"
            )
        return [item for item in stored if item not in kept_origins]


def host_selection(value: str) -> HostSelection:
    """Parse ``--remove-host``: a host with an optional port, or an origin URL.

    Raises ValueError, naming the value and the form to pass, when it is neither.
    """
    host = value.strip()
    shown = shorten(host)
    if "://" in host:
        return HostSelection(host, frozenset({_url_origin(host, shown)}))
    if "@" in host:
        raise ValueError(
            "the host contains a user name or password; remove the part before '@'"
        )
    if not host or any(char in host for char in "/?#\\") or _has_space(host):
        raise ValueError(
            f"{shown!r} is not a host; pass a host such as old.example or "
            "old.example:8080, or an origin URL such as http://old.example/"
        )
    if host.count(":") > 1 and not host.startswith("["):
        raise ValueError(
            f"{shown!r} is an IPv6 address without brackets; pass it as [::1] or "
            "[::1]:8080"
        )
    # Without a scheme the host matches both, and a port that is the default of
    # one scheme (80 or 443) drops out of that scheme's normalised URLs.
    origins = frozenset(
        _url_origin(f"{scheme}://{host}/", shown) for scheme in ("http", "https")
    )
    return HostSelection(host, origins)


def _url_origin(url: str, shown: str) -> str:
    """Return the normalised origin of an origin URL, or raise ValueError.

    ``shown`` is the value to name in the error.
    """
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError outside 0-65535
    except ValueError as exc:
        raise ValueError(
            f"{shown!r} is invalid ({exc}); pass a host such as old.example:8080 or "
            "an origin URL such as http://old.example/"
        ) from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"{shown!r} is not an http:// or https:// URL with a host; pass an "
            "origin URL such as http://old.example/"
        )
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            f"the URL for host {parts.hostname!r} contains a user name or password; "
            "remove the part before '@'"
        )
    if port == 0:
        raise ValueError(f"{shown!r} has an invalid port; use a number from 1 to 65535")
    found = origin(normalize_url(url))
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(
            f"{shown!r} names more than a host; pages are removed per host, so pass "
            f"{found + '/'!r}"
        )
    return found


def _has_space(value: str) -> bool:
    return any(char.isspace() for char in value)


def keep_selection(value: str) -> HostSelection:
    """Parse ``--remove-other-hosts``: a start URL whose host keeps its pages.

    Raises ValueError with the start URL check's message when it is not one.
    """
    try:
        start = validate_start_url(value)
    except StartUrlError as exc:
        raise ValueError(str(exc)) from exc
    return HostSelection(value, keep_netloc=urlsplit(start).netloc)


def stored_hosts(stored: dict[str, int]) -> str:
    """Return the stored origins and their page counts for an error message."""
    if not stored:
        return "the page store holds no pages"
    shown = [f"{item} ({count})" for item, count in stored.items()]
    more = len(shown) - _MAX_HOSTS_SHOWN
    listing = ", ".join(shown[:_MAX_HOSTS_SHOWN])
    if more > 0:
        listing += f" and {more} more"
    return f"stored hosts (pages): {listing}"
