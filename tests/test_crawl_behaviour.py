"""Crawls of small loopback sites, one behaviour each."""

from __future__ import annotations

import dataclasses
import gzip
import time

import pytest

from crawler.crawl import crawl_site
from crawler.store import PageStore
from tests.crawl_site import FAST, FakeSite, html_page, settings_for

SJIS_PAGE = (
    "<!DOCTYPE html><html><head><meta charset='Shift_JIS'><title>{0}</title></head>"
    "<body><main><h1>{0}</h1><p>①番窓口、㈱武蔵野、髙橋さん、9時～17時</p></main>"
    "</body></html>"
)


def crawl(tmp_path, site, path="/", config=FAST):
    return crawl_site(settings_for(tmp_path), site.url(path), config)


def open_store(tmp_path) -> PageStore:
    return PageStore.open(settings_for(tmp_path).pages_db_path)


def test_sitemaps_over_the_limit_are_named(tmp_path, caplog):
    ns = "xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'"
    children = "".join(f"<sitemap><loc>/maps/{n}.xml</loc></sitemap>" for n in range(4))
    config = dataclasses.replace(FAST, max_sitemaps=3)
    with FakeSite() as site:
        site.add(
            "/sitemap.xml",
            f"<?xml version='1.0'?><sitemapindex {ns}>{children}</sitemapindex>",
            content_type="application/xml",
        )
        for n in range(4):
            urls = f"<url><loc>{site.base_url}/p{n}.html</loc></url>"
            site.add(f"/maps/{n}.xml", f"<urlset {ns}>{urls}</urlset>")
            site.page(f"/p{n}.html", f"ページ{n}")
        site.page("/", "トップ")
        with caplog.at_level("WARNING"):
            crawl(tmp_path, site, config=config)

    assert "read 3 sitemap files, the limit; 2 more were left unread" in caplog.text


def test_sitemap_seeds_pages_not_linked_anywhere(tmp_path):
    index = (
        "<?xml version='1.0'?><sitemapindex "
        "xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        "<sitemap><loc>/maps/a.xml.gz</loc></sitemap></sitemapindex>"
    )
    child = (
        "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        "<url><loc>{base}/hidden/deep.html</loc></url>"
        "<url><loc>https://elsewhere.example/out.html</loc></url></urlset>"
    )
    plain = (
        "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        "<url><loc>{base}/from-root-sitemap.html</loc></url></urlset>"
    )
    with FakeSite() as site:
        site.add(
            "/robots.txt",
            "User-agent: *\nSitemap: /maps/index.xml\n",
            content_type="text/plain",
        )
        site.add("/maps/index.xml", index, content_type="application/xml")
        site.add(
            "/maps/a.xml.gz",
            gzip.compress(child.format(base=site.base_url).encode()),
            content_type="application/gzip",
        )
        site.add(
            "/sitemap.xml", plain.format(base=site.base_url), content_type="text/xml"
        )
        site.page("/", "トップ")
        site.page("/hidden/deep.html", "サイトマップだけのページ")
        site.page("/from-root-sitemap.html", "ルートのサイトマップ")
        summary = crawl(tmp_path, site)

    assert summary.new == 3
    with open_store(tmp_path) as store:
        assert (
            store.get(site.url("/hidden/deep.html")).title == "サイトマップだけのページ"
        )
        assert store.get(site.url("/from-root-sitemap.html")) is not None


def test_shift_jis_and_cp932_pages_without_http_charset(tmp_path):
    with FakeSite() as site:
        site.page(
            "/", "トップ", "<a href='/sjis.html'>s</a><a href='/cp932.html'>c</a>"
        )
        site.add(
            "/sjis.html",
            SJIS_PAGE.format("窓口案内").encode("cp932"),
            content_type="text/html",
        )
        cp932_page = SJIS_PAGE.format("髙橋").replace("Shift_JIS", "windows-31j")
        site.add("/cp932.html", cp932_page.encode("cp932"), content_type="text/html")
        crawl(tmp_path, site)

    with open_store(tmp_path) as store:
        sjis = store.get(site.url("/sjis.html"))
        cp932 = store.get(site.url("/cp932.html"))
    assert sjis.encoding == "cp932"
    assert "①番窓口、㈱武蔵野、髙橋さん、9時～17時" in sjis.text
    assert cp932.title == "髙橋"
    assert "㈱武蔵野" in cp932.text


def test_redirect_chain_stores_page_where_permanent_hops_end(tmp_path):
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/old.html'>旧</a>")
        site.add("/old.html", status=301, headers={"Location": "/mid.html"})
        site.add("/mid.html", status=302, headers={"Location": "/new.html"})
        site.page("/new.html", "新しいページ")
        first = crawl(tmp_path, site)
        second = crawl(tmp_path, site)
        old_fetches = len(site.requests_for("/old.html"))

    assert first.new == 2
    assert second.new == 0
    assert old_fetches == 2  # a link still names it, so the redirect is checked
    # 301 to /mid.html moves the page there; its 302 onwards does not.
    with open_store(tmp_path) as store:
        assert store.get(site.url("/mid.html")).title == "新しいページ"
        assert store.get(site.url("/old.html")).url == site.url("/mid.html")
        assert store.aliases()[site.url("/old.html")] == (
            site.url("/mid.html"),
            "redirect",
        )


def test_redirect_loop_fails_with_reason(tmp_path):
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a>")
        site.add("/a.html", status=302, headers={"Location": "/b.html"})
        site.add("/b.html", status=302, headers={"Location": "/a.html"})
        summary = crawl(tmp_path, site)

    assert summary.failed == 1
    assert "redirect loop" in summary.failures[0][1]


def test_too_many_redirects_fail(tmp_path):
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/r0.html'>r</a>")
        for i in range(10):
            site.add(f"/r{i}.html", status=301, headers={"Location": f"/r{i + 1}.html"})
        summary = crawl(
            tmp_path, site, config=dataclasses.replace(FAST, max_redirects=3)
        )

    assert summary.failed == 1
    assert "more than 3 redirects" in summary.failures[0][1]


