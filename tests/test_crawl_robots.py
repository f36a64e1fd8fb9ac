"""robots.txt parsing and how a crawl obeys it."""

from __future__ import annotations

import pytest

from cityline.errors import ConfigError
from crawler.config import CrawlConfig
from crawler.crawl import crawl_site
from crawler.errors import SiteUnavailableError
from crawler.robots import RobotsRules, parse_robots
from crawler.scope import MAX_CRAWL_DELAY, _crawl_delay
from crawler.store import PageStore
from tests.crawl_site import FAST, FakeSite, settings_for

ROBOTS = """
# comments and blank lines are ignored
User-agent: *
Disallow: /private/
Disallow: /*.cgi$
Disallow: /*?print=
Allow: /private/open/
Crawl-delay: 2

User-agent: other-bot
Disallow: /

Sitemap: /sitemaps/main.xml
Sitemap: https://elsewhere.example/sitemap.xml
"""


def rules(text: str = ROBOTS, agent: str = "cityline-crawler/0.1") -> RobotsRules:
    return parse_robots(text, agent, "http://h.example/robots.txt")


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://h.example/", True),
        ("http://h.example/private/", False),
        ("http://h.example/private/page.html", False),
        ("http://h.example/private/open/page.html", True),
        ("http://h.example/app/run.cgi", False),
        ("http://h.example/app/run.cgi?x=1", True),  # $ anchors at the URL's end
        ("http://h.example/page.html?print=1", False),
        ("http://h.example/page.html?a=1&print=1", True),
        ("http://h.example/robots.txt", True),
    ],
)
def test_robots_wildcards_and_longest_match(url, allowed):
    assert rules().allows(url) is allowed


def test_robots_allow_wins_a_tie():
    text = "User-agent: *\nDisallow: /a\nAllow: /a\n"
    assert rules(text).allows("http://h.example/a/b")


def test_robots_longer_disallow_beats_shorter_allow():
    text = "User-agent: *\nAllow: /docs/\nDisallow: /docs/drafts/\n"
    assert rules(text).allows("http://h.example/docs/a.html")
    assert not rules(text).allows("http://h.example/docs/drafts/a.html")


def test_robots_specific_agent_group_replaces_star_group():
    assert not rules(agent="other-bot/2.0").allows("http://h.example/page.html")
    assert rules().allows("http://h.example/page.html")


def test_robots_groups_of_one_agent_are_merged():
    text = (
        "User-agent: cityline-crawler\nDisallow: /a/\n\n"
        "User-agent: *\nDisallow: /\n\n"
        "User-agent: cityline-crawler\nDisallow: /b/\n"
    )
    parsed = rules(text)
    assert not parsed.allows("http://h.example/a/x")
    assert not parsed.allows("http://h.example/b/x")
    assert parsed.allows("http://h.example/c/x")


def test_robots_several_agents_share_one_group():
    text = "User-agent: foo\nUser-agent: cityline-crawler\nDisallow: /x/\n"
    assert not rules(text).allows("http://h.example/x/1")


def test_robots_empty_disallow_allows_everything():
    assert rules("User-agent: *\nDisallow:\n").allows("http://h.example/any")


def test_robots_percent_encoding_matches_literal_form():
    text = "User-agent: *\nDisallow: /%E5%B8%82/\n"
    assert not rules(text).allows("http://h.example/市/page.html")


def test_robots_crawl_delay_and_sitemaps():
    parsed = rules()
    assert parsed.crawl_delay == 2.0
    assert parsed.sitemaps == [
        "http://h.example/sitemaps/main.xml",
        "https://elsewhere.example/sitemap.xml",
    ]


def test_robots_invalid_crawl_delay_is_ignored():
    assert rules("User-agent: *\nCrawl-delay: soon\n").crawl_delay is None


def test_robots_disallow_all_blocks_everything_but_robots_txt():
    blocked = RobotsRules.disallow_all()
    assert not blocked.allows("http://h.example/")
    assert blocked.allows("http://h.example/robots.txt")


def test_crawl_skips_disallowed_links_without_fetching(tmp_path):
    with FakeSite() as site:
        site.add(
            "/robots.txt",
            "User-agent: *\nDisallow: /secret/\nDisallow: /*.php$\n",
            content_type="text/plain",
        )
        site.page(
            "/",
            "トップ",
            "<a href='/secret/a.html'>秘密</a><a href='/open.html'>公開</a>"
            "<a href='/app.php'>アプリ</a><a href='/app.php?id=1'>アプリ1</a>",
        )
        site.page("/open.html", "公開ページ")
        site.page("/secret/a.html", "秘密のページ")
        site.page("/app.php", "アプリ")
        site.page("/app.php?id=1", "アプリ1")
        summary = crawl_site(settings_for(tmp_path), site.url("/"), FAST)
        paths = site.paths()

    assert "/secret/a.html" not in paths
    assert "/app.php" not in paths
    assert "/app.php?id=1" in paths
    assert summary.robots_skipped == 2
    assert summary.new == 3


def test_robots_byte_order_mark_ignored():
    rules = parse_robots("\ufeffUser-agent: *\nDisallow: /private/\n", "cityline", "")
    assert not rules.allows("http://h.example/private/a.html")
    assert rules.allows("http://h.example/open.html")


