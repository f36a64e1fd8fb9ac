"""Tests for the demo city site: server, pages and labelled sets."""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup

from cityline.demo.server import CITY_NAME, DEFAULT_SITE_DIR, DemoSite
from crawler.extract import extract_page

DEMO_DIR = DEFAULT_SITE_DIR.parent
CONTENT_PAGE = re.compile(r"^\d{7}\.html$")
SUFFIX = f"｜{CITY_NAME}公式ホームページ"
CATEGORIES = {"road", "streetlight", "tree", "park", "sewer", "other"}


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite() as running:
        yield running


@pytest.fixture(scope="module")
def client(site: DemoSite) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site.base_url, trust_env=False, timeout=10) as http:
        yield http


def content_files() -> list[Path]:
    return sorted(
        p for p in DEFAULT_SITE_DIR.rglob("*.html") if CONTENT_PAGE.match(p.name)
    )


def read_page(path: Path) -> str:
    """Decode a site file with the charset its <meta> declares."""
    raw = path.read_bytes()
    declared = re.search(rb'<meta charset="([^"]+)"', raw)
    assert declared, f"{path} declares no charset"
    charset = declared.group(1).decode("ascii").lower()
    return raw.decode("cp932" if charset == "shift_jis" else charset)


def url_path(path: Path) -> str:
    return "/" + path.relative_to(DEFAULT_SITE_DIR).as_posix()


