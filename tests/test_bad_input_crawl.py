"""Bad input to `cityline crawl` and `cityline pages`: one error line each."""

from __future__ import annotations

import pytest

from crawler.crawl import crawl_site
from crawler.store import PageStore
from crawler.urls import resolve_link
from tests.crawl_site import FAST, FakeSite, settings_for


def error_lines(stderr: str) -> list[str]:
    """Return the stderr lines that are not log lines."""
    return [line for line in stderr.splitlines() if " INFO " not in line]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://[::1", "'http://[::1' is invalid"),
        ("http://127.0.0.1:0/", "invalid port"),
        ("http://user:secret@127.0.0.1:1/", "contains a user name or password"),
        ("http://" + "a" * 3000 + ".example/", "characters long"),
    ],
)
def test_crawl_rejects_bad_start_url(invoke, tmp_path, url, expected):
    data_dir = tmp_path / "data"

    result = invoke(data_dir, "crawl", "--no-index", url)

    lines = error_lines(result.stderr)
    assert result.returncode == 2
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: start URL")
    assert expected in lines[0]
    assert not data_dir.exists()


def test_crawl_error_hides_password(invoke, tmp_path):
    result = invoke(tmp_path / "data", "crawl", "http://user:secret@127.0.0.1:1/")

    assert "secret" not in result.stderr


def test_crawl_error_shortens_huge_url(invoke, tmp_path):
    result = invoke(tmp_path / "data", "crawl", "http://" + "b" * 5000 + ".example/")

    assert len(result.stderr) < 400


@pytest.mark.parametrize("prefix", ["ftp://x/", "kurashi/", "http://[::1"])
def test_crawl_rejects_bad_allow_prefix(invoke, tmp_path, prefix):
    data_dir = tmp_path / "data"

    result = invoke(
        data_dir, "crawl", "--no-index", "--allow-prefix", prefix, "http://h.test/"
    )

    lines = error_lines(result.stderr)
    assert result.returncode == 2
    assert len(lines) == 1, result.stderr
    assert f"allowed URL prefix {prefix!r} is invalid" in lines[0]
    assert not data_dir.exists()


@pytest.mark.parametrize(
    "href", ["http://[::1", "http://[zz]/", "http://127.0.0.1:99999/", "ftp://x/"]
)
def test_resolve_link_skips_invalid_links(href):
    assert resolve_link("http://h.test/", href) is None


def test_crawl_survives_invalid_urls_from_the_site(tmp_path):
    with FakeSite() as site:
        site.add(
            "/robots.txt",
            "User-agent: *\nDisallow:\nSitemap: http://[::1\n",
            content_type="text/plain",
        )
        site.add(
            "/sitemap.xml",
            "<?xml version='1.0'?><urlset"
            " xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
            "<url><loc>http://[::1</loc></url></urlset>",
            content_type="application/xml",
        )
        site.page(
            "/",
            "トップ",
            "<a href='http://[::1'>v6</a><a href='/jump'>jump</a>"
            "<a href='/a.html'>a</a>",
        )
        site.add("/jump", b"", status=302, headers={"Location": "http://[::1/x"})
        site.page("/a.html", "ページA", "<p>\x00 NUL の入った本文</p>")
        settings = settings_for(tmp_path)

        summary = crawl_site(settings, site.url("/"), FAST)

    assert summary.failed == 1
    with PageStore.open(settings.pages_db_path) as store:
        stored = {page.url for page in store.iter_pages()}
    assert stored == {site.url("/"), site.url("/a.html")}


def test_pages_error_shortens_huge_url(invoke, tmp_path):
    data_dir = tmp_path / "data"
    PageStore.open(data_dir / "pages.db").close()

    result = invoke(data_dir, "pages", "http://" + "c" * 5000 + ".example/")

    lines = error_lines(result.stderr)
    assert result.returncode == 2
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: no page stored for 'http://ccc")
    assert len(lines[0]) < 300


@pytest.mark.parametrize(
    "args",
    [
        ["pages"],
        ["pages", "--json"],
        ["pages", "http://127.0.0.1:1/a.html"],
        ["index"],
    ],
)
@pytest.mark.parametrize("folder_exists", [False, True])
def test_read_only_commands_need_a_page_store(invoke, tmp_path, args, folder_exists):
    data_dir = tmp_path / "nonexist"
    if folder_exists:
        data_dir.mkdir()

    result = invoke(data_dir, *args)

    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2
    assert len(lines) == 1, result.stderr
    store_path = str(data_dir / "pages.db")
    assert lines[0].startswith(f"error: no page store at {store_path!r}")
    assert "cityline crawl" in lines[0]
    assert "--data-dir" in lines[0]
    assert result.stdout == ""
    assert data_dir.exists() is folder_exists
    assert not (data_dir / "pages.db").exists()
