"""`cityline pages --remove-host` and `--remove-other-hosts` on real page stores."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.crawl import crawl_site
from crawler.lock import writer_lock
from crawler.records import FrontierEntry, StoredPage, utc_now
from crawler.schema import aliases_table
from crawler.store import PageStore
from crawler.summary import CrawlSummary
from index.artifact import load_model
from tests.crawl_site import FAST, FakeSite, settings_for

TABLES = ("pages", "page_aliases", "page_files", "crawl_runs", "crawl_frontier")


def serve_city_pages(site: FakeSite) -> None:
    """Serve the same two pages and a PDF link on ``site``, as a moved site does."""
    site.page(
        "/",
        "トップ",
        "<a href='/gomi.html'>ごみ</a><a href='/files/calendar.pdf'>収集日程</a>",
    )
    site.page("/gomi.html", "ごみの出し方", "<p>燃えるごみは週2回の収集です。</p>")


def netloc(site: FakeSite) -> str:
    return urlsplit(site.base_url).netloc


def store_rows(data_dir: Path) -> dict[str, list[tuple]]:
    """Return every row of the page store's tables, sorted, by table name."""
    with sqlite3.connect(data_dir / "pages.db") as connection:
        return {
            table: sorted(connection.execute(f"select * from {table}").fetchall())
            for table in TABLES
        }


def live_urls(data_dir: Path) -> set[str]:
    with PageStore.open(data_dir / "pages.db") as store:
        return {page.url for page in store.iter_pages()}


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def fixture_page(url: str, title: str = "ページ") -> StoredPage:
    """Return a live page for ``url`` to store with ``PageStore.put_page``."""
    now = utc_now()
    return StoredPage(
        url=url,
        canonical_url=url,
        title=title,
        breadcrumbs=[],
        text=f"{title}の本文",
        page_number=None,
        updated=None,
        encoding="utf-8",
        status=200,
        content_hash=url,
        fetched_at=now,
        changed_at=now,
    )


@pytest.fixture
def two_origins(tmp_path):
    """Crawl origin A, then origin B with the same pages, into ``tmp_path/data``.

    Yields (data dir, site A, site B). Both servers are down by then, so any
    request that a removal sent would fail.
    """
    settings = settings_for(tmp_path)
    with FakeSite() as old, FakeSite() as new:
        serve_city_pages(old)
        serve_city_pages(new)
        crawl_site(settings, old.url("/"), FAST)
        crawl_site(settings, new.url("/"), FAST)
    yield settings.data_dir, old, new


def test_remove_host_after_origin_move(invoke, tmp_path):
    data_dir = tmp_path / "data"
    with FakeSite() as old, FakeSite() as new:
        serve_city_pages(old)
        serve_city_pages(new)
        first = invoke(data_dir, "crawl", old.url("/"), "--delay", "0")
        second = invoke(data_dir, "crawl", new.url("/"), "--delay", "0")
    before = store_rows(data_dir)
    index_before = sorted(p.name for p in (data_dir / "index" / "builds").iterdir())

    dry_run = invoke(data_dir, "pages", "--remove-host", netloc(old))
    after_dry_run = store_rows(data_dir)
    index_after_dry_run = sorted(
        p.name for p in (data_dir / "index" / "builds").iterdir()
    )
    removal = invoke(data_dir, "pages", "--remove-host", netloc(old), "--confirm")
    model, _ = load_model(data_dir / "index")

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert f"`cityline pages --remove-other-hosts {new.url('/')}`" in second.stdout
    assert dry_run.returncode == 0, dry_run.stderr
    assert dry_run.stdout.splitlines() == [
        f"would remove 2 stored pages of {old.base_url} (2), with 0 aliases and "
        "1 file link; 2 live pages of the hosts kept stay",
        f"  {old.url('/')}",
        f"  {old.url('/gomi.html')}",
        "dry run: nothing was removed; run again with --confirm to remove these "
        "2 pages and rebuild the index",
    ]
    assert after_dry_run == before
    assert index_after_dry_run == index_before
    assert removal.returncode == 0, removal.stderr
    assert removal.stdout.splitlines()[0].startswith("removed 2 stored pages of")
    assert removal.stdout.splitlines()[1].startswith("indexed 2 pages (")
    assert live_urls(data_dir) == {new.url("/"), new.url("/gomi.html")}
    assert sorted(page.url for page in model.pages) == sorted(
        [new.url("/"), new.url("/gomi.html")]
    )
    with PageStore.open(data_dir / "pages.db") as store:
        assert [f["page_url"] for f in store.files()] == [new.url("/")]
        assert store.count_by_origin() == {new.base_url: 2}


