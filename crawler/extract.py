"""Extraction of the parts of a CMS page that the index needs.

From the decoded HTML it takes the title (the main ``h1``, else ``<title>`` without
the site-name suffix), the breadcrumb trail and the main text. It also takes the
page number and update date that Japanese municipal CMSs print (``ページ番号1005386
更新日 2024年7月18日``), the canonical link, and every outgoing link resolved
against ``<base href>``. The main text leaves out the header, navigation,
sidebar, footer, share and print tools, related-page lists, forms and scripts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from crawler.urls import absolute_link, resolve_link

# The version of what extract_page returns for a given HTML page, and of the
# fields a crawl stores from it. Any change to that output (title, breadcrumbs,
# text, page data, canonical link, links) or to the URL shown to residents must
# bump it. A crawl fetches pages stored with another version without conditional
# headers, so that every page is extracted again instead of keeping its old
# fields after a 304. Version 4 stopped showing a canonical link that leaves the
# crawl's scope, except on the top page's canonical host with the same path.
EXTRACTOR_VERSION = 4

# Elements whose content is never main text.
DROPPED_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "header",
    "nav",
    "aside",
    "footer",
    "form",
    "iframe",
    "svg",
    "button",
    "select",
    "object",
    "embed",
    "canvas",
)

# An element whose id or class is one of these words (alone or joined to other words
# with - or _) is page furniture, not content.
_FURNITURE_WORDS = (
    "header|footer|nav|gnav|lnav|snav|navi|gnavi|lnavi|snavi|navigation|menu|"
    "megamenu|sidebar|side|copyright|"
    "sidenav|subnav|localnav|breadcrumb|breadcrumbs|topicpath|pankuzu|share|sns|"
    "social|print|tools|toolbar|utility|util|banner|banners|skip|pagetop|"
    "page-top|related|relation|kanren|page-meta|pagemeta|search|logo|"
    "cookie|modal"
)
_FURNITURE = re.compile(rf"(^|[-_])({_FURNITURE_WORDS})($|[-_])", re.I)

# Containers that hold the main content, most specific first: ("tag", name),
# ("id", value), ("class", value) or ("role", value).
MAIN_KEYS = (
    ("tag", "main"),
    ("role", "main"),
    ("id", "main"),
    ("id", "main-content"),
    ("id", "maincontent"),
    ("id", "content"),
    ("id", "contents"),
    ("id", "tmp_contents"),
    ("tag", "article"),
    ("class", "main"),
    ("class", "content"),
)

BREADCRUMB_KEYS = (
    ("aria", "breadcrumb"),
    ("id", "breadcrumb"),
    ("id", "breadcrumbs"),
    ("class", "breadcrumb"),
    ("class", "breadcrumbs"),
    ("id", "topicpath"),
    ("class", "topicpath"),
    ("id", "pankuzu"),
    ("class", "pankuzu"),
    ("id", "tmp_pankuzu"),
)

BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "table",
        "tr",
        "thead",
        "tbody",
        "caption",
        "blockquote",
        "pre",
        "figure",
        "figcaption",
        "address",
        "hr",
        "br",
        "details",
        "summary",
    }
)
CELL_TAGS = frozenset({"td", "th"})

TITLE_SEPARATORS = re.compile(r"\s*(?:｜|\||│|::|：：| - | – | — |－|／| / )\s*")
BREADCRUMB_SEPARATORS = re.compile(r"\s*(?:>|＞|»|›|≫|→)\s*")
# Between links, loose text is split at an arrow only when a space sets it off,
# so that the current page's own name (… &gt; 転入→転出の手続き) stays whole.
_SPACED_SEPARATORS = re.compile(r"\s*(?:>|＞|»|›|≫)\s*|\s+→\s*|\s*→\s+")
_NON_ARROW_SEPARATOR = re.compile(r">|＞|»|›|≫")
# Separators drawn at a crumb's start or end, as in <li>ホーム ＞</li>.
_CRUMB_EDGE_SEPARATORS = re.compile(
    r"^(?:\s*(?:>|＞|»|›|≫|→))+|(?:(?:>|＞|»|›|≫|→)\s*)+$"
)
PAGE_NUMBER = re.compile(r"ページ(?:番号|ID)\s*[:：]?\s*(\d+)")
_DATE = (
    r"\s*[:：]?\s*(?:(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})日?"
    r"|(令和|平成)\s*(\d{1,2}|元)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日)"
)
# An update date wins over a publication date when a page prints both.
DATE_LABELS = (
    re.compile(r"(?:最終更新日|更新日)" + _DATE),
    re.compile(r"(?:掲載日|公開日|作成日)" + _DATE),
)
# A text line that holds only the CMS's page number and date is furniture.
PAGE_META_LINE = re.compile(
    r"^ページ(?:番号|ID)\s*[:：]?\s*\d+(?:\s*(?:最終更新日|更新日|掲載日|公開日)"
    r"\s*[:：]?\s*\S+(?:\s*\S+日)?)?$"
)
ERA_START_YEAR = {"令和": 2018, "平成": 1988}
# A folder URL ending in one of these names is the same page as the folder.
INDEX_FILE_NAMES = ("index.html", "index.htm", "index.php")


@dataclass
class Link:
    """An outgoing link: normalised absolute URL and its text."""

    url: str
    text: str


@dataclass
class Extracted:
    """The parts of one HTML page that the store keeps."""

    title: str
    breadcrumbs: list[str]
    text: str
    page_number: str | None
    updated: str | None
    canonical_url: str | None
    base_url: str
    links: list[Link] = field(default_factory=list)
    # The canonical link as the page writes it (``dir/index.html`` kept), made
    # absolute; ``canonical_url`` is its normalised form.
    canonical_href: str | None = None
    noindex: bool = False
    nofollow: bool = False
    # The whole ``<title>``, site name included. It is not stored: the crawl
    # reads it to tell "page not found" notices (crawler.not_found).
    head_title: str = ""


def extract_page(html: str, page_url: str) -> Extracted:
    """Extract title, breadcrumbs, main text, page data and links from ``html``.

    ``page_url`` is the URL the page was fetched from; links resolve against the
    ``<base href>`` if the page has one, else against it.
    """
    soup = BeautifulSoup(html, "html.parser")
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()

    base_url = page_url
    base = soup.find("base", href=True)
    if base is not None:
        base_url = resolve_link(page_url, base["href"]) or page_url

    canonical_url = canonical_href = None
    for link in soup.find_all("link", href=True):
        rel = [value.lower() for value in link.get("rel") or []]
        if "canonical" in rel:
            canonical_url = resolve_link(base_url, link["href"])
            canonical_href = absolute_link(base_url, link["href"])
            break

    robots = _meta_robots(soup)
    links = _links(soup, base_url)
    full_text = _clean(soup.get_text(" "))
    page_number, updated = _page_data(full_text)
    landmarks = _landmarks(soup)
    breadcrumbs = _breadcrumbs(landmarks)
    main = _first(landmarks, MAIN_KEYS) or soup.body or soup
    h1 = main.find("h1") or _h1_outside_furniture(soup)
    title = _clean(h1.get_text(" ")) if h1 is not None else ""
    if not title:
        title = _title_without_site_name(soup)
    slug = ""
    if is_folder_slug(title, canonical_url or page_url):
        named = _own_link_text(main, base_url, (page_url, canonical_url))
        if named:
            slug, title = title, named
    _drop_furniture(main)
    if slug:
        # The slug heading only spells the folder's name in romaji, and the
        # page's real name is the title now.
        if h1 is not None:
            h1.decompose()
    text = _block_text(main)

    return Extracted(
        title=title,
        breadcrumbs=breadcrumbs,
        text=text,
        page_number=page_number,
        updated=updated,
        canonical_url=canonical_url,
        canonical_href=canonical_href,
        base_url=base_url,
        links=links,
        noindex="noindex" in robots or "none" in robots,
        nofollow="nofollow" in robots or "none" in robots,
        head_title=_clean(soup.title.get_text(" ")) if soup.title else "",
    )


def is_folder_slug(title: str, url: str) -> bool:
    """Tell whether ``title`` is only the URL's folder or file name, not a name.

    Some CMSs title a folder's index page with the folder's romanized name or
    number (``nyuen moshikomi`` for ``.../nyuen_moshikomi/``, ``1002345`` for
    ``.../1002345/``). Case, spaces, ``-`` and ``_`` are ignored.
    """
    if not title or not title.isascii():
        return False
    segment = _folder_path(urlsplit(url).path).rstrip("/").rsplit("/", 1)[-1]
    segment = segment.rsplit(".", 1)[0] if "." in segment else segment
    return bool(segment) and _slug_form(title) == _slug_form(segment)


def _slug_form(text: str) -> str:
    return re.sub(r"[\s_-]+", "_", text.strip().lower())


def _own_link_text(region: Tag, base_url: str, urls: tuple[str | None, ...]) -> str:
    """Return the text of the first link in ``region`` to the page itself.

    A folder index page titled with its slug often lists itself under its real
    name. Links whose text is itself a slug are skipped, and "" is returned when
    no other link to the page is left.
    """
    own = {_page_key(url) for url in urls if url}
    for anchor in region.find_all("a", href=True):
        target = resolve_link(base_url, anchor["href"])
        if target is None or _page_key(target) not in own:
            continue
        text = _clean(anchor.get_text(" "))
        if text and not is_folder_slug(text, target):
            return text
    return ""


def _page_key(url: str) -> tuple[str, str]:
    """Return ``url``'s host and path, without a trailing index file name."""
    parts = urlsplit(url)
    return parts.netloc.lower(), _folder_path(parts.path)


