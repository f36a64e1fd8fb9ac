"""Readers of what a resident types at a step of the report chat.

Words that send, wait or skip (SUBMIT_WORDS, DO_NOT_SEND_WORDS, SKIP_WORDS,
NEXT_WORDS), corrections of the place or the category typed after they were
given, sizes of a fault, and addresses of other cities. A function that takes
a ``word`` expects the text as the report flow passes it: NFKC-normalised and
without a closing 。 or !. A function that takes a ``text`` reads it as typed.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from answerer.intent_cues import (
    EARLIER_TIME,
    FAULT_STATE,
    LOOSE_PART,
    REPAIRED_OR_TAKEN_BACK,
    TAKEN_BACK_WORD,
    UNCHANGED_STATE,
)
from answerer.intent_evidence import has_fault_evidence, takes_message_back
from answerer.intent_owners import load_lexicon, score_lexicon
from answerer.intent_text import content_char_count
from answerer.intent_text import normalize as intent_normalize
from index.normalize import fold_kana, visible_nfkc
from webhook import texts
from webhook.classify import TextKind, classify_text
from webhook.emergency import is_emergency
from webhook.reports import geo

# Words that accept the confirmation prompt この内容で送信しますか.
SUBMIT_WORDS = frozenset(
    {
        "送信",
        "send",
        "send it",
        "please send",
        "submit",
        "送信する",
        "送信します",
        "送信してください",
        "送って",
        "送ってください",
        "はい",
        "お願いします",
        "よろしくお願いします",
        "ok",
        "okです",
        "ええ",
        "うん",
        "これでいい",
        "これでいいです",
        "これで大丈夫",
        "これで大丈夫です",
        "これでお願いします",
        "それで",
        "それでいい",
        "それでいいです",
        "それでお願いします",
        "はい送信",
        "送信お願いします",
        "送信でお願いします",
        "送信して",
        "おくって",
        "おくってください",
        "そうしん",
        "そうしんして",
        "そうしんします",
        "おねがいします",
        "送信で",
        "それでいいよ",
        "いいよ",
        "はーい",
        "お願いいたします",
        "よろしくお願いいたします",
        "了解",
        "了解です",
        "りょうかい",
        "りょうかいです",
        "おっけー",
        "おっけーです",
        "おk",
        "yes",
        "それでおねがい",
        "それでお願い",
        "送信しといて",
        "送っといて",
        "送信お願い",
        "了解しました",
        "お願い致します",
        "よろしくお願い致します",
        "それで結構です",
        "おけ",
        "問題ないです",
        "問題ありません",
        "そうしんおねがいします",
        "はいそれで",
        "ええよ",
        "ええで",
        "たのむわ",
        "頼むわ",
        "たのみます",
        "頼みます",
    }
)
# Words that may stand beside a submit word in one message: はい、お願いします.
_SUBMIT_PARTS = SUBMIT_WORDS | {
    "よろしく",
    "よろしくです",
    "お願い",
    "うん",
    "ありがとうございます",
    "ありがとう",
    "どうも",
    "これで",
    "大丈夫",
    "大丈夫です",
    "いいです",
    "特にありません",
    "ありません",
    "以上です",
    "ほかに伝えることはありません",
    "他に伝えることはありません",
}
_PART_SEPARATORS = re.compile(r"[\s、,，。.!！]+")
# At the confirmation, replies that mean "do not send (yet)".
DO_NOT_SEND_WORDS = frozenset(
    {
        "いいえ",
        "いや",
        "まだ",
        "待って",
        "待ってください",
        "ちょっと待って",
        "ちょっと待ってください",
        "まって",
        "まってください",
        "ちょっとまって",
        "違います",
        "ちがいます",
        "送らない",
        "送らないで",
        "送らないでください",
        "送信しない",
        "送信しないで",
        "送信しないでください",
        "まだ送らないで",
        "まだ送らないでください",
        "違う",
        "ちがう",
        "だめ",
        "だめです",
        "no",
        "待ってね",
        "まってね",
        "ちょっと待ってね",
        "ちょっとまってね",
        "まだです",
        "いえ",
        "結構です",
        "すみません",
        "すいません",
        "んー",
        "やっぱ送らないで",
        "やっぱり送らないで",
        "送信しません",
        "送りません",
        "だめだめ",
        "ん",
        "うーん",
        "やめとく",
        "やめときます",
        "送らんでええ",
        "送らんといて",
        "あかん",
    }
)
# Among DO_NOT_SEND_WORDS, those that are a plain no: at the comment step they
# mean that there is nothing to add.
PLAIN_NO_WORDS = frozenset(
    {"いいえ", "いえ", "いや", "違う", "ちがう", "違います", "ちがいます", "だめ", "no"}
)
# At the comment step, words that mean "nothing to add"; もういいです there is
# no cancel, since it would drop photos and place already given.
SKIP_WORDS = frozenset(
    {
        "スキップ",
        "skip",
        "next",
        "なし",
        "特になし",
        "ありません",
        "特にありません",
        "ないです",
        "特にないです",
        "もういいです",
        "もういい",
        "大丈夫です",
        "結構です",
        "以上です",
        "ない",
        "ないよ",
        "特にない",
        "特にないっす",
        "ないっす",
        "大丈夫",
        "なしで",
        "なしです",
        "なしでお願いします",
        "とくにないです",
        "とくにない",
        "とくになし",
    }
)
# At the photo step, with a photo sent, words that mean "no more photos".
NEXT_WORDS = frozenset(
    {
        "次へ",
        "つぎへ",
        "次",
        "もういいです",
        "もういい",
        "以上です",
        "これだけです",
        "next",
    }
)


def means_next(word: str) -> bool:
    """Tell whether a text at the photo step is a NEXT_WORDS word, in any case
    and with emoji around it (Next, 次へ👍)."""
    return _folded(_without_symbols(word)).strip() in _FOLDED_NEXT_WORDS


def means_submit(word: str) -> bool:
    """Tell whether a text at the confirmation (:func:`report_start.normalize_word`
    form) requests sending: a submit word alone, or with はい or お願いします beside it
    (はい、お願いします, これで送ってください). Katakana and capitals count as
    the words' kana and lower case (ハイ, OK, Yes)."""
    word = _folded(_without_symbols(word))
    if word in SUBMIT_WORDS or _plain(word) in SUBMIT_WORDS:
        return True
    if word.startswith("はい") and _plain(word.removeprefix("はい")) in SUBMIT_WORDS:
        # はい送ってください: はい run into the submit word.
        return True
    parts = approval_parts(word)
    return parts is not None and any(part in SUBMIT_WORDS for part in parts)


