"""Fault words about the writer's own things (a card, a phone, a home drain, a
schedule, the body) start no report. Faults of public things named beside
such words still do."""

import pytest

from answerer.intent_own import tells_only_of_own_things
from answerer.intent_text import normalize
from webhook.reports.report_intent import may_start_report


def starts_report(classifier, text: str) -> bool:
    return may_start_report(text, classifier.classify(text))


@pytest.mark.parametrize(
    "text",
    [
        # A card or a licence that expired.
        "在留カードの期限が切れそうです",
        "保険証の有効期限が切れていました。新しいのはいつ届きますか",
        # A phone, a call, a message.
        "スマホの充電が切れそうなので、あとで送ります",
        "電話が途中で切れてしまいました",
        "申請の予約を入れたのに確認のメールが消えていました",
        "市のホームページのリンクが切れています",
        # Books and papers.
        "子どもの教科書が破れてしまいました",
        # A full schedule, the body.
        "仕事の予定が詰まっていて窓口に行けそうにありません",
        "鼻が詰まって眠れない",
        "父が倒れて入院しました。高額療養費について知りたい",
        # The home and its appliances.
        "自宅のトイレが詰まってしまいました",
        "台所の排水口が詰まって水が流れません",
        "お風呂の電気が切れたので業者を紹介してほしい",
        "部屋の蛍光灯がチカチカしています",
        "冷蔵庫の中の電球が切れてしまった",
        "エアコンから水が漏れています",
        "パソコンが壊れたので回収してほしい",
        "ベランダの手すりがぐらぐらしている",
        "自転車のブレーキが壊れてしまいました",
        "すまほのがめんがわれた",
        "最近心が折れそうです",
        "強い風で傘がこわれました",
        "保険証の期限切れてたのに気づかなかった",
        "仲のよかった人と縁が切れて、毎日暗い気持ちです",
    ],
)
def test_faults_of_own_things_start_no_report(classifier, text):
    assert tells_only_of_own_things(normalize(text))
    assert classifier.classify(text).label == "question"
    assert not starts_report(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        # The home is only where the fault is.
        "家の前の道路に穴があいています",
        "自宅前の側溝が落ち葉で詰まっています",
        # An own thing in the same sentence as a public one.
        "部屋の窓から見える街灯がずっとチカチカしています",
        "街路樹の枝が伸びて、うちの2階の窓に当たっています",
        "台所の水が流れにくく、前の道路のますからあふれています",
        "家のトイレがゴボゴボいって、外の下水管が詰まっている気がします",
        # A person hurt by a public thing, or only worried about one.
        "母が歩道の段差でつまずいて転びました。直してください",
        "公園のすべり台の下にガラスが散らばっています。子どもが危ないです",
        # Words of papers and phones used for other things.
        "電話したけどつながらなかったので送ります。道路のマンホールのふたがずれています",
        "公衆電話のボックスのガラスが割れています",
        "公園の時計の電池が切れて止まっています",
        # A public thing that hurt a family member, or nearly did.
        "公園の木の枝が折れて息子に当たりそうになりました",
        # An own thing as a measure of size, the public place after the fault.
        "財布が入るほどの穴が歩道にあいています",
        # A plan word and position words before the public thing.
        "工事予定の市道の段差がそのままです",
        "寝室の窓の外の街灯がずっと消えています",
        "玄関の真正面の街灯が点滅しています",
        # Own words inside public ones: 石畳, テニスコート, 眼鏡橋.
        "参道の石畳が割れています",
        "市のテニスコートのネットが破れています",
        "眼鏡橋の手すりが壊れています",
        # A measure with another verb, a plan word, a pole of another owner.
        "財布くらいの大きさの穴があいています",
        "靴が脱げるくらいぬかるんでいます",
        "工事予定の看板が倒れています",
        "家の二階から見ると電柱が傾いています",
        # The street light or gutter by the writer's home, not a part of it.
        "うちの街灯が夜になってもつきません",
        "自宅の側溝のふたが外れています",
        # 割れた in kana after ふた, which no passive is.
        "そっこうのふたわれた",
    ],
)
def test_public_faults_beside_own_words_start_a_report(classifier, text):
    assert not tells_only_of_own_things(normalize(text))
    assert starts_report(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "空き地に冷蔵庫とテレビが捨てられています",
        "家の塀に落書きされています",
        "うちのマンションの共用廊下の電気がずっと切れています",
    ],
)
def test_dumping_graffiti_and_other_owners_keep_their_rules(classifier, text):
    assert not tells_only_of_own_things(normalize(text))
    intent = classifier.classify(text)
    assert (intent.label, intent.category) == ("report", "other")


@pytest.mark.parametrize(
    "text",
    [
        "子どもと遊べる広い公園を探しています",
        "桜のきれいな並木道を探しています",
    ],
)
def test_place_search_is_a_question(classifier, text):
    assert classifier.classify(text).label == "question"


def test_garbage_kind_question_is_a_question(classifier):
    text = "電球が切れたので交換したい。古い蛍光灯は有害ごみですか"
    assert classifier.classify(text).label == "question"


@pytest.mark.parametrize(
    "text",
    ["野良猫がうちの庭に毎晩来て困っています", "うちの前で夜中に騒ぐ声がうるさい"],
)
def test_nuisance_at_home_is_not_an_own_fault(text):
    assert not tells_only_of_own_things(normalize(text))


@pytest.mark.parametrize(
    "text",
    [
        # A mood, not a dark street.
        "雨ばかりで気分が暗いです",
        # The passive 言われて, not 割れて typed in kana.
        "家主から退去するよう言われてしまいました。市営住宅に入れますか",
        # A question of a grant, then a remark on whose home it is.
        "手すりをつけたり段差をなくす工事に市の給付はある？母の家なんだけど",
    ],
)
def test_moods_passives_and_grant_questions_start_no_report(classifier, text):
    assert not starts_report(classifier, text)