def test_404_and_410_mark_known_pages_removed(tmp_path):
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a><a href='/b.html'>b</a>")
        site.page("/a.html", "A")
        site.page("/b.html", "B")
        crawl(tmp_path, site)
        site.page("/", "トップ")
        site.add("/a.html", "gone", status=404)
        site.add("/b.html", "gone", status=410)
        summary = crawl(tmp_path, site)

    assert summary.removed == 2
    assert summary.pages == 1
    with open_store(tmp_path) as store:
        live = [page.url for page in store.iter_pages()]
        every = {page.url: page for page in store.iter_pages(include_removed=True)}
    assert live == [site.url("/")]
    assert every[site.url("/a.html")].removed
    assert every[site.url("/b.html")].status == 410


def test_broken_link_fails_without_retry(tmp_path):
    with FakeSite() as site:
        site.page(
            "/", "トップ", "<a href='/missing.html'>x</a><a href='/denied.html'>y</a>"
        )
        site.add("/denied.html", "no", status=403)
        summary = crawl(tmp_path, site)
        missing = len(site.requests_for("/missing.html"))
        denied = len(site.requests_for("/denied.html"))

    assert summary.failed == 2
    assert {reason for _, reason in summary.failures} == {"HTTP 404", "HTTP 403"}
    assert missing == 1
    assert denied == 1


def test_429_waits_for_retry_after(tmp_path):
    calls = []

    def busy_then_ok(request):
        calls.append(request.at)
        if len(calls) == 1:
            return 429, {"Retry-After": "1", "Content-Type": "text/plain"}, b"busy"
        return 200, {"Content-Type": "text/html"}, html_page("混雑後").encode()

    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/busy.html'>b</a>")
        site.add("/busy.html", responder=busy_then_ok)
        summary = crawl(tmp_path, site)

    assert summary.new == 2
    assert len(calls) == 2
    assert calls[1] - calls[0] >= 0.95  # Retry-After: 1 was honoured


def test_5xx_is_retried_then_fails(tmp_path):
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/err.html'>e</a>")
        site.add("/err.html", "boom", status=503)
        summary = crawl(tmp_path, site)
        attempts = len(site.requests_for("/err.html"))

    assert attempts == FAST.max_retries + 1
    assert summary.failures == [(site.url("/err.html"), "HTTP 503 after 2 retries")]


def test_recrawl_uses_conditional_requests_and_counts_304_unchanged(tmp_path):
    def conditional(request):
        if request.headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        body = html_page("条件付き").encode()
        return 200, {"Content-Type": "text/html", "ETag": '"v1"'}, body

    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/c.html'>c</a>")
        site.add("/c.html", responder=conditional)
        first = crawl(tmp_path, site)
        second = crawl(tmp_path, site)
        requests = site.requests_for("/c.html")

    assert first.new == 2
    assert second.unchanged == 2
    assert second.new == 0
    assert requests[1].headers.get("If-None-Match") == '"v1"'


def test_recrawl_updates_changed_page_in_place(tmp_path):
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/c.html'>c</a>")
        site.page("/c.html", "お知らせ", "<p>旧い本文</p>")
        crawl(tmp_path, site)
        site.page("/c.html", "お知らせ", "<p>新しい本文</p>")
        summary = crawl(tmp_path, site)

    assert summary.changed == 1
    assert summary.unchanged == 1
    with open_store(tmp_path) as store:
        page = store.get(site.url("/c.html"))
    assert "新しい本文" in page.text
    assert "旧い本文" not in page.text


def test_endless_calendar_stops_at_pattern_limit(tmp_path):
    def month(request):
        ym = int(request.path.rsplit("=", 1)[1])
        year, mon = divmod(ym, 100)
        nxt = year * 100 + mon + 1 if mon < 12 else (year + 1) * 100 + 1
        body = html_page(f"{year}年{mon}月", f"<a href='/cal?ym={nxt}'>次の月</a>")
        return 200, {"Content-Type": "text/html"}, body.encode()

    config = dataclasses.replace(FAST, max_per_pattern=5)
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/cal?ym=202612'>カレンダー</a>")
        site.add("/cal", responder=month)
        first = crawl(tmp_path, site, config=config)
        second = crawl(tmp_path, site, config=config)
        calendar_fetches = sum(1 for path in site.paths() if path.startswith("/cal"))

    # The top page's link starts the chain; five more months follow it.
    assert first.new == 1 + 1 + 5
    assert second.new == 0
    assert calendar_fetches == 12  # six months, fetched once per crawl


def test_calendar_alternating_with_day_pages_stays_bounded(tmp_path):
    def next_month(ym: int) -> int:
        year, mon = divmod(ym, 100)
        return year * 100 + mon + 1 if mon < 12 else (year + 1) * 100 + 1

    def month(request):
        ym = int(request.path.rsplit("=", 1)[1])
        body = html_page(f"{ym}の月", f"<a href='/day?ym={ym}'>1日</a>")
        return 200, {"Content-Type": "text/html"}, body.encode()

    def day(request):
        ym = int(request.path.rsplit("=", 1)[1])
        link = f"<a href='/cal?ym={next_month(ym)}'>次の月</a>"
        return (
            200,
            {"Content-Type": "text/html"},
            html_page(f"{ym}の1日", link).encode(),
        )

    config = dataclasses.replace(FAST, max_per_pattern=5)
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/cal?ym=202612'>カレンダー</a>")
        site.add("/cal", responder=month)
        site.add("/day", responder=day)
        runs = [crawl(tmp_path, site, config=config) for _ in range(3)]

    # Six months and their days at most, then at most one step per re-crawl:
    # a stored day page does not know the month page that linked to it.
    assert runs[0].new <= 1 + 2 * 6
    assert runs[1].new <= 1
    assert runs[2].new <= 1


