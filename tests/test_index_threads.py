"""The index build tokenizes pages in threads and gets the same index as one thread."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import index.vectorize as vectorize
from index.build import EmptyStoreError, build_from_records
from index.tokenize import clear_caches
from index.vectorize import IndexModel, build_model, default_workers
from tests.test_evaluate_gate import DEMO, site_records


@pytest.fixture(scope="module")
def demo_records():
    return site_records(DEMO / "site")


def _same_model(left: IndexModel, right: IndexModel) -> None:
    assert left.term_vocabulary == right.term_vocabulary
    for name in ("term_matrix", "window_matrix", "char_matrix"):
        a, b = getattr(left, name), getattr(right, name)
        assert a.shape == b.shape, name
        assert (a != b).nnz == 0, name
    for name in ("term_idf", "char_idf", "char_codes", "window_starts"):
        assert np.array_equal(getattr(left, name), getattr(right, name)), name
    assert [p.url for p in left.pages] == [p.url for p in right.pages]
    assert [p.listing for p in left.pages] == [p.listing for p in right.pages]
    assert [p.passages for p in left.pages] == [p.passages for p in right.pages]


@pytest.mark.parametrize("workers", [2, 3])
def test_threaded_build_equals_one_thread(demo_records, workers):
    clear_caches()
    alone = build_model(demo_records, workers=1)
    clear_caches()  # cold caches, so the threads tokenize every passage themselves
    threaded = build_model(demo_records, workers=workers)
    _same_model(alone, threaded)


def test_threads_sharing_warm_caches_give_the_same_index(demo_records):
    first = build_model(demo_records, workers=2)
    second = build_model(list(reversed(demo_records)), workers=2)
    third = build_model(demo_records, workers=2)
    _same_model(first, third)
    assert len(second.pages) == len(first.pages)


@pytest.mark.parametrize("workers", [0, -1])
def test_workers_below_one_are_refused(demo_records, workers):
    with pytest.raises(ValueError, match=f"workers={workers}"):
        build_model(demo_records[:3], workers=workers)


def test_default_workers_is_between_one_and_the_cap():
    assert 1 <= default_workers() <= 4


def test_empty_records_still_raise_empty_store(tmp_path: Path):
    with pytest.raises(EmptyStoreError, match="crawl"):
        build_from_records([], tmp_path / "index", workers=2)


def test_build_restores_switch_interval(demo_records, monkeypatch):
    seen = []
    tokenize_page = vectorize._tokenize_page

    def recording(*args):
        seen.append(sys.getswitchinterval())
        return tokenize_page(*args)

    monkeypatch.setattr(vectorize, "_tokenize_page", recording)
    before = sys.getswitchinterval()
    build_model(demo_records, workers=2)
    assert sys.getswitchinterval() == before
    assert max(seen) <= vectorize.BUILD_SWITCH_INTERVAL
