"""The fallback for questions whose best page states no fact of the asked kind."""

from __future__ import annotations

import pytest

from answerer.answer import Answerer, _Loaded
from answerer.answer_type import (
    ANSWER_TYPES,
    expected_answer_types,
    last_clause,
    missing_answer_types,
    stated_answer_types,
)
from answerer.confidence import ConfidenceRule
from answerer.rank import rank
from cityline.settings import Settings
from index.fields import PageRecord
from index.vectorize import IndexParameters, PageEntry, build_model

CONTACT = "このページに関するお問い合わせ\n環境課\n〒111-2222 さくら市本町3丁目4番5号"

PAGES = [
    PageRecord(
        url="https://city.example/gomi/kaden.html",
        title="使用済み小型家電のリサイクル",
        text=(
            "携帯電話やゲーム機などの使用済み小型家電は、回収ボックスで"
            "リサイクルしています。\n電池は外してから入れてください。\n" + CONTACT
        ),
    ),
    PageRecord(
        url="https://city.example/kosodate/hiroba.html",
        title="子育てひろば",
        text=(
            "子育てひろばは、乳幼児と保護者が自由に遊べる部屋です。\n"
            "西町会館の2階にあります。\n" + CONTACT
        ),
    ),
    PageRecord(
        url="https://city.example/kurashi/hanko.html",
        title="印鑑登録",
        text="印鑑登録は本人が申請してください。\n" + CONTACT,
    ),
]


@pytest.fixture(scope="module")
def model():
    return build_model(PAGES, IndexParameters(), workers=1)


def page(text: str, title: str = "見出し") -> PageEntry:
    return PageEntry(
        url="https://city.example/p.html",
        title=title,
        breadcrumbs=[],
        passages=[title, *text.split("\n")],
    )


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("回収ボックスはどこにありますか", {"location"}),
        ("子育てひろばの場所を教えて", {"location"}),
        ("子育てひろばはどこですか？", {"location"}),
        ("公民館はどこ", {"location"}),
        ("どこで申し込めますか", set()),
        ("図書館は何時まで開いていますか", {"time"}),
        ("申請の期限はいつですか？", {"time"}),
        ("粗大ごみの手数料はいくら", {"amount"}),
        ("駐輪場は何台とめられますか", {"count"}),
        ("転入届に必要なものは", {"documents"}),
        ("転出届はどうすればいいですか", set()),
        ("日曜日に開いていますか", {"time"}),
        ("クレジットカードで払えますか", set()),
    ],
)
def test_expected_types_of_question(question, kinds):
    assert expected_answer_types(question) == kinds


def test_expected_types_read_last_clause():
    question = "住所が変わった場合、保険証はそのまま使えますか？"
    assert last_clause(question) == "保険証はそのまま使えますか"
    assert expected_answer_types(question) == set()


def test_missing_types_ignore_contact_block():
    entry = page("回収ボックスで集めています。\n" + CONTACT)
    assert missing_answer_types("回収ボックスはどこにありますか", entry) == {"location"}


def test_missing_types_ignore_title():
    entry = page("ここで遊べます。", title="西町会館の子育てひろば")
    assert missing_answer_types("ひろばの場所は", entry) == {"location"}


def test_stated_kind_is_not_missing():
    entry = page("西町会館の2階にあります。\n" + CONTACT)
    assert missing_answer_types("ひろばはどこにありますか", entry) == set()


def test_fee_word_counts_as_amount():
    entry = page("使用料がかかることがあります。")
    assert missing_answer_types("使用料はいくらですか", entry) == set()


def test_stated_types_of_page_body():
    entry = page("西町会館の2階にあります。\n使用料は無料です。\n" + CONTACT)
    assert stated_answer_types(entry) == {"location", "amount", "count"}


def test_stated_types_kept_on_page():
    entry = page("西町会館にあります。")
    first = stated_answer_types(entry)
    entry.passages.append("午前9時から開いています。")
    assert stated_answer_types(entry) is first


def test_question_without_kind_misses_nothing():
    entry = page("電池は外してください。")
    assert missing_answer_types("電池はどうすればいいですか", entry) == set()


def test_rule_falls_back_when_place_missing(model):
    question = "小型家電の回収ボックスはどこにありますか"
    ranking = rank(model, question)
    best = model.pages[int(ranking.scores.argmax())]
    assert best.title == "使用済み小型家電のリサイクル"
    rule = ConfidenceRule()
    assert rule.confident(ranking) is True
    assert rule.confident(ranking, model.pages, question) is False


def test_rule_offers_page_that_states_place(model):
    question = "子育てひろばはどこにありますか"
    ranking = rank(model, question)
    assert ConfidenceRule().confident(ranking, model.pages, question) is True


def test_rule_offers_titled_page_without_amount(model):
    question = "小型家電のリサイクルはいくらかかりますか"
    ranking = rank(model, question)
    best = model.pages[int(ranking.scores.argmax())]
    assert best.title == "使用済み小型家電のリサイクル"
    assert missing_answer_types(question, best) == {"amount"}
    assert ConfidenceRule().confident(ranking, model.pages, question) is True


def test_rule_falls_back_on_untitled_page_without_amount(model):
    question = "回収ボックスの利用料金はいくらですか"
    ranking = rank(model, question)
    best = model.pages[int(ranking.scores.argmax())]
    assert best.title == "使用済み小型家電のリサイクル"
    assert ConfidenceRule().confident(ranking) is True
    assert ConfidenceRule().confident(ranking, model.pages, question) is False


def test_rule_without_amount_type_offers_page(model):
    question = "回収ボックスの利用料金はいくらですか"
    ranking = rank(model, question)
    rule = ConfidenceRule(fallback_types=ANSWER_TYPES - {"amount"})
    assert rule.confident(ranking, model.pages, question) is True


def test_rule_without_answer_types_skips_test(model):
    question = "小型家電の回収ボックスはどこにありますか"
    ranking = rank(model, question)
    rule = ConfidenceRule(answer_types=False)
    assert rule.confident(ranking, model.pages, question) is True


def test_rule_keeps_score_tests_first(model):
    question = "宇宙旅行の場所はどこですか"
    ranking = rank(model, question)
    assert ConfidenceRule().confident(ranking, model.pages, question) is False


def test_answerer_falls_back_when_the_best_page_names_no_place(model):
    answerer = Answerer(Settings(), _Loaded(model=model, manifest={}, stamp=None))
    assert answerer.ask("小型家電の回収ボックスはどこにありますか").fallback
    found = answerer.ask("小型家電の回収ボックスでリサイクルできますか")
    assert not found.fallback
    assert found.answers[0].url == "https://city.example/gomi/kaden.html"


def test_page_without_body_lacks_no_type():
    # A folder page stored as its title alone cannot show what it lacks.
    folder = page("", title="入所申込手続き")
    assert missing_answer_types("保育園の申込はいつから?", folder) == frozenset()


def test_page_with_body_still_lacks_type():
    body = page("保育園の申込は子ども育成課で受け付けます。", title="入所申込手続き")
    assert missing_answer_types("保育園の申込はいつから?", body) == {"time"}


def test_contact_titled_page_has_a_body():
    contact = page("電話でのお問い合わせは代表電話へ。", title="お問い合わせ")
    assert missing_answer_types("問い合わせの料金はいくら", contact) == {"amount"}
