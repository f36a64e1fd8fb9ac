"""Faults of the writer's own things, which no city section repairs.

A resident may tell the bot that something of theirs is broken or used up.
Examples are a card that expired (有効期限が切れました), a phone whose battery
ran out, a schedule that is full (予定が詰まっていて), a blocked kitchen drain
and a bulb in the fridge. Such a text has the words of a fault report. But what it
names belongs to the writer's home, body, papers or plans, so it is a
question or small talk, never a report to the road, green or sewer sections.

:func:`tells_only_of_own_things` reads each fault cue of a text with its
sentence. A cue is the writer's own when the words before it name an own
thing: a container of the home or belongings (OWN_CONTAINER) or a matter of
papers, plans or the body (OWN_MATTER). Every public thing in the sentence (a
lexicon object or a place word) must also belong to a container before the
cue through の (冷蔵庫の中の電球, 家の水道管). An own thing followed by a place
word is a landmark (家の前の道路, 窓の外の街灯), and one followed by くらい is a
measure (スマホが入るくらいの穴), not the subject.
"""

from __future__ import annotations

import functools
import re

from answerer.intent_cues import FAULT_STATE, FEAR_OR_WORRY
from answerer.intent_evidence import FAULT_CUES, is_urgent
from answerer.intent_owners import (
    FACILITY_PART,
    GRAFFITI,
    LITTER,
    OTHER_OWNER,
    OTHER_PROBLEM,
    PLACE_AFTER,
    load_lexicon,
)
from index.normalize import fold_kana