def approval_parts(word: str) -> list[str] | None:
    """Return the parts of a text made only of words of approval (はい,
    大丈夫です, これで), or None when it contains anything else."""
    word = _folded(_without_symbols(word))
    parts = [part for part in _PART_SEPARATORS.split(word) if part]
    if len(parts) < 2 and word.startswith("これで"):
        parts = ["これで", word.removeprefix("これで")]
    if not parts or not all(part in _SUBMIT_PARTS for part in parts):
        return None
    return parts


def _without_symbols(word: str) -> str:
    """Return ``word`` with emoji and other symbols turned into spaces, so that
    お願いします🙏 reads as お願いします."""
    return "".join(
        " " if unicodedata.category(char)[0] == "S" or char in "\u200d\ufe0f" else char
        for char in word
    ).strip()


def gives_size(text: str) -> bool:
    """Tell whether ``text`` gives a size of the fault (深さ10cmくらい)."""
    return _SIZE.search(visible_nfkc(text)) is not None


_SIZE = re.compile(
    r"深さ|幅|大きさ|高さ|長さ|直径|\d+(?:\.\d+)?\s*(?:cm|センチ|mm|ミリ|m(?![a-z])|メートル)"
)
# Words that open a second fault: あと、公園の街灯が消えてます.
ANOTHER_FAULT_LEAD = re.compile(
    r"\s*(?:あと|それと|それから|ほかにも|ほかに|他にも|他に|別の|別に|もう一つ|もうひとつ|ついでに)"
)


def outside_address(text: str) -> bool:
    """Tell whether ``text`` gives an address outside the city with its numbers
    (三鷹市下連雀3-1, 調布市小島町2丁目, 下連雀3-2; see
    :func:`geo.address_is_outside_city`). The place is clear, and the
    outside-city note states that the city may not manage it. A number that is
    no address part (調布市で3日前から) does not count."""
    normalized = visible_nfkc(text)
    return geo.address_is_outside_city(text) and (
        _ADDRESS_NUMBER.search(normalized) is not None
    )


# 2丁目, 5番, 12番地, 3号, or 3-1: the numbered parts of a Japanese address.
_ADDRESS_NUMBER = re.compile(r"\d+\s*(?:丁目|番地?|号)|\d+\s*[-‐‑–−ー－]\s*\d+")


def category_correction(text: str) -> str | None:
    """Return the category that a text names as the right one, or None.

    道路じゃなくて公園でした and 種類は公園です name 公園; so do 公園です and
    やっぱり公園 as a whole message, and a label alone after a no
    (種類がちがう、公園). A category merely mentioned (公園の前の道路です)
    gives None.
    """
    typed = visible_nfkc(text).strip()
    normalized = LEADING_APOLOGY.sub("", typed).rstrip("。.!！")
    if normalized != typed.rstrip("。.!！") and normalized in _CATEGORY_WORDS:
        return _CATEGORY_WORDS[normalized]
    for pattern in (_CATEGORY_INSTEAD, _CATEGORY_IS, _CATEGORY_ALONE):
        match = pattern.search(normalized)
        if match is not None:
            return _CATEGORY_WORDS[match.group("label") or match.group("bare")]
    return None


