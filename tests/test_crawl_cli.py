"""The crawl and pages commands: bad input, output, interrupts and resuming."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.crawl import crawl_site
from crawler.extract import EXTRACTOR_VERSION
from crawler.lock import StoreBusyError, writer_lock
from crawler.store import PageStore
from crawler.summary import SUMMARY_KEYS as summary_keys
from tests.crawl_site import FAST, FakeSite, html_page, settings_for

# The order of the keys is pinned in test_crawl_behaviour.
SUMMARY_KEYS = list(summary_keys)


def cli_command(data_dir: Path, *args: str) -> list[str]:
    """Return the argv that runs ``cityline --data-dir DATA_DIR ARGS`` in Python."""
    return [sys.executable, "-m", "cityline.cli", "--data-dir", str(data_dir), *args]


def run_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        cli_command(data_dir, *args),
        capture_output=True,
        text=True,
        timeout=60,
    )


def snapshot(data_dir: Path) -> dict[str, str]:
    """Return a hash of every file in the data dir, by name."""
    if not data_dir.exists():
        return {}
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(data_dir.rglob("*"))
        if path.is_file()
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def crawled(tmp_path):
    """A site and a data dir that already contains one crawl of it."""
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a>")
        site.page("/a.html", "ページA")
        site.add("/doc.pdf", b"%PDF-1.4", content_type="application/pdf")
        site.add("/data.json", "{}", content_type="application/json")
        settings = settings_for(tmp_path)
        crawl_site(settings, site.url("/"), FAST)
        yield site, settings.data_dir


def assert_one_error_line(result: subprocess.CompletedProcess, *fragments: str):
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.mark.parametrize("bad_url", ["not-a-url", "ftp://example.org/", "http://"])
def test_invalid_start_url(invoke, crawled, bad_url):
    _site, data_dir = crawled
    before = snapshot(data_dir)
    result = invoke(data_dir, "crawl", bad_url, "--no-index")
    assert_one_error_line(result, repr(bad_url), "http")
    assert result.returncode == 2
    assert snapshot(data_dir) == before


@pytest.mark.parametrize("command", ["crawl", "pages"])
def test_url_with_bytes_not_utf8_is_refused(crawled, command):
    site, data_dir = crawled
    before = snapshot(data_dir)
    url = os.fsencode(site.url("/")) + b"\xff"
    result = subprocess.run(
        [
            *(sys.executable, "-m", "cityline.cli", "--data-dir", str(data_dir)),
            *(command, url),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert_one_error_line(result, "not UTF-8", "\\udcff", "percent-encode")
    assert result.returncode == 2
    assert snapshot(data_dir) == before


def test_unreachable_host(crawled):
    # A real process, so that any log line on stderr would break the one-line rule.
    _site, data_dir = crawled
    before = snapshot(data_dir)
    url = f"http://127.0.0.1:{free_port()}/"
    result = run_cli(data_dir, "crawl", url, "--no-index", "--delay", "0")
    assert_one_error_line(result, "127.0.0.1", "cannot be reached")
    assert result.returncode == 3
    assert snapshot(data_dir) == before


@pytest.mark.parametrize(
    ("status", "fragments"),
    [
        (503, ("HTTP 503", "when the site is back")),
        (403, ("HTTP 403", "allow this user agent")),
    ],
)
def test_start_page_unavailable_exits_3(crawled, status, fragments):
    _site, data_dir = crawled
    before = snapshot(data_dir)
    with FakeSite() as site:
        site.add("/", "unavailable", status=status)
        result = run_cli(
            data_dir,
            *("crawl", site.url("/"), "--no-index", "--delay", "0", "--retries", "0"),
        )
    assert_one_error_line(result, *fragments)
    assert result.returncode == 3
    assert snapshot(data_dir) == before


def test_json_crawl_that_cannot_run_prints_error(crawled):
    _site, data_dir = crawled
    with FakeSite() as site:
        site.add("/", "unavailable", status=503)
        result = run_cli(
            data_dir,
            *("crawl", site.url("/"), "--no-index", "--delay", "0", "--retries", "0"),
            "--json",
        )
    assert result.returncode == 3
    printed = json.loads(result.stdout)
    assert printed["exit_code"] == 3
    assert "503" in printed["error"]


def test_start_page_not_found_exits_2(crawled):
    _site, data_dir = crawled
    with FakeSite() as site:
        site.page("/", "トップ")
        result = run_cli(
            data_dir, "crawl", site.url("/nothing.html"), "--no-index", "--delay", "0"
        )
    assert_one_error_line(result, "HTTP 404", "page that exists")
    assert result.returncode == 2


def test_start_page_not_found_notice_exits_2(crawled):
    _site, data_dir = crawled
    before = snapshot(data_dir)
    with FakeSite() as site:
        site.page("/", "トップ")
        site.page("/old/", "お探しのページが見つかりません")
        result = run_cli(data_dir, "crawl", site.url("/old/"), "--delay", "0")
    assert_one_error_line(result, "page not found", "page that exists")
    assert result.returncode == 2
    assert snapshot(data_dir) == before


@pytest.mark.parametrize("path", ["/doc.pdf", "/data.json"])
def test_start_page_not_html(invoke, crawled, path):
    site, data_dir = crawled
    before = snapshot(data_dir)
    result = invoke(data_dir, "crawl", site.url(path), "--no-index", "--delay", "0")
    assert_one_error_line(result, repr(site.url(path)), "not HTML")
    assert snapshot(data_dir) == before


def test_plain_text_notice_for_every_url_exits_3(crawled):
    _site, data_dir = crawled
    before = snapshot(data_dir)
    with FakeSite() as site:
        site.serve_unknown_paths("メンテナンス中です", content_type="text/plain")
        result = run_cli(data_dir, "crawl", site.url("/"), "--no-index")
    assert_one_error_line(result, "'text/plain'", "maintenance", "site is back")
    assert result.returncode == 3
    assert snapshot(data_dir) == before


def test_binary_start_page_served_as_html_exits_2(tmp_path):
    data_dir = tmp_path / "fresh"
    with FakeSite() as site:
        site.add("/", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50)
        result = run_cli(data_dir, "crawl", site.url("/"), "--delay", "0")
    assert_one_error_line(result, repr(site.url("/")), "binary data", "Content-Type")
    assert result.returncode == 2


def test_plain_text_start_page_exits_2(crawled):
    _site, data_dir = crawled
    with FakeSite() as site:
        site.page("/", "トップ")
        site.add("/notes.txt", "メモ", content_type="text/plain")
        result = run_cli(data_dir, "crawl", site.url("/notes.txt"), "--no-index")
    assert_one_error_line(result, "not HTML", "top page")
    assert result.returncode == 2


def _site_with_failing_pages(site: FakeSite, count: int, failing: int) -> None:
    """Serve a top page linking ``count`` pages, the first ``failing`` of them 503."""
    links = "".join(f"<a href='/p{n}.html'>p{n}</a>" for n in range(count))
    site.page("/", "トップ", links)
    for n in range(count):
        if n < failing:
            site.add(f"/p{n}.html", "busy", status=503, content_type="text/plain")
        else:
            site.page(f"/p{n}.html", f"ページ{n}")


def test_most_pages_failing_exits_3(invoke, tmp_path):
    data_dir = tmp_path / "data"
    with FakeSite() as site:
        _site_with_failing_pages(site, count=12, failing=11)
        result = invoke(
            data_dir, "crawl", site.url("/"), "--delay", "0", "--retries", "0"
        )
        answered = invoke(data_dir, "ask", "ページ11", "--json")
    assert result.returncode == 3, result.stderr
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("error: 11 of the 13 URLs fetched failed")
    assert "index was rebuilt" in error
    assert "Crawl again when the site is back" in error
    assert "11 of the 13 URLs fetched failed on the server's side" in result.stdout
    assert json.loads(answered.stdout)["answers"][0]["title"] == "ページ11"


def test_few_pages_failing_exits_0(invoke, tmp_path):
    data_dir = tmp_path / "data"
    with FakeSite() as site:
        _site_with_failing_pages(site, count=60, failing=10)
        result = invoke(
            data_dir,
            "crawl",
            site.url("/"),
            "--json",
            "--no-index",
            "--delay",
            "0",
            "--retries",
            "0",
        )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["failed"], summary["unavailable"]) == (10, 10)


def test_start_page_missing(invoke, crawled):
    site, data_dir = crawled
    before = snapshot(data_dir)
    result = invoke(data_dir, "crawl", site.url("/nope.html"), "--no-index")
    assert_one_error_line(result, "HTTP 404")
    assert snapshot(data_dir) == before


def test_data_dir_not_writable(invoke, crawled, tmp_path):
    site, _data_dir = crawled
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = invoke(blocker / "data", "crawl", site.url("/"), "--no-index")
    assert_one_error_line(result, "--data-dir", repr(str(blocker / "data")))
    assert blocker.read_text() == "not a folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write read-only folders")
def test_data_dir_read_only(crawled):
    site, data_dir = crawled
    before = snapshot(data_dir)
    data_dir.chmod(0o500)
    try:
        result = run_cli(data_dir, "crawl", site.url("/"), "--no-index")
    finally:
        data_dir.chmod(0o700)
    assert_one_error_line(result, "not writable")
    assert snapshot(data_dir) == before


def test_crawl_json_output_and_pages_command(invoke, tmp_path):
    data_dir = tmp_path / "data"
    with FakeSite() as site:
        site.page(
            "/",
            "トップ",
            "<div id='breadcrumb'><span>ホーム</span></div><p>ようこそ</p>"
            "<a href='/a.html'>a</a>",
        )
        site.page("/a.html", "ページA", "<p>本文です</p>")
        result = invoke(
            data_dir, "crawl", site.url("/"), "--json", "--no-index", "--delay", "0"
        )
        assert result.returncode == 0, result.stderr
        summary = json.loads(result.stdout)
        counts = invoke(data_dir, "pages", "--json")
        page = invoke(data_dir, "pages", site.url("/a.html"), "--json")
        text = invoke(data_dir, "pages", site.url("/a.html"))
        missing = invoke(data_dir, "pages", site.url("/zzz.html"))

    assert list(summary) == SUMMARY_KEYS
    assert summary["new"] == 2
    assert summary["pages"] == 2
    assert summary["failures"] == []
    assert summary["stopped_at_max_pages"] is False
    assert json.loads(counts.stdout)["pages"] == 2
    stored = json.loads(page.stdout)
    for key in ("url", "title", "breadcrumbs", "text", "encoding", "status"):
        assert key in stored
    assert stored["title"] == "ページA"
    assert stored["text"].endswith("本文です")
    assert stored["status"] == 200
    assert "title: ページA" in text.stdout
    assert stored["extractor_version"] == EXTRACTOR_VERSION
    assert f"extractor version: {EXTRACTOR_VERSION}" in text.stdout
    assert_one_error_line(missing, "zzz.html")


def test_pages_without_a_store(invoke, tmp_path):
    result = invoke(tmp_path / "empty", "pages")
    assert_one_error_line(result, "cityline crawl")


def test_crawl_json_lists_failures(invoke, tmp_path):
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a><a href='/gone.html'>x</a>")
        site.page("/a.html", "ページA")
        whole = invoke(
            tmp_path / "whole",
            "crawl",
            site.url("/"),
            "--json",
            "--no-index",
            "--delay",
            "0",
        )
        cut = invoke(
            tmp_path / "cut",
            "crawl",
            site.url("/"),
            "--json",
            "--no-index",
            "--delay",
            "0",
            "--max-pages",
            "1",
        )
    summary = json.loads(whole.stdout)
    assert summary["failures"] == [
        {"url": site.url("/gone.html"), "reason": "HTTP 404"}
    ]
    assert summary["stopped_at_max_pages"] is False
    assert json.loads(cut.stdout)["stopped_at_max_pages"] is True


def test_crawl_text_summary_lists_failures(invoke, tmp_path):
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/gone.html'>g</a>")
        result = invoke(
            tmp_path / "d", "crawl", site.url("/"), "--no-index", "--delay", "0"
        )
    assert result.returncode == 0
    assert "failed 1" in result.stdout
    assert f"failed: {site.url('/gone.html')}: HTTP 404" in result.stdout


def test_max_bytes_option_fails_a_larger_page(invoke, tmp_path):
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/big.html'>b</a>")
        site.page("/big.html", "大きい", "あ" * 2000)
        result = invoke(
            tmp_path / "d",
            "crawl",
            site.url("/"),
            "--no-index",
            "--delay",
            "0",
            "--max-bytes",
            "4096",
        )
    assert result.returncode == 0
    assert "larger than the 4096 byte limit" in result.stdout
    assert "--max-bytes" in result.stdout


def stored_count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as connection:
            return connection.execute("select count(*) from pages").fetchone()[0]
    except sqlite3.OperationalError:  # tables not created yet
        return 0


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGKILL])
def test_interrupted_crawl_resumes(tmp_path, signal_number):
    data_dir = tmp_path / "data"
    db = data_dir / "pages.db"
    total = 30
    with FakeSite() as site:
        links = "".join(f"<a href='/p{i}.html'>p{i}</a>" for i in range(total))
        site.page("/", "トップ", links)
        for i in range(total):
            site.add(f"/p{i}.html", html_page(f"ページ{i}", f"<p>本文{i}</p>"))
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cityline.cli",
                "--data-dir",
                str(data_dir),
                "crawl",
                site.url("/"),
                "--no-index",
                "--delay",
                # 31 pages at 0.3 s apiece leave about 9 s to interrupt the crawl,
                # even when a loaded machine delays this test's polling.
                "0.3",
                "--concurrency",
                "1",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while stored_count(db) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process.poll() is None, "the crawl finished before it was interrupted"
        process.send_signal(signal_number)
        _out, err = process.communicate(timeout=30)
        first_run_paths = set(site.paths())

        with PageStore.open(db) as store:
            stored_before = store.count_pages()
        assert 5 <= stored_before < total + 1, err
        if signal_number == signal.SIGINT:
            assert process.returncode == 130
            assert "the same command resumes it" in err.splitlines()[-1]

        site.requests.clear()
        summary = crawl_site(settings_for(tmp_path), site.url("/"), FAST)
        second_run_paths = site.paths()

    assert summary.resumed
    assert summary.pages == total + 1
    assert summary.new == total + 1
    refetched = [
        p for p in second_run_paths if p.startswith("/p") and p in first_run_paths
    ]
    # At most the page in flight at the kill is fetched again.
    assert len(refetched) <= 1
    with sqlite3.connect(db) as connection:
        assert connection.execute("pragma integrity_check").fetchone()[0] == "ok"


def test_second_writer_is_rejected(crawled):
    site, data_dir = crawled
    before = snapshot(data_dir)
    settings = settings_for(data_dir.parent)
    with writer_lock(settings.pages_db_path):
        with pytest.raises(StoreBusyError, match="another crawl is writing"):
            crawl_site(settings, site.url("/"), FAST)
    assert snapshot(data_dir) == before


def test_refetch_flag_skips_conditional_headers(invoke, tmp_path):
    data_dir = tmp_path / "data"
    etag = {"ETag": '"v1"'}
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a>", headers=etag)
        site.page("/a.html", "ページA", headers=etag)
        invoke(data_dir, "crawl", site.url("/"), "--no-index", "--delay", "0")
        site.requests.clear()
        refetched = invoke(
            data_dir, "crawl", site.url("/"), "--no-index", "--delay", "0", "--refetch"
        )
        refetch_requests = site.requests_for("/a.html")
        site.requests.clear()
        invoke(data_dir, "crawl", site.url("/"), "--no-index", "--delay", "0")
        next_requests = site.requests_for("/a.html")

    assert refetched.returncode == 0, refetched.stderr
    assert "If-None-Match" not in refetch_requests[0].headers
    assert (
        "re-fetched 1 stored pages without conditional headers, because a full "
        "re-fetch was requested (--refetch)"
    ) in refetched.stdout
    # The flag holds for one run: the next crawl is conditional again.
    assert next_requests[0].headers.get("If-None-Match") == '"v1"'


def test_pages_finds_page_by_canonical_url(invoke, tmp_path):
    data_dir = tmp_path / "data"
    canonical = "https://www.city.example.lg.jp/gomi/a.html"
    head = f"<link rel='canonical' href='{canonical}'>"
    # A mirror: its top page names the live host, whose canonical links count.
    top = "<link rel='canonical' href='https://www.city.example.lg.jp/'>"
    with FakeSite() as site:
        site.add("/", html_page("トップ", "<a href='/gomi/a.html'>a</a>", top))
        site.add("/gomi/a.html", html_page("粗大ごみ", "<p>申し込み</p>", head))
        crawled = invoke(data_dir, "crawl", site.url("/"), "--no-index", "--delay", "0")
        assert crawled.returncode == 0, crawled.stderr
        text = invoke(data_dir, "pages", canonical)
        as_json = invoke(data_dir, "pages", canonical, "--json")

    assert text.returncode == 0, text.stderr
    assert f"url: {site.url('/gomi/a.html')}" in text.stdout
    assert f"canonical: {canonical}" in text.stdout
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout)["title"] == "粗大ごみ"


def test_crawl_prints_index_report_line(invoke, tmp_path):
    data_dir = tmp_path / "data"
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a><p>ごみの出し方</p>")
        site.page("/a.html", "ページA", "<p>粗大ごみの申し込み</p>")
        result = invoke(data_dir, "crawl", site.url("/"), "--delay", "0")
        as_json = invoke(data_dir, "crawl", site.url("/"), "--delay", "0", "--json")

    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("indexed 2 pages (")
    assert f"into {data_dir / 'index' / 'builds'}" in last
    assert "BuildReport" not in result.stdout + result.stderr
    assert "PosixPath" not in result.stdout + result.stderr
    assert as_json.returncode == 0, as_json.stderr
    assert list(json.loads(as_json.stdout)) == SUMMARY_KEYS


def test_allow_removals_with_share_rejected(invoke, tmp_path):
    result = invoke(
        tmp_path / "d",
        "crawl",
        "http://127.0.0.1:9/",
        "--allow-removals",
        "--max-removed-share",
        "0.1",
    )
    assert result.returncode == 2
    assert "give only one of them" in result.stderr


def test_robots_redirect_to_dead_host(tmp_path):
    dead = f"http://127.0.0.1:{free_port()}/robots.txt"
    with FakeSite() as site:
        site.add("/robots.txt", status=302, headers={"Location": dead})
        site.page("/", "トップ")
        result = run_cli(
            tmp_path / "data", "crawl", site.url("/"), "--no-index", "--delay", "0"
        )
    assert_one_error_line(result, "robots.txt of", "redirects to", dead)


def test_closed_stdout_does_not_stop_the_index_rebuild(tmp_path):
    data_dir = tmp_path / "data"
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a><p>ごみの出し方</p>")
        site.page("/a.html", "ページA", "<p>粗大ごみの申し込み</p>")
        process = subprocess.Popen(
            cli_command(data_dir, "crawl", site.url("/"), "--delay", "0"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        first_line = process.stdout.readline()
        # The reader goes away, as `| head -1` does after its line.
        process.stdout.close()
        _out, err = process.communicate(timeout=60)

    assert first_line.decode().startswith("crawl of ")
    assert process.returncode == 0, err.decode()
    assert b"Traceback" not in err
    assert (data_dir / "index" / "CURRENT").is_file()


def test_max_redirects_option(invoke, tmp_path):
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/r0.html'>r</a>")
        for i in range(3):
            site.add(f"/r{i}.html", status=301, headers={"Location": f"/r{i + 1}.html"})
        site.page("/r3.html", "終点")
        short = invoke(
            tmp_path / "short",
            "crawl",
            site.url("/"),
            "--delay",
            "0",
            "--max-redirects",
            "2",
            "--no-index",
        )
        default = invoke(
            tmp_path / "default", "crawl", site.url("/"), "--delay", "0", "--no-index"
        )
        too_many = invoke(
            tmp_path / "bad", "crawl", site.url("/"), "--max-redirects", "21"
        )

    assert short.returncode == 0, short.stderr
    assert "more than 2 redirects" in short.stdout
    assert default.returncode == 0, default.stderr
    assert "more than" not in default.stdout
    assert "2 pages stored" in default.stdout
    assert too_many.returncode == 2
    assert "--max-redirects" in too_many.stderr


def test_failed_crawl_leaves_no_new_data_dir(tmp_path):
    data_dir = tmp_path / "new-data"
    url = f"http://127.0.0.1:{free_port()}/"
    result = run_cli(data_dir, "crawl", url, "--no-index", "--delay", "0")
    assert result.returncode == 3
    assert not data_dir.exists()


def test_site_down_midway_exits_3(invoke, tmp_path):
    data_dir = tmp_path / "data"
    with FakeSite() as site:
        _site_with_failing_pages(site, count=40, failing=30)
        result = invoke(
            data_dir, "crawl", site.url("/"), "--delay", "0", "--retries", "0"
        )
    assert result.returncode == 3, result.stderr
    error = result.stderr.strip().splitlines()[-1]
    assert "the last of them in a row, so the crawl stopped early" in error
    assert "stopped early" in result.stdout
