"""Terms of a page's breadcrumb trail, one label at a time."""

from __future__ import annotations

from index.fields import PageRecord
from index.tokenize import terms
from index.vectorize import IndexParameters, build_model

SEWER = PageRecord(
    url="https://city.example/gesuido/haisui.html",
    title="排水設備の工事",
    text="工事は指定工事店に依頼してください。",
    breadcrumbs=["ホーム", "上下水道", "下水道", "排水設備の工事"],
)


def test_trail_joined_splits_sewer_word():
    # The premise of the per-label tokenization: in the joined trail, the label
    # before 下水道 changes how Sudachi cuts it.
    assert "下水道" not in terms(" / ".join(SEWER.breadcrumbs))
    assert "下水道" in terms("下水道")


def test_breadcrumb_labels_tokenized_alone():
    # Neither the title nor the body names 下水道, so the term comes from the trail.
    model = build_model([SEWER], IndexParameters(), workers=1)
    assert "下水道" in model.term_vocabulary
