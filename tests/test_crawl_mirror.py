"""A full crawl and re-crawl of the mirrored city site, when the data is present."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from crawler.config import CrawlConfig
from crawler.crawl import crawl_site
from crawler.store import PageStore
from crawler.urls import normalize_url
from tests.crawl_site import settings_for

# The origin the mirror's sitemap and canonical links name; serve.py rewrites the
# sitemap to the served origin.
REAL_ORIGIN = "https://www.city.musashino.lg.jp"
TEMPLATE_PAGE = "kurashi_tetsuzuki/shigoto_sangyo/nosei/1005806.html"
# Template parts whose strings must never reach a page's text. The global
# navigation is checked as a sequence, because the top page lists the same
# categories as its content.
TEMPLATE_SELECTORS = (
    "#skip",
    "header .util li",
    "header form label",
    ".tools a",
    "aside h2",
    "aside .banner",
    "footer li",
    "footer p",
)


@pytest.fixture
def mirror(shared_data: Path):
    """Serve the mirror on a free loopback port; yield its base URL."""
    process = subprocess.Popen(
        [sys.executable, str(shared_data / "serve.py"), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert match, f"serve.py printed no address: {line!r}"
        yield match.group(0)
    finally:
        process.terminate()
        process.wait(timeout=10)


def sitemap_urls(shared_data: Path, base_url: str) -> list[str]:
    text = (shared_data / "site" / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", text)
    return [normalize_url(loc.replace(REAL_ORIGIN, base_url)) for loc in locs]


def template_strings(shared_data: Path) -> tuple[set[str], list[str]]:
    """Return the template's strings and its global navigation labels."""
    html = (shared_data / "site" / TEMPLATE_PAGE).read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    strings = set()
    for selector in TEMPLATE_SELECTORS:
        for element in soup.select(selector):
            text = " ".join(element.get_text(" ").split())
            if text:
                strings.add(text)
    navigation = [" ".join(a.get_text().split()) for a in soup.select("#gnav a")]
    return strings, navigation


@pytest.mark.slow
def test_mirror_crawl_and_recrawl(shared_data, mirror, tmp_path):
    settings = settings_for(tmp_path)
    config = dataclasses.replace(CrawlConfig(), delay=0)
    first = crawl_site(settings, mirror + "/", config)
    second = crawl_site(settings, mirror + "/", config)

    expected = sitemap_urls(shared_data, mirror)
    assert len(expected) == 200
    with PageStore.open(settings.pages_db_path) as store:
        missing = [url for url in expected if store.get(url) is None]
        pages = list(store.iter_pages())
    assert missing == []

    calendar = [page.url for page in pages if "/event/calendar.html" in page.url]
    # The static calendar page and its two neighbouring months are linked from
    # pages of other patterns; the months they chain to stop at the pattern limit.
    assert 1 < len(calendar) <= 3 + config.max_per_pattern
    assert first.new == len(pages)

    assert second.new == 0
    assert second.changed == 0
    assert second.removed == 0
    assert second.unchanged == len(pages)
    assert not second.stopped_at_max_pages

    strings, navigation = template_strings(shared_data)
    sequence = "\n".join(navigation[:3])
    for page in pages:
        lines = [line for line in page.text.split("\n") if line != page.title]
        body = "\n".join(lines)
        assert sequence not in body, page.url
        for string in strings:
            if len(string) < 6:
                # Short labels such as 印刷 are also ordinary words, so only a
                # line that is the label alone counts as template.
                assert string not in lines, (page.url, string)
            else:
                assert string not in body, (page.url, string)


@pytest.mark.slow
def test_mirror_shift_jis_pages_decode(shared_data, mirror, tmp_path):
    settings = settings_for(tmp_path)
    sjis = []
    for path in sorted((shared_data / "site").rglob("*.html")):
        if b'charset="Shift_JIS"' in path.read_bytes()[:1024]:
            sjis.append(path.relative_to(shared_data / "site").as_posix())
    assert sjis, "the mirror has no Shift_JIS page"
    config = dataclasses.replace(CrawlConfig(), delay=0, max_pages=1)
    crawl_site(settings, f"{mirror}/{sjis[0]}", config)
    with PageStore.open(settings.pages_db_path) as store:
        page = store.get(f"{mirror}/{sjis[0]}")
    assert page.encoding == "cp932"
    assert "\ufffd" not in page.text
    assert re.search(r"[ぁ-んァ-ン一-龥]", page.title)
