"""A crawl and re-crawl of the project's demo city site."""

from __future__ import annotations

import dataclasses

import pytest

from crawler.config import CrawlConfig
from crawler.crawl import crawl_site
from crawler.store import PageStore
from tests.crawl_site import settings_for

server = pytest.importorskip("cityline.demo.server", reason="the demo site is missing")


def test_demo_site_crawl_and_recrawl(tmp_path):
    settings = settings_for(tmp_path)
    config = dataclasses.replace(CrawlConfig(), delay=0)
    with server.DemoSite() as site:
        first = crawl_site(settings, site.base_url + "/", config)
        second = crawl_site(settings, site.base_url + "/", config)

    assert first.new == first.pages
    assert first.pages > 10
    assert second.unchanged == first.pages
    assert second.new == 0
    assert second.changed == 0
    with PageStore.open(settings.pages_db_path) as store:
        pages = list(store.iter_pages())
    assert all(page.title for page in pages)
    assert all("\ufffd" not in page.text for page in pages)
    assert {page.encoding for page in pages} >= {"utf-8", "cp932"}