def test_remove_host_leaves_other_rows_unchanged(invoke, two_origins):
    data_dir, old, new = two_origins
    before = store_rows(data_dir)
    result = invoke(
        data_dir,
        "pages",
        "--remove-host",
        old.base_url + "/",
        "--confirm",
        "--no-index",
    )
    after = store_rows(data_dir)

    assert result.returncode == 0, result.stderr
    assert not (data_dir / "index").exists()
    old_prefix = old.base_url + "/"
    for table in ("pages", "page_aliases", "page_files", "crawl_frontier"):
        kept = [row for row in before[table] if old_prefix not in str(row)]
        assert after[table] == kept, table
    # The runs name their start URLs, and those records stay as they were.
    assert after["crawl_runs"] == before["crawl_runs"]


def test_remove_other_hosts_keeps_start_host(invoke, tmp_path):
    settings = settings_for(tmp_path)
    with FakeSite() as first, FakeSite() as second, FakeSite() as current:
        for site in (first, second, current):
            serve_city_pages(site)
            crawl_site(settings, site.url("/"), FAST)
    data_dir = settings.data_dir

    listed = invoke(
        data_dir, "pages", "--remove-other-hosts", current.url("/"), "--json"
    )
    removed = invoke(
        data_dir,
        "pages",
        "--remove-other-hosts",
        current.url("/gomi.html"),
        "--confirm",
        "--no-index",
        "--json",
    )
    again = invoke(data_dir, "pages", "--remove-other-hosts", current.url("/"))

    assert listed.returncode == 0, listed.stderr
    plan = json.loads(listed.stdout)
    assert plan["dry_run"] is True
    assert plan["hosts"] == {first.base_url: 2, second.base_url: 2}
    assert plan["pages"] == sorted(
        site.url(path) for site in (first, second) for path in ("/", "/gomi.html")
    )
    assert plan["files"] == 2
    assert plan["remaining"] == 2
    assert removed.returncode == 0, removed.stderr
    done = json.loads(removed.stdout)
    assert done["dry_run"] is False
    assert done["pages"] == plan["pages"]
    assert live_urls(data_dir) == {current.url("/"), current.url("/gomi.html")}
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "no pages stored for other hosts; nothing to remove"


def test_removal_frees_aliases_to_old_pages(invoke, tmp_path):
    """A page of the new origin stored as a duplicate of an old page is fetched again.

    Stores from before crawls kept to their scope have such aliases: the new URL
    points to the old page, and a crawl never fetches an alias.
    """
    settings = settings_for(tmp_path)
    data_dir = settings.data_dir
    with FakeSite() as old:
        serve_city_pages(old)
        crawl_site(settings, old.url("/"), FAST)
    with FakeSite() as new:
        serve_city_pages(new)
        new.page("/kosodate.html", "子育て", "<p>保育園の申し込み</p>")
        with PageStore.open(settings.pages_db_path) as store:
            with store.engine.begin() as connection:
                connection.execute(
                    aliases_table.insert().values(
                        url=new.url("/gomi.html"),
                        target_url=old.url("/gomi.html"),
                        reason="duplicate",
                        seen_at=utc_now(),
                    )
                )
            store.put_page(fixture_page(new.url("/kosodate.html"), "子育て"))
        listed = invoke(data_dir, "pages", "--remove-host", netloc(old), "--json")
        removal = invoke(
            data_dir, "pages", "--remove-host", netloc(old), "--confirm", "--no-index"
        )
        summary = crawl_site(settings, new.url("/"), FAST)

    assert json.loads(listed.stdout)["aliases"] == 1
    assert removal.returncode == 0, removal.stderr
    assert "with 1 alias and 1 file link" in removal.stdout
    assert summary.new == 2
    assert summary.duplicates == 0
    assert live_urls(data_dir) == {
        new.url("/"),
        new.url("/gomi.html"),
        new.url("/kosodate.html"),
    }
    with PageStore.open(settings.pages_db_path) as store:
        assert store.aliases() == {}