def corrects_category_plainly(text: str, category: str | None) -> bool:
    """Tell whether ``text`` is plainly about the draft's category, as a text
    typed at the photo or location step must be to change it.

    That is 種類が違います, 種類は道路です, やっぱり道路です, or a text that
    names ``category`` as the wrong one (:func:`negates_category`). A label
    alone (公園です) may give the place that the step requests instead.
    """
    normalized = LEADING_APOLOGY.sub("", visible_nfkc(text).strip()).rstrip("。.!！")
    if CATEGORY_IS_WRONG.search(normalized) or _CATEGORY_IS.search(normalized):
        return True
    alone = _CATEGORY_ALONE.search(normalized)
    if alone is not None and normalized.startswith(("やっぱり", "やっぱ", "やはり")):
        return True
    return negates_category(text, category)


def negates_category(text: str, category: str | None) -> bool:
    """Tell whether ``text`` names ``category`` as the wrong one, as in
    街灯じゃなくて道路の穴でした for a street-light draft.

    A negation of another word (枝じゃなくて幹が折れてます) describes the fault
    and is no correction.
    """
    if category is None:
        return False
    return any(
        _CATEGORY_WORDS[match.group("label")] == category
        for match in _CATEGORY_NEGATED.finditer(visible_nfkc(text))
    )


def place_correction(text: str, precise_place: bool = False) -> str | None:
    """Return the new place that a text after the location step gives, or None.

    A street address alone gives one (中町2丁目3番でした), and so does 場所は or
    住所が before a place alone (場所は中町2丁目3番の前です, 場所は吉祥寺駅の
    南口です). A text that also states that the old place was wrong (やっぱり,
    違い, 正しくは) gives any address after 場所は, also one of another city,
    and 場所をまちがえました。 gives the place in the sentence after it. An
    apology first (すみません、) changes nothing. 場所は中町1丁目5番の歩道で、
    穴の深さは10cmくらいです only describes the place, so it gives none. With
    ``precise_place`` (the place is a map point or a street address already), a
    place after 場所は needs a word of change too: 場所は送った地図の通り駅の
    南口です describes the point, and 場所は駅の南口の交番の先です refines a
    typed block rather than replacing it.
    """
    normalized = LEADING_APOLOGY.sub("", visible_nfkc(text).strip())
    if is_bare_address(normalized):
        return normalized
    after_mistake = _PLACE_MISTAKEN.search(normalized)
    if after_mistake is not None:
        # 場所まちがえました。新宿駅の東口です: the new place follows.
        rest = normalized[after_mistake.end() :].strip()
        if _names_a_place_alone(rest):
            return rest
        return geo.street_address_phrase(rest) if rest else None
    prefix = _PLACE_CORRECTION.search(normalized)
    if prefix is None or prefix.start() > _MAX_CORRECTION_LEAD:
        return None
    rest = _LEADING_CORRECTION.sub("", normalized[prefix.end() :])
    if is_bare_address(rest):
        return rest
    if _CORRECTION_WORD.search(normalized) is not None and (
        geo.looks_like_address(rest) or outside_address(rest)
    ):
        return rest
    # 場所は吉祥寺駅の南口です: a place and nothing else after 場所は.
    if precise_place:
        return None
    return rest if _names_a_place_alone(rest) else None


def _names_a_place_alone(text: str) -> bool:
    """Tell whether ``text`` is one clause that gives a place and states no
    fault: 吉祥寺駅の南口です, not 中町1丁目の歩道で、穴の深さは10cmです."""
    bare = strip_address_tail(text)
    if not text or re.search(r"[、,。!！?？]", bare):
        return False
    if re.search(r"で[^、。]{2,}", bare):
        # 吉祥寺駅南口のバス停の前で夜は暗いです: a detail goes on after で.
        return False
    if names_broken_thing(text):
        return False
    return geo.looks_like_address(text) or outside_address(text)


# 場所をまちがえました。 or 住所が間違ってました、 before the new place.
_PLACE_MISTAKEN = re.compile(
    r"^(?:場所|住所|ばしょ|じゅうしょ)(?:を|が)?\s*(?:間違|まちが|違|ちが)[^。、,!！]*[。、,!！]\s*"
)


