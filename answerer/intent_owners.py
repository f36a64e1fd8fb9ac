"""Ownership rules for the place a report names, and the category lexicon.

Ownership rules fix a category before any score (``ownership_category``).
Problems of others (dumping, abandoned bicycles and vehicles, a gas smell, a
faulty traffic signal, barking dogs) are "other" wherever they are. Anything
else inside a city park is "park". Graffiti, litter in the street and things
of other owners (national roads, railways, private land, parts of buildings)
are "other". Otherwise the lexicon (``intent_data/lexicon.json``) weighs the
objects that a text names.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from answerer.intent_text import (
    normalize,
    normalize_form,
)
from index.normalize import fold_kana

CATEGORIES = ("road", "streetlight", "tree", "park", "sewer", "other")

DATA_DIR = Path(__file__).with_name("intent_data")
LEXICON_PATH = DATA_DIR / "lexicon.json"

# A "公園" followed by one of these is a landmark next to the place, not the place.
PARK_LANDMARK = re.compile(
    r"公園(の)?(前|横|脇|沿い|付近|近く|周り|周辺|裏|向かい|通り|駅)"
    # The road before a park's gate: 公園の入口の前の道.
    r"|公園の?(入口|入り口|出入口|出入り口|門)の?(前|横|脇|そば)"
    r"|公園(に|へ)(行く|いく|向かう|むかう)(道|途中)|公園までの(道|歩道|途中|間)"
    # A road along the park: 公園の北側を通る道路, 公園の外周.
    r"|公園の?[東西南北]?側?を(通る|走る|抜ける)|公園の?(外周|外側)"
    # The road on one side of it: 公園の東側の道.
    r"|公園の?[東西南北]側の(道|道路|歩道|通り)"
    # A corner of it, where a sign or a mirror often is: 〇〇公園の北側の角.
    r"|公園の?([東西南北]+側?の)?角"
)
# A traffic signal that is itself faulty. The police run traffic signals, so such
# a text is for them, not a city report. One hidden by a tree or named as a
# landmark is not the fault.
SIGNAL_FAULT = re.compile(
    r"(信号|しんごう|シンゴウ)(機|灯|き)?(の(電球|電気|ランプ|ライト|柱))?(が|は)?"
    r"(ずっと|まだ|また|完全に|全く|全然)?"
    r"(点滅|消え|きえ|つかな|点かな|故障|変わら|かわら|壊れ|こわれ|止ま|切れ|傾"
    r"|青にならな|赤のまま)"
    # A push button of a signal that changes nothing.
    r"|(押しボタン|信号)[^。!?]{0,15}(青にならな|赤のまま|変わらな|反応しな)"
    # The same in English: the pedestrian signal keeps blinking.
    r"|\b(traffic|pedestrian|crossing)\s(signal|light)s?\b[^.!?]{0,30}?"
    r"\b(blink|flash|out\b|broken|not working|stuck)"
)
# Problems that are "other" wherever they are, even inside a park.
OTHER_PROBLEM = re.compile(
    r"不法投棄|放置自転車"
    # Dogs that bark: their owner's matter, never the road, green or sewer
    # section. Birds that roost in street trees are the trees' (剪定), so
    # their cries are not listed.
    r"|吠え|ほえ(て|る)"
    # Things someone left behind: 誰かが布団を置いていった, 捨てていかれた. A
    # contractor's cones left behind are the contractor's road work.
    r"|捨てて(いっ|いか|行っ|いき)"
    # Not when the thrown-away thing causes another fault (誰かが捨てたゴミで
    # 側溝が詰まっています), which is that fault's. A guess at who left it
    # (捨てたみたいで, 捨てたようで) is no cause.
    r"|(誰か|だれか|何者か)[^。!?]{0,20}(置いて(いっ|いか|行っ|いき)|捨て(た|て|ま))"
    r"(?![^。!?、\s]{0,6}(?<!みたい)(?<!よう)(?<!そう)(で|のせいで)(?!す|し))"
    r"|自転車.{0,10}(放置|置かれ|置きっぱなし|止められ|停められ|とめられ)"
    # A vehicle left behind, which the police or its owner removes.
    r"|(?<![自電駐歯])(車|自動車|バイク|原付|車両)(が|を|は|も).{0,15}"
    r"(放置|乗り捨て|止まったまま|停まったまま|止めたまま|置きっぱなし|止めっぱなし)"
    r"|ガス.{0,6}(臭|におい|匂い)"
    # The pavement, verge and gutter along a national or prefectural road are that
    # road's, so 沿い does not make the road a landmark here.
    r"|(国道|県道|都道|府道)(沿い)?の(歩道|路肩|側溝|植え込み|街路樹|街灯)"
    # A traffic signal that is itself faulty is the police's, wherever it is.
    r"|" + SIGNAL_FAULT.pattern
)
# Graffiti is "other" (the owner of the wall removes it) except in a city
# park, whose buildings and equipment the park's section looks after.
GRAFFITI = re.compile(r"落書き|いたずら書き|らくがき")
# Litter dropped in the street is "other" (the city's cleaning office, not the
# road section), but inside a park the park's section picks it up.
LITTER = re.compile(r"ポイ捨て|ぽい捨て|吸い殻|吸いがら|すいがら")
# Parks that the prefecture or the state runs: 都立〇〇公園, 〇〇恩賜公園, and by
# their usual names the metropolitan parks in and next to Musashino.
NON_CITY_PARK = re.compile(
    r"(都立|県立|府立|道立|国営|国立)[^。、\s]{0,12}公園|恩賜"
    r"|井の頭公園|井ノ頭公園|井之頭公園|いのかしら公園|武蔵野中央公園|小金井公園"
    r"|武蔵野公園|善福寺公園"
)
# Roads of the state or the prefecture. An old highway (五日市街道, 甲州街道) is
# a national or metropolitan road.
# 商店街道路 and 住宅街道路 are a 街 followed by 道路, no highway.
NON_CITY_ROAD = re.compile(
    r"国道|県道|都道|府道|高速道路|[〇○◯\u4e00-\u9fff]{1,4}街道(?!路)"
    # Tokyo's roads through the city that residents name without 都道.
    r"|井ノ頭通り|井の頭通り|吉祥寺通り"
)
# Owners and managers other than the city. Outside a park, their things are "other".
OTHER_OWNER = re.compile(
    NON_CITY_ROAD.pattern + r"|神社|お寺|私有地|私道|民間|空き家|隣の家|隣家"
    r"|隣(さん)?の(家|宅|庭)|(近所|よそ|他人|向かい|裏)の(家|お宅|宅|庭)|民家|民有地"
    r"|うちの庭|自宅"
    r"|マンション|アパート|共用"
    r"|住宅の(樹木|木|庭木)|庭木|生け垣|畑の|線路|鉄道|構内"
    r"|自動ドア|エレベーター|エスカレーター"
    # A station's platform is the railway company's. Its gates and passages are
    # mostly landmarks (改札を出てすぐの歩道), the bicycle parking at a station
    # is the city's, and a level crossing is mostly named as a landmark
    # (踏切の手前), so none of those is listed.
    r"|駅の?ホーム"
    # A monthly or coin car park is a company's or a landowner's.
    r"|月極|月ぎめ|コインパーキング|コイン駐車場|parking lot"
)
# A part of a building ("公民館の入口", "センターのエレベーター") is managed with the
# building, not by the road, green or sewer sections.
FACILITY_PART = re.compile(
    r"(館|センター|学校|庁舎|役所|保育園|幼稚園|駅(の?[東西南北中央]+口)?|店|スーパー"
    r"|コンビニ)"
    r"(の?[0-9一二三四五六七八九]+階)?の?(男子|女子|男性用?|女性用?|多目的|だれでも)?"
    r"(入口|入り口|玄関|自動ドア|ドア|扉|トイレ|窓|エレベーター|エスカレーター"
    r"|階段|屋根|壁|館内|ロビー|看板)"
)
# Words after an object that make it a landmark or part of a name: "バス停のとこ",
# "街灯の前の道路", "公園通り".
PLACE_AFTER = re.compile(
    r"の?(前|横|脇|そば|近く|付近|周辺|周り|あたり|辺り|とこ|ところ|向かい|裏|沿い"
    r"|[東西南北]側|下を|下の|下をくぐる)"
    # Before its gate: 公園の入口の前の道.
    r"|の?(入口|入り口|出口|出入口|出入り口|門)の?(前|横|脇|そば)"
    # The same in kana, as typed without conversion: 〇〇こうえん の ちかく.
    r"|\s?の?\s?(まえ|よこ|わき|ちかく|うら|むかい)"
    r"|通り|駅"
    # Just past it, as the last words of a clause: 〇〇のバス停の先.
    r"|の先(?=\s*[、。!！?？]|\s*$)"
    # The way to a place: 井の頭公園に行く道, 駅までの歩道.
    r"|(に|へ)(行く|いく|向かう|むかう)(道|途中)|までの(道|路地|歩道|途中|間)"
    # A road past it: 公園の北側を通る道路.
    r"|の?[東西南北]?側?を(通る|走る|抜ける)"
    # A side street off it: 五日市街道から一本入った道, 〇〇街道から市道に入って.
    r"|から(一本|1本|少し|ちょっと|(市道|脇道|横道|路地)(に|へ))?"
    r"(入った|入る|入って|外れた|曲がった)"
    # A private wall or roof that a fault reaches or may reach: 隣の家の塀に
    # もたれかかって, 隣の家の屋根や電線の方に倒れたら.
    r"|(の(塀|壁|フェンス|生け垣|門|屋根)(や[^。、!?]{0,6})?)?(の方)?(に|へ|まで)"
    r"(もたれ|倒れ|ぶつかって|当たって)"
)


def names_object_term(text: str) -> bool:
    """Tell whether a normalized text names a term of the shipped lexicon with a
    weight above 0, in its kana as typed or folded to hiragana."""
    object_terms = _object_terms()
    return any(
        term in form for form in (text, fold_kana(text)) for term in object_terms
    )


@functools.cache
def _object_terms() -> tuple[str, ...]:
    return tuple(
        sorted(
            {
                term
                for terms in load_lexicon().values()
                for term, weight in terms.items()
                if weight > 0
            }
        )
    )


def load_lexicon(path: Path = LEXICON_PATH) -> dict[str, dict[str, float]]:
    """Read the category lexicon: category -> {normalized substring: weight}.

    A term of weight 0 adds nothing but keeps the shorter terms inside it from
    counting (see :func:`score_lexicon`).
    """
    lexicon = json.loads(path.read_text(encoding="utf-8"))
    unknown = set(lexicon) - set(CATEGORIES)
    if unknown:
        raise ValueError(
            f"{path}: unknown categories {sorted(unknown)!r}; use {CATEGORIES}"
        )
    # Terms keep their katakana (アスファルト): texts with kanji or hiragana
    # keep theirs too, and the file lists the hiragana of words that texts in
    # kana alone spell so (まんほーる).
    return {
        category: {
            normalize_form(term): float(weight)
            for term, weight in lexicon.get(category, {}).items()
        }
        for category in CATEGORIES
    }


def score_lexicon(
    lexicon: dict[str, dict[str, float]], text: str, landmarks: bool = False
) -> dict[str, float]:
    """Return, per category, the sum of the weights of lexicon terms in ``text``.

    A term counts once, and only where no longer matched term covers it: 信号 in
    信号機 adds nothing to 信号機's weight. So a term of weight 0 blocks the
    shorter terms inside it (木材 keeps 木 from counting as a tree). With
    ``landmarks``, a term followed by a place word (バス停のとこ, 街灯の前) only
    gives the place of the fault and counts nothing.
    """
    spans = []
    for category, terms in lexicon.items():
        for term, weight in terms.items():
            for start in _term_starts(text, term):
                spans.append((start, start + len(term), category, term, weight))
    counted: dict[tuple[str, str], float] = {}
    for start, end, category, term, weight in spans:
        if (category, term) in counted or _covered(start, end, spans):
            continue
        if landmarks and PLACE_AFTER.match(text, end):
            continue
        counted[(category, term)] = weight
    scores = dict.fromkeys(lexicon, 0.0)
    for (category, _), weight in counted.items():
        scores[category] += weight
    return scores


# Plural endings that may follow an English term inside its word (trees,
# branches).
_PLURAL_END = re.compile(r"(s|es)?(?![a-z])")


def _term_starts(text: str, term: str) -> list[int]:
    """Return where ``term`` occurs in ``text``.

    An English term counts only as a whole word or its plural, so tree finds
    trees but not street, and road not broad.
    """
    english = term.isascii() and term[:1].isalpha()
    starts = []
    start = text.find(term)
    while start >= 0:
        before = text[start - 1 : start]
        if not english or (
            not (before.isascii() and before.isalpha())
            and _PLURAL_END.match(text, start + len(term))
        ):
            starts.append(start)
        start = text.find(term, start + 1)
    return starts


def _covered(start: int, end: int, spans: list) -> bool:
    """Tell whether a longer span of ``spans`` contains ``start``..``end``."""
    return any(
        other_start <= start
        and end <= other_end
        and other_end - other_start > end - start
        for other_start, other_end, *_ in spans
    )


def ownership_category(text: str) -> str | None:
    """Return the category that ownership fixes for a normalized report, if any.

    An owner named as a landmark (線路沿いの道, マンションの前) fixes nothing.
    """
    if OTHER_PROBLEM.search(text):
        return "other"
    if any(not PLACE_AFTER.match(text, m.end()) for m in NON_CITY_PARK.finditer(text)):
        return "other"
    if in_park(text):
        return "park"
    if GRAFFITI.search(text) or LITTER.search(text):
        return "other"
    owners = (
        match
        for match in OTHER_OWNER.finditer(text)
        if not PLACE_AFTER.match(text, match.end())
    )
    if next(owners, None) is not None or FACILITY_PART.search(text):
        return "other"
    return None


def names_other_owner(text: str) -> bool:
    """Tell whether ``text`` puts a fault on a place another owner manages: a
    national or metropolitan road or park, private land, a building's common
    parts (OTHER_OWNER, NON_CITY_PARK), not named only as a landmark
    (マンションの前の道路, 井の頭公園の前の道路)."""
    normalized = normalize(text)
    return any(
        not PLACE_AFTER.match(normalized, match.end())
        for pattern in (OTHER_OWNER, NON_CITY_PARK)
        for match in pattern.finditer(normalized)
    )


def in_park(text: str) -> bool:
    """Return True when a normalized text places the fault inside a park."""
    without_landmarks = PARK_LANDMARK.sub("", text)
    return "公園" in without_landmarks or "児童遊園" in without_landmarks
