"""URL normalisation, crawl scope and trap patterns.

One page has one normalised URL. The scheme and host are lower case, and the default
port and the fragment are dropped. ``dir/index.html`` (and ``index.htm``) becomes
``dir/``. Print, share and tracking query parameters are dropped and the remaining
ones are sorted. Percent escapes use one spelling.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import (
    quote,
    unquote,
    unquote_to_bytes,
    urldefrag,
    urljoin,
    urlsplit,
)

from crawler.errors import StartUrlError
from index.normalize import has_lone_surrogate

DEFAULT_PORTS = {"http": 80, "https": 443}
INDEX_NAMES = ("index.html", "index.htm")

# Query parameters that select a print view, a share dialog or a tracking campaign,
# or carry a server session. They never change the page's content. A bare sid is
# kept, since some sites name a section id so.
DROPPED_PARAMS = frozenset(
    {
        "print",
        "printable",
        "print_mode",
        "printmode",
        "share",
        "sns",
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "ref_src",
        "jsessionid",
        "phpsessid",
        "sessionid",
        "session_id",
        "cftoken",
    }
)
DROPPED_PREFIXES = ("utm_", "aspsessionid")

# Links with these extensions are files: recorded, never fetched.
FILE_EXTENSIONS = frozenset(
    {
        ".pdf",
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
        ".xlsm",
        ".ppt",
        ".pptx",
        ".odt",
        ".ods",
        ".odp",
        ".rtf",
        ".csv",
        ".txt",
        ".jtd",
        ".zip",
        ".lzh",
        ".gz",
        ".jpg",
        ".jpeg",
        ".png",
        ".gif",
        ".svg",
        ".webp",
        ".bmp",
        ".mp3",
        ".mp4",
        ".m4a",
        ".wav",
        ".mov",
        ".avi",
        ".wmv",
        ".kml",
        ".kmz",
        ".xml",
        ".json",
        ".css",
        ".js",
        ".ics",
    }
)

# Characters kept as they are when a path or query is re-encoded.
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")
_DIGITS = re.compile(r"\d+")
# Escapes of characters that separate URL parts; decoding them would change the URL.
_RESERVED_ESCAPE = re.compile(r"(%(?:2[fF]|3[fF]|23|25|26|3[dD]|2[bB]))")


def validate_start_url(url: str, max_length: int = 2048) -> str:
    """Return the normalised start URL, or raise StartUrlError naming it.

    Rejects URLs that are not absolute http(s), longer than ``max_length``
    characters, with a port outside 1-65535, an invalid IPv6 host, or a user name
    or password (which the crawl would drop and the logs would show).
    """
    url = url.strip()
    shown = shorten(url)
    if has_undecoded_bytes(url):
        raise StartUrlError(undecoded_message("start URL", shown))
    if len(url) > max_length:
        raise StartUrlError(
            f"start URL {shown!r} is {len(url)} characters long; pass a URL of at "
            f"most {max_length} characters"
        )
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # an unclosed "[" of an IPv6 host
        raise StartUrlError(
            f"start URL {shown!r} is invalid ({exc}); pass an absolute URL such as "
            "https://www.city.example.lg.jp/"
        ) from exc
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        raise StartUrlError(
            f"start URL {shown!r} is invalid: it needs http:// or https:// and a "
            "host; pass an absolute URL such as https://www.city.example.lg.jp/"
        )
    if parts.username is not None or parts.password is not None:
        raise StartUrlError(
            f"start URL for host {parts.hostname!r} contains a user name or "
            "password; the crawler sends no credentials, so remove the part "
            "before '@'"
        )
    try:
        port = parts.port  # raises ValueError above 65535
    except ValueError:
        port = -1
    if port is not None and not 1 <= port <= 65535:
        raise StartUrlError(
            f"start URL {shown!r} has an invalid port; use a number from 1 to 65535"
        )
    return normalize_url(url)


def has_undecoded_bytes(value: str) -> bool:
    """Tell whether ``value`` contains command-line bytes that are not UTF-8 (a
    URL typed in Shift_JIS, say), which no URL or database can store."""
    return has_lone_surrogate(value)


def undecoded_message(label: str, value: str) -> str:
    """Return the error message for the argument ``label`` whose ``value``
    contains bytes that are not UTF-8."""
    return (
        f"{label} {value!r} contains bytes that are not UTF-8 (shown as \\udcXX); "
        "type it again in UTF-8, or percent-encode those bytes (%E6%AD%A6)"
    )


def shorten(value: str, limit: int = 120) -> str:
    """Return ``value`` cut to ``limit`` characters for an error message."""
    if len(value) <= limit:
        return value
    return f"{value[:limit]}..."


def normalize_url(url: str) -> str:
    """Return the normalised form of the absolute http(s) URL ``url``."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    netloc = host if port in (None, DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"

    path = _normalize_path(parts.path or "/")
    query = _normalize_query(parts.query)
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")