def test_x_robots_tag_noindex_page_is_not_stored(tmp_path):
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/x.html'>x</a><a href='/y.html'>y</a>")
        site.page("/x.html", "非公開", headers={"X-Robots-Tag": "noindex"})
        site.page("/y.html", "公開", headers={"X-Robots-Tag": "otherbot: noindex"})
        summary = crawl(tmp_path, site)

    with open_store(tmp_path) as store:
        assert store.get(site.url("/x.html")) is None
        assert store.get(site.url("/y.html")) is not None
    assert (summary.noindex_skipped, summary.robots_skipped) == (1, 0)
    assert "skipped by robots.txt 0, by noindex 1," in summary.format()


def test_max_depth_and_max_pages(tmp_path):
    with FakeSite() as site:
        site.page("/", "深さ0", "<a href='/d1.html'>次</a>")
        for i in range(1, 6):
            site.page(f"/d{i}.html", f"深さ{i}", f"<a href='/d{i + 1}.html'>次</a>")
        deep = crawl(
            tmp_path / "depth", site, config=dataclasses.replace(FAST, max_depth=2)
        )
        few = crawl(
            tmp_path / "pages", site, config=dataclasses.replace(FAST, max_pages=3)
        )

    assert deep.new == 3
    assert few.new == 3
    assert few.stopped_at_max_pages


def test_base_href_resolves_links(tmp_path):
    with FakeSite() as site:
        site.page(
            "/a/b/page.html",
            "起点",
            "<a href='target.html'>t</a>",
        )
        site.add(
            "/a/b/page.html",
            html_page(
                "起点", "<a href='target.html'>t</a>", head="<base href='/base/'>"
            ),
        )
        site.page("/base/target.html", "基準URLの先")
        crawl(tmp_path, site, "/a/b/page.html")
        paths = site.paths()

    assert "/base/target.html" in paths
    assert "/a/b/target.html" not in paths


def test_duplicate_url_forms_are_fetched_once(tmp_path):
    links = (
        "<a href='/dir/'>1</a><a href='/dir/index.html'>2</a><a href='/dir/#top'>3</a>"
        "<a href='/dir/index.html?utm_source=x'>4</a><a href='/dir/?print=1'>5</a>"
        "<a href='/DIR/../dir/'>6</a>"
    )
    with FakeSite() as site:
        site.page("/", "トップ", links)
        site.page("/dir/", "ディレクトリ")
        summary = crawl(tmp_path, site)
        dir_fetches = [p for p in site.paths() if p.startswith("/dir")]

    assert summary.new == 2
    assert dir_fetches == ["/dir/"]


def test_same_content_is_stored_once(tmp_path):
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a><a href='/m/a.html'>m</a>")
        site.page("/a.html", "同じ内容", "<p>同じ本文</p>")
        site.page("/m/a.html", "同じ内容", "<p>同じ本文</p>")
        summary = crawl(tmp_path, site)

    assert summary.new == 2
    assert summary.pages == 2
    with open_store(tmp_path) as store:
        kept = store.get(site.url("/a.html")).url
        # Whichever copy finished first is kept; the other is its alias.
        assert kept in (site.url("/a.html"), site.url("/m/a.html"))
        assert store.get(site.url("/m/a.html")).url == kept
        assert len(store.aliases()) == 1


def test_canonical_link_names_the_page(tmp_path):
    with FakeSite() as site:
        head = f"<link rel='canonical' href='{site.base_url}/real.html'>"
        site.page("/", "トップ", "<a href='/alias.html?sort=1'>a</a>")
        site.add("/alias.html", html_page("正規ページ", head=head))
        site.page("/real.html", "正規ページ")
        crawl(tmp_path, site)
        real_fetches = len(site.requests_for("/real.html"))

    # The canonical URL is fetched before the copy is stored, once.
    assert real_fetches == 1
    with open_store(tmp_path) as store:
        page = store.get(site.url("/alias.html?sort=1"))
    assert page.url == site.url("/real.html")
    assert page.canonical_url == site.url("/real.html")


def test_folder_redirected_to_its_index_file_is_stored(tmp_path):
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/kurashi/'>くらし</a>")
        site.add("/kurashi/", status=301, headers={"Location": "/kurashi/index.html"})
        site.page("/kurashi/index.html", "くらしの案内")
        summary = crawl(tmp_path, site)
        fetched = site.requests_for("/kurashi/index.html")

    assert len(fetched) == 1
    assert summary.failed == 0
    with open_store(tmp_path) as store:
        page = store.get(site.url("/kurashi/"))
    assert page is not None and page.title == "くらしの案内"


def test_redirect_back_to_itself_is_a_loop(tmp_path):
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a>")
        site.add("/a.html", status=302, headers={"Location": "/a.html"})
        summary = crawl(tmp_path, site)

    assert summary.failed == 1
    assert "redirect loop" in summary.failures[0][1]


def test_folder_page_keeps_its_canonical_index_file(tmp_path):
    with FakeSite() as site:
        head = f"<link rel='canonical' href='{site.base_url}/gomi/index.html'>"
        site.page("/", "トップ", "<a href='/gomi/'>ごみ</a>")
        site.add("/gomi/", html_page("ごみ", head=head))
        crawl(tmp_path, site)

    with open_store(tmp_path) as store:
        page = store.get(site.url("/gomi/"))
    assert page.url == site.url("/gomi/")
    assert page.canonical_url == site.url("/gomi/index.html")


def crawl_with_canonical(tmp_path, path: str, canonical: str):
    """Crawl a mirror of https://city.example whose page at ``path`` names
    ``canonical``; return the site and the page."""
    with FakeSite() as site:
        top = "<link rel='canonical' href='https://city.example/'>"
        site.add("/", html_page("トップ", f"<a href='{path}'>a</a>", head=top))
        head = f"<link rel='canonical' href='{canonical}'>"
        site.add(path, html_page("ページ", head=head))
        crawl(tmp_path, site)
    with open_store(tmp_path) as store:
        return site, store.get(site.url(path))