_LEADING_CORRECTION = re.compile(r"^(?:やっぱり|やはり|正しくは|本当は)[、,\s]*")
# Words that name a category in a correction, with the category's key.
_CATEGORY_WORDS = {
    **{label: key for key, label in texts.REPORT_CATEGORY_LABELS.items()},
    "街灯": "streetlight",
    "防犯灯": "streetlight",
    "下水": "sewer",
    "どうろ": "road",
    "こうえん": "park",
}
_LABELS = "|".join(
    re.escape(word) for word in sorted(_CATEGORY_WORDS, key=len, reverse=True)
)
# 道路じゃなくて公園でした: the category after the negation is the right one.
_CATEGORY_INSTEAD = re.compile(
    rf"(?:じゃなくて|じゃなく|ではなくて|ではなく|でなく)[、,\s]*(?P<label>{_LABELS})"
)
_CATEGORY_IS = re.compile(
    rf"^(?:やっぱり|やはり)?[、,\s]*(?:種類|しゅるい)(?:は|が)[、,\s]*"
    rf"(?P<label>{_LABELS})(?:です|でした|だよ|だった)?$"
)
_CATEGORY_ALONE = re.compile(
    rf"^(?:やっぱり|やっぱ|やはり)?[、,\s]*(?P<label>{_LABELS})(?:です|でした|だよ|だった)$"
    rf"|^(?:やっぱり|やっぱ|やはり)[、,\s]*(?P<bare>{_LABELS})$"
)
# 街灯じゃなくて…: the category before the negation is the wrong one.
_CATEGORY_NEGATED = re.compile(
    rf"(?P<label>{_LABELS})(?:じゃなくて|じゃなく|ではなくて|ではなく|でなく)"
)
# 種類が違います: the category is to be chosen again.
CATEGORY_IS_WRONG = re.compile(r"(?:種類|しゅるい)が\s*(?:違|ちが|間違|まちが)")
# Words before 場所は that keep a text a correction: やっぱり場所は…
_MAX_CORRECTION_LEAD = 6
LEADING_APOLOGY = re.compile(
    r"^(?:(?:すみません|すいません|ごめんなさい|失礼しました|申し訳ありません|あの|えっと|あ)"
    r"[、,。!！\s]*)?"
    # A no before the right value: ちがう、中町2丁目3番; 場所ちゃうわ、….
    r"(?:(?:いいえ|いや|ちがう|違う|違います|ちがいます|ちゃう|ちゃいます"
    r"|(?:場所|住所|種類)(?:が|は)?(?:ちゃう|違う|ちがう)(?:わ|よ)?)[、,。!！\s]+)?"
)


def gives_a_place(text: str) -> bool:
    """Tell whether a text typed after the location step is about the place:
    it starts with 場所は or 住所が (see :func:`place_correction`), or it is short
    enough to be an address alone. A longer comment that mentions an address
    in passing is not."""
    normalized = LEADING_APOLOGY.sub("", visible_nfkc(text).strip())
    if _PLACE_CORRECTION.search(normalized[: _MAX_CORRECTION_LEAD + 4]):
        return True
    return content_char_count(normalized) <= _PLACE_ALONE_CHARS


# Letters and digits of a text that may be an address alone (中町9丁目5番の前).
_PLACE_ALONE_CHARS = 16


def is_bare_address(text: str) -> bool:
    """Tell whether ``text`` is a street address of the city and nothing more
    than a copula or a word of nearness (中町2丁目3番でした, 境1-2の前です)."""
    phrase = geo.street_address_phrase(text)
    if phrase is None:
        return False
    rest = _ADDRESS_FILLER.sub("", text.replace(phrase, "", 1))
    return content_char_count(rest) == 0


# A copula at the end of a corrected place: 境南町2丁目の交差点です.
_COPULA_END = re.compile(r"(?:です|でした|だよ|だった|やで|やった|や)$")
_CLOSING_MARKS = "。.!！"


def strip_address_tail(text: str) -> str:
    """Return ``text`` without the closing marks, spaces and copula that end it
    (境南町2丁目の交差点です。 gives 境南町2丁目の交差点).

    The marks are stripped by a loop from the end, because a pattern ending in
    ``[。\\s]*$`` is tried from every position of a long run of spaces and takes
    quadratic time.
    """
    end = len(text)
    while end and (text[end - 1] in _CLOSING_MARKS or text[end - 1].isspace()):
        end -= 1
    return _COPULA_END.sub("", text[:end], count=1)


_ADDRESS_FILLER = re.compile(
    r"です|でした|だよ|だった|やで|やった|や$|付近|あたり|辺り|の前|前|ぐらい|くらい"
    r"|[\s、。!！]"
)


_PLACE_CORRECTION = re.compile(r"(?:正しい|本当の)?(?:場所|住所)(?:は|が|を)")
# いいえ、場所が違います at the confirmation: the place is to be given again.
# 補足を消してください at the confirmation: the description and comment go.
COMMENT_DELETE = re.compile(
    r"(?:補足|ほそく|コメント|説明)(?:を|は)?\s*(?:全部)?\s*(?:消|けして|削除|取り消|とりけ"
    r"|なしに|無しに|いらな|要らな)"
)
PLACE_IS_WRONG = re.compile(
    r"(?:場所|住所|ばしょ|じゅうしょ)(?:が|を)?\s*(?:違|ちが|間違|まちが|変え|かえ)"
)
_CORRECTION_WORD = re.compile(r"やっぱ|やはり|違|間違|まちが|正しく|正しい|本当は|訂正")


def means_do_not_send(word: str) -> bool:
    """Tell whether a text at the confirmation, as a whole, declines sending
    the report (いいえ、送らないでください). A no with a detail is a detail."""
    parts = _word_parts(word)
    return bool(parts) and all(part in DO_NOT_SEND_WORDS for part in parts)


# The words of DO_NOT_SEND_WORDS that mean "do not send" outright.
_NOT_SEND_WORDING = re.compile(r"送らな|送信しな|送りません|送信しません|送らん")


def asks_not_to_send(word: str) -> bool:
    """Tell whether a text, as a whole, asks not to send the report
    (送らないでください, 送信しないで), as opposed to a bare no or a wait."""
    return means_do_not_send(word) and _NOT_SEND_WORDING.search(word) is not None


