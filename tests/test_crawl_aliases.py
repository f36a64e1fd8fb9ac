"""Soft 404 pages and alias re-checks, against a loopback site defined per test."""

from __future__ import annotations

import dataclasses
import signal
import subprocess
import sys
import threading

import pytest

from crawler.crawl import crawl_site
from crawler.errors import SiteUnavailableError
from crawler.store import PageStore
from tests.crawl_site import FAST, FakeSite, Route, html_page, settings_for

# One request at a time, so that of two pages with one content the first linked
# is stored and the other becomes its alias.
IN_ORDER = dataclasses.replace(FAST, concurrency=1)
NOT_FOUND = html_page("ページが見つかりません", "<p>お探しのページはありません。</p>")


def stored(settings) -> dict:
    with PageStore.open_existing(settings.pages_db_path) as store:
        return {page.url: page for page in store.iter_pages(include_removed=True)}


def aliases(settings) -> dict:
    with PageStore.open_existing(settings.pages_db_path) as store:
        return store.aliases()


def test_soft_404_link_is_not_stored(tmp_path):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a><a href='/gone.html'>x</a>")
        site.page("/a.html", "ページA", "<p>本文A</p>")
        site.serve_unknown_paths(NOT_FOUND)
        summary = crawl_site(settings, site.url("/"), FAST)
        probes = [p for p in site.paths() if "soft-404-check" in p]

    pages = stored(settings)
    assert len(probes) == 1
    assert summary.new == 2
    assert sorted(pages) == [site.url("/"), site.url("/a.html")]
    assert summary.failures == [
        (site.url("/gone.html"), f"soft 404: the same page as {site.url(probes[0])}")
    ]


def test_stored_page_turning_soft_404_is_removed(tmp_path):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a><a href='/b.html'>b</a>")
        site.page("/a.html", "ページA", "<p>本文A</p>")
        site.page("/b.html", "ページB", "<p>本文B</p>")
        site.serve_unknown_paths(NOT_FOUND)
        crawl_site(settings, site.url("/"), FAST)
        site.add("/b.html", NOT_FOUND)
        summary = crawl_site(settings, site.url("/"), FAST)

    pages = stored(settings)
    assert summary.removed == 1
    assert pages[site.url("/b.html")].removed
    assert pages[site.url("/b.html")].title == "ページB"
    assert not pages[site.url("/a.html")].removed


def test_probe_redirected_home_is_ignored(tmp_path):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a>")
        site.page("/a.html", "ページA", "<p>本文A</p>")
        site.fallback = dataclasses.replace(
            site.routes["/a.html"], status=302, headers={"Location": "/"}, body=b""
        )
        summary = crawl_site(settings, site.url("/"), FAST)

    assert summary.new == 2
    assert summary.failed == 0


def test_probe_disallowed_by_robots_is_not_sent(tmp_path):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        robots = "User-agent: *\nDisallow: /cityline-soft-404-check-\n"
        site.add("/robots.txt", robots, content_type="text/plain")
        site.page("/", "トップ")
        site.serve_unknown_paths(NOT_FOUND)
        crawl_site(settings, site.url("/"), FAST)
        probes = [p for p in site.paths() if "soft-404-check" in p]

    assert probes == []


def test_duplicate_rechecked_when_target_changes(tmp_path):
    settings = settings_for(tmp_path)
    same = "<p>同じ本文です。</p>"
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a><a href='/b.html'>b</a>")
        site.page("/a.html", "共通", same)
        site.page("/b.html", "共通", same)
        crawl_site(settings, site.url("/"), IN_ORDER)
        first_aliases = aliases(settings)
        site.page("/a.html", "ページA", "<p>本文A</p>")
        site.page("/b.html", "ページB", "<p>本文B</p>")
        summary = crawl_site(settings, site.url("/"), IN_ORDER)

    assert list(first_aliases.values()) == [(site.url("/a.html"), "duplicate")]
    assert summary.rechecked_aliases == 1
    assert aliases(settings) == {}
    assert stored(settings)[site.url("/b.html")].title == "ページB"


