"""Messages whose fault words are about another matter (the news, a worry, a
reply, the account's notifications), status questions, permission questions,
English words in the lexicon, and owners found through a station exit or a
placeholder name."""

import pytest

from answerer.intents import (
    has_fault_evidence,
    load_lexicon,
    normalize,
    ownership_category,
    score_lexicon,
)


@pytest.mark.parametrize(
    "text",
    [
        # A fault seen in the news, then a question about the city.
        "テレビで水道管の破裂を見ましたが、うちの地区の下水管は古くないですか",
        # A worry that something may happen, then a request for sandbags.
        "台風の日に玄関が浸水しないか不安です。土のうは配っていますか",
        # Waiting for the city's reply to an earlier message.
        "先月送った件ですが、まだ返信がありません",
        # The account's own messages, then a wish.
        "配信が多すぎるので、防災の情報だけにしたいです",
        # A status request about an earlier report, in the polite past.
        "先日送った〇〇公園のベンチの件、その後どうなりましたか",
        # A colloquial repair seen.
        "お願いした街灯、ちゃんと直ってて助かりました",
    ],
)
def test_other_matters_give_no_evidence(classifier, text):
    assert not has_fault_evidence(normalize(text))
    assert classifier.classify(text).label == "question"


@pytest.mark.parametrize(
    "text",
    [
        # The news opens the message, and a fault near home follows.
        "ニュースを見て気になったのですが、家の前の歩道も陥没しています",
        "新聞で読んだけど、うちの近くの側溝もふたが割れてます",
        # A worry after a fault seen: the fault still counts.
        "街路樹が根元から傾いていて、倒れないか心配です",
        # A fault left as it is, beside a reply still awaited.
        "まだ返事がありません。穴はまだあいたままです",
    ],
)
def test_fault_beside_other_matter_still_counts(classifier, text):
    assert has_fault_evidence(normalize(text))
    assert classifier.classify(text).label == "report"


@pytest.mark.parametrize(
    "text",
    [
        "道路工事は朝何時から始めていいんですか",
        "公園のどこでならバーベキューしてもいいですか",
    ],
)
def test_permission_question_is_question(classifier, text):
    assert classifier.classify(text).label == "question"


def test_rhetorical_permission_is_report(classifier):
    text = "歩道の穴、いつまで放置していいと思ってるんですか。危ないです"
    assert classifier.classify(text).label == "report"


def test_request_for_measures_is_report(classifier):
    text = "歩道橋の階段が雨の日に滑って危ないです。何か対策できませんか"
    assert classifier.classify(text).label == "report"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("The curve mirror on our street is bent and shows nothing.", "road"),
        ("Sewage is coming up from the drain near the school.", "sewer"),
        ("Someone dumped an old sofa on the corner by the bus stop.", "other"),
        ("A low hanging branch of a street tree hits cyclists.", "tree"),
    ],
)
def test_english_report_gets_category(classifier, text, category):
    intent = classifier.classify(text)
    assert intent.label == "report"
    assert intent.category == category


def test_english_term_counts_only_as_whole_word():
    lexicon = load_lexicon()
    assert score_lexicon(lexicon, "a narrow street")["tree"] == 0
    assert score_lexicon(lexicon, "two trees fell")["tree"] > 0
    assert score_lexicon(lexicon, "a broad avenue")["road"] == 0


def test_wooden_board_is_no_tree(classifier):
    text = "車道に木の板が何枚も落ちていて危ないです"
    assert classifier.classify(text).category == "road"


@pytest.mark.parametrize(
    "text",
    [
        # A highway named with a placeholder is still a highway.
        "〇〇街道の歩道の縁石が欠けています",
        # A station's stairs reached through one of its exits.
        "〇〇駅の北口の階段のタイルがはがれています",
    ],
)
def test_other_owner_through_placeholder_or_exit(text):
    assert ownership_category(normalize(text)) == "other"
