"""Fetcher used outside its async context manager."""

from __future__ import annotations

import asyncio

import pytest

from crawler.config import CrawlConfig
from crawler.fetch import Fetcher


def test_fetch_outside_context_manager_raises():
    fetcher = Fetcher(CrawlConfig(), "cityline-test")
    with pytest.raises(RuntimeError, match="async with Fetcher"):
        asyncio.run(fetcher.fetch("http://127.0.0.1:9/"))