def means_plain_no(word: str) -> bool:
    """Tell whether a text is only a plain no (いいえ, No, 違う), which at the
    comment step means that there is nothing to add."""
    parts = _word_parts(word)
    return bool(parts) and all(part in PLAIN_NO_WORDS for part in parts)


def means_skip(word: str) -> bool:
    """Tell whether a text at the comment step means that there is nothing to
    add: a skip word, also with an emoji, long vowels (大丈夫でーす) or いえ
    before it (いえ、ありません)."""
    parts = [part for part in _word_parts(word) if part not in ("いえ", "いいえ")]
    return bool(parts) and all(part in _FOLDED_SKIP_WORDS for part in parts)


def _word_parts(word: str) -> list[str]:
    """Return the parts of ``word`` between separators, folded, without emoji
    and with long vowels dropped (まってー)."""
    folded = _folded(_without_symbols(word))
    return [_plain(part) for part in _PART_SEPARATORS.split(folded) if part]


def _plain(word: str) -> str:
    """Return ``word`` without a long vowel in です and ます and without long
    vowel marks or a small tsu at its end (お願いしまーす, はいっ, まってー).
    うーん keeps its mark, so it never reads as うん."""
    word = word.replace("まーす", "ます").replace("でーす", "です")
    return re.sub(r"[ー〜~っ]+$", "", word)


def _folded(word: str) -> str:
    """Return ``word`` with katakana as hiragana and ASCII in lower case."""
    return fold_kana(word).lower()


# SKIP_WORDS as means_skip compares them: スキップ as すきっぷ.
_FOLDED_SKIP_WORDS = frozenset(_folded(word) for word in SKIP_WORDS)
_FOLDED_NEXT_WORDS = frozenset(_folded(word) for word in NEXT_WORDS)


def is_neighbour_trouble(text: str) -> bool:
    """Tell whether ``text`` complains of people, animals or parked vehicles
    (上の階の足音がうるさい, 公園で夜中に騒いでる人がいる, 野良猫が多くて困る,
    違法駐車の車がずっといる) without naming a broken thing.

    Such a text is no fault of a city facility: a report would ask the
    resident to photograph neighbours or strangers. A text that also names a
    fault (公園のトイレが壊れてて、夜中に騒いでる人がいる) is a report.
    """
    normalized = visible_nfkc(text)
    forms = (normalized, fold_kana(normalized))
    if not any(_NEIGHBOUR_TROUBLE.search(form) for form in forms):
        return False
    if _FACILITY_WORK.search(normalized):
        return False  # 照明をもっと明るくしてほしい: work on a facility
    return not names_broken_thing(normalized)


def tells_of_a_suspicious_person(text: str) -> bool:
    """Tell whether ``text`` speaks of a suspicious person or car that is no
    emergency now (不審者がいるらしい, 変な人がうろついていると聞いた) and
    names no broken thing. A sighting happening now (不審者がいます) is an
    emergency, and 街灯が消えていて不審者が出る reports the light. Whether a
    text that counts is still a report of a facility (街灯が暗くて不審者が出そう)
    is left to the caller (see ``may_start_report``)."""
    normalized = visible_nfkc(text)
    forms = (normalized, fold_kana(normalized))
    if not any(_SUSPICIOUS_PERSON.search(form) for form in forms):
        return False
    return not is_emergency(text) and not names_broken_thing(normalized)


def names_poor_light_or_sight(text: str) -> bool:
    """Tell whether ``text`` states that a place is dark or hard to see into
    (街灯が暗くて, 電気が切れていて, 植え込みが茂って見通しが悪い). That is a
    condition of a facility that a fault report can fix, where a suspicious
    person is only the worry it brings."""
    return _POOR_LIGHT_OR_SIGHT.search(visible_nfkc(text)) is not None


_POOR_LIGHT_OR_SIGHT = re.compile(
    # 暗くなる前に and 暗くなってから give a time of day, not a dark place.
    r"暗(?!くなる前|くなるまで|くなってから|くなったら)|まっくら"
    # Not a call, a battery or a deadline that ran out (電話が切れた).
    r"|消え|(?<!電話が)(?<!電話)(?<!電池が)(?<!電池)(?<!期限が)(?<!期限)切れ"
    r"|(点|つ)(いて(い)?|か)(な|ず)|見通し|茂|伸び(?!をし)|死角"
    r"|見え(にく|づら)"
)


_SUSPICIOUS_PERSON = re.compile(
    r"不審(者|車|な(人|男|女|車))|ふしん(しゃ|な(ひと|おとこ|おんな|くるま))"
    # 大変な人気 and たいへんな人出 contain 変な人 but speak of crowds.
    r"|(?<!大)(?<!たい)(変|へん|怪し|あやし)(な|い)(人|ひと|男|女|おじさん|おばさん|車)"
)


def tells_of_an_injury(text: str) -> bool:
    """Tell whether ``text`` reports someone who fell or was hurt
    (転んでけがをしました), with no crime, fire or illness in it."""
    normalized = visible_nfkc(text)
    if _INJURY.search(normalized) is None:
        return False
    return _NOT_AN_INJURY.search(normalized) is None


