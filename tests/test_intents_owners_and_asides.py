"""Wordings that once misled the intent rules.

They are chatter with no object, damage done by someone, a dead animal, a reason
after a question and a repair heard of. Owners and parks named only as where a
fault is near are the rest."""

import pytest


@pytest.mark.parametrize(
    "text",
    [
        # Short chatter that names no city object and no fault.
        "のどかわいた",
        "ねむたい",
        "今日はさむい",
        # A question followed by the reason for it.
        "歩道の植え込みを低くしてほしいという要望は受け付けていますか。見通しが悪いので",
        # Whether a section of the city would fix one's own pipe.
        "うちのトイレが詰まったんですが、市の下水道課に頼めば直してもらえますか？",
        # A fault that residents heard was repaired.
        "前に割れてた公園の水飲み場、直ったって聞いたけどほんと？",
    ],
)
def test_no_fault_now_is_a_question(classifier, text):
    assert classifier.classify(text).label == "question"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # Damage done by someone else.
        ("砂場の囲いが壊された", "park"),
        ("ベンチが荒らされてる", "park"),
        # A dead animal on the road, which the city clears away.
        ("車道にハトの死骸があります", "other"),
        # A vehicle left on the road is its owner's or the police's.
        ("歩道の端にバイクが何週間も放置されています", "other"),
        # A road along a park, or a side street off a metropolitan road.
        ("中央公園の南側を通る道路で、舗装がはがれています", "road"),
        ("五日市街道から少し入った道で、路面がへこんでいます", "road"),
        # A street tree leaning onto a private wall is still the street tree.
        ("街路樹が傾いて、隣の家の塀にもたれかかっています", "tree"),
    ],
)
def test_fault_near_other_things_keeps_its_category(classifier, text, category):
    intent = classifier.classify(text)
    assert (intent.label, intent.category) == ("report", category)


@pytest.mark.parametrize(
    "text",
    [
        # A short hazard that names its thing, though the lexicon lacks it.
        "ガラスが散らばってる",
        "釘が出てる",
        "蜂の巣がある",
        # A fault back again after a repair one heard of.
        "直ったって聞いたけど、まだ街灯が消えたままです",
    ],
)
def test_named_hazard_or_recurrence_is_a_report(classifier, text):
    assert classifier.classify(text).label == "report"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # A private tree stays private wherever it falls.
        ("隣の家の木が道に倒れ込んでる", "other"),
        # 車道 and a ride on a motorbike name no vehicle left behind.
        ("車道に放置されたゴミが邪魔", "road"),
        ("バイクで走っていたら放置された木の枝にぶつかった", "tree"),
    ],
)
def test_owner_and_vehicle_words_in_their_place(classifier, text, category):
    intent = classifier.classify(text)
    assert (intent.label, intent.category) == ("report", category)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # Residents who write in English.
        ("The street lamp on my block is out and it's dark", "streetlight"),
        ("a branch of the tree by the school is leaning over the sidewalk", "tree"),
        ("traffic light at the corner is stuck on red", "other"),
        # A car left standing, and a road of Tokyo's named without 都道.
        ("白い車が半年も道の端に止まったままになってる", "other"),
        ("吉祥寺通りの街路樹の枝が折れてます", "other"),
        # The lid itself is the fault, on whatever road it lies.
        ("道路にあるマンホールのふたが割れています", "sewer"),
    ],
)
def test_more_ways_to_name_a_fault(classifier, text, category):
    intent = classifier.classify(text)
    assert (intent.label, intent.category) == ("report", category)


def test_branch_someone_cleared_is_no_report(classifier):
    text = "歩道に枝が落ちてましたが、近所の人が片付けてくれてました"
    assert classifier.classify(text).label == "question"