@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("/a.html", "https://city.example/a.html"),
        ("/gomi/", "https://city.example/gomi/index.html"),
        ("/list.html?id=5&page=2", "https://city.example/list.html?page=2&id=5"),
    ],
)
def test_mirror_canonical_on_other_host_kept(tmp_path, path, canonical):
    _site, page = crawl_with_canonical(tmp_path, path, canonical)
    assert page.canonical_url == canonical


@pytest.mark.parametrize(
    "canonical",
    [
        "https://other.example/pay",
        "https://city.example/b.html",
        "https://other.example/a.html",
        "https://city.example@other.example/a.html",
    ],
)
def test_off_site_canonical_to_other_path_ignored(tmp_path, canonical):
    site, page = crawl_with_canonical(tmp_path, "/a.html", canonical)
    assert page.canonical_url == site.url("/a.html")


def test_canonical_host_from_redirected_start_page(tmp_path):
    with FakeSite() as site:
        site.add("/", status=301, headers={"Location": "/top.html"})
        top = "<link rel='canonical' href='https://city.example/'>"
        site.add("/top.html", html_page("トップ", "<a href='/a.html'>a</a>", top))
        head = "<link rel='canonical' href='https://city.example/a.html'>"
        site.add("/a.html", html_page("ページ", head=head))
        crawl(tmp_path, site)
    with open_store(tmp_path) as store:
        page = store.get(site.url("/a.html"))
    assert page.canonical_url == "https://city.example/a.html"


def test_many_ignored_canonical_links_are_warned(tmp_path, caplog):
    with FakeSite() as site:
        links = "".join(f"<a href='/p{i}.html'>p{i}</a>" for i in range(12))
        site.page("/", "トップ", links)
        for i in range(12):
            head = f"<link rel='canonical' href='https://city.example/p{i}.html'>"
            site.add(f"/p{i}.html", html_page(f"ページ{i}", head=head))
        crawl(tmp_path, site)

    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(
        "12 pages name canonical links on https://city.example" in m for m in warnings
    )


def test_canonical_host_needs_start_page(tmp_path):
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a>")
        head = "<link rel='canonical' href='https://city.example/a.html'>"
        site.add("/a.html", html_page("ページ", head=head))
        crawl(tmp_path, site)
    with open_store(tmp_path) as store:
        page = store.get(site.url("/a.html"))
    assert page.canonical_url == site.url("/a.html")


def test_one_canonical_on_every_page_is_warned(tmp_path, caplog):
    with FakeSite() as site:
        head = f"<link rel='canonical' href='{site.base_url}/'>"
        links = "".join(f"<a href='/p{i}.html'>p{i}</a>" for i in range(12))
        site.page("/", "トップ", links)
        for i in range(12):
            site.add(f"/p{i}.html", html_page(f"ページ{i}", head=head))
        crawl(tmp_path, site)

    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(
        f"12 of the 13 fetched pages name {site.url('/')}" in message
        for message in warnings
    )


def test_few_canonical_aliases_are_not_warned(tmp_path, caplog):
    with FakeSite() as site:
        head = f"<link rel='canonical' href='{site.base_url}/'>"
        site.page("/", "トップ", "<a href='/a.html?sort=1'>a</a>")
        site.add("/a.html?sort=1", html_page("トップ", head=head))
        crawl(tmp_path, site)

    assert not any("canonical URL" in r.getMessage() for r in caplog.records)


def test_file_links_are_recorded_not_downloaded(tmp_path):
    with FakeSite() as site:
        site.page(
            "/",
            "トップ",
            "<a href='/files/guide.pdf'>ガイド（PDF）</a><a href='/download'>様式</a>",
        )
        site.add("/files/guide.pdf", b"%PDF-1.4", content_type="application/pdf")
        site.add("/download", b"PK\x03\x04" * 1000, content_type="application/zip")
        summary = crawl(tmp_path, site)
        paths = site.paths()

    assert "/files/guide.pdf" not in paths
    assert summary.pages == 1
    with open_store(tmp_path) as store:
        files = {row["url"]: row for row in store.files()}
    assert files[site.url("/files/guide.pdf")]["link_text"] == "ガイド（PDF）"
    assert files[site.url("/files/guide.pdf")]["page_url"] == site.url("/")
    assert site.url("/download") in files


def test_page_over_size_cap_fails(tmp_path):
    big = html_page("大きい", "<p>" + "あ" * 20_000 + "</p>")
    config = dataclasses.replace(FAST, max_bytes=10_000)
    with FakeSite() as site:
        site.page(
            "/", "トップ", "<a href='/big.html'>b</a><a href='/chunked.html'>c</a>"
        )
        site.add("/big.html", big)
        # No Content-Length announced: the cap applies while reading.
        site.add(
            "/chunked.html",
            responder=lambda r: (
                200,
                {
                    "Content-Type": "text/html",
                    "Connection": "close",
                    "Content-Length": "",
                },
                big.encode(),
            ),
        )
        summary = crawl(tmp_path, site, config=config)

    reasons = dict(summary.failures)
    assert "larger than the 10000 byte limit" in reasons[site.url("/big.html")]
    assert "--max-bytes" in reasons[site.url("/big.html")]
    assert summary.pages == 1


def test_slow_page_times_out(tmp_path):
    config = dataclasses.replace(FAST, read_timeout=0.3, max_retries=1)
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/slow.html'>s</a>")
        site.page("/slow.html", "遅い", delay=1.5)
        started = time.monotonic()
        summary = crawl(tmp_path, site, config=config)
        elapsed = time.monotonic() - started

    assert summary.failures == [
        (
            site.url("/slow.html"),
            f"timed out (connect {FAST.connect_timeout:g} s, read 0.3 s) after 1 "
            "retries; raise the read limit with `cityline crawl --timeout`",
        )
    ]
    assert elapsed < 10  # the crawl did not wait for the slow page to respond