def _folder_path(path: str) -> str:
    path = path or "/"
    for name in INDEX_FILE_NAMES:
        if path.endswith("/" + name):
            return path[: -len(name)]
    return path


def _meta_robots(soup: BeautifulSoup) -> set[str]:
    values: set[str] = set()
    for meta in soup.find_all("meta", attrs={"name": True, "content": True}):
        if meta["name"].strip().lower() in ("robots", "cityline-crawler"):
            values.update(v.strip().lower() for v in meta["content"].split(","))
    return values


def _links(soup: BeautifulSoup, base_url: str) -> list[Link]:
    seen: set[str] = set()
    links: list[Link] = []
    for anchor in soup.find_all(["a", "area"], href=True):
        rel = [value.lower() for value in anchor.get("rel") or []]
        if "nofollow" in rel:
            continue
        url = resolve_link(base_url, anchor["href"])
        if url is None or url in seen:
            continue
        seen.add(url)
        links.append(Link(url=url, text=_clean(anchor.get_text(" "))))
    return links


def _page_data(text: str) -> tuple[str | None, str | None]:
    number = PAGE_NUMBER.search(text)
    date = next((m for m in (label.search(text) for label in DATE_LABELS) if m), None)
    updated = None
    if date:
        if date.group(1):
            year, month, day = (
                int(date.group(1)),
                int(date.group(2)),
                int(date.group(3)),
            )
        else:
            era_year = 1 if date.group(5) == "元" else int(date.group(5))
            year = ERA_START_YEAR[date.group(4)] + era_year
            month, day = int(date.group(6)), int(date.group(7))
        if 1 <= month <= 12 and 1 <= day <= 31:
            updated = f"{year:04d}-{month:02d}-{day:02d}"
    return (number.group(1) if number else None), updated