_INJURY = re.compile(
    r"けが|怪我|ケガ|転ん|ころん|転倒|つまず|躓|落ちて|すべって|滑って"
)
_NOT_AN_INJURY = re.compile(
    r"火事|火災|燃え|煙|爆発|不審|泥棒|盗|殴|刺|襲|倒れて(い)?る人|意識|息|救急車"
)


def names_broken_thing(text: str) -> bool:
    """Tell whether ``text`` states that a thing is broken, failing, out of
    place or soiled (壊れ, 点滅, へこんで, ずれて, 詰まって, フン), in kanji or
    kana. Feelings and noise (こわい, うるさい) do not count."""
    normalized = visible_nfkc(text)
    return any(
        _PHYSICAL_FAULT.search(form) for form in (normalized, fold_kana(normalized))
    )


def asks_beyond_a_fault(text: str) -> bool:
    """Tell whether ``text`` is about the resident's own property (うちの排水管,
    家のブロック塀), a fee, a claim, or a new facility (新しくつけてほしい),
    none of which a fault report handles."""
    return _BEYOND_A_FAULT.search(visible_nfkc(text)) is not None


_NEIGHBOUR_TROUBLE = re.compile(
    # Noise and gatherings of people: 若者が騒いでる, 隣の家がうるさい, 足音.
    r"(若者|若い人|人たち|人達|人が|暴走族|子ども|子供|隣|となり|近所|上の階|下の階|住人"
    r"|酔っ|学生|犬が|犬の)[^。!?]{0,20}(騒|さわい|さわぐ|さわが|うるさ|大声|たむろ|花火"
    r"|吠え|ほえ)"
    r"|(騒い|さわい|騒ぐ|さわぐ|大声を出)[^。!?]{0,6}(若者|若い人|人|暴走族|子ども|子供|学生)"
    r"|足音|あしおと|話し声|たむろ|溜まり場|たまり場|音が(うるさ|ひどい|響)|ふかす|空ぶかし"
    # Animals that no facility keeps, alive.
    r"|野良猫|のら猫|のらねこ|野良犬|のら犬|のらいぬ|ハクビシン|はくびしん|ネズミ|ねずみ"
    r"|(カラス|からす|ハト|はと|鳩)(が|に)"
    # Parked vehicles.
    r"|違法駐車|いほうちゅうしゃ|路上駐車|迷惑駐車|駐車違反|停めっぱなし|止めっぱなし"
    r"|(車|バイク)が[^。!?]{0,12}(停まって|止まって|停めて|止めて|停められ|止められ"
    r"|駐車され)"
    # A neighbour's home full of rubbish.
    r"|ごみ屋敷|ゴミ屋敷"
)
# Words of a broken, failing, displaced or soiled thing, which make a text a
# fault report whatever else it complains of. Kana are matched in hiragana.
_PHYSICAL_FAULT = re.compile(
    # Not a call, a battery or a deadline that ran out (電話が切れた).
    r"壊れ|こわれ|破損|割れ|われて|欠け|消え|きえ"
    r"|(?<!途)(?<!電話が)(?<!電話)(?<!電池が)(?<!電池)(?<!期限が)(?<!期限)(?<!息が)切れ"
    r"|きれて|つかな|点かな|穴|あなが"
    r"|陥没|倒れ|たおれ|折れ|おれて|詰ま|つま(って|った|り)|あふれ|溢れ|はがれ|剥がれ|めくれ"
    r"|傾い|かたむ|外れ(て|た)|はずれ(て|た)|ずれ(て|た)|漏れ|もれて|さび|錆|ひび(?![いくか])"
    r"|亀裂|段差|でこぼこ|凸凹|ぼこぼこ|破れ|曲が|まがって|へこ|凹|点滅|ちらつ|ちかちか"
    r"|ぐらぐら|ぐらつ|がたがた|がたつ|がたん|ごとん|鳴って|鳴る|じーじー|止まらな|飛び出"
    r"|とびで|浮い|垂れ|ぶら下が|ぶらさが|はみ出|伸び(?!をし)|ふさ|塞|故障|不具合|損傷|冠水|浸水"
    r"|水たまり|落書き|らくがき|ぬかる|巣|焦げ|こげて|燃え"
    # A noise that a fixture makes: a loose lid under passing cars.
    r"|(マンホール|ふた|蓋|グレーチング|鉄板)[^。!?]{0,20}(音|うるさ)"
    r"|フン|ふん害|糞|吐しゃ|嘔吐|散らか|汚れ"
    # A dead animal, which the city clears from roads and parks.
    r"|死骸|死がい|死んで"
)
# A request for work on a facility against the trouble: a sign, a light, a
# fence (注意の看板をつけてほしい, 照明をもっと明るく).
_FACILITY_WORK = re.compile(
    r"(看板|照明|街灯|街路灯|柵|フェンス|ライト|防犯カメラ)[^。!?]{0,12}"
    r"(つけ|付け|設置|明るく|増や|立て)"
)
_BEYOND_A_FAULT = re.compile(
    # The resident's own things; 家の前の道路 is a place, not a possession.
    r"(うち|家|自宅|自分|私|わたし)の(?!前|近く|横|そば|裏|周り|あたり|向かい|付近|近所|辺)"
    r"|私有|ベランダ|庭の|家の中|室内|屋内"
    # A toilet with no public place named is the resident's own.
    r"|^(?!.*(公園|公衆|駅|広場|施設)).*(トイレ|便器)"
    r"|補償|賠償|弁償|請求|修理代|料金|費用|お金|税"
    r"|要望|新しく|新たに|増や|設置して|つけてほしい|付けてほしい"
    # Throwing a broken thing away (割れた食器は何ごみ?), which the garbage
    # pages cover.
    r"|(何|なに)(ごみ|ゴミ)|(ごみ|ゴミ)の日|(捨て|すて|出し|だし)(方|かた|たい)|処分"
)