def test_duplicate_rechecked_on_refetch_only(tmp_path):
    settings = settings_for(tmp_path)
    same = "<p>同じ本文です。</p>"
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a><a href='/b.html'>b</a>")
        site.page("/a.html", "共通", same)
        site.page("/b.html", "共通", same)
        crawl_site(settings, site.url("/"), IN_ORDER)
        site.page("/b.html", "ページB", "<p>本文B</p>")
        plain = crawl_site(settings, site.url("/"), IN_ORDER)
        after_plain = aliases(settings)
        refetched = crawl_site(settings, site.url("/"), IN_ORDER, refetch=True)

    assert plain.rechecked_aliases == 0
    assert len(after_plain) == 1
    assert refetched.rechecked_aliases == 1
    assert refetched.new == 1
    assert aliases(settings) == {}
    assert stored(settings)[site.url("/b.html")].title == "ページB"


def test_refetch_keeps_redirect_alias(tmp_path):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/old.html'>old</a>")
        site.add("/old.html", status=301, headers={"Location": "/new.html"})
        site.page("/new.html", "新しいページ", "<p>本文</p>")
        crawl_site(settings, site.url("/"), FAST)
        summary = crawl_site(settings, site.url("/"), FAST, refetch=True)
        old_fetches = len(site.requests_for("/old.html"))

    assert summary.rechecked_aliases == 1
    assert old_fetches == 2
    assert aliases(settings) == {
        site.url("/old.html"): (site.url("/new.html"), "redirect")
    }
    assert summary.merged == 0


def test_small_merge_is_applied(tmp_path):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a><a href='/b.html'>b</a>")
        site.page("/a.html", "ページA", "<p>本文A</p>")
        site.page("/b.html", "ページB", "<p>本文B</p>")
        crawl_site(settings, site.url("/"), FAST)
        site.page("/b.html", "ページA", "<p>本文A</p>")
        summary = crawl_site(settings, site.url("/"), FAST)

    assert summary.merged == 1
    assert summary.merges_held == 0
    assert "merged 1 stored pages" in summary.format()
    assert aliases(settings) == {
        site.url("/b.html"): (site.url("/a.html"), "duplicate")
    }


def test_moved_pages_are_no_merges(tmp_path):
    settings = settings_for(tmp_path)
    links = "".join(f"<a href='/p{i}.html'>{i}</a>" for i in range(12))
    with FakeSite() as site:
        site.page("/", "トップ", links)
        for i in range(12):
            site.page(f"/p{i}.html", f"ページ{i}", f"<p>本文{i}</p>")
        crawl_site(settings, site.url("/"), FAST)
        for i in range(12):
            site.add(f"/p{i}.html", status=301, headers={"Location": f"/n{i}.html"})
            site.page(f"/n{i}.html", f"ページ{i}", f"<p>本文{i}</p>")
        summary = crawl_site(settings, site.url("/"), FAST)

    assert summary.merged == 0
    assert summary.held is False
    assert summary.pages == 13


def test_redirect_to_own_duplicate_keeps_page(tmp_path):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/p.html'>p</a><a href='/n.html'>n</a>")
        site.page("/p.html", "ページ", "<p>本文</p>")
        site.page("/n.html", "ページ", "<p>本文</p>")
        crawl_site(settings, site.url("/"), IN_ORDER)
        first_aliases = aliases(settings)
        site.add("/p.html", status=301, headers={"Location": "/n.html"})
        summary = crawl_site(settings, site.url("/"), IN_ORDER)

    assert first_aliases == {site.url("/n.html"): (site.url("/p.html"), "duplicate")}
    assert aliases(settings) == {site.url("/p.html"): (site.url("/n.html"), "redirect")}
    assert sorted(stored(settings)) == [site.url("/"), site.url("/n.html")]
    assert summary.merged == 0


