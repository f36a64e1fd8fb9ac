"""Pages titled with a year or a revision rank below the standing page."""

from __future__ import annotations

import dataclasses

import pytest

from answerer.rank import names_date, rank
from index.fields import PageRecord
from index.vectorize import IndexParameters, build_model

TEXT = (
    "児童手当は、中学生までの子どもを育てている方に支給します。"
    "支給は申請した月の翌月分からです。"
)
PAGES = [
    PageRecord(
        url="https://city.example/kosodate/teate.html",
        title="児童手当",
        text=TEXT,
    ),
    PageRecord(
        url="https://city.example/kosodate/kaisei.html",
        title="児童手当の制度改正について",
        text=TEXT + "制度改正により、支給の対象が広がります。",
    ),
    PageRecord(
        url="https://city.example/gomi/sodai.html",
        title="粗大ごみの出しかた",
        text="粗大ごみは申込制です。",
    ),
]


@pytest.mark.parametrize(
    "text",
    ["令和3年度 個人住民税の申告", "平成 元年", "2026年4月から", "制度改正について"],
)
def test_year_or_revision_is_a_date(text):
    assert names_date(text)


@pytest.mark.parametrize(
    "text", ["児童手当", "児童手当認定(額改定)請求書", "3年に一度", "年度末"]
)
def test_other_titles_are_not_dated(text):
    assert not names_date(text)


@pytest.fixture(scope="module")
def models():
    plain = dataclasses.replace(IndexParameters(), dated_title_factor=1.0)
    return build_model(PAGES, IndexParameters(), workers=1), build_model(
        PAGES, plain, workers=1
    )


def test_dated_page_scores_less(models):
    question = "児童手当の支給はいつからですか"
    chosen, plain = (rank(model, question).scores for model in models)
    assert chosen[1] == pytest.approx(0.8 * plain[1])
    assert chosen[0] == plain[0]
    assert PAGES[int(rank(models[0], question, top=1).top[0])].title == "児童手当"


def test_dated_page_kept_for_revision_question(models):
    question = "児童手当の制度改正で支給はいつからですか"
    chosen, plain = (rank(model, question).scores for model in models)
    assert list(chosen) == list(plain)