def cannot_send_photo(text: str) -> bool:
    """Tell whether ``text`` states that the resident has or can take no
    photo, or would rather phone (写真撮れません, 写真ないです, 電話で伝えたい)."""
    return _NO_PHOTO.search(visible_nfkc(text)) is not None


def asks_about_the_photo(text: str) -> bool:
    """Tell whether ``text`` asks whether a report needs a photo
    (写真なしでも通報できますか, 通報するとき写真は必要ですか)."""
    normalized = visible_nfkc(text)
    if "通報" not in normalized and "つうほう" not in normalized:
        return False
    return _PHOTO_NEEDED.search(normalized) is not None


_PHOTO_NEEDED = re.compile(
    r"写真(なし|無し|なく|がなく|は(必要|必須|いる|要る|いります)|が(必要|必須|いる|要る|いります)"
    r"|を?(撮らないと|送らないと|つけないと))"
)


def asks_after_sending(text: str) -> bool:
    """Tell whether ``text`` is a question about the report once sent: when
    the fault is fixed or whether a reply comes (これはいつ頃直りますか,
    返事はもらえますか)."""
    normalized = visible_nfkc(text)
    if not re.search(r"[?？か]\s*$|ますか|ですか|でしょうか", normalized):
        return False
    return _AFTER_SENDING.search(normalized) is not None


_AFTER_SENDING = re.compile(
    r"(いつ|何日|どのくらい|どれくらい)[^。]{0,8}(直|なお|修理|修繕|対応|工事)"
    r"|(修理|修繕|対応|工事)[^。]{0,6}いつ"
    r"|(返事|返信|連絡|回答)[^。]{0,6}(もらえ|くれ|いただけ|来|く[るれ]|あり)"
)


def asks_photo_count(text: str) -> bool:
    """Tell whether ``text`` is a question about the number of photos allowed
    (写真は何枚まで送れますか, 何枚まで?)."""
    return _PHOTO_COUNT.search(visible_nfkc(text)) is not None


_PHOTO_COUNT = re.compile(r"(写真|画像|しゃしん)?[^。!?]{0,6}(何枚|なんまい|何まい)")


def cannot_give_place(text: str) -> bool:
    """Tell whether ``text`` states that the resident does not know the place
    or how to send it (場所はよくわからない, 地図の送り方がわかりません)."""
    normalized = visible_nfkc(text).strip().rstrip("。.!！").lower()
    return _NO_PLACE.search(normalized) is not None or normalized in _DO_NOT_KNOW


_NO_PHOTO = re.compile(
    r"(写真|しゃしん|画像|カメラ|写メ|しゃめ)(は|が|を)?\s*((撮|と|送|おく)(れ|れへ)(ない|ません|なく|ん)"
    r"|撮って(い)?(ない|ません)|ない|無い|なくて|ありません|持って(い)?ない|使えない|壊れ|無理|むり"
    r"|できな|できませ)"
    r"|写真なし|写真無し|撮影(が|は)?(できな|できませ|無理|むり)|写らな|うつらな|写せな"
    r"|電話で(伝え|話し|連絡|説明|お伝え)"
)
_NO_PLACE = re.compile(
    r"(場所|ばしょ|住所|地図|位置情報|位置|gps)(は|が|の|って)?[^。!?]{0,8}(わから|分から"
    r"|わかり|分かり|わかん|知らな|送れな|送り方|出し方|使い方|どうやって|どう(すれば|したら)"
    r"|出な|出ませ|オフ|off|使えな)"
    r"|(どこ|場所)[^。!?]{0,6}(覚えてな|覚えていな|忘れ)"
)
_DO_NOT_KNOW = frozenset(
    {
        "わかりません",
        "分かりません",
        "わからない",
        "分からない",
        "わかんない",
        "わからん",
        "不明",
        "不明です",
        "覚えてない",
        "覚えていません",
    }
)


