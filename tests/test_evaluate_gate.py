"""Accuracy floors on the project's labelled questions and on the real city data.

The real data's mirror site is scored with its dev questions and with the three
question sets of ``benchmarks/questions``, which testers wrote for that mirror
without seeing the ranking (docs/accuracy.md describes them). Both sites are
read from their HTML files with the crawler's own decoder and extractor,
without HTTP, so the pages match what a crawl stores except for redirect
aliases. The floors sit a little below the measured figures, so a change that
costs accuracy fails here.
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

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "cityline" / "demo"
MIRROR_SETS = ROOT / "benchmarks" / "questions"


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


def answerer_for(site: Path, data_dir: Path) -> Answerer:
    settings = Settings(data_dir=data_dir)
    build_from_records(site_records(site), settings.index_dir)
    return Answerer.load(settings)


def metrics_for(site: Path, questions: Path, data_dir: Path) -> dict:
    answerer = answerer_for(site, data_dir)
    return evaluate(answerer, load_questions(questions)).metrics()


@pytest.fixture(scope="module")
def demo_metrics(tmp_path_factory) -> dict:
    return metrics_for(
        DEMO / "site", DEMO / "questions.jsonl", tmp_path_factory.mktemp("demo")
    )


@pytest.fixture(scope="module")
def mirror_answerer(tmp_path_factory) -> Answerer:
    from tests.conftest import SHARED_DATA, SHARED_DATA_HINT

    if not (SHARED_DATA / "site").is_dir():
        pytest.skip(
            f"real city data not found at {SHARED_DATA}; the mirror gates need it "
            f"({SHARED_DATA_HINT})"
        )
    return answerer_for(SHARED_DATA / "site", tmp_path_factory.mktemp("mirror"))


def questions_metrics(answerer: Answerer, path: Path) -> dict:
    return evaluate(answerer, load_questions(path)).metrics()


@pytest.fixture(scope="module")
def dev_metrics(mirror_answerer) -> dict:
    from tests.conftest import SHARED_DATA

    return questions_metrics(mirror_answerer, SHARED_DATA / "questions_dev.jsonl")


@pytest.fixture(scope="module")
def letters_metrics(mirror_answerer) -> dict:
    return questions_metrics(mirror_answerer, MIRROR_SETS / "letters.jsonl")


@pytest.fixture(scope="module")
def titles_metrics(mirror_answerer) -> dict:
    return questions_metrics(mirror_answerer, MIRROR_SETS / "from_titles.jsonl")


@pytest.fixture(scope="module")
def faq_metrics(mirror_answerer) -> dict:
    return questions_metrics(mirror_answerer, MIRROR_SETS / "faq_style.jsonl")


@pytest.fixture(scope="module")
def mirror_sets(letters_metrics, titles_metrics, faq_metrics) -> list[dict]:
    return [letters_metrics, titles_metrics, faq_metrics]


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


def test_letters_hit_at_5_floor(letters_metrics):
    assert letters_metrics["hit_at_5"] >= 0.86


def test_letters_mrr_floor(letters_metrics):
    assert letters_metrics["mrr"] >= 0.80


def test_titles_hit_at_5_floor(titles_metrics):
    assert titles_metrics["hit_at_5"] >= 0.91


def test_titles_mrr_floor(titles_metrics):
    assert titles_metrics["mrr"] >= 0.85


def test_faq_style_hit_at_5_floor(faq_metrics):
    assert faq_metrics["hit_at_5"] >= 0.92


def test_faq_style_mrr_floor(faq_metrics):
    assert faq_metrics["mrr"] >= 0.78


def test_mirror_sets_false_fallback_ceiling(mirror_sets):
    false = sum(metrics["false_fallback"] for metrics in mirror_sets)
    answerable = sum(metrics["answerable"] for metrics in mirror_sets)
    assert false <= 0.05 * answerable


def test_mirror_sets_no_answer_fallback_floor(mirror_sets):
    # The floor is low because most no-answer questions reach a page on their
    # topic that lacks the detail asked, and the fallback rule cannot tell that
    # page from one that answers (docs/accuracy.md gives the measured share).
    caught = sum(metrics["no_answer_fallback"] for metrics in mirror_sets)
    total = sum(metrics["no_answer_total"] for metrics in mirror_sets)
    assert caught >= 0.2 * total
