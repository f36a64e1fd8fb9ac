"""Messages whose fault words are about another matter (the news, a worry, a
reply, the account's notifications), status questions, permission questions,
English words in the lexicon, and owners found through a station exit or a
placeholder name."""

import time

import pytest

from answerer.intent_cues import REPAIRED_OR_TAKEN_BACK
from answerer.intent_evidence import PRAISE_END, has_fault_evidence
from answerer.intent_owners import load_lexicon, ownership_category, score_lexicon
from answerer.intent_text import normalize


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
        # The same with no comma, the fault's clause ending in て.
        "木が傾いていて倒れないか心配です",
        "ブランコの鎖がさびてて切れないか心配",
        # A newspaper's deliverer, no article, beside the fault seen.
        "新聞の配達の人が歩道の穴で転びそうになったのを見ました",
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


@pytest.mark.parametrize(
    "text",
    [
        "歩道の段差が大きくて危ないです。いつでもいいので見に来てもらえますか",
        "暗い道なので、どこでもいいので街灯をつけてもらえませんか",
    ],
)
def test_any_time_or_place_request_is_report(classifier, text):
    assert classifier.classify(text).label == "report"


@pytest.mark.parametrize(
    "text",
    [
        "私が毎朝通る歩道の穴、埋めてもらえませんか",
        "勝手に捨てられたゴミ、回収してもらえませんか",
    ],
)
def test_request_after_own_subject_is_report(classifier, text):
    assert classifier.classify(text).label == "report"


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
        # Compounds that hold a term but no longer match it as a whole word.
        ("The streetlamp in front of my house is broken.", "streetlight"),
        ("The drainage ditch is clogged with leaves.", "sewer"),
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


@pytest.mark.parametrize(
    "text",
    [
        # How things are now, stated before the message is taken back.
        "さっきの側溝の件、今見たら水はちゃんと流れていました。勘違いだったようです",
        # A hole that has been filled.
        "歩道の穴、ちゃんと埋まってました。ありがとうございます",
        # Praise of a park.
        "今日は公園の紅葉がきれいでした",
        # A question about what the city does, with a worry after it.
        "昨年の大雨で道路が冠水しましたが、市として何か対策はしたのでしょうか。心配です",
        # A question whether the writer may act.
        "隣の家の竹がうちの庭に伸びてきました。こちらで勝手に切ってもいいのでしょうか",
        # A programme seen on television.
        "昨日テレビでやってた橋のひび割れ、この辺は大丈夫?",
    ],
)
def test_looking_back_praise_and_city_questions(classifier, text):
    assert classifier.classify(text).label == "question"


@pytest.mark.parametrize(
    "text",
    [
        "排水口の穴が落ち葉でふさがっています",
        "雨水ますの穴が土で埋まってる",
    ],
)
def test_hole_stopped_up_is_report(classifier, text):
    assert has_fault_evidence(normalize(text))
    assert classifier.classify(text).label == "report"


def test_letter_asking_city_to_repair_is_report(classifier):
    text = (
        "毎朝〇〇通りを歩いて通勤しています。先週から歩道の敷石が割れていて、"
        "つまずきそうになります。雨の日は特に滑って危ないです。"
        "市で直していただけるものでしょうか"
    )
    assert classifier.classify(text).label == "report"


@pytest.mark.parametrize(
    "text",
    [
        "うちの庭の木の枝が道路にはみ出しています。通る人の邪魔だと言われました。"
        "自分で切らないといけないのでしょうか",
        "自宅の塀にひびが入っています。前から気になっていました。"
        "直すのは自分でしないといけないのでしょうか",
    ],
)
def test_letter_asking_own_duty_is_question(classifier, text):
    assert classifier.classify(text).label == "question"


def test_letter_with_worry_after_request_is_report(classifier):
    # The worry at the end is left out of the question, but the letter still
    # has three sentences.
    text = "公園のトイレが壊れていて使えません。市で直してもらえますか。困っています"
    assert classifier.classify(text).label == "report"


def test_short_question_who_repairs_is_question(classifier):
    text = "歩道の敷石が割れています。市で直してもらえますか"
    assert classifier.classify(text).label == "question"


def test_english_fallen_tree_is_report(classifier):
    text = "A tree came down in the storm and is lying across the footpath."
    assert classifier.classify(text).label == "report"


@pytest.mark.parametrize(
    ("text", "owner"),
    [
        ("近所のお宅のブロック塀が傾いています", "other"),
        ("民家の生け垣が歩道をふさいでいます", "other"),
        ("ごみ集積所に誰かがテレビを捨てていきました", "other"),
        # Thrown-away rubbish that blocks a gutter is the gutter's fault.
        ("誰かが捨てたゴミで側溝が詰まっています", None),
        # A guess at who left it is no cause of another fault.
        ("誰かが捨てたみたいで、道路に古いソファが置いてあります", "other"),
        ("誰かが捨てたようで、歩道に冷蔵庫があります", "other"),
        # The writer's home is where the street ends, not the owner.
        ("駅から自宅までの路地の街灯が消えています", None),
    ],
)
def test_owner_of_neighbours_and_dumping(text, owner):
    assert ownership_category(normalize(text)) == owner


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # A dead animal, which the lexicon gives to other, and droppings typed
        # in kana.
        ("歩道の真ん中でハトが死んでいます", "other"),
        ("こうえんの ベンチのしたに いぬのふん", "park"),
        ("The light on the corner by the school keeps blinking.", "streetlight"),
        # A dog that barks is its owner's matter.
        ("向かいの家の犬が一日中吠えていてつらいです", "other"),
        # Litter in the street, but in a park the park's section clears it.
        ("バス停のまわりに吸い殻のポイ捨てが多いです", "other"),
        ("〇〇公園の砂場のまわりにポイ捨てのごみが散らかっています", "park"),
    ],
)
def test_report_category_of_animals_and_litter(classifier, text, category):
    intent = classifier.classify(text)
    assert intent.label == "report"
    assert intent.category == category


