"""Personal data in staff texts that cityline publishes with a report.

A staff note given to ``reports set-status`` becomes the report's published
result, and a department name is published with every report. Neither may pin
down a person or a home, because the public views show only the town and a
point rounded to about 100 m. :func:`find_personal_detail` returns the first
part of a text that does, with what to write instead:

- a phone number or an e-mail address (see :mod:`webhook.reports.contact`),
  and a phone number in kanji digits (〇九〇・一二三四・五六七八);
- a named person or home: a name followed by 様, さん, 氏, ちゃん, くん, 君 or
  殿, or by 邸, 宅, 方 or 家 (鈴木一郎様, 田中邸, 山田太郎方), a full name
  (山田花子), a name's home (佐藤の家, 通報者様宅), a name after a person
  of the case (通報者の田中, 近隣の鈴木), and names and handles in Latin
  letters (Mr. Suzuki, Tanaka-san, @yamada123);
- a house-level address: lot and house numbers after a block (1丁目5番地,
  1丁目5-3, 二丁目五), a lot (5番地, 5番3号) and dashed numbers (1-5-3,
  中町1-5), and numbers joined by の (中町2の5の3);
- a flat number (203号室, メゾン武蔵野203号);
- a postal code, and a coordinate with four or more decimals or in degrees
  and minutes (北緯35度42分).

A block alone (中町1丁目) and a name without such a suffix (業者さん,
水道局様, 住民の方, 道路管理課) pass. Names are recognised with Sudachi's
dictionary, which tags surnames and given names (人名), so a role word before
さん or 方 is no name.

NOTE: a name that Sudachi does not tag as one (さくらちゃん, where さくら is a
common noun) passes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from sudachipy import Morpheme, SplitMode

from index.normalize import drop_invisible
from index.sudachi import split_for_sudachi, tokenizer
from webhook.reports.contact import find_contact_detail
from webhook.reports.geo import TOWNS


@dataclass(frozen=True)
class PersonalDetail:
    """A part of a text that pins down a person or a home.

    ``text`` is the matching part of the NFKC-normalised text, ``kind`` names
    what it is (as in "a house-level address") and ``fix`` what to write instead.
    """

    kind: str
    text: str
    fix: str


NAME_KIND = "a named person or home"
NAME_FIX = "leave out the name, or write a role such as 住民の方 in its place"
ADDRESS_KIND = "a house-level address"
ADDRESS_FIX = (
    "write the place at block level, such as 中町1丁目, without lot and house numbers"
)
FLAT_KIND = "a flat number"
FLAT_FIX = "leave out the building and flat, and write the block, such as 中町1丁目"

# Suffixes that make the name before them a person (honorifics) or a home.
HONORIFICS = frozenset({"様", "さま", "さん", "氏", "ちゃん", "くん", "君", "殿"})
HOME_SUFFIXES = frozenset({"邸", "宅", "方", "家"})
# Words for a home after a name and の (佐藤の家).
HOME_WORDS = frozenset({"家", "自宅", "ご自宅", "お宅", "お家", "住まい"})

_NUMBER = r"(?:\d+|[〇一二三四五六七八九十]+)"
# Dashes between address numbers, after NFKC (which turns － into -).
_DASH = "[-‐‑‒–—―−ー]"
_TOWN = "|".join(re.escape(town) for town in TOWNS)
_HOUSE_NUMBER = re.compile(
    # 1丁目5番地, 一丁目五番三号, 1丁目5番3, 1丁目5-3, 1丁目5の3; 1丁目5番
    # alone is a block (街区) of the residence indication system, not a house
    rf"{_NUMBER}\s*丁目\s*{_NUMBER}\s*"
    rf"(?:番地|番\s*{_NUMBER}|号|{_DASH}\s*\d+|の\s*{_NUMBER})"
    # 5番地, 五番地
    rf"|{_NUMBER}\s*番地"
    # 5番3号, 5番の3 (110番 and 119番 are phone calls, not lots)
    rf"|(?<!\d)(?!11[09]\s*番){_NUMBER}\s*番\s*(?:{_NUMBER}\s*号|の\s*{_NUMBER})"
    # 1-5-3: block, lot and house
    rf"|(?<![\d.])\d{{1,3}}{_DASH}\d{{1,4}}{_DASH}\d{{1,4}}(?![\d.])"
    # 中町1-5 (a town's block and lot), but not 中町1-2丁目 (two blocks)
    rf"|(?:{_TOWN})\s*\d{{1,2}}\s*{_DASH}\s*\d{{1,4}}(?:\s*{_DASH}\s*\d{{1,4}})?"
    r"(?!\s*(?:丁目|[\d.]|[本台個件回年月日時分か箇]))"
    # 中町2の5の3 and 中町2の5, numbers joined by の as spoken
    rf"|(?:{_TOWN})\s*{_NUMBER}\s*[のノ]\s*{_NUMBER}(?:\s*[のノ]\s*{_NUMBER})?"
    # 向台町5-7: a town of another city (…町) with its block and lot
    rf"|[\u4e00-\u9fff]{{1,5}}町\s*\d{{1,2}}\s*{_DASH}\s*\d{{1,4}}"
    r"(?!\s*(?:丁目|[\d.]|[本台個件回年月日時分か箇]))"
    # 中町二丁目五: a number after the block, with no counter word after it
    rf"|{_NUMBER}\s*丁目\s*{_NUMBER}"
    # nor a time or a range (2丁目10:00, 1丁目1〜3番)
    r"(?!\s*(?:[\d.:~〜]|[本台個件回年月日時分か箇人名枚m番]|号線))"
)
_BUILDING_NAME = r"[\u30a1-\u30fa\u30fc\u4e00-\u9fff]+"
# Words that end the name of a block of flats: 中町ハイツ203 names a flat.
_FLATS_WORD = (
    "ハイツ|マンション|アパート|コーポ|メゾン|レジデンス|ハイム|ハウス|コート|ヴィラ"
    "|パレス|テラス|ヒルズ|荘|住宅|団地|寮"
)
# A wing or floor between the building and the room: A棟, 3号棟, 3階, 2-.
_WING = rf"(?:[A-Za-z]\s*棟?|\d{{1,2}}\s*(?:号棟|棟|階|{_DASH}))"
_FLAT_NUMBER = re.compile(
    rf"(?:{_BUILDING_NAME}\s*)?{_NUMBER}\s*号室"
    # グランドメゾン武蔵野203号, but not a road (都道113号) or an ordinance (第113号)
    rf"|{_BUILDING_NAME}(?<![道第])\s*\d{{3,4}}\s*号(?![線車機棟館])"
    # 中町ハイツ203, コーポ武蔵野105: a building of flats and a room number
    # メゾン吉祥寺 201, グリーンハイツB-203, 都営関前住宅3号棟204
    rf"|(?:{_FLATS_WORD})(?:[\u30a1-\u30fa\u30fc\u4e00-\u9fff]{{1,4}})?"
    rf"(?<!組合)(?<!会)\s*{_WING}?\s*"
    # but not a quantity: 団地内道路約150メートル, ウッドテラス床板120枚
    rf"(?<!約){_DASH}?\s*\d{{3,4}}"
    r"(?![\d.円件台本人名回年月日時分mｍ枚基戸型区棟軒]"
    r"|\s*(?:世帯|平方|メートル|か所|箇所|cm|kg))"
)
_POSTAL_CODE = re.compile(
    rf"〒\s*(?:\d{{3}}{_DASH}?\d{{4}})?|(?<!\d)\d{{3}}-\d{{4}}(?!\d)"
)
_EXACT_POINT = re.compile(
    r"(?<!\d)\d{2,3}\.\d{4,}"
    # 北緯35度42分11秒: degrees, minutes and seconds
    r"|(?:北緯|南緯|東経|西経)\s*\d{1,3}\s*度\s*\d{1,2}\s*分"
)
# A phone number written in kanji digits: 〇九〇・一二三四・五六七八.
_KANJI_DIGIT = "[〇一二三四五六七八九]"
_PHONE_SEPARATOR = rf"(?:・|\s|{_DASH})?"
_KANJI_PHONE = re.compile(
    rf"{_KANJI_DIGIT}{{2,5}}{_PHONE_SEPARATOR}{_KANJI_DIGIT}{{1,4}}"
    rf"{_PHONE_SEPARATOR}{_KANJI_DIGIT}{{4}}"
)
# Names and handles in Latin letters: Mr. Suzuki, Tanaka-san, @yamada123.
_LATIN_NAME = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+[A-Z][a-z]+"
    r"|\b[A-Z][a-z]+-(?:san|sama|shi|kun|chan)\b"
    # T.Nakamura 様: an initial makes a person (Panasonicさん is a company)
    r"|(?<![A-Za-z])[A-Z]\.\s*[A-Z][a-z]+\s*(?:様|さま|さん|氏|くん|ちゃん)"
    r"|(?<![\w.])@[A-Za-z0-9_]{3,}"
)
# Words for a person in a case, after which a surname with no honorific still
# names someone: 通報者の田中, 近隣の鈴木.
_ROLES = (
    "通報者|申告者|相談者|依頼者|連絡者|発見者|申出人|申出者|住民|住人|近隣|近所|隣家"
    "|隣人|地権者|所有者|管理者|町会長|自治会長"
)
_ROLE_BEFORE_NAME = re.compile(
    rf"(?:{_ROLES})(?:の方|さん|様)?"
    # 通報者の田中, 通報者 田中, 通報者:田中, 通報者(田中), 通報者=藤井,
    # 通報者・西村, 通報者【原田】, 通報者は太田, 通報者福田 (after NFKC)
    r"(?:の|は|\s*[:(「『【=・]\s*|\s+|)"
)
# A surname before a role in brackets: 竹内(通報者).
_NAME_BEFORE_ROLE = re.compile(rf"\s*[(「『【]\s*(?:{_ROLES})\s*[)」』】]")
# A person named by how they called themselves: 遠藤と名乗る方.
_SELF_NAMED = re.compile(r"[\u3041-\u3096\u4e00-\u9fff\u30a1-\u30fa]{1,8}と名乗")
# A resident's display name in quotes: LINEの表示名「ゆうき」さん.
_QUOTED_NAME = re.compile(
    r"(?:表示名|名前|アカウント名?|ユーザー名|ニックネーム|line名)(?:は|が|の|:)?\s*"
    r"[「『][^」』]{1,16}[」』]",
    re.IGNORECASE,
)
# A LINE user, group or room id: U, C or R and 32 hexadecimal digits.
_LINE_ID = re.compile(
    r"(?<![0-9A-Za-z])[UCR][0-9a-fA-F]{32}(?![0-9A-Za-z])"
    # 通報者のLINE ID hanako_0312
    r"|line\s*id\s*[:=]?\s*[A-Za-z0-9._-]{3,}",
    re.IGNORECASE,
)
# A car's number plate: 品川 500 さ 77-01, 練馬300あ1234, なにわ 300 あ 12-34.
# The office name is one to four kanji or kana, the class two or three
# digits, the kana one hiragana, and the number four digits, with a dash
# after the second or dots for missing digits (・・12). A number of fewer
# digits (街灯12と13) is a count, not a plate.
_NUMBER_PLATE = re.compile(
    r"[\u3041-\u3096\u4e00-\u9fff\u30a1-\u30fa]{1,4}\s*\d{2,3}\s*"
    r"[\u3041-\u3093]\s*(?:\d{2}\s*-?\s*\d{2}|[・･.]{1,3}\s*\d{1,3})(?![\d番号])"
)
# A home named by its resident, with or without a name that Sudachi tags:
# 通報者様宅, 田中さんの家.
_HONORIFIC_HOME = re.compile(
    # (近隣の皆様方 is everyone nearby)
    r"[\u3041-\u3096\u4e00-\u9fff\u30a1-\u30fa]{1,6}(?<!皆)(?:様|さま|さん|氏)"
    r"(?:宅|方|の家|のお宅|の自宅|のお家)"
)

_PATTERNS = (
    (_LINE_ID, "a LINE user id", "leave it out"),
    (_NUMBER_PLATE, "a number plate", "leave it out, or write 車 in its place"),
    (_HOUSE_NUMBER, ADDRESS_KIND, ADDRESS_FIX),
    (_FLAT_NUMBER, FLAT_KIND, FLAT_FIX),
    (_POSTAL_CODE, "a postal code", "leave it out"),
    (
        _EXACT_POINT,
        "an exact point",
        "leave it out, and name the block instead, such as 中町1丁目",
    ),
    (_HONORIFIC_HOME, NAME_KIND, NAME_FIX),
    (
        _KANJI_PHONE,
        "a phone number",
        "leave it out; only the city hall's number may be published",
    ),
    (_LATIN_NAME, NAME_KIND, NAME_FIX),
)


def find_personal_detail(
    text: str, allowed_phone: str | None = None
) -> PersonalDetail | None:
    """Return the first part of ``text`` that pins down a person or a home, or None.

    ``allowed_phone`` is a number that may appear, such as the city hall's. The
    text is NFKC-normalised first, so the returned part is in that form
    (half-width digits).
    """
    return _find_cached(text, allowed_phone)


def find_personal_details(
    text: str, allowed_phone: str | None = None, limit: int = 10
) -> list[PersonalDetail]:
    """Return every part of ``text`` that pins down a person or a home, at most
    ``limit``, in the order :func:`find_personal_detail` finds them.

    Each part found is blanked out before the next search, so that one error
    lists the phone number and the name beside it together.
    """
    rest = drop_invisible(unicodedata.normalize("NFKC", text))
    found: list[PersonalDetail] = []
    while len(found) < limit:
        detail = _find_cached(rest, allowed_phone)
        if detail is None or not detail.text or detail.text not in rest:
            break
        found.append(detail)
        rest = rest.replace(detail.text, " ")
    return found


# Open311 checks every public note on each request, and notes repeat.
@lru_cache(maxsize=4096)
def _find_cached(text: str, allowed_phone: str | None) -> PersonalDetail | None:
    # A zero-width space inside a name or a number must not hide it.
    normalized = drop_invisible(unicodedata.normalize("NFKC", text))
    if allowed_phone:
        normalized = _phone_layouts(allowed_phone).sub(" ", normalized)
    contact = find_contact_detail(normalized)
    if contact is not None:
        if re.search(r"[A-Za-z@]", contact):
            return PersonalDetail("an e-mail address", contact, "leave it out")
        return PersonalDetail(
            "a phone number",
            contact,
            "leave it out; only the city hall's number may be published",
        )
    name = find_named_person(normalized)
    if name is not None:
        return PersonalDetail(NAME_KIND, name, NAME_FIX)
    for pattern, kind, fix in _PATTERNS:
        match = pattern.search(normalized)
        if match is not None:
            return PersonalDetail(kind, match.group().strip(), fix)
    return None


@lru_cache(maxsize=8)
def _phone_layouts(phone: str) -> re.Pattern[str]:
    """Return a pattern for ``phone`` written with any dashes, spaces or
    brackets or dots between its digits: 0422-51-5131, (0422)51-5131,
    0422 51 5131, 0422.51.5131."""
    digits = [d for d in unicodedata.normalize("NFKC", phone) if d.isdigit()]
    gap = rf"(?:\s|[()（）.・]|{_DASH})*"
    body = gap.join(re.escape(d) for d in digits)
    return re.compile(rf"(?<!\d)\(?{body}(?!\d)")


def find_named_person(text: str) -> str | None:
    """Return the first named person or home in ``text`` (鈴木一郎様, 田中邸,
    山田花子, 佐藤の家), or None.

    A name is a word that Sudachi tags 人名, or a word missing from its
    dictionary. A run of names counts when an honorific or a home suffix follows
    it, when it is a surname followed by a given name, or when の and a word for
    a home follow it. A place name (地名) counts before an honorific only,
    since 吉祥寺さん is a person but 吉祥寺宅 is no phrase.
    """
    for piece_start, piece in _pieces(text):
        words = list(tokenizer().tokenize(piece, SplitMode.C))
        found = _named_person_span(words)
        if found is not None:
            start, end = found
            return text[piece_start + start : piece_start + end]
    for pattern in (_SELF_NAMED, _QUOTED_NAME):
        match = pattern.search(text)
        if match is not None:
            return match.group()
    return _name_after_role(text) or _name_before_role(text)


def _name_after_role(text: str) -> str | None:
    """Return a name that follows a word for a person in the case (通報者の田中,
    近隣の鈴木から, 通報者 田中, 通報者(田中), 通報者 Kobayashi), or None."""
    for match in _ROLE_BEFORE_NAME.finditer(text):
        rest = text[match.end() : match.end() + 20]
        latin = re.match(r"[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?", rest)
        if latin is not None:
            return text[match.start() : match.end() + latin.end()]
        words = list(tokenizer().tokenize(rest, SplitMode.C))
        if words and _is_surname(words[0]) and not _starts_compound(words[1:]):
            return text[match.start() : match.end() + words[0].end()]
    return None


def _starts_compound(following: list[Morpheme]) -> bool:
    """Tell whether the word after a name makes it part of a place's name: a
    common noun follows (住民の森公園), not a particle or a suffix (田中様)."""
    if not following:
        return False
    part = following[0].part_of_speech()
    return part[0] == "名詞" and part[1] != "接尾辞"


def _name_before_role(text: str) -> str | None:
    """Return a name followed by a role in brackets (竹内(通報者)), or None."""
    for match in _NAME_BEFORE_ROLE.finditer(text):
        before = text[max(0, match.start() - 10) : match.start()]
        words = list(tokenizer().tokenize(before, SplitMode.C))
        if words and _is_surname(words[-1]):
            start = match.start() - len(words[-1].surface())
            return text[start : match.end()]
    return None


def _is_surname(word: Morpheme) -> bool:
    """Tell whether Sudachi tags ``word`` as a person's name; some of the city's
    towns (西久保, 関前) are tagged as surnames and do not count."""
    return word.part_of_speech()[2] == "人名" and word.surface() not in TOWNS


def _pieces(text: str):
    """Yield (offset, piece) for the pieces of ``text`` that Sudachi accepts."""
    offset = 0
    for piece in split_for_sudachi(text):
        yield offset, piece
        offset += len(piece)


def _named_person_span(words: list[Morpheme]) -> tuple[int, int] | None:
    """Return the (start, end) character span of the first named person in
    ``words``, the morphemes of one piece, or None."""
    index = 0
    while index < len(words):
        if not (_is_name(words[index]) or _is_place(words[index])):
            index += 1
            continue
        last = _run_end(words, index)
        run = [word for word in words[index : last + 1] if not _is_space(word)]
        has_person = any(_is_name(word) for word in run)
        following = _next_word(words, last + 1)
        suffix = words[following].surface() if following is not None else ""
        start = words[index].begin()
        # 三鷹市さん, 東京都さん: a public body addressed politely, no person.
        body = not has_person and run[-1].surface()[-1:] in _BODY_ENDINGS
        if (suffix in HONORIFICS and not body) or (
            has_person and suffix in HOME_SUFFIXES
        ):
            end = following
            home = _next_word(words, following + 1)
            if suffix in HONORIFICS and home is not None:
                # 山田様宅, 斎藤様方: the home of the person named
                end = home if words[home].surface() in HOME_SUFFIXES else end
            return start, words[end].end()
        if has_person and _is_full_name(run):
            return start, words[last].end()
        if has_person and suffix == "の":
            home = _next_word(words, following + 1)
            if home is not None and words[home].surface() in HOME_WORDS:
                return start, words[home].end()
        index = last + 1
    return None


# Last characters of a place name that names a public body (三鷹市, 東京都).
_BODY_ENDINGS = frozenset("市区町村都道府県")


def _run_end(words: list[Morpheme], start: int) -> int:
    """Return the index of the last name in the run of names from ``start``,
    which may have single spaces between names (田中 一郎)."""
    last = start
    probe = start + 1
    while probe < len(words):
        if _is_name(words[probe]) or _is_place(words[probe]):
            last = probe
        elif not _is_space(words[probe]):
            break
        probe += 1
    return last


def _next_word(words: list[Morpheme], start: int) -> int | None:
    """Return the index of the first morpheme from ``start`` that is no space."""
    for index in range(start, len(words)):
        if not _is_space(words[index]):
            return index
    return None


def _is_name(word: Morpheme) -> bool:
    """Tell whether ``word`` is a person's name, or a word Sudachi does not know
    written in kanji or kana (a rare name)."""
    pos = word.part_of_speech()
    if pos[1] == "固有名詞" and pos[2] == "人名":
        return True
    return word.is_oov() and _NAME_CHARACTERS.fullmatch(word.surface()) is not None


def _is_place(word: Morpheme) -> bool:
    pos = word.part_of_speech()
    return pos[1] == "固有名詞" and pos[2] == "地名"


def _is_space(word: Morpheme) -> bool:
    return word.part_of_speech()[0] == "空白"


def _is_full_name(run: list[Morpheme]) -> bool:
    """Tell whether a surname is directly followed by a given name in ``run``."""
    return any(
        first.part_of_speech()[3] == "姓" and second.part_of_speech()[3] == "名"
        for first, second in zip(run, run[1:], strict=False)
    )


_NAME_CHARACTERS = re.compile(r"[\u3005\u3041-\u3096\u30a1-\u30fa\u30fc\u4e00-\u9fff]+")