# A kanji or katakana letter: an own word with one before or after it is part
# of another word (石畳, テニスコート, 眼鏡橋, 靴箱, 充電スポット).
_WORD_LETTER = "\u4e00-\u9fff\u30a1-\u30fa\u30fc"
# Things of the writer's home and belongings: containers that a public-looking
# thing may belong to through の (冷蔵庫の中の電球, 家の水道管). Words that are
# also parts of public things are left out: 手 (手すり), ネット (a park's ball
# net), トイレ and 窓 alone, which parks and stations have too.
OWN_CONTAINER = re.compile(
    # The home and its rooms. 家 and うち only as the writer's: not 隣の家,
    # 田中さん家の or 〇〇さんのうち (空き家 is OTHER_OWNER's).
    r"(?<![隣りい空のちん])(家|うち|いえ)の(中|なか)?"
    rf"|(?<![{_WORD_LETTER}])("
    r"自宅|我が家|わが家|部屋|室内|台所|キッチン|浴室|お?風呂|洗面所|玄関|ベランダ"
    r"|網戸|雨どい|雨樋"
    # Appliances and belongings.
    r"|冷蔵庫|洗濯機|エアコン|テレビ|パソコン|スマホ|スマートフォン|携帯|コンセント"
    r"|家電|電子レンジ|炊飯器|掃除機|給湯器|リモコン|眼鏡|メガネ|めがね|財布|かばん"
    r"|鞄|カバン|布団|カーテン|教科書|絵本|ページ|靴|ズボン|シャツ|洋服|コート"
    r"|障子|ふすま|襖|畳|コンロ|ガスコンロ|ストーブ|こたつ|扇風機|ドライヤー|入れ歯"
    r"|傘|花瓶|食器|皿|コップ|グラス|茶碗|鍵|かぎ"
    rf")(?![{_WORD_LETTER}])"
    # The writer's bicycle, not one named as a way of going (自転車で通ると).
    r"|(自分|うち|私|わたし)の自転車|自転車の(タイヤ|ブレーキ|チェーン|鍵|かぎ|かご|サドル)"
    # Typed in kana without conversion.
    r"|すまほ|けいたい|れいぞうこ|えあこん|せんたくき|ぱそこん"
)
# Papers, plans, accounts and the body: own matters that no public thing
# belongs to (補修予定の道路 is a road). Each counts only as a subject or an
# object, right before が, は, も, を or a fault word (予定が詰まって, not
# 工事予定の看板).
OWN_MATTER = re.compile(
    r"(期限|期間|契約|予約|予定|日程|スケジュール|充電|バッテリー"
    r"|(?<!公衆)電話|でんわ|通話|回線|メール"
    r"|インターネット|wi-?fi|データ|ファイル|パスワード|アカウント"
    r"|アプリ|画面|ホームページ|サイト|リンク|書類|申込書|申請書|用紙|通知書?|手紙"
    r"|はがき|封筒|証明書|カード|保険証|免許証?|定期券|ポイント|残高|仕事|会議|授業"
    r"|縁|関係|答え|回答|返事|返信"
    # The body, and the heart of 心が折れそう (not 安心 or 中心).
    r"|鼻|喉|のど|歯|腰|膝|ひざ|(?<!鉄)骨|体調|お腹|おなか"
    r"|(?<![安中用関熱都感核重野決改専童本良初内無真])心"
    # A fault word right after it counts as well, as chat drops the particle
    # (定期券の期限切れてた).
    r")(?=が|は|も|を|切れ|きれ|消え|きえ|壊れ|こわれ|割れ|われ|折れ|おれ|詰ま|つま)"
)
# Words after an own thing that make it a landmark or a measure, beside
# PLACE_AFTER: 玄関の正面の街灯, 窓の外の側溝, 靴が脱げるくらいぬかるんで.
OWN_NOT_SUBJECT = re.compile(
    r"の?(正面|真正面|真下|真上|目の前|外|隣|下|上|先|奥|東|西|南|北)"
    r"|[^、。!?\s]{0,10}?(くらい|ぐらい|ほど|程度|並み|サイズ)"
)
# Family members, who may fall ill or get hurt.
_PERSON = (
    r"(祖母|祖父|おばあ(ちゃん|さん)|おじい(ちゃん|さん)|母|父|(?<!丈)夫|妻|主人|息子"
    r"|娘|家族|子ども|子供)"
)
# A family member named by a cue of the body: right after it in a relative
# clause (倒れた祖母, 転んだ父) or as its subject right before it (父が倒れて).
# After て, a person is hit by the fault, not its subject (枝が折れて娘に当たり
# ました), and a person named further back is not the subject of a request
# (母が困ってるので何とかしてください).
PERSON_AFTER = re.compile(r"(た|だ)" + _PERSON)
PERSON_BEFORE = re.compile(_PERSON + r"(が|は|も)?$")
# A cue of a nuisance that something else causes the writer (のらねこが庭に来て
# 困ってます, 猫が来てうるさい), which is no fault of the writer's own things.
NUISANCE = re.compile(
    FEAR_OR_WORRY.pattern + r"|困って|困る|困った|うるさ|迷惑|邪魔|臭|におい|匂い|騒"
)
# Cues of harm to a person's body. A person who fears or worries
# (子どもが危ないです) still speaks of a place.
BODY_EVENT = re.compile(r"倒れ|たおれ|転|ころ|折れ|痛|けが|怪我")
# Places and public things that no own thing contains, though the lexicon
# lacks some of them or files them under "other" (電柱, 信号), whose other
# words (ごみ, 住宅) are no such things. うちの街灯 and 家の側溝 are the
# ones by the writer's home, so these never belong to a container.
PLACE = re.compile(
    r"道路|歩道|車道|(?<![水報])道(?!具)|通り|路地|交差点|公園|広場|側溝|市道|駅前"
    r"|踏切|橋|水路|街|屋外|(?<![以案意例海郊])外(?=の|に|で|から)"
    r"|電柱|電線|架線|信号|線路|国道|県道|都道|府道"
    r"|防犯灯|外灯|マンホール|カーブミラー|ガードレール|標識|下水|雨水|汚水"
)
# Things thrown away or left somewhere: dumped, not broken (冷蔵庫が捨てられて
# います).
DUMPED = re.compile(r"捨てられ|すてられ|捨ててあ|投棄|置かれ|置いてあ|放置")
# What may stand between a container and a public thing that belongs to it:
# nouns in kanji or katakana linked by の (冷蔵庫の中の電球, 家の水道管), not
# a clause (部屋の窓から見える街灯).
_BELONGS = re.compile(r"(の[\u4e00-\u9fff\u30a0-\u30ff々]{1,8})*の?")
# Words of position in such a chain, which make the public thing a neighbour
# of the own thing, not a part of it (部屋の窓の外の街灯).
_POSITION = re.compile(r"正面|目の前|真|外|隣|下|上|先|前|横|裏|向かい|脇|側|近く|周")
_SENTENCE_END = re.compile(r"[。!?！？\n]")


def tells_only_of_own_things(text: str) -> bool:
    """Tell whether every fault cue of a normalized text is about the writer's
    own things (see the module docstring).

    A text with no fault cue, an urgent one, and one that names dumping,
    graffiti, litter or a thing of another owner (マンションの共用廊下,
    公民館の玄関) is not.
    """
    if is_urgent(text) or any(
        pattern.search(text) for pattern in (OTHER_PROBLEM, GRAFFITI, LITTER, DUMPED)
    ):
        return False
    cues = [match for pattern in FAULT_CUES for match in pattern.finditer(text)]
    cue_spans = [cue.span() for cue in cues]
    return bool(cues) and all(_is_own_cue(text, cue, cue_spans) for cue in cues)