def test_resumed_collapse_restores_snapshot(tmp_path):
    settings = settings_for(tmp_path)
    total, stop_at = 15, 7
    reached, release = threading.Event(), threading.Event()
    with FakeSite() as site:
        links = "".join(f"<a href='/p{i:02}.html'>{i}</a>" for i in range(total))
        site.page("/", "トップ", links)
        for i in range(total):
            site.page(f"/p{i:02}.html", f"ページ{i}", f"<p>本文{i}</p>")
        crawl_site(settings, site.url("/"), FAST)
        before = stored(settings)
        for i in range(total):
            site.page(f"/p{i:02}.html", "休止中", "<p>休止中です。</p>")
        blocked = site.routes[f"/p{stop_at:02}.html"]

        def block_first_request(request):
            # The first request waits here until the crawl has been killed.
            if not reached.is_set():
                reached.set()
                release.wait(timeout=60)
            return blocked.status, blocked.headers, blocked.body

        site.add(f"/p{stop_at:02}.html", responder=block_first_request)
        command = [
            sys.executable,
            "-m",
            "cityline.cli",
            "--data-dir",
            str(settings.data_dir),
            "crawl",
            site.url("/"),
            "--no-index",
            "--delay",
            "0",
            "--concurrency",
            "1",
        ]
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            assert reached.wait(timeout=60), "the crawl never requested the page"
            process.send_signal(signal.SIGKILL)
            _out, err = process.communicate(timeout=30)
        finally:
            release.set()
            if process.poll() is None:
                process.kill()
        killed = stored(settings)
        resumed = crawl_site(settings, site.url("/"), FAST)

    assert len(killed) < len(before), err
    assert resumed.resumed
    assert resumed.merges_held >= total - 1
    assert stored(settings) == before
    assert aliases(settings) == {}


def test_old_duplicate_rechecked_by_age(tmp_path):
    settings = settings_for(tmp_path)
    same = "<p>同じ本文です。</p>"
    every_crawl = dataclasses.replace(IN_ORDER, alias_recheck_days=0)
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a><a href='/b.html'>b</a>")
        site.page("/a.html", "共通", same)
        site.page("/b.html", "共通", same)
        crawl_site(settings, site.url("/"), IN_ORDER)
        site.page("/b.html", "ページB", "<p>本文B</p>")
        recent = crawl_site(settings, site.url("/"), IN_ORDER)
        due = crawl_site(settings, site.url("/"), every_crawl)

    assert recent.rechecked_aliases == 0
    assert due.rechecked_aliases == 1
    assert due.new == 1
    assert aliases(settings) == {}


def test_top_page_for_unknown_urls_is_crawled(tmp_path):
    settings = settings_for(tmp_path)
    top = html_page("トップ", "<a href='/a.html'>a</a>")
    with FakeSite() as site:
        site.add("/", top)
        site.page("/a.html", "ページA", "<p>本文A</p>")
        site.serve_unknown_paths(top)
        summary = crawl_site(settings, site.url("/"), FAST)

    assert summary.new == 2
    assert summary.failed == 0


def _site_with_section(site: FakeSite) -> None:
    """Serve a top page linking a page of a section and a facilities page."""
    site.page(
        "/", "トップ", "<a href='/zei/a.html'>税</a><a href='/shisetsu/'>施設</a>"
    )
    site.page("/zei/a.html", "市民税の納付", "<p>納付方法の説明</p>")
    site.page("/shisetsu/", "施設案内", "<p>施設の一覧</p>")


@pytest.mark.parametrize(
    ("status", "reason"), [(301, "redirect"), (302, "duplicate"), (307, "duplicate")]
)
def test_page_comes_back_when_its_redirect_ends(tmp_path, status, reason):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        _site_with_section(site)
        crawl_site(settings, site.url("/"), FAST)
        site.add("/zei/a.html", status=status, headers={"Location": "/shisetsu/"})
        redirected = crawl_site(settings, site.url("/"), FAST)
        merged_aliases = aliases(settings)
        _site_with_section(site)
        ended = crawl_site(settings, site.url("/"), FAST)

    assert redirected.merged == 1
    assert merged_aliases == {site.url("/zei/a.html"): (site.url("/shisetsu/"), reason)}
    assert ended.new == 1
    assert aliases(settings) == {}
    assert stored(settings)[site.url("/zei/a.html")].title == "市民税の納付"


