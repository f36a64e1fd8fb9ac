"""Pages after the best one are offered only when they score near enough to it."""

from __future__ import annotations

import pytest

from answerer.answer import Answerer
from answerer.confidence import ConfidenceRule
from cityline.settings import Settings
from index.build import build_from_records
from index.fields import PageRecord

PAGES = [
    PageRecord(
        url="https://city.example/gomi/sodai.html",
        title="粗大ごみの申込方法",
        text="粗大ごみは事前の申込制です。\n粗大ごみの手数料は1点400円です。",
    ),
    PageRecord(
        url="https://city.example/gomi/sodai-faq.html",
        title="粗大ごみのよくある質問",
        text="粗大ごみの申込は電話でもできます。",
    ),
    PageRecord(
        url="https://city.example/shisetsu/hall.html",
        title="市民会館",
        text="ホールの申込は3か月前から受け付けます。\n駐車場はありません。",
    ),
    PageRecord(
        url="https://city.example/kenko/kokuho.html",
        title="国民健康保険の加入",
        text="会社を退職したときは、国民健康保険の加入の届出をしてください。",
    ),
]
QUESTION = "粗大ごみの手数料と申込"


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    settings = Settings(data_dir=tmp_path_factory.mktemp("follow"))
    build_from_records(PAGES, settings.index_dir)
    return settings


def _scores(settings: Settings, share: float) -> list[float]:
    answerer = Answerer.load(settings, ConfidenceRule(follow_share=share))
    result = answerer.ask(QUESTION, top_k=4)
    assert not result.fallback
    return [answer.score for answer in result.answers]


def test_weak_followers_are_left_out(settings):
    everything = _scores(settings, 0.0)
    kept = _scores(settings, 0.5)
    assert len(kept) < len(everything)
    assert kept == everything[: len(kept)]
    assert all(score >= 0.5 * kept[0] for score in kept)


def test_share_zero_keeps_every_matching_page(settings):
    assert len(_scores(settings, 0.0)) >= 3


def test_default_share_keeps_close_pages(settings):
    default = Answerer.load(settings).ask(QUESTION, top_k=4)
    scores = [answer.score for answer in default.answers]
    assert scores[0] > 0
    assert all(score >= ConfidenceRule().follow_share * scores[0] for score in scores)
    assert len(scores) >= 2