def test_removal_failure_midway_changes_nothing(invoke, two_origins):
    data_dir, old, _ = two_origins
    before = store_rows(data_dir)
    with sqlite3.connect(data_dir / "pages.db") as connection:
        # The pages go before their file links, so this aborts a half-done removal.
        connection.execute(
            "create trigger no_file_deletes before delete on page_files "
            "begin select raise(abort, 'file links are locked'); end"
        )
    result = invoke(data_dir, "pages", "--remove-host", netloc(old), "--confirm")

    assert result.returncode == 2
    assert len(error_lines(result)) == 1
    assert "file links are locked" in error_lines(result)[0]
    assert store_rows(data_dir) == before
    assert not (data_dir / "index").exists()


def test_resumed_crawl_refetches_removed_host(invoke, tmp_path):
    """A crawl of the removed host that was left unfinished fetches its pages again.

    The removal drops the frontier rows of the host's URLs, so the resumed run
    does not skip the URLs it had handled before the removal.
    """
    settings = settings_for(tmp_path)
    data_dir = settings.data_dir
    with FakeSite() as old, FakeSite() as new:
        serve_city_pages(old)
        serve_city_pages(new)
        crawl_site(settings, new.url("/"), FAST)
        crawl_site(settings, old.url("/"), FAST)
        with PageStore.open(settings.pages_db_path) as store:
            seeds = [FrontierEntry(old.url("/"), 0, 0, "start", "/")]
            run_id = store.start_run(old.url("/"), seeds)
            store.record_outcome(run_id, old.url("/"), "unchanged")
        removal = invoke(data_dir, "pages", "--remove-host", netloc(old), "--confirm")
        with PageStore.open(settings.pages_db_path) as store:
            frontier = store.frontier_rows(run_id)
        resumed = crawl_site(settings, old.url("/"), FAST)

    assert removal.returncode == 0, removal.stderr
    assert frontier == []
    assert resumed.resumed is True
    assert resumed.new == 2
    assert live_urls(data_dir) == {
        old.url("/"),
        old.url("/gomi.html"),
        new.url("/"),
        new.url("/gomi.html"),
    }


def test_remove_host_scheme_and_default_port(invoke, tmp_path):
    settings = settings_for(tmp_path)
    data_dir = settings.data_dir
    settings.ensure_data_dir()
    with PageStore.open(settings.pages_db_path) as store:
        for url in (
            "http://old.example/",
            "https://old.example/",
            "https://old.example:8443/",
            "https://new.example/",
        ):
            store.put_page(fixture_page(url))

    def listed(host: str) -> list[str]:
        result = invoke(data_dir, "pages", "--remove-host", host, "--json")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)["pages"]

    assert listed("old.example") == ["http://old.example/", "https://old.example/"]
    assert listed("OLD.example") == ["http://old.example/", "https://old.example/"]
    assert listed("https://old.example/") == ["https://old.example/"]
    assert listed("https://old.example:443") == ["https://old.example/"]
    assert listed("old.example:443") == ["https://old.example/"]
    assert listed("old.example:8443") == ["https://old.example:8443/"]
    assert listed(" http://old.example ") == ["http://old.example/"]


