"""Questions that no page fits get the fallback with the contact route."""

from __future__ import annotations

import pytest

from answerer.answer import (
    MAX_QUESTION_CHARS,
    Answerer,
    asking_sentence,
    cut_question,
)
from answerer.confidence import ConfidenceRule
from answerer.rank import rank
from cityline.settings import Settings
from index.build import build_from_records
from index.fields import PageRecord

PAGES = [
    PageRecord(
        url="https://city.example/gomi/sodai.html",
        title="粗大ごみの申込方法",
        text="粗大ごみは事前の申込制です。\n電話かインターネットで申し込めます。",
    ),
    PageRecord(
        url="https://city.example/kenko/kokuho.html",
        title="国民健康保険の加入",
        text="会社を退職したときは、14日以内に国民健康保険の加入の届出をしてください。",
    ),
    PageRecord(
        url="https://city.example/pet/inu.html",
        title="犬の登録",
        text="犬を飼い始めたら、30日以内に登録してください。",
    ),
]


@pytest.fixture(scope="module")
def answerer(tmp_path_factory) -> Answerer:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("fallback"), city_hall_phone="0000-11-2222"
    )
    build_from_records(PAGES, settings.index_dir)
    return Answerer.load(settings)


@pytest.mark.parametrize(
    "question",
    ["", "   ", "\n\t", "のをにはが", "ですか？", "😀🙏👍", "！？…・「」", "www"]
    + ["ご", "く", " づ ", "ア"],
    ids=[
        "empty",
        "spaces",
        "whitespace",
        "particles",
        "ending",
        "emoji",
        "symbols",
        "w",
        "kana read as five",
        "kana read as nine",
        "kana read as a verb",
        "one katakana",
    ],
)
def test_contentless_question_gets_fallback(answerer, question):
    result = answerer.ask(question)
    assert result.fallback is True
    assert result.answers == []


def test_fallback_text_gives_the_configured_phone(answerer):
    result = answerer.ask("")
    assert "0000-11-2222" in result.fallback_text
    assert "市役所" in result.fallback_text


def test_default_phone_is_city_hall():
    assert Settings().city_hall_phone == "0422-51-5131"


def test_unrelated_question_gets_fallback(answerer):
    assert answerer.ask("明日の天気を教えてください").fallback is True


def test_answer_has_no_fallback_text(answerer):
    result = answerer.ask("粗大ごみを出したい")
    assert result.fallback is False
    assert result.fallback_text is None
    assert result.answers[0].url == "https://city.example/gomi/sodai.html"


def test_lone_surrogate_in_question_is_replaced(answerer):
    result = answerer.ask("粗大ごみを出したい\udcff")
    assert result.question == "粗大ごみを出したい\ufffd"
    assert result.answers[0].url == "https://city.example/gomi/sodai.html"


def test_very_long_question_is_answered(answerer):
    question = "粗大ごみの申込方法を知りたい。" + "あ" * 20_000
    result = answerer.ask(question)
    assert result.question == question
    assert result.answers[0].url == "https://city.example/gomi/sodai.html"


def test_long_question_cut_never_splits_a_base_from_its_mark():
    # The voiced mark would be the first character past the limit.
    question = "か" * (MAX_QUESTION_CHARS - 1) + "か\u3099" + "あ" * 10
    assert cut_question(question) == "か" * (MAX_QUESTION_CHARS - 1)


def test_long_question_is_cut_to_the_limit():
    assert len(cut_question("あ" * 5000)) == MAX_QUESTION_CHARS


def test_short_question_is_not_cut():
    assert cut_question("犬の登録") == "犬の登録"


def test_top_k_below_one_is_rejected(answerer):
    with pytest.raises(ValueError, match="top_k=0"):
        answerer.ask("犬", top_k=0)


@pytest.fixture(scope="module")
def demo_answerer(tmp_path_factory) -> Answerer:
    from tests.test_evaluate_gate import DEMO, site_records

    settings = Settings(data_dir=tmp_path_factory.mktemp("fallback-demo"))
    build_from_records(site_records(DEMO / "site"), settings.index_dir)
    return Answerer.load(settings)


