"""Tests that texts naming a city object are questions unless they state a fault."""

import pytest

from answerer.intent_evidence import has_fault_evidence
from answerer.intent_owners import names_other_owner
from answerer.intent_text import normalize
from answerer.intents import CueClassifier, IntentClassifier

# Object names, facility names, and object names with a place or question word.
OBJECT_QUESTIONS = [
    "街灯",
    "公園",
    "道路",
    "下水",
    "街路樹",
    "ごみ",
    "井の頭公園",
    "公園の場所",
    "公園はどこ",
]

# Object names that no training sentence gives alone, with and without question words.
UNSEEN_OBJECT_QUESTIONS = [
    "ベンチ",
    "側溝",
    "マンホール",
    "公衆トイレ",
    "遊具",
    "鉄棒",
    "ガードレール",
    "集水桝",
    "歩道橋の階段",
    "ブランコはどこですか",
    "マンホールの場所",
    "公衆トイレ 何時まで",
    "遊具のある公園",
    "側溝の掃除はいつ",
    "テニスコートの予約",
    "公園一覧",
    "雨水ます",
]

SHORT_REPORTS = [
    ("街灯切れ", "streetlight"),
    ("穴ぼこ", "road"),
    ("倒木", "tree"),
    ("ベンチ壊れてる", "park"),
    ("側溝詰まり", "road"),
    ("マンホール くさい", "sewer"),
    ("遊具が危ない", "park"),
    ("公衆トイレが汚い", "park"),
    ("街路樹が倒れそう", "tree"),
    ("歩道に穴", "road"),
    ("防犯灯が点滅", "streetlight"),
]


@pytest.mark.parametrize("text", OBJECT_QUESTIONS + UNSEEN_OBJECT_QUESTIONS)
def test_object_name_is_question(classifier, text):
    intent = classifier.classify(text)
    assert intent.label == "question", text
    assert intent.category is None, text
    assert intent.confidence == IntentClassifier.RULE_CONFIDENCE, text


@pytest.mark.parametrize("text", OBJECT_QUESTIONS + UNSEEN_OBJECT_QUESTIONS)
def test_cue_baseline_object_name_is_question(text):
    assert CueClassifier.load().classify(text).label == "question", text


@pytest.mark.parametrize(("text", "category"), SHORT_REPORTS)
def test_short_fault_text_is_report(classifier, text, category):
    intent = classifier.classify(text)
    assert intent.label == "report", text
    assert intent.category == category, text


def test_bare_flood_word_is_report(classifier):
    # A flooded road may come from the road or from a blocked drain.
    intent = classifier.classify("冠水")
    assert intent.label == "report"
    assert intent.category in ("road", "sewer")


def test_short_request_is_report(classifier):
    intent = classifier.classify("街灯を直して")
    assert intent.label == "report"
    assert intent.category == "streetlight"


@pytest.mark.parametrize(
    "text", ["こわい", "怖い", "こわいです", "地震こわい", "台風がこわい", "困ってます"]
)
def test_feeling_without_object_is_question(classifier, text):
    assert classifier.classify(text).label == "question", text


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("ふたが外れてる", "sewer"),
        ("ミラーが割れてる", "road"),
        ("ブロックが崩れてる", "road"),
    ],
)
def test_short_fault_without_lexicon_object_stays_report(classifier, text, category):
    intent = classifier.classify(text)
    assert intent.label == "report", text
    assert intent.category == category, text


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("街灯こわい", "streetlight"),
        ("暗くて怖い", "streetlight"),
        ("ｶﾞｲﾄｳ ｷｴﾃﾙ", "streetlight"),
        ("夜の公園がこわい", "park"),
    ],
)
def test_feeling_with_object_stays_report(classifier, text, category):
    intent = classifier.classify(text)
    assert intent.label == "report", text
    assert intent.category == category, text


def test_time_question_with_verb_is_question(classifier):
    intent = classifier.classify("街灯は何時に点く")
    assert intent.label == "question"


def test_short_chatter_is_question(classifier):
    for text in ("はい", "テスト", "了解"):
        assert classifier.classify(text).label == "question", text


@pytest.mark.parametrize(
    "text",
    [
        "道路が波打っていてバイクが走りにくいです",
        "台風のあと、道路に太い枝が落ちたままです",
        "公園の時計が止まったままです",
        "道路に動物の死骸があります。北町2丁目の交差点です",
        "枝おちてる 西町2丁目",
        "側溝のふたがない",
        "草ぼうぼう",
    ],
)
def test_statement_counts_as_fault_evidence(text):
    assert has_fault_evidence(normalize(text)), text


@pytest.mark.parametrize(
    "text",
    [
        "公園",
        "公園の場所",
        "公園はどこですか",
        "ベンチのある公園",
        "噴水の時間",
        "街灯は何時に点く",
        "雨水ます",
        "はい",
    ],
)
def test_naming_or_asking_is_no_evidence(text):
    assert not has_fault_evidence(normalize(text)), text


def test_everyday_words_not_question_words():
    assert has_fault_evidence(normalize("公園の時計がいつの間にか止まっている"))
    assert has_fault_evidence(normalize("いつも水がたまっている"))


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("街灯", "streetlight"),
        ("ベンチ", "park"),
        ("マンホール", "sewer"),
        ("側溝", "road"),
        ("並木", "tree"),
    ],
)
def test_object_category_of_object_name(classifier, text, category):
    assert classifier.object_category(text) == category


@pytest.mark.parametrize("text", ["えーと", "わからない", "ごみ", ""])
def test_object_category_none_without_object(classifier, text):
    assert classifier.object_category(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "五日市街道の歩道に穴があいてる",
        "甲州街道の街灯が消えてる",
        "井の頭公園の池の柵が壊れてる",
        "いのかしら公園のベンチが壊れてる",
        "井之頭公園の街灯が消えてる",
        "都立武蔵野中央公園のベンチが壊れてる",
    ],
)
def test_highway_or_metropolitan_park_names_other_owner(text):
    assert names_other_owner(text), text


@pytest.mark.parametrize(
    "text", ["井の頭公園の前の道路に穴", "中央公園のベンチが壊れてる"]
)
def test_city_place_names_no_other_owner(text):
    assert not names_other_owner(text), text


@pytest.mark.parametrize(
    ("text", "urgent"),
    [
        ("道路が冠水してる", True),
        ("大雨のたびにアンダーパスが冠水して、車が通れなくなります", False),
        ("去年家が浸水したので土のうがほしい", False),
        ("雨の日に道路が冠水しやすい場所はありますか", False),
    ],
)
def test_flood_is_urgent_only_when_happening(classifier, text, urgent):
    assert classifier.classify(text).urgent is urgent, text


@pytest.mark.parametrize("text", ["住宅街道路に穴があいています", "商店街道路の街灯"])
def test_town_street_is_no_highway(text):
    assert not names_other_owner(text), text
