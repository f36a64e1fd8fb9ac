"""Pivoted length normalisation of the n-gram rows."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from index.fields import PageRecord
from index.vectorize import (
    MAX_PIVOTED_LENGTH,
    IndexParameters,
    build_model,
    pivoted_rows,
)


def row_lengths(matrix) -> np.ndarray:
    dense = matrix.toarray()
    return np.sqrt((dense * dense).sum(axis=1))


# Rows of length 1, 2 and 3, and an empty row: the pivot is 2.
ROWS = sparse.csr_matrix(np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0], [3.0, 0.0]]))


def test_slope_one_gives_unit_rows():
    lengths = row_lengths(pivoted_rows(ROWS, 1.0))
    assert lengths[[0, 1, 3]] == pytest.approx([1.0, 1.0, 1.0])


def test_row_of_pivot_length_gets_unit_length():
    assert row_lengths(pivoted_rows(ROWS, 0.2))[1] == pytest.approx(1.0)


def test_low_slope_favours_long_rows():
    short, _, _, long = row_lengths(pivoted_rows(ROWS, 0.2))
    # Divisors 0.8 * 2 + 0.2 * length: 1.8 for the short row, 2.2 for the long.
    assert short == pytest.approx(1 / 1.8)
    assert long == pytest.approx(3 / 2.2)


def test_slope_zero_divides_by_pivot_alone():
    lengths = row_lengths(pivoted_rows(ROWS, 0.0))
    assert lengths[[0, 1, 3]] == pytest.approx([0.5, 1.0, 1.5])


def test_empty_rows_stay_empty():
    assert row_lengths(pivoted_rows(ROWS, 0.2))[2] == 0.0
    empty = sparse.csr_matrix((2, 3))
    assert pivoted_rows(empty, 0.2).nnz == 0


def test_direction_of_each_row_is_kept():
    pivoted = pivoted_rows(ROWS, 0.2).toarray()
    unit = pivoted_rows(ROWS, 1.0).toarray()
    for row in (0, 1, 3):
        direction = pivoted[row] / np.linalg.norm(pivoted[row])
        assert direction == pytest.approx(unit[row])


SHORT = PageRecord(
    url="http://127.0.0.1/a.html", title="犬の登録", text="犬の登録をします。"
)
LONG = PageRecord(
    url="http://127.0.0.1/b.html",
    title="ごみの出し方",
    text="\n".join(
        f"{word}は決められた曜日の朝8時までに集積所へ出してください。"
        for word in (
            "燃やすごみ",
            "燃やさないごみ",
            "古紙",
            "びん",
            "かん",
            "ペットボトル",
        )
    ),
)


def test_model_ngram_rows_follow_slope():
    pivoted = build_model([SHORT, LONG], IndexParameters(), workers=1)
    short, long = row_lengths(pivoted.char_matrix)
    assert long > 1.0 > short

    cosine = build_model(
        [SHORT, LONG], IndexParameters(char_pivot_slope=1.0), workers=1
    )
    assert row_lengths(cosine.char_matrix) == pytest.approx([1.0, 1.0])


def test_very_long_row_is_capped():
    rows = sparse.csr_matrix(np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 100.0]]))
    lengths = row_lengths(pivoted_rows(rows, 0.2))
    assert lengths[2] == pytest.approx(MAX_PIVOTED_LENGTH)


def test_integer_counts_are_not_truncated():
    counts = sparse.csr_matrix(np.array([[1, 0], [0, 3]], dtype=np.int64))
    pivoted = pivoted_rows(counts, 1.0)
    assert pivoted.dtype == np.float64
    assert row_lengths(pivoted) == pytest.approx([1.0, 1.0])


def test_duplicate_entries_are_summed_first():
    duplicated = sparse.csr_matrix(
        (np.array([1.0, 1.0, 2.0]), np.array([0, 0, 1]), np.array([0, 2, 3])),
        shape=(2, 2),
    )
    assert row_lengths(pivoted_rows(duplicated, 1.0)) == pytest.approx([1.0, 1.0])


@pytest.mark.parametrize("slope", [-0.1, 1.5])
def test_slope_outside_unit_range_is_rejected(slope):
    with pytest.raises(ValueError, match="must be from 0 to 1"):
        pivoted_rows(ROWS, slope)