@pytest.mark.parametrize(
    "text",
    [
        "歩道を広げてほしいという要望は出せますか",
        "こんにちは。毎月の広報、楽しみにしています",
    ],
)
def test_request_route_and_praise_are_questions(classifier, text):
    assert classifier.classify(text).label == "question"


@pytest.mark.parametrize(
    "text",
    [
        # A fallen thing, with an emoji that Sudachi tags as a noun.
        "歩道に自転車のかごが落ちてます⚠️",
        "The lamp by the bus stop has been out since Monday.",
        "Fallen leaves are piled up on the crossing and it is slippery.",
    ],
)
def test_fallen_things_and_english_outages_are_reports(classifier, text):
    assert classifier.classify(text).label == "report"


@pytest.mark.parametrize(
    "text",
    [
        # Advice on throwing something away.
        "古い消火器って何ごみ？中身は出したほうがいい？",
        # A letter from the city that has not come.
        "がん検診の受診券がまだ届いてないです",
        # Greetings of a new friend of the account, and weather small talk.
        "友だち追加しました。よろしくお願いします",
        "今日は暑いですね☀️",
        # A report taken back, with a request to cancel it.
        "さっきの公園のベンチの件、勘違いでした。すみません、取り消してください",
    ],
)
def test_advice_letters_greetings_and_cancels_are_questions(classifier, text):
    assert classifier.classify(text).label == "question"


def test_advice_on_sending_a_stated_fault_stays_report(classifier):
    text = "歩道の縁石が欠けています。写真も送った方がいいですか"
    assert classifier.classify(text).label == "report"


def test_praise_end_run_of_endings_is_fast():
    # ですね beside です and ね gave each repeat two readings, so this search
    # took about ten seconds, doubling with every repeat.
    text = "きれい" + "ですね" * 26 + "x"
    started = time.perf_counter()
    found = PRAISE_END.search(text)
    assert time.perf_counter() - started < 1.0
    assert found is None


def test_itsukara_asks_when(classifier):
    # いつから asks from when, unlike いつか (some day).
    text = "市民プールいつから入れる"
    assert not has_fault_evidence(normalize(text))
    assert classifier.classify(text).label == "question"


def test_too_many_notices_is_question(classifier):
    assert classifier.classify("通知が多すぎて困っています").label == "question"


@pytest.mark.parametrize(
    "text",
    [
        "通知がうるさいけど家の前の道路に穴があいてます",
        "配信が多すぎるけど角の街灯が消えてる",
        "通知がうるさいし公園のベンチも壊れてる",
    ],
)
def test_notice_complaint_before_fault_is_report(classifier, text):
    # The cut of a notice complaint stops at the conjunction.
    assert classifier.classify(text).label == "report"


def test_park_clock_chime_is_report(classifier):
    intent = classifier.classify("公園の時計の通知音がうるさい")
    assert intent.label == "report"
    assert intent.category == "park"


@pytest.mark.parametrize(
    "text",
    [
        # Thanks for work done, then a plain statement.
        "歩道の段差を直していただいてありがとうございました。母も歩きやすいと喜んでます",
        # Asking who pays for harm from a fault already fixed.
        "先月歩道の穴でつまずいて転びました。穴はもう埋まっていましたが、治療費は補償してもらえますか",
        # Messages called off in a sentence of their own.
        "さっきの側溝の通報、見直したら大丈夫でした。なしでお願いします",
        "すみません、さっき送った写真は別の場所でした。取り消しでお願いします",
        "あ、間違えました",
        # The fault words of a report that a later sentence takes back.
        "さっき送ったベンチの件、よく見たら壊れてませんでした。勘違いですみません",
    ],
)
def test_thanks_costs_and_call_offs_are_questions(classifier, text):
    assert classifier.classify(text).label == "question"


def test_correcting_a_detail_is_no_call_off():
    assert not REPAIRED_OR_TAKEN_BACK.search(normalize("場所を間違えました"))


@pytest.mark.parametrize(
    "text",
    [
        # A report withdrawn, and an apology for the fuss after a light seen on.
        "昨日の側溝の報告ですが、よく見たら私有地でした。取り下げます",
        "さっき連絡した公園の水道、見に行ったら止まってました。お騒がせしました",
        # Praise of the city's work.
        "対応が早くて助かりました。担当の方によろしくお伝えください",
        # How a process goes, and whether this chat takes a kind of report.
        "不法投棄の回収ってどんな流れになっていますか",
        "カーブミラーの向きのことはこのLINEで伝えても大丈夫ですか",
        # Read receipts of this chat.
        "既読つかないけど届いてる?",
    ],
)
def test_withdrawals_praise_and_chat_questions(classifier, text):
    assert classifier.classify(text).label == "question"


def test_mixed_kana_voice_input_gets_category(classifier):
    intent = classifier.classify("ガイトウガキレテマス えきまえのみちのところです")
    assert intent.label == "report"
    assert intent.category == "streetlight"


@pytest.mark.parametrize(
    "text",
    [
        "バス停の屋根がなくなってて暑いですね",
        "歩道の並木が全部切られてて暑いですね",
        "日陰の木がなくなったから暑いですね",
    ],
)
def test_weather_after_a_cause_is_report(classifier, text):
    # The clause before the weather word tells of a fault, so this is no
    # small talk.
    assert classifier.classify(text).label == "report"


def test_english_signal_fault_is_polices(classifier):
    intent = classifier.classify("The pedestrian signal at the school keeps blinking.")
    assert intent.category == "other"