def test_crawl_obeys_robots_sent_with_byte_order_mark(tmp_path):
    with FakeSite() as site:
        robots = b"\xef\xbb\xbfUser-agent: *\r\nDisallow: /private/\r\n"
        site.add("/robots.txt", robots, content_type="text/plain")
        site.page("/", "トップ", "<a href='/private/a.html'>非公開</a>")
        site.page("/private/a.html", "非公開のページ")
        summary = crawl_site(settings_for(tmp_path), site.url("/"), FAST)
        paths = site.paths()

    assert "/private/a.html" not in paths
    assert summary.robots_skipped == 1


def test_robots_loaded_for_other_scheme(tmp_path, caplog):
    with FakeSite() as site:
        other_scheme = site.url("/x.html").replace("http://", "https://")
        site.page("/", "トップ", f"<a href='{other_scheme}'>x</a>")
        with caplog.at_level("WARNING"):
            crawl_site(settings_for(tmp_path), site.url("/"), FAST)

    https_origin = site.base_url.replace("http://", "https://")
    assert f"robots.txt of {https_origin} is unavailable" in caplog.text


def test_crawl_delay_from_robots_spaces_requests(tmp_path):
    with FakeSite() as site:
        site.add(
            "/robots.txt",
            "User-agent: *\nCrawl-delay: 0.3\n",
            content_type="text/plain",
        )
        links = "".join(f"<a href='/p{i}.html'>p{i}</a>" for i in range(3))
        site.page("/", "トップ", links)
        for i in range(3):
            site.page(f"/p{i}.html", f"ページ{i}")
        crawl_site(settings_for(tmp_path), site.url("/"), FAST)
        starts = [r.at for r in site.requests]

    gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
    # Every request starts at least the Crawl-delay after the one before it
    # (with a little slack for clock granularity).
    assert len(gaps) >= 4
    assert min(gaps) >= 0.28


def test_crawl_sends_the_user_agent_with_contact(tmp_path):
    with FakeSite() as site:
        site.page("/", "トップ")
        settings = settings_for(tmp_path)
        crawl_site(settings, site.url("/"), FAST)
        agents = {r.headers.get("User-Agent") for r in site.requests}
    assert agents == {settings.crawler_user_agent_header}
    assert settings.crawler_contact_url in settings.crawler_user_agent_header


def test_crawl_store_records_robots_outcome(tmp_path):
    with FakeSite() as site:
        site.add(
            "/robots.txt", "User-agent: *\nDisallow: /x\n", content_type="text/plain"
        )
        site.page("/", "トップ", "<a href='/x.html'>x</a>")
        crawl_site(settings_for(tmp_path), site.url("/"), FAST)
    with PageStore.open(settings_for(tmp_path).pages_db_path) as store:
        assert store.get(site.url("/x.html")) is None
        assert store.count_pages() == 1


def test_page_disallowed_later_is_removed(tmp_path):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        site.add("/robots.txt", "User-agent: *\n", content_type="text/plain")
        site.page("/", "トップ", "<a href='/x.html'>x</a><a href='/y.html'>y</a>")
        site.page("/x.html", "非公開になるページ")
        site.page("/y.html", "公開ページ")
        crawl_site(settings, site.url("/"), FAST)
        site.add(
            "/robots.txt", "User-agent: *\nDisallow: /x\n", content_type="text/plain"
        )
        site.requests.clear()
        summary = crawl_site(settings, site.url("/"), FAST)
        fetched = site.paths()

    assert "/x.html" not in fetched
    assert summary.removed == 1
    with PageStore.open(settings.pages_db_path) as store:
        assert store.get(site.url("/x.html")).removed
        assert not store.get(site.url("/y.html")).removed


def test_robots_server_error_disallows_everything(tmp_path):
    with FakeSite() as site:
        site.add("/robots.txt", "busy", status=503, content_type="text/plain")
        site.page("/", "トップ")
        with pytest.raises(SiteUnavailableError, match="could not be fetched"):
            crawl_site(settings_for(tmp_path), site.url("/"), FAST)
        fetched = [path for path in site.paths() if path != "/robots.txt"]

    assert fetched == []
    assert not settings_for(tmp_path).pages_db_path.exists()


def test_robots_missing_allows_everything(tmp_path):
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a>")
        site.page("/a.html", "A")
        summary = crawl_site(settings_for(tmp_path), site.url("/"), FAST)
    assert summary.new == 2


@pytest.mark.parametrize("requested", [100_000.0, float("inf")])
def test_huge_crawl_delay_is_capped_with_a_warning(requested, caplog):
    assert _crawl_delay("https://city.example", requested) == MAX_CRAWL_DELAY
    assert "asks for a Crawl-delay of" in caplog.text
    assert "ask the site's admins to lower it" in caplog.text


def test_small_crawl_delay_is_kept():
    assert _crawl_delay("https://city.example", 2.5) == 2.5
    assert _crawl_delay("https://city.example", None) == 0.0


@pytest.mark.parametrize("delay", [float("inf"), float("nan"), 3601.0])
def test_invalid_delay_rejected(delay):
    with pytest.raises(ConfigError, match="delay"):
        CrawlConfig(delay=delay)