def test_off_site_redirect_ended_page_back(tmp_path):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        _site_with_section(site)
        crawl_site(settings, site.url("/"), FAST)
        elsewhere = "http://127.0.0.2:9/maintenance.html"
        site.add("/zei/a.html", status=302, headers={"Location": elsewhere})
        crawl_site(settings, site.url("/"), FAST)
        _site_with_section(site)
        crawl_site(settings, site.url("/"), FAST)

    assert aliases(settings) == {}
    assert not stored(settings)[site.url("/zei/a.html")].removed


def test_unlinked_permanent_redirect_is_not_fetched_again(tmp_path):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/old.html'>old</a>")
        site.add("/old.html", status=301, headers={"Location": "/new.html"})
        site.page("/new.html", "新しいページ", "<p>本文</p>")
        crawl_site(settings, site.url("/"), FAST)
        site.page("/", "トップ", "<a href='/new.html'>new</a>")
        crawl_site(settings, site.url("/"), FAST)
        old_fetches = len(site.requests_for("/old.html"))

    assert old_fetches == 1
    assert aliases(settings) == {
        site.url("/old.html"): (site.url("/new.html"), "redirect")
    }


@pytest.mark.parametrize("status", [302, 303, 307])
def test_temporary_redirect_keeps_the_page_at_its_url(tmp_path, status):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/gomi/sodai.html'>粗大ごみ</a>")
        target = "/gomi/sodai.html?sid=abc123"
        site.add("/gomi/sodai.html", status=status, headers={"Location": target})
        site.add(target, html_page("粗大ごみの出し方", "<p>申込制です</p>"))
        crawl_site(settings, site.url("/"), FAST)
        second = crawl_site(settings, site.url("/"), FAST)

    pages = stored(settings)
    assert pages[site.url("/gomi/sodai.html")].title == "粗大ごみの出し方"
    assert site.url(target) not in pages
    assert aliases(settings) == {}
    assert second.new == 0


def _site_with_news(site: FakeSite, count: int) -> None:
    """Serve a top page linking ``count`` news pages and a contact page."""
    links = "".join(f"<a href='/news/{n}.html'>{n}</a>" for n in range(count))
    site.page("/", "トップ", links + "<a href='/contact.html'>c</a>")
    site.page("/contact.html", "問い合わせ", "<p>連絡先</p>")
    for n in range(count):
        site.page(f"/news/{n}.html", f"お知らせ{n}", f"<p>本文{n}</p>")


def test_pages_moved_off_site_count_as_lost(tmp_path):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        _site_with_news(site, 12)
        crawl_site(settings, site.url("/"), FAST)
        for n in range(12):
            elsewhere = f"http://localhost:9/news/{n}.html"
            site.add(f"/news/{n}.html", status=301, headers={"Location": elsewhere})
        summary = crawl_site(settings, site.url("/"), FAST)

    assert summary.held
    assert summary.merges_held == 12
    assert summary.to_json()["merges_held"] == 12
    assert len([p for p in stored(settings).values() if not p.removed]) == 14


def test_pages_redirected_off_site_for_a_while_stay(tmp_path):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        _site_with_news(site, 12)
        crawl_site(settings, site.url("/"), FAST)
        for n in range(12):
            elsewhere = f"http://localhost:9/news/{n}.html"
            site.add(f"/news/{n}.html", status=302, headers={"Location": elsewhere})
        summary = crawl_site(settings, site.url("/"), FAST)

    assert not summary.held
    assert summary.failed == 12
    assert aliases(settings) == {}
    assert len([p for p in stored(settings).values() if not p.removed]) == 14


