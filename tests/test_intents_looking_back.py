"""Messages that look back on a repair, take a report back, quote an earlier
message, or complain about a fault left alone, and the building parts and
left-behind things whose category is other."""

import pytest

from answerer.intent_evidence import has_fault_evidence
from answerer.intent_text import normalize


@pytest.mark.parametrize(
    "text",
    [
        # Thanks in formal letter style.
        "先日はベンチの修繕にお越しいただき、厚く御礼申し上げます",
        # A fault cleared away by someone.
        "公園に落ちていた枝、もう片付いていました",
        # A report taken back, then a plain statement of how things are.
        "昨日送ったマンホールの件、勘違いでした。ふたはちゃんと閉まっています",
        "カーブミラーが曲がってると送りましたが見間違いでした。ちゃんと見えます",
        # The fault is quoted from an earlier message and has been dealt with.
        "「歩道の水道管から水が漏れている」と連絡した者です。業者さんが来て止めてくれたので、もう大丈夫です",
        # 早くて praises speed and requests nothing.
        "お願いしていたベンチ、もう直っていました。早くてびっくり",
        # A request for information.
        "遊具の使い方のルールを教えてください",
    ],
)
def test_no_fault_now_gives_no_evidence(classifier, text):
    assert not has_fault_evidence(normalize(text))
    assert classifier.classify(text).label == "question"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # The polite negative of a light that is out.
        ("〇〇通りの街灯、今夜も点いてません", "streetlight"),
        # Complaints about a fault left alone, in question form.
        ("歩道の段差、いつまで放置するんですか", "road"),
        ("何回言えば側溝を掃除してもらえるんですか。臭いがひどいです", "road"),
        # Thanks that open a report, or close an earlier one, keep it a report.
        (
            "いつもありがとうございます。〇〇公園の砂場にガラス片が散らばっています",
            "park",
        ),
        (
            "先日はありがとうございました。今度は公園のブランコの鎖がとれそうです",
            "park",
        ),
        ("直してもらった街灯がまた消えています", "streetlight"),
    ],
)
def test_fault_now_stays_a_report(classifier, text, category):
    intent = classifier.classify(text)
    assert intent.label == "report"
    assert intent.category == category


@pytest.mark.parametrize(
    "text",
    [
        # A part of a building, named with its floor or who it is for.
        "市民会館1階の男子トイレの水が止まりません",
        "市役所の2階の多目的トイレのドアが閉まりません",
        # Things someone left behind are dumping, wherever they lie.
        "ごみ集積所に誰かがテレビを置いていった",
        "公園の入口に古いタイヤを捨てていかれました",
    ],
)
def test_building_part_or_dumping_is_other(classifier, text):
    intent = classifier.classify(text)
    assert intent.label == "report"
    assert intent.category == "other"


@pytest.mark.parametrize(
    "text",
    [
        "よろしくお願いいたします",
        "はじめまして、よろしくお願いいたします",
        "わかりました。今後ともよろしくお願いします",
        "承知しました",
        # Work done for the writer, in the forms a thank-you note takes.
        "穴、埋めてもらえました。感謝です",
        "街灯を早速修理していただき、誠にありがとうございました",
        # A report taken back.
        "さっきの通報なしでお願いします",
    ],
)
def test_greeting_or_closing_alone_is_question(classifier, text):
    assert not has_fault_evidence(normalize(text))
    assert classifier.classify(text).label == "question"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("お世話になっております。〇〇町の街灯が点滅しています", "streetlight"),
        ("〇〇公園のベンチの板が割れています。よろしくお願いします", "park"),
        # The closing formula after a work noun asks for that work.
        ("〇〇公園の件、対応よろしくお願いします", "park"),
        # A wish for work to be done is a request.
        ("街灯を修理していただきたいです", "streetlight"),
    ],
)
def test_fault_or_request_with_greeting_is_report(classifier, text, category):
    intent = classifier.classify(text)
    assert intent.label == "report"
    assert intent.category == category


@pytest.mark.parametrize(
    "text",
    [
        # Requests and wishes phrased with the words of work done.
        "歩道に大きな石が落ちています。撤去していただきますようお願いします。",
        "公園のブランコの鎖が絡まっています。直してもらえたら助かります。",
        "歩道に砂利が散らばっています。片付けてくれたら助かります。",
        "一度も掃除してくれたことがない。側溝がヘドロでいっぱいです",
        "〇〇公園の草刈りをしていただけると有り難いです",
        # Hedges that sound like a retraction.
        "見間違いだと思いたいのですが、公園の木に蜂の巣のようなものがあります",
        "勘違いだったら申し訳ないのですが、〇〇通りの信号機の時間が短くて渡りきれません。",
        "気のせいかもしれませんが、最近水道の水が白く濁っています。",
        # Work done before, and the fault back or still there.
        "一度片付いたのに、また粗大ごみが置かれています。",
        "業者に水を止めてもらったけど、マンホールからまだ水がじわじわ出ています",
        "もう大丈夫ではありません。〇〇公園のブランコの鎖がさらに細くなっています",
        "公園の遊具のネジが飛び出ている。子どもが安心して遊べるよう点検してほしい。",
        "前の坂道は手すり無しで、お年寄りが苦労して上っています",
        # Thanks for a repair, then a new fault.
        "先日は街灯を修理していただき、助かりました。〇〇通りの側溝のふたが1枚なくなっています。",
        "先日は街灯を直していただきありがとうございました。ところで、〇〇公園の入口の車止めが抜けています。",
        # A closing formula in a text that names a city object.
        "〇〇の交差点のカーブミラーの件です。ご確認よろしくお願いします",
        "〇〇通りの歩道の件、ご対応のほどよろしくお願いいたします",
        "〇〇公園のトイレの件、よろしくお願いします。",
    ],
)
def test_condition_or_new_fault_stays_report(classifier, text):
    assert has_fault_evidence(normalize(text))
    assert classifier.classify(text).label == "report"


@pytest.mark.parametrize(
    "text",
    [
        "燃えるごみと燃えないごみの区別がつきません",
        "市役所に電話しても連絡がつきません",
    ],
)
def test_idiom_of_tsuku_is_no_fault(classifier, text):
    assert classifier.classify(text).label == "question"


@pytest.mark.parametrize("blank", [" ", "\n", "\u3000"])
def test_long_blank_run_is_classified(classifier, blank):
    # A run of 4,000 blanks once made the set-phrase pattern backtrack for
    # minutes; it must come back as a plain result.
    intent = classifier.classify("公園" + blank * 3996 + "です")
    assert intent.label in ("report", "question")