def test_remove_host_unknown_host(invoke, two_origins):
    data_dir, old, new = two_origins
    before = store_rows(data_dir)
    result = invoke(data_dir, "pages", "--remove-host", "old.example", "--confirm")

    assert result.returncode == 2
    assert len(error_lines(result)) == 1
    message = error_lines(result)[0]
    assert "no pages stored for host 'old.example'" in message
    assert f"{old.base_url} (2)" in message
    assert f"{new.base_url} (2)" in message
    assert "pass one of them to --remove-host" in message
    assert store_rows(data_dir) == before


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("", "''"),
        ("old example", "'old example'"),
        ("http://", "'http://'"),
        ("ftp://old.example/", "'ftp://old.example/'"),
        ("old.example/gomi.html", "'old.example/gomi.html'"),
        ("http://old.example/gomi.html", "'http://old.example/'"),
        ("http://old.example/?page=2", "'http://old.example/'"),
        ("old.example:99999", "'old.example:99999'"),
        ("old.example:port", "'old.example:port'"),
        ("http://old.example:0/", "'http://old.example:0/'"),
        ("http://[::1/", "'http://[::1/'"),
        ("::1", "'::1'"),
        ("staff:secret@old.example", "before '@'"),
        ("http://staff:secret@old.example/", "before '@'"),
    ],
)
def test_remove_host_rejects_malformed_value(invoke, two_origins, value, named):
    data_dir, _, _ = two_origins
    before = store_rows(data_dir)
    result = invoke(data_dir, "pages", "--remove-host", value, "--confirm")

    assert result.returncode == 2
    assert len(error_lines(result)) == 1
    message = error_lines(result)[0]
    assert "'--remove-host'" in message
    assert named in message
    assert "secret" not in message
    assert store_rows(data_dir) == before


def test_remove_other_hosts_rejects_malformed_url(invoke, two_origins):
    data_dir, _, _ = two_origins
    before = store_rows(data_dir)
    result = invoke(data_dir, "pages", "--remove-other-hosts", "www.city.example")

    assert result.returncode == 2
    assert len(error_lines(result)) == 1
    assert "'www.city.example'" in error_lines(result)[0]
    assert "https://" in error_lines(result)[0]
    assert store_rows(data_dir) == before


def test_remove_other_hosts_unknown_start_host(invoke, two_origins):
    data_dir, _, _ = two_origins
    before = store_rows(data_dir)
    result = invoke(
        data_dir, "pages", "--remove-other-hosts", "https://new.example/", "--confirm"
    )

    assert result.returncode == 2
    assert len(error_lines(result)) == 1
    message = error_lines(result)[0]
    assert "no pages stored for the host of 'https://new.example/'" in message
    assert "would remove every page" in message
    assert store_rows(data_dir) == before


def test_remove_host_without_page_store(invoke, tmp_path):
    data_dir = tmp_path / "empty"
    result = invoke(data_dir, "pages", "--remove-host", "old.example", "--confirm")

    assert result.returncode == 2
    assert len(error_lines(result)) == 1
    assert str(data_dir / "pages.db") in error_lines(result)[0]
    assert "cityline crawl URL" in error_lines(result)[0]
    assert not data_dir.exists()


def test_remove_last_host_needs_no_index(invoke, tmp_path):
    settings = settings_for(tmp_path)
    data_dir = settings.data_dir
    with FakeSite() as site:
        serve_city_pages(site)
        crawl_site(settings, site.url("/"), FAST)
    before = store_rows(data_dir)
    rejected = invoke(data_dir, "pages", "--remove-host", netloc(site), "--confirm")
    after_rejection = store_rows(data_dir)
    accepted = invoke(
        data_dir, "pages", "--remove-host", netloc(site), "--confirm", "--no-index"
    )

    assert rejected.returncode == 2
    assert len(error_lines(rejected)) == 1
    assert "would leave no page to index" in error_lines(rejected)[0]
    assert "--no-index" in error_lines(rejected)[0]
    assert after_rejection == before
    assert accepted.returncode == 0, accepted.stderr
    assert "0 live pages of the hosts kept stay" in accepted.stdout
    assert live_urls(data_dir) == set()


