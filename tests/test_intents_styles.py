"""Reports written in styles the cue words once missed: official terms, the
Kansai negative, a fault stated before a trailing comment, kana typed without
conversion, and landmarks given as the way to a place."""

import pytest

from answerer.intent_evidence import asks_how_to_act, is_urgent
from answerer.intent_text import normalize


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # 不点灯 is the word staff and notices use for a light that is out.
        ("吉祥寺北町2丁目 街路灯 不点灯", "streetlight"),
        ("八幡町の防犯灯が不点灯です", "streetlight"),
        # The Kansai negative: ついてへん, 流れへん.
        ("うちの前の街灯ついてへんねん", "streetlight"),
        ("公園の水飲み場、水が流れへん", "park"),
        # Dumping stated with the verb, and its name in hiragana.
        ("夜のうちに誰かが歩道に古いテレビを捨てていきました", "other"),
        ("こうえんの よこに ふほうとうき", "other"),
        ("ﾍｲﾆﾗｸｶﾞｷｻﾚﾃﾙ", "other"),
    ],
)
def test_fault_in_these_words_is_a_report(classifier, text, category):
    intent = classifier.classify(text)
    assert (intent.label, intent.category) == ("report", category)


@pytest.mark.parametrize(
    "text",
    [
        # The fault comes first, a comment or the object after the comma.
        "粗大ごみ捨てられてる、マットレスが道路わきに",
        "けさ見たら街路樹の枝が折れてた、台風のせいかも",
    ],
)
def test_fault_before_a_trailing_comment_is_a_report(classifier, text):
    assert classifier.classify(text).label == "report"


def test_clauses_before_a_question_mark_stay_a_question(classifier):
    text = "さっき駅前で工事してたけど、あれ何?"
    assert classifier.classify(text).label == "question"


@pytest.mark.parametrize(
    "text",
    [
        "井の頭公園に行く道の歩道がでこぼこで危ないです",
        "小金井公園までの道の舗装がはがれています",
    ],
)
def test_way_to_other_owner_park_is_road(classifier, text):
    intent = classifier.classify(text)
    assert (intent.label, intent.category) == ("report", "road")


def test_light_on_a_utility_pole_is_a_streetlight(classifier):
    intent = classifier.classify("電柱の上の灯りが夜になってもつきません")
    assert (intent.label, intent.category) == ("report", "streetlight")


def test_asking_whether_requests_are_taken_is_a_question(classifier):
    text = "公園にベンチを増やしてほしいという要望は受け付けていますか"
    assert asks_how_to_act(normalize(text))
    assert classifier.classify(text).label == "question"


@pytest.mark.parametrize(
    "text",
    [
        "大雨が降るといつもこの道が冠水します",
        "雨がふると駅の下の道が冠水する",
        "家が浸水したら、どこに連絡すればいいですか",
    ],
)
def test_habitual_or_supposed_flood_not_urgent(text):
    assert not is_urgent(normalize(text))


def test_flood_now_is_urgent():
    assert is_urgent(normalize("ガード下の道路が冠水して車が動けません"))