@pytest.mark.parametrize(
    "question", ["宇宙旅行の補助金はありますか", "宇宙飛行士になりたい"]
)
def test_question_about_unknown_thing_gets_fallback(demo_answerer, question):
    result = demo_answerer.ask(question)
    assert result.fallback is True
    assert result.answers == []


def test_question_with_many_unknown_words_can_be_answered(demo_answerer):
    # 古い and 捨て方 are on no demo page, so more than 0.4 of the question's term
    # idf is unknown, but the best page matches パソコン well enough.
    question = "古いパソコンの捨て方を教えてください"
    result = demo_answerer.ask(question)
    assert result.fallback is False
    assert "/gomi/recycle/" in result.answers[0].url


def test_short_question_missing_word_falls_back(demo_answerer):
    # No demo page is about passports; the best page covers only 申請.
    result = demo_answerer.ask("パスポートの申請はどこでできますか")
    assert result.fallback is True


def test_short_question_fully_covered_is_answered(demo_answerer):
    result = demo_answerer.ask("乾電池の出し方")
    assert result.fallback is False
    assert result.answers


def test_short_question_unknown_word_falls_back(answerer):
    # 登録 is on the dog page, but no page names 猫.
    assert answerer.ask("猫の登録").fallback
    assert not answerer.ask("犬の登録").fallback


LONG_LETTER = (
    "はじめまして。先月、遠くの町から家族で越してきた者です。まだ暮らしに慣れず、"
    "わからないことばかりで戸惑っております。前の家で使っていた大きなソファと古いタンスを"
    "手放したいと考えておりますが、前の町とは決まりが違うようで迷っています。近所の方に"
    "尋ねても人によって話が違い、インターネットで調べても情報が多すぎてわかりませんでした。"
    "お忙しいところ恐縮ですが、粗大ごみの申込方法を教えてください。よろしくお願いいたします。"
)


def test_long_letter_is_answered_from_its_asking_sentence(answerer):
    # Under the ordinary coverage floor the whole letter fails, so its asking
    # sentence is ranked next, before the floor of long questions is relaxed.
    whole = rank(answerer.model, LONG_LETTER, top=3)
    assert answerer._confident(answerer.model, LONG_LETTER, whole, False) is None
    result = answerer.ask(LONG_LETTER)
    assert result.fallback is False
    assert result.answers[0].url == "https://city.example/gomi/sodai.html"
    assert result.question == LONG_LETTER
    # The asking sentence matches well, while the whole letter would pass only
    # as a weak match.
    assert result.tentative is False


def test_long_letter_passes_the_long_question_floor(answerer):
    assert answerer._confident_ranking(answerer.model, LONG_LETTER, 3) is not None


def test_asking_sentence_is_the_last_that_asks():
    assert asking_sentence(LONG_LETTER) == (
        "お忙しいところ恐縮ですが、粗大ごみの申込方法を教えてください"
    )
    assert asking_sentence("粗大ごみの申込方法を教えてください。") is None
    assert asking_sentence("あ" * 200) is None


def test_strong_match_is_not_tentative(demo_answerer):
    result = demo_answerer.ask("乾電池の出し方")
    assert result.answers
    assert result.answers[0].score >= demo_answerer.rule.sure_score
    assert result.tentative is False


def test_weak_match_is_tentative(tmp_path):
    from tests.test_evaluate_gate import DEMO, site_records

    settings = Settings(data_dir=tmp_path)
    build_from_records(site_records(DEMO / "site"), settings.index_dir)
    strong = Answerer.load(settings).ask("乾電池の出し方")
    rule = ConfidenceRule(sure_score=strong.answers[0].score + 0.01)
    result = Answerer.load(settings, rule).ask("乾電池の出し方")
    assert result.fallback is False
    assert [a.url for a in result.answers] == [a.url for a in strong.answers]
    assert result.tentative is True


def test_fallback_is_never_tentative(answerer):
    result = answerer.ask("明日の天気を教えてください")
    assert result.fallback is True
    assert result.tentative is False


def test_gomi_dashi_finds_the_sodai_page(answerer):
    # Sudachi reads 粗大ゴミ出し as 粗大 + ゴミ出し, one unit without ごみ.
    result = answerer.ask("粗大ゴミ出したい")
    assert result.fallback is False
    assert result.answers[0].url == "https://city.example/gomi/sodai.html"
