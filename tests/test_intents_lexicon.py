"""Lexicon scoring and the question and category rules that use it."""

from __future__ import annotations

import pytest

from answerer.intent_owners import score_lexicon

LEXICON = {
    "tree": {"木": 1.5, "枝": 1.0},
    "other": {"信号": 1.5, "信号機": 4.0, "木材": 0.0},
}


def test_nested_term_counts_once():
    scores = score_lexicon(LEXICON, "信号機が見えない")
    assert scores["other"] == 4.0


def test_separate_shorter_term_still_counts():
    scores = score_lexicon(LEXICON, "信号機の横の信号")
    assert scores["other"] == 5.5


def test_landmark_term_counts_nothing():
    lexicon = {"streetlight": {"街灯": 2.5}, "other": {"バス停": 2.5}}
    scores = score_lexicon(lexicon, "街灯がつかない、バス停のとこ", landmarks=True)
    assert scores == {"streetlight": 2.5, "other": 0.0}


def test_landmark_counts_without_flag():
    lexicon = {"other": {"バス停": 2.5}}
    assert score_lexicon(lexicon, "バス停のとこ")["other"] == 2.5


def test_zero_weight_term_blocks_shorter_term():
    assert score_lexicon(LEXICON, "木材が道に落ちている")["tree"] == 0.0
    assert score_lexicon(LEXICON, "木材の横の木が倒れそう")["tree"] == 1.5


@pytest.mark.parametrize(
    "text",
    [
        "いんかんとうろく どこで できる",
        "ごみ出しカレンダー、スマホで見れる？",
        "倒木を見つけた場合、土日でも受け付けてもらえますか",
    ],
)
def test_question_forms_without_fault(classifier, text):
    assert classifier.classify(text).label == "question"


# Reports, each with the rule it checks, and the category it must get.
REPORT_CASES = [
    pytest.param(
        "〇〇通りの街灯がずっと消えたままなので、交換していただけますか",
        "streetlight",
        id="request-phrased-as-question",
    ),
    pytest.param(
        "雨水ますに落ち葉がたまっています。清掃してもらえますか？",
        "sewer",
        id="cleaning-request",
    ),
    pytest.param(
        "駅の構内のエレベーターが止まったままです", "other", id="station-premises"
    ),
    pytest.param(
        "ライトが点いてない、〇〇バス停のとこ", "streetlight", id="landmark-object"
    ),
    pytest.param(
        "コミュニティセンターの玄関の自動ドアが動かなくなっています",
        "other",
        id="building-part",
    ),
    pytest.param("えだが おれて ぶらさがってる", "tree", id="kana-branch"),
    pytest.param("こうえんの すべりだい こわれてる", "park", id="kana-slide"),
    pytest.param("がいとう きれてる", "streetlight", id="kana-light"),
    pytest.param(
        "〇〇二丁目の交差点の信号機が消えたままです", "other", id="faulty-signal"
    ),
    pytest.param(
        "並木の枝がのびて信号が見えにくくなっています", "tree", id="hidden-signal"
    ),
    pytest.param(
        "線路沿いの道の街灯が一晩中ついたり消えたりしています",
        "streetlight",
        id="owner-as-landmark",
    ),
    pytest.param("うちのマンションの共用の階段の電気が切れてます", "other", id="flat"),
    pytest.param("お隣さんの家の庭の木が道にはみ出しています", "other", id="neighbour"),
    pytest.param(
        "駅前のスーパーの自動ドアが閉まらなくなっています", "other", id="shop"
    ),
    pytest.param("ｶﾞｲﾄｳ ｷｴﾃﾙ 〇〇公民館のうら", "streetlight", id="half-width-katakana"),
    pytest.param(
        "The street light by the library has been off all week.",
        "streetlight",
        id="english",
    ),
    pytest.param("児童遊園のベンチの周りがゴミだらけです", "park", id="litter"),
    pytest.param(
        "〇〇公園の滑り台にカラスのフンがたくさんついています",
        "park",
        id="droppings",
    ),
    pytest.param(
        "防犯灯が夜中になると消えるんですけど、見てもらえますか",
        "streetlight",
        id="habit-and-look-request",
    ),
    pytest.param(
        "県道沿いの歩道の段差が大きくてつまずきます",
        "other",
        id="prefectural-road-pavement",
    ),
]


@pytest.mark.parametrize(("text", "category"), REPORT_CASES)
def test_report_category_rules(classifier, text, category):
    intent = classifier.classify(text)
    assert intent.label == "report"
    assert intent.category == category


def test_english_question_about_reporting(classifier):
    intent = classifier.classify("How do I report a pothole? Is there a form?")
    assert intent.label == "question"


def test_thanks_for_past_repair_is_no_fault(classifier):
    # The thanks sentence names a repair; the rest states no fault.
    text = "先日は街灯を直していただきありがとうございました。"
    assert classifier.classify(text).label == "question"


def test_fault_said_to_be_over_is_no_fault(classifier):
    text = "公園の前の街灯が直りました。おかげで安心して歩けます。"
    assert classifier.classify(text).label == "question"