def test_dry_run_of_last_host_notes_rejection(invoke, tmp_path):
    settings = settings_for(tmp_path)
    data_dir = settings.data_dir
    with FakeSite() as site:
        serve_city_pages(site)
        crawl_site(settings, site.url("/"), FAST)
    before = store_rows(data_dir)
    dry_run = invoke(data_dir, "pages", "--remove-host", netloc(site))
    as_json = invoke(data_dir, "pages", "--remove-host", netloc(site), "--json")
    note = (
        "removing 2 stored pages would leave no page to index; crawl the new site "
        "first with `cityline crawl URL`, or pass --no-index to remove them anyway "
        "(the current index then lists them until the next index build)"
    )

    assert dry_run.returncode == 0, dry_run.stderr
    assert error_lines(dry_run) == []
    assert dry_run.stdout.splitlines() == [
        f"would remove 2 stored pages of {site.base_url} (2), with 0 aliases and "
        "1 file link; 0 live pages of the hosts kept stay",
        f"  {site.url('/')}",
        f"  {site.url('/gomi.html')}",
        f"note: {note}",
        "dry run: nothing was removed, and --confirm alone would be rejected for "
        "the reason above",
    ]
    assert as_json.returncode == 0, as_json.stderr
    result = json.loads(as_json.stdout)
    assert result["dry_run"] is True
    assert result["remaining"] == 0
    assert result["note"] == note
    assert store_rows(data_dir) == before


def test_dry_run_with_no_index_has_no_note(invoke, tmp_path):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        serve_city_pages(site)
        crawl_site(settings, site.url("/"), FAST)

    result = invoke(
        settings.data_dir, "pages", "--remove-host", netloc(site), "--no-index"
    )

    assert result.returncode == 0, result.stderr
    assert "note:" not in result.stdout
    assert result.stdout.splitlines()[-1] == (
        "dry run: nothing was removed; run again with --confirm to remove these 2 pages"
    )


def test_remove_host_while_crawl_writes(invoke, two_origins):
    data_dir, old, _ = two_origins
    before = store_rows(data_dir)
    with writer_lock(data_dir / "pages.db"):
        dry_run = invoke(data_dir, "pages", "--remove-host", netloc(old))
        removal = invoke(data_dir, "pages", "--remove-host", netloc(old), "--confirm")

    assert dry_run.returncode == 0, dry_run.stderr
    # 3, as for a crawl that finds the store busy: run again later.
    assert removal.returncode == 3
    assert len(error_lines(removal)) == 1
    assert "another crawl is writing" in error_lines(removal)[0]
    assert store_rows(data_dir) == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--confirm"], "--confirm and --no-index need --remove-host"),
        (["--no-index"], "--confirm and --no-index need --remove-host"),
        (["http://old.example/", "--remove-host", "old.example"], "cannot be combined"),
        (
            [
                "--remove-host",
                "old.example",
                "--remove-other-hosts",
                "http://a.example/",
            ],
            "not both",
        ),
    ],
)
def test_pages_rejects_mixed_options(invoke, two_origins, args, expected):
    data_dir, _, _ = two_origins
    before = store_rows(data_dir)
    result = invoke(data_dir, "pages", *args)

    assert result.returncode == 2
    assert len(error_lines(result)) == 1
    assert expected in error_lines(result)[0]
    assert "cityline pages --help" in error_lines(result)[0]
    assert store_rows(data_dir) == before


def test_crawl_summary_names_removal_command():
    start = "https://new.example/"
    plain = CrawlSummary(start_url=start, outside_scope=3).format()
    prefixed = CrawlSummary(
        start_url=start, outside_scope=3, allowed_prefixes=("https://files.example/",)
    ).format()
    in_scope_only = CrawlSummary(start_url=start).format()

    assert f"`cityline pages --remove-other-hosts {start}` lists them" in plain
    assert "`cityline pages --remove-host HOST` lists them" in prefixed
    assert "--remove-other-hosts" not in prefixed
    assert "cityline pages" not in in_scope_only
