"""IndexParameters refuse values that would build or rank a broken index."""

from __future__ import annotations

import pytest

from index.vectorize import IndexParameters


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("passage_window", "two", "passage_window='two' must be a number"),
        ("passage_window", 1.5, "passage_window=1.5 must be a number"),
        ("passage_window", 0, "passage_window=0 must be at least 1"),
        ("body_weight", -1.0, "body_weight=-1.0 must be a number of at least 0"),
        ("char_weight", float("nan"), "char_weight=nan must be a number"),
        ("char_weight", 1.5, "char_weight=1.5 is a share"),
        ("passage_weight", 2, "passage_weight=2 is a share"),
        ("common_df_share", 0.0, "common_df_share=0 would leave out every n-gram"),
        ("listing_penalty", True, "listing_penalty=True must be a number"),
        ("char_pivot_slope", 1.5, "char_pivot_slope=1.5 must be from 0 to 1"),
        (
            "char_pivot_slope",
            -0.1,
            "char_pivot_slope=-0.1 must be a number of at least 0",
        ),
    ],
)
def test_bad_parameter_is_named(field, value, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        IndexParameters(**{field: value})


def test_all_field_weights_zero_is_refused():
    zero = {"title_weight": 0, "breadcrumbs_weight": 0, "body_weight": 0}
    with pytest.raises(ValueError, match="all 0; give at least one field a weight"):
        IndexParameters(**zero)


def test_defaults_and_their_json_are_accepted():
    parameters = IndexParameters()
    assert IndexParameters.from_json(parameters.to_json()) == parameters


def test_integer_weights_are_accepted():
    assert IndexParameters(title_weight=1, char_weight=0).title_weight == 1
