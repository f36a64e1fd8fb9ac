"""Texts that look back on a repair or take a message back, ask whom to tell,
who pays or how to throw something away, tell hearsay, or close with a
request."""

import pytest

from answerer.intent_evidence import asks_how_to_act, has_fault_evidence
from answerer.intent_text import normalize


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # A fault again after a repair is a new report.
        ("修理してもらった街灯が昨日からまた消えています", "streetlight"),
        (
            "ご対応ありがとうございました。ただ直してもらった階段の手すりがまたぐらついています",
            "road",
        ),
        # A terse note in staff shorthand: 不点 for a light that is out.
        ("防犯灯不点 吉祥寺東町〇-〇", "streetlight"),
    ],
)
def test_fault_after_looking_back_is_a_report(classifier, text, category):
    intent = classifier.classify(text)
    assert (intent.label, intent.category) == ("report", category)


@pytest.mark.parametrize(
    "text",
    [
        "歩道の補修をしてくださった方、お疲れさまでした。すっきりしました",
        "先月の陥没、きれいに直ってました。ありがとう。また何かあったら連絡します",
        "交換していただいた街灯、とても明るくなりました",
    ],
)
def test_thanks_and_repairs_state_no_fault(text):
    assert not has_fault_evidence(normalize(text))


@pytest.mark.parametrize(
    "text",
    [
        # A case set up, not told.
        "道路に穴があいているのを見つけたら、どこに連絡すればいいですか",
        # A fault told before asking whom to tell: the chat answers with the
        # report route, and FAQ pages word general questions this way.
        "側溝のふたがずれてガタガタしてます。だれに言えばいいですか?",
        "公園の滑り台の板が割れています。LINEで通報できますか",
    ],
)
def test_asking_whom_to_tell_is_a_question(classifier, text):
    assert asks_how_to_act(normalize(text))
    assert classifier.classify(text).label == "question"


def test_fault_closed_by_a_request_is_a_report(classifier):
    text = (
        "下水が臭くて困ってるんですけどどこに言えばいいかわからなくて"
        "ここに送りましたお願いします"
    )
    intent = classifier.classify(text)
    assert (intent.label, intent.category) == ("report", "sewer")


@pytest.mark.parametrize(
    "text",
    [
        "壊れた傘は何ごみ?",
        "割れたお皿の捨て方を知りたい",
        "折れた物干しざおはどう出せばいい?",
    ],
)
def test_disposal_question_is_question(classifier, text):
    assert classifier.classify(text).label == "question"


def test_request_that_closes_a_text_ends_no_question():
    assert not asks_how_to_act(
        normalize("どこに頼めばいいかわからないので、こちらで対応をお願いします")
    )
    assert asks_how_to_act(normalize("どこに連絡すればいいか教えてください"))


@pytest.mark.parametrize(
    "text",
    [
        "街灯の件、点くようになっていました。ありがとうございます。",
        "写真を送り間違えました。さっきのは取り消してください。",
        "県道と市道は管理者が違うと聞きました。何が違うのですか。",
    ],
)
def test_repair_seen_retraction_or_hearsay_is_no_report(classifier, text):
    assert classifier.classify(text).label == "question"


@pytest.mark.parametrize(
    "text",
    [
        "門の前に落書きをされました。消す費用は誰の負担になるのでしょうか。",
        "自宅の古いブロック塀にひびが入りました。撤去の助成金はありますか。",
    ],
)
def test_who_pays_question_is_question(classifier, text):
    assert asks_how_to_act(normalize(text))
    assert classifier.classify(text).label == "question"


def test_road_beside_a_park_is_no_park(classifier):
    intent = classifier.classify("〇〇公園の西側の道、街灯が消えかかっています。")
    assert (intent.label, intent.category) == ("report", "streetlight")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("公園の街灯がちらつくようになっています", "park"),
        ("マンホールのふたががたつくようになってます", "sewer"),
        ("家の前の落書きを削除してほしい", "other"),
    ],
)
def test_repair_like_fault_words_stay_reports(classifier, text, category):
    intent = classifier.classify(text)
    assert (intent.label, intent.category) == ("report", category)
