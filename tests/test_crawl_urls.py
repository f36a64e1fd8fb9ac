"""URL normalisation, scope and trap patterns."""

from __future__ import annotations

import pytest

from crawler.errors import StartUrlError
from crawler.urls import (
    in_scope,
    is_file_url,
    normalize_url,
    resolve_link,
    url_pattern,
    validate_start_url,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://WWW.City.Example:80/a/b.html", "http://www.city.example/a/b.html"),
        ("https://h.example:443/", "https://h.example/"),
        ("http://h.example:8080/", "http://h.example:8080/"),
        ("http://h.example", "http://h.example/"),
        ("http://h.example/a/b.html#section", "http://h.example/a/b.html"),
        ("http://h.example/dir/index.html", "http://h.example/dir/"),
        ("http://h.example/dir/index.htm", "http://h.example/dir/"),
        ("http://h.example/dir/", "http://h.example/dir/"),
        ("http://h.example/a/./b/../c.html", "http://h.example/a/c.html"),
        ("http://h.example/p.html?print=1", "http://h.example/p.html"),
        (
            "http://h.example/p.html?utm_source=x&utm_medium=y",
            "http://h.example/p.html",
        ),
        ("http://h.example/p.html?fbclid=abc&id=3", "http://h.example/p.html?id=3"),
        ("http://h.example/p.html?PHPSESSID=9f&id=3", "http://h.example/p.html?id=3"),
        ("http://h.example/p.html?ASPSESSIONIDQA=XY", "http://h.example/p.html"),
        ("http://h.example/list.php?sid=5", "http://h.example/list.php?sid=5"),
        ("http://h.example/p.html?b=2&a=1", "http://h.example/p.html?a=1&b=2"),
        ("http://h.example/p.html?", "http://h.example/p.html"),
        ("http://h.example/%7euser/", "http://h.example/~user/"),
        ("http://h.example/a%2fb", "http://h.example/a%2Fb"),
        ("http://h.example/武蔵野/", "http://h.example/%E6%AD%A6%E8%94%B5%E9%87%8E/"),
        (
            "http://h.example/%e6%ad%a6%e8%94%b5%e9%87%8e/",
            "http://h.example/%E6%AD%A6%E8%94%B5%E9%87%8E/",
        ),
        ("http://h.example/s?q=ごみ", "http://h.example/s?q=%E3%81%94%E3%81%BF"),
        ("http://h.example/s?q=a+b&p=", "http://h.example/s?p=&q=a%20b"),
        ("http://h.example/s?q=%8c%9f%8d%f5", "http://h.example/s?q=%8C%9F%8D%F5"),
        ("http://h.example/s?q=%82%B2%82%DD", "http://h.example/s?q=%82%B2%82%DD"),
    ],
)
def test_normalize_url(raw, expected):
    assert normalize_url(raw) == expected


def test_shift_jis_queries_stay_apart():
    first = normalize_url("http://h.example/search?word=%8C%9F%8D%F5")
    second = normalize_url("http://h.example/search?word=%82%B2%82%DD")
    assert first != second


def test_duplicate_forms_normalize_to_one_url():
    forms = [
        "http://h.example/dir/",
        "http://h.example/dir/index.html",
        "http://H.EXAMPLE:80/dir/index.html#top",
        "http://h.example/dir/./index.html?print=1",
        "http://h.example/x/../dir/?utm_campaign=mail",
    ]
    assert {normalize_url(form) for form in forms} == {"http://h.example/dir/"}


def test_resolve_link_against_base():
    assert (
        resolve_link("http://h.example/a/b/", "../c.html")
        == "http://h.example/a/c.html"
    )
    assert (
        resolve_link("http://h.example/a/", "/top.html#x")
        == "http://h.example/top.html"
    )


@pytest.mark.parametrize(
    "href", ["mailto:a@example.org", "tel:0422000000", "javascript:void(0)", "#top", ""]
)
def test_resolve_link_skips_non_http(href):
    assert resolve_link("http://h.example/", href) is None


def test_url_pattern_collapses_digits():
    first = url_pattern("http://h.example/event/calendar.html?ym=202612")
    second = url_pattern("http://h.example/event/calendar.html?ym=203401")
    assert first == second == "/event/calendar.html?ym=0"
    assert url_pattern("http://h.example/2026/12/04/") == "/0/0/0/"


def test_file_urls_by_extension():
    assert is_file_url("http://h.example/files/guide.PDF")
    assert is_file_url("http://h.example/a.xlsx")
    assert not is_file_url("http://h.example/a.html")
    assert not is_file_url("http://h.example/dir/")


def test_scope_is_same_host_plus_prefixes():
    start = "http://h.example/"
    assert in_scope("http://h.example/a.html", start)
    assert not in_scope("http://other.example/a.html", start)
    assert not in_scope("http://h.example:8080/a.html", start)
    prefixes = ("http://other.example/shared/",)
    assert in_scope("http://other.example/shared/x.html", start, prefixes)
    assert not in_scope("http://other.example/private/x.html", start, prefixes)


@pytest.mark.parametrize(
    "bad",
    ["", "not a url", "ftp://h.example/", "http://", "/relative/path", "h.example"],
)
def test_validate_start_url_rejects(bad):
    with pytest.raises(StartUrlError, match="start URL"):
        validate_start_url(bad)


def test_validate_start_url_rejects_bad_port():
    with pytest.raises(StartUrlError, match="port"):
        validate_start_url("http://h.example:99999/")