def resolve_link(base: str, href: str) -> str | None:
    """Resolve ``href`` against ``base`` and normalise it.

    Returns None for links that are not http(s): mailto, tel, javascript, data, and
    bare fragments.
    """
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    try:
        absolute = urljoin(base, href)
        if urlsplit(absolute).scheme.lower() not in DEFAULT_PORTS:
            return None
        return normalize_url(absolute)
    except ValueError:  # a bad port or an invalid IPv6 host
        return None


def absolute_link(base: str, href: str) -> str | None:
    """Resolve ``href`` against ``base`` without normalising it, fragment dropped.

    This is the URL as the site writes it (``dir/index.html`` stays), for showing
    to people. Returns None where :func:`resolve_link` does.
    """
    if resolve_link(base, href) is None:
        return None
    return urldefrag(urljoin(base, href.strip())).url


def is_file_url(url: str) -> bool:
    """Return whether ``url`` names a file (PDF, office, image...) by extension."""
    path = urlsplit(url).path.lower()
    return posixpath.splitext(path)[1] in FILE_EXTENSIONS


def url_pattern(url: str) -> str:
    """Return the trap pattern of ``url``: its path and query with digit runs as 0."""
    parts = urlsplit(url)
    target = unquote(parts.path) + (f"?{unquote(parts.query)}" if parts.query else "")
    return _DIGITS.sub("0", target)


def origin(url: str) -> str:
    """Return ``scheme://host[:port]`` of ``url``."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def in_scope(url: str, start_url: str, prefixes: tuple[str, ...] = ()) -> bool:
    """Return whether ``url`` is on the start URL's host or under a given prefix."""
    if urlsplit(url).netloc == urlsplit(start_url).netloc:
        return True
    return any(url.startswith(prefix) for prefix in prefixes)


def _normalize_path(path: str) -> str:
    path = _normalize_escapes(path)
    # Remove dot segments, keeping a trailing slash.
    trailing = path.endswith("/") or path.endswith("/.") or path.endswith("/..")
    clean = posixpath.normpath(path) if path not in ("", "/") else "/"
    if clean.startswith("//"):
        clean = "/" + clean.lstrip("/")
    if trailing and not clean.endswith("/"):
        clean += "/"
    name = clean.rsplit("/", 1)[-1]
    if name.lower() in INDEX_NAMES:
        clean = clean[: -len(name)]
    return clean or "/"


def _normalize_query(query: str) -> str:
    """Return the query's parameters, sorted, each ``key=value`` with one escaping.

    UTF-8 text is escaped as ``urlencode`` does (``+`` read as a space). Escapes
    of a legacy encoding (Shift_JIS ``%8C%9F``) stay as they are, in upper case,
    since decoding them as UTF-8 would turn different queries into one.
    """
    if not query:
        return ""
    parameters = []
    for part in query.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        key_text, key_form = _query_component(key)
        value_text, value_form = _query_component(value)
        name = key_text.lower()
        if name in DROPPED_PARAMS or name.startswith(DROPPED_PREFIXES):
            continue
        parameters.append(((key_text, value_text), f"{key_form}={value_form}"))
    parameters.sort(key=lambda item: item[0])
    return "&".join(form for _, form in parameters)


def _query_component(raw: str) -> tuple[str, str]:
    """Return a query key or value as text (for sorting and dropping) and in its
    normal escaped form."""
    spaced = raw.replace("+", " ")
    try:
        text = unquote_to_bytes(spaced).decode("utf-8")
    except UnicodeDecodeError:
        # The escapes stay; anything else that a URL may not hold is escaped.
        escaped = quote(spaced, safe="%!$'()*,;:@/?~")
        legacy_form = _PERCENT.sub(lambda m: m.group(0).upper(), escaped)
        return legacy_form, legacy_form
    return text, quote(text, safe="")


def _normalize_escapes(value: str) -> str:
    # Decode every escape except those of reserved characters, then encode what must
    # be encoded, so that /a%7Eb, /a~b and /a%7eb become one URL.
    pieces = _RESERVED_ESCAPE.split(value)
    out = []
    for index, piece in enumerate(pieces):
        if index % 2:  # a reserved escape, kept with upper-case hex
            out.append(piece.upper())
            continue
        try:
            decoded = unquote_to_bytes(piece).decode("utf-8")
        except UnicodeDecodeError:  # escapes of a legacy encoding stay as they are
            out.append(_PERCENT.sub(lambda m: m.group(0).upper(), piece))
            continue
        out.append(quote(decoded, safe=_PATH_SAFE.replace("%", "")))
    return "".join(out)