def _landmarks(soup: BeautifulSoup) -> dict[tuple[str, str], Tag]:
    """Index the first element of each tag, id, class, role and aria-label.

    One pass over the tree replaces a CSS selector search per candidate, which
    took most of the extraction time on CMS pages.
    """
    found: dict[tuple[str, str], Tag] = {}
    for tag in soup.find_all(True):
        keys = [("tag", tag.name)]
        if tag.get("id"):
            keys.append(("id", tag["id"]))
        keys.extend(("class", name) for name in tag.get("class") or [])
        if tag.get("role"):
            keys.append(("role", tag["role"]))
        label = (tag.get("aria-label") or "").lower()
        if "breadcrumb" in label or "パンくず" in label:
            keys.append(("aria", "breadcrumb"))
        for key in keys:
            found.setdefault(key, tag)
    return found


def _first(landmarks: dict[tuple[str, str], Tag], keys) -> Tag | None:
    return next((landmarks[key] for key in keys if key in landmarks), None)


def _breadcrumbs(landmarks: dict[tuple[str, str], Tag]) -> list[str]:
    trail = _first(landmarks, BREADCRUMB_KEYS)
    if trail is None:
        return []
    items = trail.find_all("li")
    if items:
        crumbs = [_clean(item.get_text(" ")) for item in items]
    else:
        crumbs = _linked_crumbs(trail)
    crumbs = [_CRUMB_EDGE_SEPARATORS.sub("", crumb).strip() for crumb in crumbs]
    return [crumb for crumb in crumbs if crumb]