def test_redirects_to_copies_count_as_lost(tmp_path):
    settings = settings_for(tmp_path)
    sorry = html_page("メンテナンス中", "<p>ただいまメンテナンス中です</p>")
    with FakeSite() as site:
        _site_with_news(site, 12)
        crawl_site(settings, site.url("/"), FAST)
        for n in range(12):
            target = f"/sorry/news/{n}.html"
            site.add(f"/news/{n}.html", status=302, headers={"Location": target})
            site.add(target, sorry)
        summary = crawl_site(settings, site.url("/"), IN_ORDER)

    assert summary.held
    assert summary.merges_held == 11


def test_section_moved_back_is_no_loss(tmp_path):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        _site_with_news(site, 12)
        crawl_site(settings, site.url("/"), FAST)
        for n in range(12):
            moved = f"/tmp_news/{n}.html"
            site.add(f"/news/{n}.html", status=301, headers={"Location": moved})
            site.page(moved, f"お知らせ{n}", f"<p>本文{n}</p>")
        moved_out = crawl_site(settings, site.url("/"), FAST)
        for n in range(12):
            site.add(f"/tmp_news/{n}.html", "gone", status=404)
        _site_with_news(site, 12)
        moved_back = crawl_site(settings, site.url("/"), FAST)

    pages = stored(settings)
    assert not moved_out.held
    assert not moved_back.held
    assert moved_back.new == 12
    assert moved_back.removed == 12
    assert not pages[site.url("/news/3.html")].removed
    assert pages[site.url("/tmp_news/3.html")].removed


def test_redirect_to_fetched_page_not_followed(tmp_path):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        site.page(
            "/", "トップ", "<a href='/new.html'>new</a><a href='/old.html'>old</a>"
        )
        site.add("/old.html", status=301, headers={"Location": "/new.html"})
        site.page("/new.html", "新しいページ", "<p>本文</p>")
        crawl_site(settings, site.url("/"), IN_ORDER)
        site.requests.clear()
        crawl_site(settings, site.url("/"), IN_ORDER)
        new_fetches = len(site.requests_for("/new.html"))

    assert new_fetches == 1
    assert aliases(settings) == {
        site.url("/old.html"): (site.url("/new.html"), "redirect")
    }


def test_old_url_after_two_moves_found(tmp_path):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a>")
        site.page("/a.html", "ページ", "<p>本文</p>")
        crawl_site(settings, site.url("/"), FAST)
        site.page("/", "トップ", "<a href='/b.html'>b</a>")
        site.add("/a.html", status=301, headers={"Location": "/b.html"})
        site.page("/b.html", "ページ", "<p>本文</p>")
        crawl_site(settings, site.url("/"), FAST)
        site.page("/", "トップ", "<a href='/c.html'>c</a>")
        site.add("/b.html", status=301, headers={"Location": "/c.html"})
        site.page("/c.html", "ページ", "<p>本文</p>")
        crawl_site(settings, site.url("/"), FAST)

    with PageStore.open_existing(settings.pages_db_path) as store:
        found = store.get(site.url("/a.html"))
    assert found is not None
    assert found.url == site.url("/c.html")


def test_temporary_top_redirect_keeps_top_url(tmp_path):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        site.page("/", "テスト市", "<a href='/a.html'>a</a>")
        site.page("/a.html", "ページA", "<p>本文A</p>")
        crawl_site(settings, site.url("/"), FAST)
        site.add("/", status=302, headers={"Location": "/top/"})
        site.page("/top/", "テスト市", "<a href='/a.html'>a</a>")
        during = crawl_site(settings, site.url("/"), FAST)
        site.page("/", "テスト市", "<a href='/a.html'>a</a>")
        site.add("/top/", "gone", status=404)
        after = crawl_site(settings, site.url("/"), FAST)

    pages = stored(settings)
    assert not during.held
    assert not after.held
    assert not pages[site.url("/")].removed
    assert site.url("/top/") not in pages
    assert aliases(settings) == {}


