"""A condition left open before a question mark is a question, not a report."""

import pytest

from answerer.intent_evidence import asks_how_to_act
from answerer.intent_text import normalize

OPEN_CONDITIONS = [
    "陥没を見つけたら?",
    "倒木を見つけたら？",
    "街灯が消えていたときは?",
    "道路に穴があいていたら？",
    "公園のベンチが壊れている場合は?",
]


@pytest.mark.parametrize("text", OPEN_CONDITIONS)
def test_open_condition_is_a_question(classifier, text):
    assert classifier.classify(text).label == "question"


@pytest.mark.parametrize("text", OPEN_CONDITIONS)
def test_open_condition_asks_how_to_act(text):
    assert asks_how_to_act(normalize(text))


def test_open_condition_keeps_the_urgent_flag(classifier):
    assert classifier.classify("陥没を見つけたら?").urgent


@pytest.mark.parametrize(
    "text", ["街灯が消えています", "穴があいてたら危ない", "道路に穴があいています。"]
)
def test_condition_without_question_mark_stays_a_report(classifier, text):
    assert classifier.classify(text).label == "report"
