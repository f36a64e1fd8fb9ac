"""Faults of the writer's own things, which no city section repairs.

A resident may tell the bot that something of theirs is broken or used up: a
card that expired (有効期限が切れました), a phone whose battery ran out, a
schedule that is full (予定が詰まっていて), a blocked kitchen drain or a bulb
in the fridge. Such a text has the words of a fault report, but what it names
belongs to the writer's home, body, papers or plans, so it is a question or
small talk, never a report to the road, green or sewer sections.

:func:`tells_only_of_own_things` reads each fault cue of a text with the words
of its sentence before it. A cue is the writer's own when those words name an
own thing (OWN_THING) and every public thing among them (a lexicon object or a
place word) belongs to that own thing through の (冷蔵庫の中の電球, 家の水道管).
An own thing followed by a place word is a landmark (家の前の道路), not the
subject.
"""

from __future__ import annotations

import functools
import re

from answerer.intent_cues import FEELING
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

# Things of the writer's home, belongings, body, papers, plans and accounts.
# Words that are also parts of public things are left out: 手 (手すり), 足
# (足元が暗い), ネット (a park's ball net), トイレ and 窓 alone, which parks and
# stations have too.
OWN_THING = re.compile(
    # The home and its rooms. 家 and うち only as the writer's: not 隣の家,
    # 空き家 or 〇〇さんのうち.
    r"(?<![隣りい空のち])(家|うち|いえ)の(中|なか)?"
    r"|自宅|我が家|わが家|部屋|室内|台所|キッチン|浴室|お?風呂|洗面所|玄関|ベランダ"
    r"|網戸|雨どい|雨樋"
    # Appliances and belongings.
    r"|冷蔵庫|洗濯機|エアコン|テレビ|パソコン|スマホ|スマートフォン|携帯|コンセント"
    r"|家電|電子レンジ|炊飯器|掃除機|給湯器|リモコン|眼鏡|メガネ|めがね|財布|かばん"
    r"|鞄|カバン|布団|カーテン|教科書|絵本|ページ"
    # Papers, cards, accounts and messages.
    r"|期限|期間|契約|予約|予定|日程|スケジュール|充電|バッテリー"
    # Means of contact only as a subject: メールが消えた, not メールで送った
    # or a public phone box.
    r"|((?<!公衆)電話(?!ボックス)|通話|回線|メール)(?=が|は|も)"
    r"|インターネット|wi-?fi|データ|ファイル|パスワード|アカウント"
    r"|アプリ|画面|ホームページ|サイト|リンク|書類|申込書|申請書|用紙|通知|手紙"
    r"|はがき|封筒|証明書|カード|保険証|免許|定期券|ポイント|残高|仕事|会議|授業"
    # The body.
    r"|鼻|喉|のど|歯|腰|膝|ひざ|(?<!鉄)骨|体調|お腹|おなか"
)
# Family members, who may fall ill or get hurt.
_PERSON = (
    r"(祖母|祖父|おばあ(ちゃん|さん)|おじい(ちゃん|さん)|母|父|(?<!丈)夫|妻|主人|息子"
    r"|娘|家族|子ども|子供)"
)
# A person right after a cue (倒れた祖母, 転んだ父) or as its subject right
# before it (父が倒れて). A person named further back is not the subject of a
# request (母が困ってるので何とかしてください).
PERSON_AFTER = re.compile(r"[たてだ]?(いる|た)?" + _PERSON)
PERSON_BEFORE = re.compile(_PERSON + r"(が|は|も)?$")
# A cue of a nuisance that something else causes the writer (のらねこが庭に来て
# 困ってます, 猫が来てうるさい), which is no fault of the writer's own things.
NUISANCE = re.compile(FEELING.pattern + r"|うるさ|迷惑|邪魔|臭|におい|匂い|騒")
# What happens to a person's body. A person who fears or worries
# (子どもが危ないです) still speaks of a place.
BODY_EVENT = re.compile(r"倒れ|たおれ|転|ころ|折れ|痛|けが|怪我")
# Places that no own thing contains, though the lexicon lacks some of them.
PLACE = re.compile(
    r"道路|歩道|車道|(?<![水報])道(?!具)|通り|路地|交差点|公園|広場|側溝|市道|駅前"
    r"|踏切|橋|水路|街|屋外|(?<![以案意例海郊])外(?=の|に|で|から)"
)
# Things thrown away or left somewhere: dumped, not broken (冷蔵庫が捨てられて
# います).
DUMPED = re.compile(r"捨てられ|すてられ|捨ててあ|投棄|置かれ|置いてあ|放置")
# What may stand between an own thing and a public thing that belongs to it:
# nouns in kanji or katakana linked by の (冷蔵庫の中の電球, 家の水道管), not
# a clause (部屋の窓から見える街灯).
_BELONGS = re.compile(r"(の[\u4e00-\u9fff\u30a0-\u30ff々]{1,8})*の?")
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
    return bool(cues) and all(_is_own_cue(text, cue) for cue in cues)


def _is_own_cue(text: str, cue: re.Match) -> bool:
    """Tell whether the words before ``cue`` in its sentence make it a fault of
    an own thing, or a family member is the subject of a cue of the body
    (倒れた祖母, 父が倒れて)."""
    if NUISANCE.search(cue.group()):
        return False
    body_event = BODY_EVENT.search(cue.group()) is not None
    if body_event and PERSON_AFTER.match(text, cue.end()):
        return True

    start = 0
    for end in _SENTENCE_END.finditer(text, 0, cue.start()):
        start = end.end()
    window = text[start : cue.start()]
    if body_event and PERSON_BEFORE.search(window):
        return True

    if FACILITY_PART.search(window) or any(
        match.group() not in _OWN_OWNER_WORDS for match in OTHER_OWNER.finditer(window)
    ):
        return False
    owns = [
        match
        for match in OWN_THING.finditer(window)
        if not PLACE_AFTER.match(text, start + match.end())
    ]
    if not owns:
        return False

    return all(
        any(
            own.end() <= public_start
            and _BELONGS.fullmatch(window, own.end(), public_start)
            for own in owns
        )
        for public_start in _public_starts(window)
    )


# OTHER_OWNER words that name the writer's own home, not another owner.
_OWN_OWNER_WORDS = frozenset({"自宅", "うちの庭"})


def _public_starts(window: str) -> list[int]:
    """Return where ``window`` names a public thing: a lexicon object of a
    category the city repairs, or a place word."""
    starts = [match.start() for match in PLACE.finditer(window)]
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
    return tuple(
        sorted(
            {
                term
                for category, terms in load_lexicon().items()
                if category != "other"
                for term, weight in terms.items()
                if weight > 0
            }
        )
    )
