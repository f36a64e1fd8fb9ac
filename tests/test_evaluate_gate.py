"""Accuracy floors on the project's labelled questions and on the real dev set.

Both sites are read from their HTML files with the crawler's own decoder and
extractor, without HTTP, so the pages match what a crawl stores except for
redirect aliases. The floors sit a little below the figures measured when the
ranking parameters were chosen, so a change that costs accuracy fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from answerer.answer import Answerer
from answerer.evaluate import evaluate, load_questions
from cityline.settings import Settings
from crawler.decode import decode_html
from crawler.extract import extract_page
from index.build import build_from_records
from index.fields import PageRecord

DEMO = Path(__file__).resolve().parents[1] / "cityline" / "demo"


def site_records(root: Path) -> list[PageRecord]:
    """Return a PageRecord per HTML file under ``root``, keyed by canonical URL."""
    records, seen = [], set()
    for path in sorted(root.rglob("*.html")):
        relative = path.relative_to(root).as_posix()
        page = extract_page(
            decode_html(path.read_bytes()).text, f"http://127.0.0.1/{relative}"
        )
        if page.noindex:
            continue
        url = page.canonical_url or f"http://127.0.0.1/{relative}"
        if url in seen:
            continue
        seen.add(url)
        records.append(
            PageRecord(
                url=url,
                title=page.title,
                text=page.text,
                breadcrumbs=page.breadcrumbs,
            )
        )
    return records


def metrics_for(site: Path, questions: Path, data_dir: Path) -> dict:
    settings = Settings(data_dir=data_dir)
    build_from_records(site_records(site), settings.index_dir)
    answerer = Answerer.load(settings)
    return evaluate(answerer, load_questions(questions)).metrics()


@pytest.fixture(scope="module")
def demo_metrics(tmp_path_factory) -> dict:
    return metrics_for(
        DEMO / "site", DEMO / "questions.jsonl", tmp_path_factory.mktemp("demo")
    )


@pytest.fixture(scope="module")
def dev_metrics(tmp_path_factory) -> dict:
    from tests.conftest import SHARED_DATA

    if not (SHARED_DATA / "site").is_dir():
        pytest.skip(f"real city data not found at {SHARED_DATA}; the dev gate needs it")
    return metrics_for(
        SHARED_DATA / "site",
        SHARED_DATA / "questions_dev.jsonl",
        tmp_path_factory.mktemp("dev"),
    )


def test_demo_hit_at_5_floor(demo_metrics):
    assert demo_metrics["hit_at_5"] >= 0.95


def test_demo_mrr_floor(demo_metrics):
    assert demo_metrics["mrr"] >= 0.90


def test_demo_no_answer_fallback_floor(demo_metrics):
    assert demo_metrics["no_answer_fallback"] >= 0.7 * demo_metrics["no_answer_total"]


def test_demo_false_fallback_ceiling(demo_metrics):
    assert demo_metrics["false_fallback"] <= 0.05 * demo_metrics["answerable"]


def test_dev_hit_at_5_floor(dev_metrics):
    assert dev_metrics["hit_at_5"] >= 0.88


def test_dev_mrr_floor(dev_metrics):
    assert dev_metrics["mrr"] >= 0.72


def test_dev_false_fallback_ceiling(dev_metrics):
    assert dev_metrics["false_fallback"] <= 0.05 * dev_metrics["answerable"]