def _linked_crumbs(trail: Tag) -> list[str]:
    """Return the crumbs of a trail without list items.

    Each link is one crumb, so a label that contains a separator character (東京→大阪)
    stays whole. The text between links, such as the current page's name after
    the last one, and a trail without links are split by :func:`_split_loose`,
    told whether the whole trail uses separators other than arrows.
    """
    others = bool(_NON_ARROW_SEPARATOR.search(trail.get_text("")))
    if not trail.find_all("a"):
        return _split_loose(_clean(trail.get_text(" ")), others)
    crumbs: list[str] = []
    loose: list[str] = []
    for node in trail.descendants:
        if isinstance(node, Tag) and node.name == "a":
            crumbs.extend(_split_loose(_clean("".join(loose)), others))
            loose = []
            crumbs.append(_clean(node.get_text(" ")))
        elif _is_text(node) and node.find_parent("a") is None:
            loose.append(str(node))
    crumbs.extend(_split_loose(_clean("".join(loose)), others))
    return crumbs


def _split_loose(text: str, others: bool) -> list[str]:
    """Split trail text at its separators.

    When the trail has separators other than arrows (``others``), an arrow
    splits only where a space sets it off, because there an unspaced arrow
    belongs to a label (ホーム > 転入→転出の手続き). A trail of arrows alone splits
    at each.
    """
    if others:
        return _SPACED_SEPARATORS.split(text)
    return BREADCRUMB_SEPARATORS.split(text)


def _is_text(node: object) -> bool:
    return isinstance(node, NavigableString) and not isinstance(node, Comment)


def _title_without_site_name(soup: BeautifulSoup) -> str:
    if soup.title is None:
        return ""
    title = _clean(soup.title.get_text(" "))
    parts = TITLE_SEPARATORS.split(title)
    if len(parts) > 1 and parts[0]:
        return _clean(" ".join(parts[:-1]))
    return title


def _h1_outside_furniture(soup: BeautifulSoup) -> Tag | None:
    """Return the first h1 that is not inside a header, nav or footer: a logo's
    h1 in the page header names the site, not the page."""
    for h1 in soup.find_all("h1"):
        if not h1.find_parent(["header", "nav", "footer"]) and not any(
            _is_furniture(parent) for parent in h1.parents if isinstance(parent, Tag)
        ):
            return h1
    return None


def _drop_furniture(region: Tag) -> None:
    for tag in region.find_all(DROPPED_TAGS):
        tag.decompose()
    total = len(region.get_text(strip=True))
    for tag in region.find_all(True):
        if tag.decomposed:
            continue
        if _is_furniture(tag) and not _holds_the_content(tag, total):
            tag.decompose()


def _holds_the_content(tag: Tag, total: int) -> bool:
    """Tell whether ``tag`` wraps most of its region's text, as a
    <div id="print_area"> around a whole article does: such a wrapper is no
    page furniture, whatever its name."""
    return total > 0 and len(tag.get_text(strip=True)) * 2 > total


def _is_furniture(tag: Tag) -> bool:
    if tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    words = list(tag.get("class") or [])
    if tag.get("id"):
        words.append(tag["id"])
    return any(_FURNITURE.search(word) for word in words)


def _block_text(region: Tag) -> str:
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        line = _clean("".join(current))
        if line:
            lines.append(line)
        current.clear()

    def walk(node) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                current.append(str(child))
            elif isinstance(child, Tag):
                if child.name in BLOCK_TAGS:
                    flush()
                    walk(child)
                    flush()
                elif child.name in CELL_TAGS:
                    current.append(" ")
                    walk(child)
                    current.append(" ")
                elif child.name == "img":
                    current.append(child.get("alt") or "")
                else:
                    walk(child)

    walk(region)
    flush()
    return "\n".join(line for line in lines if not PAGE_META_LINE.match(line))


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"\s+", " ", text).strip()
