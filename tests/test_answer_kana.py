"""Questions typed in hiragana alone, read with the words of the indexed site."""

from __future__ import annotations

import unicodedata

import pytest

from answerer.answer import Answerer
from answerer.kana import hiragana_spelling, read_kana_words, reading_table
from cityline.settings import Settings
from index.build import build_from_records
from index.fields import PageRecord
from index.vectorize import IndexParameters, build_model

PAGES = [
    PageRecord(
        url="https://city.example/kurashi/juminhyo.html",
        title="住民票の写しの請求",
        text="住民票の写しは、市役所の窓口かコンビニで取れます。手数料は1通300円です。",
    ),
    PageRecord(
        url="https://city.example/gomi/denchi.html",
        title="電池の出し方",
        text="乾電池は有害ごみの日に出してください。行く前に確認してください。",
    ),
    PageRecord(
        url="https://city.example/gomi/sodai.html",
        title="粗大ごみの申込",
        text="粗大ごみは電話で申し込んでください。収集は有料です。",
    ),
    PageRecord(
        url="https://city.example/kosodate/mynumber.html",
        title="子育て世帯のマイナンバーカード",
        text="子育て中の方も、マイナンバーカードは窓口で申請できます。",
    ),
]


@pytest.fixture(scope="module")
def model():
    return build_model(PAGES, IndexParameters(), workers=1)


def test_reading_table_maps_readings_to_terms(model):
    table = reading_table(model)
    assert table["じゅうみんひょう"] == "住民票"
    assert table["しやくしょ"] == "市役所"


def test_hiragana_question_read_as_site_terms(model):
    rest, terms, unread = read_kana_words(model, "じゅうみんひょう しやくしょ")
    assert terms == ["住民票", "市役所"]
    assert unread == 0
    assert rest.strip() == ""


def test_decomposed_voicing_marks_read_as_composed(model):
    decomposed = unicodedata.normalize("NFD", "じゅうみんひょう")
    assert decomposed != "じゅうみんひょう"
    _, terms, unread = read_kana_words(model, decomposed)
    assert terms == ["住民票"]
    assert unread == 0


def test_particles_between_words_skipped(model):
    _, terms, unread = read_kana_words(model, "じゅうみんひょうのてすうりょう")
    assert terms == ["住民票", "手数料"]
    assert unread == 0


def test_question_word_not_read_as_site_word(model):
    # いくら would otherwise start with the reading of 行く.
    _, terms, unread = read_kana_words(model, "てすうりょう いくら")
    assert terms == ["手数料"]
    assert unread == 0


def test_left_over_stretch_counts_as_unknown(model):
    _, terms, unread = read_kana_words(model, "せいじんしきのてすうりょう")
    assert terms == ["手数料"]
    assert unread == 1


def test_long_vowel_typed_as_its_vowel_is_read(model):
    _, terms, unread = read_kana_words(model, "まいなんばあかあど")
    assert terms == [reading_table(model)["まいなんばーかーど"]]
    assert unread == 0


def test_ending_that_asks_is_no_unknown_word(model):
    _, terms, unread = read_kana_words(model, "じゅうみんひょうがわかりません")
    assert terms == ["住民票"]
    assert unread == 0


def test_mixed_question_misread_run_is_read(model):
    rest, terms, unread = read_kana_words(model, "こそだての申請")
    assert terms == ["子育て"]
    assert (rest, unread) == (" の申請", 0)


def test_mixed_question_leading_site_words_are_read(model):
    rest, terms, unread = read_kana_words(model, "じゅうみんひょうってどこで取れる")
    assert terms == ["住民票"]
    assert (rest, unread) == (" ってどこで取れる", 0)


def test_mixed_question_well_read_run_is_left(model):
    question = "そだいごみの申込"
    assert read_kana_words(model, question) == (question, [], 0)


def test_reading_table_drops_rare_short_readings():
    pages = [
        *PAGES,
        PageRecord(url="https://city.example/a.html", title="がみ", text="がみ"),
        *(
            PageRecord(url=f"https://city.example/bus{n}.html", title="バス", text="")
            for n in range(3)
        ),
    ]
    table = reading_table(build_model(pages, IndexParameters(), workers=1))
    assert "がみ" not in table
    assert "ばす" in table


def test_question_with_kanji_left_to_sudachi(model):
    question = "住民票はどうしたらよいですか"
    assert read_kana_words(model, question) == (question, [], 0)


def test_short_hiragana_word_not_read(model):
    question = "ごみ"
    assert read_kana_words(model, question) == (question, [], 0)


@pytest.fixture(scope="module")
def answerer(tmp_path_factory) -> Answerer:
    settings = Settings(data_dir=tmp_path_factory.mktemp("kana"))
    build_from_records(PAGES, settings.index_dir)
    return Answerer.load(settings)


def test_hiragana_question_answered(answerer):
    result = answerer.ask("じゅうみんひょう こんびにでとれる？")
    assert result.fallback is False
    assert result.answers[0].url == "https://city.example/kurashi/juminhyo.html"


def test_hiragana_question_about_unknown_thing_falls_back(answerer):
    assert answerer.ask("せいじんしきのひにち").fallback is True


@pytest.mark.parametrize(
    "question", ["ジュウミンヒョウ コンビニデトレル？", "ｼﾞｭｳﾐﾝﾋｮｳ ｺﾝﾋﾞﾆﾃﾞﾄﾚﾙ?"]
)
def test_katakana_question_answered_as_hiragana(answerer, question):
    result = answerer.ask(question)
    assert not result.fallback
    assert result.answers[0].title == "住民票の写しの請求"


def test_romaji_question_answered_as_hiragana(answerer):
    result = answerer.ask("juuminhyou konbini de toreru?")
    assert not result.fallback
    assert result.answers[0].title == "住民票の写しの請求"


def test_capital_macron_is_read_as_romaji():
    assert hiragana_spelling("Ōkii gomi no dashikata") == "おうきい ごみ の だしかた"


def test_romaji_nouns_read_by_the_index_are_answered(answerer):
    # Two bare nouns show no particle, but the index reads both.
    result = answerer.ask("sodai gomi")
    assert not result.fallback
    assert result.answers[0].title == "粗大ごみの申込"


def test_english_of_romaji_letters_gets_the_fallback(answerer):
    assert answerer.ask("I hate rain").fallback


def test_english_question_is_not_read_as_romaji():
    assert hiragana_spelling("Where can I get a resident record?") is None


def test_katakana_spelling_only_for_katakana_questions():
    assert hiragana_spelling("ソダイゴミノダシカタ") == "そだいごみのだしかた"
    assert hiragana_spelling("ｿﾀﾞｲｺﾞﾐ") == "そだいごみ"
    assert hiragana_spelling("ゴミ") is None
    assert hiragana_spelling("マイナンバーカードの受け取り") is None
    assert hiragana_spelling("コンビニでとれる") is None
