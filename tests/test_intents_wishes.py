"""A sentence that ends in the writer's wish states no fault, so it is a question."""

import pytest

from answerer.intent_evidence import has_fault_evidence
from answerer.intent_text import normalize

WISHES = [
    "公園で遊びたい",
    "粗大ごみを出したい",
    "公園でバーベキューをしたい",
    "公園に行きたいです",
    "ベンチが欲しい",
]
REQUESTS = [
    "街灯を直してもらいたい",
    "街灯が消えているので直してほしい",
    "道路に穴があいていて危ないので埋めてほしい",
]


@pytest.mark.parametrize("text", WISHES)
def test_wish_gives_no_fault_evidence(text):
    assert not has_fault_evidence(normalize(text))


@pytest.mark.parametrize("text", WISHES)
def test_wish_is_a_question(classifier, text):
    assert classifier.classify(text).label == "question"


@pytest.mark.parametrize("text", REQUESTS)
def test_request_to_fix_stays_a_report(classifier, text):
    assert classifier.classify(text).label == "report"


def test_romaji_text_is_spelled_in_hiragana():
    assert normalize("Gaitou ga kiete imasu") == "がいとう が きえて います"
    assert normalize("The light is out") == "the light is out"


def test_romaji_report_is_classified(classifier):
    intent = classifier.classify("kouen no benchi ga kowarete imasu")
    assert intent.label == "report"
    assert intent.category == "park"


def test_katakana_only_text_is_spelled_in_hiragana():
    assert normalize("ｶﾞｲﾄｳｶﾞｷｴﾃｲﾏｽ") == "がいとうがきえています"
    assert normalize("マンホール") == "マンホール"
    assert normalize("マンホールのふたが外れた") == "マンホールのふたが外れた"