def sitemap_locs(client: httpx.Client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    return re.findall(r"<loc>([^<]+)</loc>", response.text)


def read_jsonl(name: str) -> list[dict]:
    lines = (DEMO_DIR / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_server_binds_loopback_free_port(site: DemoSite) -> None:
    assert site.port > 0
    assert site.base_url == f"http://127.0.0.1:{site.port}"


def test_server_rejects_non_loopback_host() -> None:
    with pytest.raises(ValueError, match="not a loopback"):
        DemoSite(host="0.0.0.0")


def test_top_page_serves_html(client: httpx.Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert f"{CITY_NAME}公式ホームページ" in response.text


def test_head_request_has_no_body(client: httpx.Client) -> None:
    response = client.head("/index.html")
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) > 0


def test_sitemap_urls_on_served_origin(site: DemoSite, client: httpx.Client) -> None:
    locs = sitemap_locs(client)
    assert locs
    for loc in locs:
        assert loc.startswith(site.base_url + "/"), loc
    content = [loc for loc in locs if CONTENT_PAGE.match(loc.rsplit("/", 1)[1])]
    assert len(content) >= 48
    assert len(content) == len(content_files())


def test_sitemap_uses_host_header(client: httpx.Client) -> None:
    response = client.get("/sitemap.xml", headers={"Host": "demo.test:8080"})
    assert "<loc>http://demo.test:8080/index.html</loc>" in response.text


def test_sitemap_lists_every_index_page(client: httpx.Client) -> None:
    paths = {urllib.parse.urlsplit(loc).path for loc in sitemap_locs(client)}
    for index in DEFAULT_SITE_DIR.rglob("index.html"):
        if index.parent.name == "search":
            continue
        assert url_path(index) in paths


def test_every_sitemap_url_answers_200(client: httpx.Client) -> None:
    for loc in sitemap_locs(client):
        response = client.get(loc)
        assert response.status_code == 200, loc


def test_robots_rules_present(site: DemoSite, client: httpx.Client) -> None:
    lines = client.get("/robots.txt").text.splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /search/" in lines
    assert "Disallow: /*?print=" in lines
    assert f"Sitemap: {site.base_url}/sitemap.xml" in lines


def test_shift_jis_pages_need_cp932(client: httpx.Client) -> None:
    sjis = [
        p for p in content_files() if b'<meta charset="Shift_JIS">' in p.read_bytes()
    ]
    assert len(sjis) >= 2
    for page in sjis:
        response = client.get(url_path(page))
        assert response.status_code == 200
        assert "charset" not in response.headers["content-type"]
        assert not response.content.startswith(b"\xef\xbb\xbf")
        with pytest.raises(UnicodeDecodeError):
            response.content.decode("utf-8")
        text = response.content.decode("cp932")
        assert "①" in text
        assert "㈱" in text
        assert "髙" in text
        assert "～" in text


def test_old_url_redirects_301(client: httpx.Client) -> None:
    response = client.get("/gomi/sodaigomi.html")
    assert response.status_code == 301
    assert response.headers["location"] == "/gomi/sodai/1002011.html"
    assert client.get(response.headers["location"]).status_code == 200


def test_every_redirect_target_exists(client: httpx.Client) -> None:
    lines = (DEFAULT_SITE_DIR / "redirects.tsv").read_text(encoding="utf-8")
    for line in lines.splitlines():
        old, new = line.split("\t")
        assert client.get(old).headers["location"] == new
        assert client.get(new).status_code == 200


def test_broken_link_answers_404(client: httpx.Client) -> None:
    page = client.get("/kurashi/juminhyo/1001001.html").text
    assert 'href="/kurashi/juminhyo/1000998.html"' in page
    assert client.get("/kurashi/juminhyo/1000998.html").status_code == 404


def test_server_files_not_served(client: httpx.Client) -> None:
    assert client.get("/redirects.tsv").status_code == 404
    assert client.get("/../server.py").status_code == 404


def test_folder_without_slash_redirects(client: httpx.Client) -> None:
    response = client.get("/gomi")
    assert response.status_code == 301
    assert response.headers["location"] == "/gomi/"


def test_pdf_link_serves_valid_pdf(client: httpx.Client) -> None:
    page = client.get("/kurashi/juminhyo/1001001.html").text
    href = re.search(r'href="([^"]+\.pdf)"', page).group(1)
    response = client.get(href)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-1.")
    assert pdf.rstrip().endswith(b"%%EOF")
    startxref = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
    assert pdf[startxref:].startswith(b"xref")


def test_calendar_links_onward_forever(client: httpx.Client) -> None:
    url = "/event/calendar.html?ym=202611"
    seen = []
    for _ in range(4):
        response = client.get(url)
        assert response.status_code == 200
        assert "<li>" in response.text
        seen.append(url)
        url = re.search(r'href="([^"]+)">次の月', response.text).group(1)
    assert seen[1:] == [
        "/event/calendar.html?ym=202612",
        "/event/calendar.html?ym=202701",
        "/event/calendar.html?ym=202702",
    ]


def test_calendar_links_previous_month(client: httpx.Client) -> None:
    text = client.get("/event/calendar.html?ym=202601").text
    assert 'href="/event/calendar.html?ym=202512">前の月' in text


def test_calendar_without_month_serves(client: httpx.Client) -> None:
    assert client.get("/event/calendar.html").status_code == 200


def test_calendar_rejects_invalid_month(client: httpx.Client) -> None:
    assert client.get("/event/calendar.html?ym=202613").status_code == 400
    assert client.get("/event/calendar.html?ym=abc").status_code == 400


def test_if_modified_since_answers_304(client: httpx.Client) -> None:
    first = client.get("/gomi/bunbetsu/1002001.html")
    last_modified = first.headers["last-modified"]
    again = client.get(
        "/gomi/bunbetsu/1002001.html", headers={"If-Modified-Since": last_modified}
    )
    assert again.status_code == 304
    assert again.content == b""
    older = client.get(
        "/gomi/bunbetsu/1002001.html",
        headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"},
    )
    assert older.status_code == 200


def test_if_none_match_answers_304(client: httpx.Client) -> None:
    first = client.get("/gomi/bunbetsu/1002001.html")
    etag = first.headers["etag"]
    again = client.get("/gomi/bunbetsu/1002001.html", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["etag"] == etag
    other = client.get(
        "/gomi/bunbetsu/1002001.html", headers={"If-None-Match": '"0-0"'}
    )
    assert other.status_code == 200


def test_slow_path_times_out_client() -> None:
    with DemoSite(slow_delay_s=1.0) as slow_site:
        with httpx.Client(trust_env=False, timeout=0.2) as http:
            with pytest.raises(httpx.ReadTimeout):
                http.get(f"{slow_site.base_url}/slow/")
            assert http.get(f"{slow_site.base_url}/index.html").status_code == 200


def test_content_pages_share_template() -> None:
    pages = content_files()
    assert len(pages) >= 48
    for page in pages:
        soup = BeautifulSoup(read_page(page), "html.parser")
        name = url_path(page)
        assert soup.title.string.endswith(SUFFIX), name
        canonical = soup.find("link", rel="canonical")["href"]
        assert canonical == f"https://www.city.example.lg.jp{name}"
        assert soup.select_one("header form[action='/search/']"), name
        assert soup.select_one("header nav#gnav"), name
        assert len(soup.select("div#breadcrumb a")) >= 3, name
        main = soup.select_one("main#main")
        assert main.h1, name
        page_id = main.select_one("p.page-id").get_text()
        assert page_id == f"ページ番号 {page.stem}", name
        assert re.fullmatch(
            r"更新日 \d{4}年\d{1,2}月\d{1,2}日", main.select_one("p.update").get_text()
        ), name
        assert soup.select_one("div.share"), name
        assert soup.select_one("div.print"), name
        assert soup.select_one("aside#sidebar"), name
        assert "0000-00-0001" in soup.footer.get_text(), name
        assert soup.find("script"), name


def test_content_body_length_in_range() -> None:
    for page in content_files():
        soup = BeautifulSoup(read_page(page), "html.parser")
        body = soup.select_one("div#content").get_text()
        assert 300 <= len(re.sub(r"\s", "", body)) <= 1500, url_path(page)


def test_folder_indexes_list_titles() -> None:
    folders = {page.parent for page in content_files()}
    for folder in folders:
        index = BeautifulSoup(read_page(folder / "index.html"), "html.parser")
        listed = {a.get_text() for a in index.select("main a")}
        for page in folder.glob("*.html"):
            if CONTENT_PAGE.match(page.name):
                title = BeautifulSoup(read_page(page), "html.parser").h1.get_text()
                assert title in listed, url_path(page)


def test_links_include_crawler_traps() -> None:
    top = (DEFAULT_SITE_DIR / "index.html").read_text(encoding="utf-8")
    assert "?print=1" in top
    assert "utm_source=" in top
    assert 'href="/gomi/"' in top
    assert 'href="/gomi/index.html"' in top
    assert 'href="#top"' in top
    based = [p for p in content_files() if b"<base href=" in p.read_bytes()]
    assert len(based) == 1
    soup = BeautifulSoup(read_page(based[0]), "html.parser")
    base = soup.base["href"]
    relative = [
        a["href"] for a in soup.select("div#content a") if not a["href"].startswith("/")
    ]
    assert relative
    for href in relative:
        resolved = urllib.parse.urljoin(f"http://demo.test{base}", href)
        target = DEFAULT_SITE_DIR / urllib.parse.urlsplit(resolved).path.lstrip("/")
        assert target.exists(), resolved


def test_spelling_variants_across_pages() -> None:
    texts = [read_page(page) for page in content_files()]
    for variant in [
        "ごみ",
        "ゴミ",
        "申込",
        "申し込み",
        "障害",
        "障がい",
        "子ども",
        "子供",
    ]:
        assert any(variant in text for text in texts), variant


def test_questions_have_valid_gold() -> None:
    questions = read_jsonl("questions.jsonl")
    assert len(questions) >= 60
    ids = [q["id"] for q in questions]
    assert len(ids) == len(set(ids))
    unanswerable = 0
    for question in questions:
        assert set(question) == {"id", "question", "gold", "topic"}, question["id"]
        assert question["question"].strip(), question["id"]
        if not question["gold"]:
            unanswerable += 1
        for gold in question["gold"]:
            assert gold["grade"] in {"A", "B"}, question["id"]
            path = urllib.parse.urlsplit(gold["url"]).path
            assert (DEFAULT_SITE_DIR / path.lstrip("/")).is_file(), gold["url"]
    assert unanswerable >= 10


def test_reports_have_valid_labels() -> None:
    reports = read_jsonl("reports.jsonl")
    assert len(reports) >= 80
    ids = [r["id"] for r in reports]
    assert len(ids) == len(set(ids))
    for report in reports:
        assert {"id", "text", "label", "category"} <= set(report), report["id"]
        assert set(report) <= {"id", "text", "label", "category", "accept"}
        assert report["label"] in {"report", "question"}, report["id"]
        if report["label"] == "report":
            assert report["category"] in CATEGORIES, report["id"]
        else:
            assert report["category"] is None, report["id"]
        assert set(report.get("accept", [])) <= CATEGORIES, report["id"]


@pytest.mark.parametrize(
    ("url", "ym"),
    [
        ("/event/calendar.html?ym=202604", "202604"),
        ("/event/calendar.html?ym=202701", "202701"),
        ("/event/calendar.html", f"{date.today():%Y%m}"),
    ],
)
def test_calendar_canonical_is_public_host(
    site: DemoSite, client: httpx.Client, url: str, ym: str
) -> None:
    page = extract_page(client.get(url).text, site.base_url + url)

    assert page.canonical_url == (
        f"https://www.city.example.lg.jp/event/calendar.html?ym={ym}"
    )