def several_faults(text: str) -> bool:
    """Tell whether a first message reports faults of two or more kinds, the
    second added on purpose (街灯が切れてて、その先の歩道にも穴があいてます,
    街灯が点かないのと、その下の道路に穴があります, あと公園の水飲み場も…).

    Each clause that states a fault gets the kind its lexicon terms weigh most;
    a kind counts only at a weight of LEXICON_FLOOR or more. The second kind
    must come after a word that adds a fault (あと, ほかにも, にも, のと), since
    a report often names another object as a landmark or a consequence
    (信号のそばの街灯が消えていて、横断歩道が暗い).
    """
    normalized = intent_normalize(text)
    lexicon = _lexicon()
    kinds: list[str] = []
    added = False
    leads: list[str] = []  # the clause and those since the last fault
    for clause in _CLAUSES.split(normalized):
        leads.append(clause)
        if not any(
            cue.search(clause) for cue in (FAULT_STATE, LOOSE_PART, UNCHANGED_STATE)
        ):
            continue
        scores = score_lexicon(lexicon, clause, landmarks=True)
        kind = max(scores, key=scores.get)
        if scores[kind] >= LEXICON_FLOOR and kind != "other" and kind not in kinds:
            if kinds and any(_adds_a_fault(part) for part in leads):
                added = True
            kinds.append(kind)
        leads = []
    return len(kinds) >= 2 and (added or _AND_ANOTHER.search(normalized) is not None)


LEXICON_FLOOR = 1.5


def _adds_a_fault(clause: str) -> bool:
    """Tell whether ``clause`` adds a fault: it opens with あと or a list
    number, or names a broken thing after an additive も (歩道にも穴が), not
    only a consequence (街灯にもかかって道が暗い)."""
    match = _ADDS_A_FAULT.search(clause)
    if match is None:
        return False
    if match.group("lead"):
        return True
    return names_broken_thing(clause[match.end() :])


# Clause ends: sentence marks, commas, & and a space before a list number
# (① becomes 1 in the normalized text).
# A run of spaces splits only where it starts, so a long run costs linear time.
_CLAUSES = re.compile(r"[。!?\n、,&・]+|(?<!\s)\s+(?=\d)")
# A clause that adds a fault: あと…, ほかにも…, その先の歩道にも穴, ふたも
# ガタガタ. The も after an object is not that of いつも, とても, 子ども or もう.
_ADDS_A_FAULT = re.compile(
    r"^\s*(?P<lead>あと|それと|それから|ほかにも|ほかに|他にも|他に|別に|もう一つ|もうひとつ"
    r"|ついでに|\d)"
    r"|にも|(?<![どとつでてく])も(?![うっしのちら])"
)
# Two faults joined in one clause pair: 街灯が点かないのと、その下の道路に穴,
# 歩道がでこぼこだし、…; or two joined by &.
_AND_ANOTHER = re.compile(r"(ない|てる|ている|ています|ます)のと[、,\s]|だし[、,\s]|&")


@functools.cache
def _lexicon() -> dict[str, dict[str, float]]:
    return load_lexicon()


# Matches of REPAIRED_OR_TAKEN_BACK that also describe a fault's danger
# (安心して歩けない) or mean "nothing more" at the comment step (もう大丈夫です),
# so they take nothing back on their own.
_WEAK_LOOKING_BACK = frozenset({"安心して", "もう大丈夫"})
# A negation or a "but" right after a repair: 直ってません, 直ってないです,
# 直ってたのに.
_NEGATED = re.compile(r"^[^。!?]{0,3}(ません|ない|なく|ず|のに|けど|けれど)")
# A question, which the flow answers as an aside instead.
_ASKING = re.compile(r"[?？]|教えて|ですか|ますか|でしょうか|のか[。\s]*$")


def takes_back_the_fault(text: str) -> bool:
    """Tell whether ``text`` states that the fault being reported is repaired or
    was never there (見間違いでした, もう直ってました) and states no fault now
    (直してもらった街灯がまた消えています states one)."""
    normalized = intent_normalize(text)
    if _ASKING.search(normalized):
        return False
    # A repair placed in the fault's past is history for staff; a retraction
    # stays one whatever the time words.
    earlier = EARLIER_TIME.search(normalized) is not None
    looks_back = any(
        match.group() not in _WEAK_LOOKING_BACK
        and not _NEGATED.search(normalized[match.end() :])
        and (TAKEN_BACK_WORD.search(match.group()) is not None or not earlier)
        for match in REPAIRED_OR_TAKEN_BACK.finditer(normalized)
    )
    return looks_back and not has_fault_evidence(normalized)


def retracts_the_fault(text: str) -> bool:
    """Tell whether ``text`` takes the fault back as a mistake (見間違いでした,
    さっきのは間違いです), not only as repaired (もう直ってました)."""
    if not takes_back_the_fault(text):
        return False
    return takes_message_back(intent_normalize(text))


def thanks_alone(text: str) -> bool:
    """Tell whether ``text`` thanks and adds nothing the draft could take
    (ありがとうございます, 助かります, ありがとうございます🙇). An emoji
    alone (🙇) or OK does not count, since the comment step reads them as
    nothing to add."""
    if classify_text(text) is not TextKind.THANKS:
        return False
    return _THANKS_WORD.search(visible_nfkc(text).lower()) is not None


_THANKS_WORD = re.compile(r"ありがと|有難|有り難|感謝|御礼|お礼|助か|thank|サンキュー")