def test_other_host_needs_allowed_prefix(tmp_path):
    with FakeSite() as site, FakeSite() as other:
        site.page(
            "/",
            "トップ",
            f"<a href='{other.url('/shared/a.html')}'>共有</a>"
            f"<a href='{other.url('/private/b.html')}'>私有</a>",
        )
        other.page("/shared/a.html", "共有ページ")
        other.page("/private/b.html", "私有ページ")
        plain = crawl(tmp_path / "plain", site)
        prefixed = crawl(
            tmp_path / "prefixed",
            site,
            config=dataclasses.replace(FAST, allowed_prefixes=(other.url("/shared/"),)),
        )
        other_paths = other.paths()

    assert plain.new == 1
    assert prefixed.new == 2
    assert "/private/b.html" not in other_paths


def test_redirect_off_the_host_is_not_followed(tmp_path):
    with FakeSite() as site, FakeSite() as other:
        site.page("/", "トップ", "<a href='/away.html'>a</a>")
        site.add("/away.html", status=301, headers={"Location": other.url("/x.html")})
        other.page("/x.html", "他のサイト")
        summary = crawl(tmp_path, site)
        other_paths = other.paths()

    assert other_paths == []
    assert "outside the crawl scope" in summary.failures[0][1]


def test_summary_json_has_exactly_the_documented_keys(tmp_path):
    with FakeSite() as site:
        site.page("/", "トップ")
        summary = crawl(tmp_path, site)
    assert list(summary.to_json()) == [
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
    ]


def test_start_url_moved_to_another_origin(tmp_path):
    with FakeSite() as old, FakeSite() as new:
        old.add("/", status=301, headers={"Location": new.url("/")})
        new.page("/", "移転先", "<a href='/a.html'>a</a>")
        new.page("/a.html", "移転先のページ")
        summary = crawl(tmp_path, old)

    assert summary.start_url == new.url("/")
    assert summary.new == 2


def test_store_put_page_outside_a_crawl(tmp_path):
    from crawler.records import StoredPage, utc_now

    now = utc_now()
    page = StoredPage(
        url="http://h.example/a.html",
        canonical_url="http://h.example/a.html",
        title="手で入れたページ",
        breadcrumbs=["ホーム"],
        text="本文",
        page_number=None,
        updated=None,
        encoding="utf-8",
        status=200,
        content_hash="x",
        fetched_at=now,
        changed_at=now,
    )
    with open_store(tmp_path) as store:
        store.put_page(page)
        store.put_page(page)
        assert store.count_pages() == 1
        assert store.get(page.url).title == "手で入れたページ"


def test_recrawl_from_new_origin_leaves_old_pages(tmp_path):
    with FakeSite() as old:
        old.page("/", "トップ", "<a href='/a.html'>a</a>")
        old.page("/a.html", "ページA")
        crawl(tmp_path, old)
    with FakeSite() as new:
        new.page("/", "トップ", "<a href='/a.html'>a</a>")
        new.page("/a.html", "ページA")
        summary = crawl(tmp_path, new)

    assert summary.robots_skipped == 0
    assert summary.new == 2
    assert summary.duplicates == 0
    assert summary.removed == 0
    assert summary.outside_scope == 2
    assert "left 2 stored pages of other hosts as they are" in summary.format()
    with open_store(tmp_path) as store:
        live = {page.url for page in store.iter_pages()}
    assert live == {old.url("/"), old.url("/a.html"), new.url("/"), new.url("/a.html")}