def test_permanent_then_temporary_stops_before_session(tmp_path):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/old.html'>予約</a>")
        site.add("/old.html", status=301, headers={"Location": "/yoyaku.html"})
        site.add(
            "/yoyaku.html", status=302, headers={"Location": "/yoyaku.html?sid=1a2b"}
        )
        site.add("/yoyaku.html?sid=1a2b", html_page("施設予約", "<p>予約できます</p>"))
        crawl_site(settings, site.url("/"), FAST)
        crawl_site(settings, site.url("/"), FAST)

    pages = stored(settings)
    assert pages[site.url("/yoyaku.html")].title == "施設予約"
    assert site.url("/yoyaku.html?sid=1a2b") not in pages
    assert aliases(settings) == {
        site.url("/old.html"): (site.url("/yoyaku.html"), "redirect")
    }


def test_page_moved_to_a_missing_url_is_removed(tmp_path):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        _site_with_news(site, 12)
        crawl_site(settings, site.url("/"), FAST)
        site.add("/news/3.html", status=301, headers={"Location": "/missing.html"})
        summary = crawl_site(settings, site.url("/"), FAST)

    assert summary.removed == 1
    assert stored(settings)[site.url("/news/3.html")].removed


def test_every_url_redirected_to_notice_unavailable(tmp_path):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        site.page("/maintenance.html", "メンテナンス中", "<p>ただいま停止中です</p>")
        site.fallback = Route(302, b"", {"Location": "/maintenance.html"})
        site.add("/", status=302, headers={"Location": "/maintenance.html"})
        with pytest.raises(SiteUnavailableError, match="maintenance"):
            crawl_site(settings, site.url("/"), FAST)


def test_pages_names_where_an_alias_without_page_leads(tmp_path, invoke):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/ext.html'>外部</a>")
        elsewhere = "http://localhost:9/ext.html"
        site.add("/ext.html", status=301, headers={"Location": elsewhere})
        crawl_site(settings, site.url("/"), FAST)
        result = invoke(settings.data_dir, "pages", site.url("/ext.html"))

    assert result.returncode == 2
    assert f"it redirects to {elsewhere!r}, which is no stored page" in result.stderr


def test_page_redirected_to_not_found_notice_is_removed(tmp_path):
    # The site returns a real 404 for unknown URLs, so the probe finds nothing.
    # Only the deleted page redirects to a notice served with 200.
    settings = settings_for(tmp_path)
    notice = html_page(
        "お探しのページが見つかりません", "<p>トップページからどうぞ。</p>"
    )
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a><a href='/b.html'>b</a>")
        site.page("/a.html", "ページA", "<p>本文A</p>")
        site.page("/b.html", "ページB", "<p>本文B</p>")
        crawl_site(settings, site.url("/"), FAST)
        site.add("/b.html", status=302, headers={"Location": "/notfound.html"})
        site.add("/notfound.html", notice)
        summary = crawl_site(settings, site.url("/"), FAST)

    pages = stored(settings)
    why = (
        f"soft 404: redirects to {site.url('/notfound.html')}, "
        "a page titled 'お探しのページが見つかりません'"
    )
    assert summary.removed == 1
    assert summary.gone_urls == [(site.url("/b.html"), why)]
    assert pages[site.url("/b.html")].removed
    assert site.url("/notfound.html") not in pages


def test_linked_not_found_notice_is_not_stored(tmp_path):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a><a href='/old.html'>b</a>")
        site.page("/a.html", "ページA", "<p>本文A</p>")
        site.page("/old.html", "404 Not Found", "<p>ページはありません。</p>")
        summary = crawl_site(settings, site.url("/"), FAST)

    assert sorted(stored(settings)) == [site.url("/"), site.url("/a.html")]
    assert summary.failures == [
        (site.url("/old.html"), "soft 404: a page titled '404 Not Found'")
    ]


