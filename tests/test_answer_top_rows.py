"""The best rows of a score array: highest first, ties by row."""

from __future__ import annotations

import numpy as np
import pytest

from answerer.answer import top_rows


@pytest.mark.parametrize(
    ("scores", "count", "expected"),
    [
        ([0.1, 0.5, 0.3, 0.5, 0.2], 2, [1, 3]),
        ([0.1, 0.5, 0.3, 0.5, 0.2], 3, [1, 3, 2]),
        ([0.2, 0.9, 0.2, 0.2, 0.2], 3, [1, 0, 2]),
        ([0.0, 0.0, 0.4, 0.0], 2, [2, 0]),
        ([0.3, 0.1], 5, [0, 1]),
        ([0.3, 0.3, 0.3], 3, [0, 1, 2]),
    ],
)
def test_top_rows_break_ties_by_row(scores, count, expected):
    assert list(top_rows(np.asarray(scores), count)) == expected


def test_top_rows_match_a_full_sort():
    scores = np.random.default_rng(7).integers(0, 20, size=500).astype(float)
    full = sorted(range(len(scores)), key=lambda row: (-scores[row], row))
    for count in (1, 3, 10, 499):
        assert list(top_rows(scores, count)) == full[:count]