def test_binary_body_labelled_html_fails_with_a_reason(tmp_path):
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/photo.html'>p</a>")
        site.add("/photo.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50)
        summary = crawl(tmp_path, site)
    reasons = dict(summary.failures)
    assert "binary data, not HTML text" in reasons[site.url("/photo.html")]
    with open_store(tmp_path) as store:
        assert store.get(site.url("/photo.html")) is None


def test_gzip_body_without_encoding_names_the_header(tmp_path):
    body = gzip.compress(html_page("ページA").encode("utf-8"))
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a>")
        site.add("/a.html", body)
        summary = crawl(tmp_path, site)
    reason = dict(summary.failures)[site.url("/a.html")]
    assert "gzip-compressed" in reason
    assert "Content-Encoding" in reason
    assert summary.unavailable == 1


def test_unfinished_crawl_of_other_start_is_named(tmp_path, caplog):
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/gomi/'>ごみ</a>")
        site.page("/gomi/", "ごみ")
        store = open_store(tmp_path)
        try:
            store.start_run(site.url("/"))
        finally:
            store.close()
        with caplog.at_level("WARNING"):
            summary = crawl(tmp_path, site, path="/gomi/")

    assert not summary.resumed
    assert f"the unfinished crawl of {site.url('/')} is not resumed" in caplog.text


def test_canonical_redirect_loop_stored_once(tmp_path):
    with FakeSite() as site:
        site.page(
            "/", "トップ", "<a href='/old.html'>old</a> <a href='/new.html'>new</a>"
        )
        site.add("/old.html", status=301, headers={"Location": "/new.html"})
        head = f"<link rel='canonical' href='{site.url('/old.html')}'>"
        site.add("/new.html", html_page("ページ", head=head))
        # One request at a time, so that /old.html and its redirect come first.
        crawl(tmp_path, site, config=dataclasses.replace(FAST, concurrency=1))

    assert len(site.requests_for("/new.html")) == 1
    with open_store(tmp_path) as store:
        page = store.get(site.url("/old.html"))
    assert page is not None
    assert (page.url, page.title) == (site.url("/new.html"), "ページ")


def test_canonical_naming_another_page_is_ignored(tmp_path, caplog):
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/kenshin.html'>検診</a>")
        site.page("/kenshin.html", "がん検診", "<p>市のがん検診のご案内です。</p>")
        crawl(tmp_path, site)
        # A page copied from the screening page kept its canonical link.
        head = f"<link rel='canonical' href='{site.base_url}/kenshin.html'>"
        site.page(
            "/", "トップ", "<a href='/kenshin.html'>a</a><a href='/hojo.html'>b</a>"
        )
        site.add(
            "/hojo.html",
            html_page(
                "生ごみ処理機の補助", "<p>購入費の半額を補助します。</p>", head=head
            ),
        )
        crawl(tmp_path, site)

    with open_store(tmp_path) as store:
        screening = store.get(site.url("/kenshin.html"))
        subsidy = store.get(site.url("/hojo.html"))
    assert screening.title == "がん検診"
    assert subsidy.url == site.url("/hojo.html")
    assert subsidy.title == "生ごみ処理機の補助"
    assert subsidy.canonical_url == site.url("/hojo.html")
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("that is another page" in message for message in warnings)


def crawl_copy_linked_first(tmp_path, concurrency: int, delay: float = 0.0):
    """Crawl a site into an empty data dir and return the site, the summary and
    the two stored pages (screening, subsidy). The subsidy page keeps the cancer
    screening page's canonical link and is linked first."""
    with FakeSite() as site:
        head = f"<link rel='canonical' href='{site.base_url}/kenshin.html'>"
        links = "<a href='/hojo.html'>b</a><a href='/kenshin.html'>a</a>"
        site.page("/", "トップ", links)
        body = "<p>市のがん検診のご案内です。</p>"
        site.page("/kenshin.html", "がん検診", body, delay=delay)
        body = "<p>購入費の半額を補助します。</p>"
        site.add("/hojo.html", html_page("生ごみ処理機の補助", body, head=head))
        config = dataclasses.replace(FAST, concurrency=concurrency)
        summary = crawl(tmp_path, site, config=config)

    with open_store(tmp_path) as store:
        pages = store.get(site.url("/kenshin.html")), store.get(site.url("/hojo.html"))
    return site, summary, pages


def test_wrong_canonical_on_first_crawl_keeps_both_pages(tmp_path, caplog):
    site, summary, (screening, subsidy) = crawl_copy_linked_first(tmp_path, 1)

    # Held for its canonical URL, the copy is applied again from its response.
    assert len(site.requests_for("/hojo.html")) == 1
    assert (screening.url, screening.title) == (site.url("/kenshin.html"), "がん検診")
    assert (subsidy.url, subsidy.title) == (
        site.url("/hojo.html"),
        "生ごみ処理機の補助",
    )
    assert summary.new == 3
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("that is another page" in message for message in warnings)
    pair = (site.url("/hojo.html"), site.url("/kenshin.html"))
    assert summary.wrong_canonical_urls == [pair]
    assert summary.to_json()["wrong_canonical_urls"] == [
        {"url": pair[0], "names": pair[1]}
    ]
    line = f"  wrong canonical: {pair[0]} names {pair[1]}, another page; kept apart"
    assert line in summary.format().splitlines()


def test_wrong_canonical_to_slow_page_keeps_both(tmp_path):
    # Two requests in flight: the copy comes back while the real page is still
    # on its way, and must wait for it before being stored.
    site, summary, (screening, subsidy) = crawl_copy_linked_first(tmp_path, 2, 0.5)

    assert (screening.url, screening.title) == (site.url("/kenshin.html"), "がん検診")
    assert (subsidy.url, subsidy.title) == (
        site.url("/hojo.html"),
        "生ごみ処理機の補助",
    )
    assert (summary.new, summary.changed, summary.redirects) == (3, 0, 0)


def test_canonical_naming_a_missing_page_keeps_the_page(tmp_path):
    with FakeSite() as site:
        head = f"<link rel='canonical' href='{site.base_url}/deleted.html'>"
        site.page("/", "トップ", "<a href='/a.html'>a</a>")
        site.add("/a.html", html_page("ページA", "<p>本文A</p>", head=head))
        summary = crawl(tmp_path, site, config=dataclasses.replace(FAST, concurrency=1))

    with open_store(tmp_path) as store:
        page = store.get(site.url("/a.html"))
    assert (page.url, page.title) == (site.url("/a.html"), "ページA")
    assert page.canonical_url == site.url("/a.html")
    reason = f"HTTP 404 (the canonical link of {site.url('/a.html')})"
    assert summary.failures == [(site.url("/deleted.html"), reason)]


def test_same_title_in_another_section_is_another_page(tmp_path):
    def trail(section: str) -> str:
        return (
            f"<div class='breadcrumbs'><a href='/'>ホーム</a> &gt; "
            f"<a href='/{section}/'>{section}</a> &gt; <span>申請書</span></div>"
        )

    with FakeSite() as site:
        head = f"<link rel='canonical' href='{site.base_url}/kurashi/forms.html'>"
        site.page("/", "トップ", "<a href='/kurashi/forms.html'>a</a>")
        site.page("/kurashi/forms.html", "申請書", trail("kurashi") + "<p>住民票</p>")
        crawl(tmp_path, site)
        site.page(
            "/",
            "トップ",
            "<a href='/kurashi/forms.html'>a</a><a href='/kenko/forms.html'>b</a>",
        )
        body = trail("kenko") + "<p>予防接種</p>"
        site.add("/kenko/forms.html", html_page("申請書", body, head=head))
        summary = crawl(tmp_path, site)

    with open_store(tmp_path) as store:
        copy = store.get(site.url("/kenko/forms.html"))
    assert copy.url == site.url("/kenko/forms.html")
    assert summary.merged_urls == []


def trail_html(*labels: str) -> str:
    links = "".join(
        f"<a href='/{n}/'>{label}</a> &gt; " for n, label in enumerate(labels)
    )
    return f"<div class='breadcrumbs'><a href='/'>ホーム</a> &gt; {links}</div>"


@pytest.mark.parametrize(
    "mobile_trail",
    [
        (),
        ("がん検診",),
        ("健康・福祉", "がん検診"),
        ("健診・検診", "がん検診"),
        ("健康・福祉", "健診・検診", "成人", "がん検診"),
    ],
)
def test_mobile_copy_with_other_trail_merges(tmp_path, mobile_trail):
    with FakeSite() as site:
        head = f"<link rel='canonical' href='{site.base_url}/kenshin.html'>"
        site.page("/", "トップ", "<a href='/sp/kenshin.html'>a</a>")
        trail = trail_html("健康・福祉", "健診・検診", "がん検診")
        site.page("/kenshin.html", "がん検診", trail)
        crawl(tmp_path, site)
        body = trail_html(*mobile_trail) + "<p>パソコン版で見る</p>"
        site.add("/sp/kenshin.html", html_page("がん検診", body, head=head))
        summary = crawl(tmp_path, site)

    with open_store(tmp_path) as store:
        copy = store.get(site.url("/sp/kenshin.html"))
    assert copy.url == site.url("/kenshin.html")
    assert summary.wrong_canonical_urls == []


@pytest.mark.parametrize(
    ("first_trail", "second_trail"),
    [
        # Trails that end at the section, without the page's own title.
        (("くらし",), ("健康",)),
        # Two departments under one upper section.
        (("くらし", "税金", "申請書"), ("くらし", "戸籍", "申請書")),
    ],
)
def test_same_title_in_another_section_is_kept(tmp_path, first_trail, second_trail):
    with FakeSite() as site:
        head = f"<link rel='canonical' href='{site.base_url}/a/forms.html'>"
        site.page("/", "トップ", "<a href='/a/forms.html'>a</a>")
        site.page("/a/forms.html", "申請書", trail_html(*first_trail) + "<p>税</p>")
        crawl(tmp_path, site)
        links = "<a href='/a/forms.html'>a</a><a href='/b/forms.html'>b</a>"
        site.page("/", "トップ", links)
        body = trail_html(*second_trail) + "<p>住民票の写し</p>"
        site.add("/b/forms.html", html_page("申請書", body, head=head))
        summary = crawl(tmp_path, site)

    with open_store(tmp_path) as store:
        copy = store.get(site.url("/b/forms.html"))
    assert copy.url == site.url("/b/forms.html")
    assert summary.merged_urls == []


def test_timed_out_canonical_fixed_next_crawl(tmp_path):
    slow = dataclasses.replace(FAST, read_timeout=0.2, max_retries=0)
    with FakeSite() as site:
        head = f"<link rel='canonical' href='{site.base_url}/kenshin.html'>"
        site.page("/", "トップ", "<a href='/sp/kenshin.html'>a</a>")
        site.add("/sp/kenshin.html", html_page("がん検診", "<p>検診</p>", head=head))
        site.page("/kenshin.html", "がん検診", "<p>検診の案内</p>", delay=0.5)
        first = crawl(tmp_path, site, config=slow)
        with open_store(tmp_path) as store:
            kept = store.get(site.url("/sp/kenshin.html"))
        site.page("/kenshin.html", "がん検診", "<p>検診の案内</p>")
        second = crawl(tmp_path, site, config=slow)

    # The copy takes the page's place until the page's own URL responds.
    assert kept.url == site.url("/kenshin.html")
    assert (kept.etag, kept.last_modified) == (None, None)
    reason = f"(the canonical link of {site.url('/sp/kenshin.html')})"
    assert any(reason in why for _, why in first.failures), first.failures
    with open_store(tmp_path) as store:
        page = store.get(site.url("/kenshin.html"))
        copy = store.get(site.url("/sp/kenshin.html"))
    assert "検診の案内" in page.text
    assert copy.url == site.url("/kenshin.html")
    assert (second.merged, second.removals_held, second.merges_held) == (0, 0, 0)


def test_canonical_naming_an_old_url_of_another_page(tmp_path):
    with FakeSite() as site:
        site.page(
            "/", "トップ", "<a href='/old.html'>a</a><a href='/shigen.html'>b</a>"
        )
        site.add("/old.html", status=301, headers={"Location": "/namagomi.html"})
        site.page("/namagomi.html", "生ごみ処理機", "<p>補助します。</p>")
        site.page("/shigen.html", "資源ごみ", "<p>びんと缶の出し方。</p>")
        crawl(tmp_path, site, config=dataclasses.replace(FAST, concurrency=1))
        head = f"<link rel='canonical' href='{site.base_url}/old.html'>"
        site.add("/shigen.html", html_page("資源ごみ", "<p>びんと缶。</p>", head=head))
        summary = crawl(tmp_path, site, config=dataclasses.replace(FAST, concurrency=1))

    with open_store(tmp_path) as store:
        page = store.get(site.url("/shigen.html"))
        moved = store.get(site.url("/old.html"))
    assert (page.url, page.title) == (site.url("/shigen.html"), "資源ごみ")
    assert (moved.url, moved.title) == (site.url("/namagomi.html"), "生ごみ処理機")
    pair = (site.url("/shigen.html"), site.url("/namagomi.html"))
    assert summary.wrong_canonical_urls == [pair]


def test_canonical_naming_an_old_url_of_itself(tmp_path):
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/old.html'>a</a><a href='/new.html'>b</a>")
        site.add("/old.html", status=301, headers={"Location": "/new.html"})
        site.page("/new.html", "ページ", "<p>本文</p>")
        crawl(tmp_path, site, config=dataclasses.replace(FAST, concurrency=1))
        head = f"<link rel='canonical' href='{site.base_url}/old.html'>"
        site.add("/new.html", html_page("ページ", "<p>本文</p>", head=head))
        crawl(tmp_path, site, config=dataclasses.replace(FAST, concurrency=1))

    with open_store(tmp_path) as store:
        page = store.get(site.url("/new.html"))
    assert (page.url, page.canonical_url) == (site.url("/new.html"),) * 2


def test_canonical_naming_the_same_page_still_merges(tmp_path):
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/real.html'>a</a>")
        site.page("/real.html", "正規ページ", "<p>本文です。</p>")
        crawl(tmp_path, site)
        head = f"<link rel='canonical' href='{site.base_url}/real.html'>"
        site.page(
            "/", "トップ", "<a href='/real.html'>a</a><a href='/print/real.html'>b</a>"
        )
        site.add(
            "/print/real.html",
            html_page("正規ページ", "<p>本文です。印刷用。</p>", head=head),
        )
        crawl(tmp_path, site)

    with open_store(tmp_path) as store:
        copy = store.get(site.url("/print/real.html"))
    assert copy.url == site.url("/real.html")


def site_failing_from(site: FakeSite, count: int, failing) -> None:
    """Serve a top page linking ``count`` pages, of which those that ``failing``
    picks return 503."""
    links = "".join(f"<a href='/p{n:02}.html'>p{n}</a>" for n in range(count))
    site.page("/", "トップ", links)
    for n in range(count):
        if failing(n):
            site.add(f"/p{n:02}.html", "busy", status=503, content_type="text/plain")
        else:
            site.page(f"/p{n:02}.html", f"ページ{n}")


def test_site_down_midway_stops_the_crawl(tmp_path):
    config = dataclasses.replace(FAST, max_retries=0, max_unavailable_in_a_row=5)
    with FakeSite() as site:
        site_failing_from(site, 40, lambda n: True)
        summary = crawl(tmp_path, site, config=config)
        fetched = sum(len(site.requests_for(f"/p{n:02}.html")) for n in range(40))

    assert summary.stopped_unavailable is True
    assert summary.stopped_at_max_pages is False
    # The two workers may each finish the URL they hold.
    assert 5 <= fetched <= 6
    assert "stopped early" in summary.format()


def test_scattered_server_errors_do_not_stop_the_crawl(tmp_path):
    config = dataclasses.replace(FAST, max_retries=0, max_unavailable_in_a_row=5)
    with FakeSite() as site:
        site_failing_from(site, 40, lambda n: n % 3 == 0)
        summary = crawl(tmp_path, site, config=config)

    assert summary.stopped_unavailable is False
    assert summary.failed == 14
    assert summary.new == 27


def test_copy_of_a_deleted_page_becomes_the_page(tmp_path):
    one = dataclasses.replace(FAST, concurrency=1)
    with FakeSite() as site:
        head = f"<link rel='canonical' href='{site.base_url}/a.html'>"
        site.page("/", "トップ", "<a href='/sp/a.html'>sp</a><a href='/a.html'>a</a>")
        site.add("/sp/a.html", html_page("粗大ごみ", "<p>申込</p>", head=head))
        site.page("/a.html", "粗大ごみ", "<p>申込方法</p>")
        crawl(tmp_path, site, config=one)
        site.add("/a.html", "gone", status=404, content_type="text/plain")
        summary = crawl(tmp_path, site, config=one)

    with open_store(tmp_path) as store:
        copy = store.get(site.url("/sp/a.html"))
        deleted = store.get(site.url("/a.html"))
    assert summary.removed == 1
    assert [url for url, _ in summary.gone_urls] == [site.url("/a.html")]
    assert deleted.removed
    assert (copy.url, copy.removed) == (site.url("/sp/a.html"), False)


def test_looping_canonical_url_keeps_page(tmp_path):
    one = dataclasses.replace(FAST, concurrency=1)
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/old.html'>o</a><a href='/b.html'>b</a>")
        site.add("/old.html", status=301, headers={"Location": "/new.html"})
        site.page("/new.html", "移転先", "<p>本文</p>")
        site.page("/b.html", "資源ごみ", "<p>びんと缶</p>")
        crawl(tmp_path, site, config=one)
        site.add("/old.html", status=301, headers={"Location": "/old.html"})
        head = f"<link rel='canonical' href='{site.base_url}/old.html'>"
        site.add("/b.html", html_page("資源ごみ", "<p>びんと缶。</p>", head=head))
        crawl(tmp_path, site, config=one)
        summary = crawl(tmp_path, site, config=one)

    with open_store(tmp_path) as store:
        page = store.get(site.url("/b.html"))
    assert (page.url, page.title) == (site.url("/b.html"), "資源ごみ")
    assert summary.merged_urls == []


def test_recheck_with_slow_pages_keeps_later_crawls_unheld(tmp_path):
    # Ten copies become aliases; a recheck meets their pages timing out once.
    one = dataclasses.replace(FAST, concurrency=1)
    slow = dataclasses.replace(one, read_timeout=0.2, max_retries=0)
    with FakeSite() as site:
        links = "".join(f"<a href='/sp/p{n}.html'>{n}</a>" for n in range(10))
        site.page("/", "トップ", links)
        for n in range(10):
            head = f"<link rel='canonical' href='{site.base_url}/p{n}.html'>"
            page = html_page(f"ページ{n}", f"<p>本文{n}</p>", head=head)
            site.add(f"/sp/p{n}.html", page)
            site.page(f"/p{n}.html", f"ページ{n}", f"<p>本文{n}です</p>")
        crawl(tmp_path, site, config=one)
        for n in range(10):
            site.page(f"/p{n}.html", f"ページ{n}", f"<p>本文{n}です</p>", delay=0.5)
        recheck = dataclasses.replace(slow, alias_recheck_days=0)
        crawl(tmp_path, site, config=recheck)
        for n in range(10):
            site.page(f"/p{n}.html", f"ページ{n}", f"<p>本文{n}です</p>")
        later = crawl(tmp_path, site, config=one)

    assert (later.removals_held, later.merges_held, later.merged) == (0, 0, 0)
    with open_store(tmp_path) as store:
        assert store.get(site.url("/sp/p3.html")).url == site.url("/p3.html")