def test_page_turning_noindex_counts_as_noindex_and_gone(tmp_path):
    settings = settings_for(tmp_path)
    robots = "<meta name='robots' content='noindex'>"
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a><a href='/b.html'>b</a>")
        site.page("/a.html", "ページA", "<p>本文A</p>")
        site.page("/b.html", "ページB", "<p>本文B</p>")
        crawl_site(settings, site.url("/"), FAST)
        site.add("/b.html", html_page("ページB", "<p>本文B</p>", head=robots))
        first = crawl_site(settings, site.url("/"), FAST)
        again = crawl_site(settings, site.url("/"), FAST)

    assert (first.removed, first.noindex_skipped) == (1, 1)
    assert first.gone_urls == [(site.url("/b.html"), "noindex")]
    assert f"  gone: {site.url('/b.html')} (noindex)" in first.format().splitlines()
    assert (again.removed, again.noindex_skipped, again.gone_urls) == (0, 1, [])


def test_page_moved_to_not_found_notice_is_removed(tmp_path):
    settings = settings_for(tmp_path)
    notice = html_page("お探しのページが見つかりません")
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a><a href='/b.html'>b</a>")
        site.page("/a.html", "ページA", "<p>本文A</p>")
        site.page("/b.html", "ページB", "<p>本文B</p>")
        crawl_site(settings, site.url("/"), IN_ORDER)
        site.add("/b.html", status=301, headers={"Location": "/notfound.html"})
        site.add("/notfound.html", notice)
        summary = crawl_site(settings, site.url("/"), IN_ORDER)

    assert summary.removed == 1
    assert [url for url, _ in summary.gone_urls] == [site.url("/b.html")]
    assert summary.merged_urls == []
    assert stored(settings)[site.url("/b.html")].removed


def test_page_moved_to_gone_page_removed(tmp_path):
    # Both pages were stored; now the second is a notice and the first moves to it.
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/n.html'>n</a><a href='/x.html'>x</a>")
        site.page("/n.html", "ページN", "<p>本文N</p>")
        site.page("/x.html", "ページX", "<p>本文X</p>")
        crawl_site(settings, site.url("/"), IN_ORDER)
        site.page("/n.html", "お探しのページが見つかりません")
        site.add("/x.html", status=301, headers={"Location": "/n.html"})
        summary = crawl_site(settings, site.url("/"), IN_ORDER)

    pages = stored(settings)
    assert sorted(url for url, _ in summary.gone_urls) == [
        site.url("/n.html"),
        site.url("/x.html"),
    ]
    assert pages[site.url("/x.html")].removed
    assert pages[site.url("/n.html")].removed


def test_notice_under_generic_heading_found(tmp_path):
    settings = settings_for(tmp_path)
    notice = (
        "<html><head><title>ページが見つかりません｜テスト市</title></head>"
        "<body><main><h1>エラー</h1><p>トップページからお探しください。</p></main>"
        "</body></html>"
    )
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a><a href='/b.html'>b</a>")
        site.page("/a.html", "ページA", "<p>本文A</p>")
        site.page("/b.html", "ページB", "<p>本文B</p>")
        crawl_site(settings, site.url("/"), FAST)
        site.add("/b.html", status=302, headers={"Location": "/error.html"})
        site.add("/error.html", notice)
        summary = crawl_site(settings, site.url("/"), FAST)

    assert summary.removed == 1
    assert stored(settings)[site.url("/b.html")].removed


def test_page_moved_to_notice_in_flight(tmp_path):
    # /m.html turns into a slow notice; /b.html moves to it while the crawl's
    # own request for /m.html is still out.
    settings = settings_for(tmp_path)
    two = dataclasses.replace(FAST, concurrency=2)
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/b.html'>b</a><a href='/m.html'>m</a>")
        site.page("/b.html", "ページB", "<p>本文B</p>")
        site.page("/m.html", "ページM", "<p>本文M</p>")
        crawl_site(settings, site.url("/"), two)
        site.add("/b.html", status=301, headers={"Location": "/m.html"})
        site.page("/m.html", "お探しのページが見つかりません", delay=0.3)
        summary = crawl_site(settings, site.url("/"), two)

    assert summary.merged_urls == []
    assert sorted(url for url, _ in summary.gone_urls) == [
        site.url("/b.html"),
        site.url("/m.html"),
    ]