def _is_own_cue(text: str, cue: re.Match, cue_spans: list[tuple[int, int]]) -> bool:
    """Tell whether ``cue`` is about the writer's own things.

    Its sentence must name no public thing except one that belongs to a
    container before the cue. The words before the cue must name an own
    thing, or a family member must be the subject of a cue of the body
    (倒れた祖母, 父が倒れて). Lexicon terms inside a
    cue of ``cue_spans`` (詰ま, 暗い) are the fault's words, not things, and
    those inside an own thing are part of it."""
    if NUISANCE.search(cue.group()):
        return False

    start, end = _sentence_bounds(text, cue)
    sentence = text[start:end]
    if FACILITY_PART.search(sentence) or any(
        match.group() not in _OWN_OWNER_WORDS
        for match in OTHER_OWNER.finditer(sentence)
    ):
        return False
    before = text[start : cue.start()]
    # Spans in ``sentence`` of the own things named before the cue.
    container_spans = _spans(OWN_CONTAINER, text, start, cue.start())
    matter_spans = _spans(OWN_MATTER, text, start, cue.start())
    containers = _subjects(container_spans, text, start)
    matters = _subjects(matter_spans, text, start)
    # A lexicon word inside a cue (詰ま) or an own thing (自転車のブレーキ) is
    # not a public thing of its own.
    covered = cue_spans + [
        (start + low, start + high) for low, high in container_spans + matter_spans
    ]
    places = {match.start() for match in PLACE.finditer(sentence)}
    for public_start in sorted(places) + _lexicon_starts(sentence):
        if any(low <= start + public_start < high for low, high in covered):
            continue
        if public_start in places:
            return False
        if not any(
            own_end <= public_start
            and _BELONGS.fullmatch(sentence, own_end, public_start)
            and not _POSITION.search(sentence, own_end, public_start)
            for _own_start, own_end in containers
        ):
            return False

    if BODY_EVENT.search(cue.group()) and (
        PERSON_AFTER.match(text, cue.end()) or PERSON_BEFORE.search(before)
    ):
        return True
    return bool(containers or matters)


def _sentence_bounds(text: str, cue: re.Match) -> tuple[int, int]:
    """Return where the sentence of ``cue`` starts and ends in ``text``."""
    start = 0
    for end in _SENTENCE_END.finditer(text, 0, cue.start()):
        start = end.end()
    following = _SENTENCE_END.search(text, cue.end())
    return start, len(text) if following is None else following.start()


def _spans(
    pattern: re.Pattern, text: str, start: int, end: int
) -> list[tuple[int, int]]:
    """Return the spans, counted from ``start``, of the matches of ``pattern``
    in ``text`` that start at ``start`` or later and before ``end``. The text
    after ``end`` stays visible to the pattern's lookahead (期限切れ)."""
    spans = []
    for match in pattern.finditer(text, start):
        if match.start() >= end:
            break
        spans.append((match.start() - start, match.end() - start))
    return spans


def _subjects(
    spans: list[tuple[int, int]], text: str, start: int
) -> list[tuple[int, int]]:
    """Return the ``spans`` (of :func:`_spans`, counted from ``start``) whose
    own thing is not a landmark or a measure (家の前の道路, 玄関の正面の街灯,
    スマホが入るくらいの穴)."""
    return [
        (low, high)
        for low, high in spans
        if not PLACE_AFTER.match(text, start + high)
        and not OWN_NOT_SUBJECT.match(text, start + high)
    ]


# OTHER_OWNER words that name the writer's own home, not another owner.
_OWN_OWNER_WORDS = frozenset({"自宅", "うちの庭"})


def _lexicon_starts(window: str) -> list[int]:
    """Return where ``window`` names a lexicon object of a category the city
    repairs (:func:`_public_terms`)."""
    starts = []
    # The lexicon spells kana words in hiragana (げすい for ゲスイ).
    for form in {window, fold_kana(window)}:
        for term in _public_terms():
            start = form.find(term)
            while start >= 0:
                starts.append(start)
                start = form.find(term, start + 1)
    return starts


@functools.cache
def _public_terms() -> tuple[str, ...]:
    """Return the lexicon's things of the five categories. Its words of a
    state (暗い, 詰ま, 段差) name no thing, so they are left out: 暗い気持ち
    is no street."""
    return tuple(
        sorted(
            {
                term
                for category, terms in load_lexicon().items()
                if category != "other"
                for term, weight in terms.items()
                if weight > 0 and not FAULT_STATE.match(term)
            }
        )
    )
