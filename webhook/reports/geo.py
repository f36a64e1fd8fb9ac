"""Places in reports: the city boundary, distances and addresses typed as text.

The boundary is a rough polygon drawn by hand around Musashino City (about
35.69-35.73 N, 139.52-139.60 E). It is only an approximation: a point a hundred
metres or so either side of the real city limit can be classified wrongly. That is
acceptable because the result only adds a note for the resident, and staff decide
which body manages the place.
"""

from __future__ import annotations

import math
import re
import unicodedata

from index.normalize import fold_kana, visible_nfkc
from index.romaji import romaji_spelling
from webhook.reports.contact import without_contact_details

EARTH_RADIUS_M = 6_371_000.0

# (latitude, longitude) corners of the approximate boundary, clockwise from the
# south-east corner near Inokashira Park.
CITY_POLYGON: tuple[tuple[float, float], ...] = (
    (35.6960, 139.5990),
    (35.7200, 139.5990),
    (35.7290, 139.5850),
    (35.7290, 139.5600),
    (35.7220, 139.5370),
    (35.7120, 139.5240),
    (35.6980, 139.5250),
    (35.6920, 139.5400),
    (35.6960, 139.5700),
)

# The city's towns (町名), each with its last block (丁目). 境 alone is too common
# a character, so it is matched only when a block number follows (境1丁目, 境2-3).
TOWN_BLOCKS = {
    "吉祥寺東町": 4,
    "吉祥寺南町": 5,
    "吉祥寺本町": 4,
    "吉祥寺北町": 5,
    "御殿山": 2,
    "中町": 3,
    "西久保": 3,
    "緑町": 3,
    "八幡町": 4,
    "関前": 5,
    "境南町": 5,
    "桜堤": 3,
    "境": 5,
}
TOWNS = tuple(TOWN_BLOCKS)
_TOWN_PATTERN = re.compile(
    "|".join(re.escape(town) for town in TOWNS if town != "境")
    + r"|境(?=[0-9一二三四五]\s*(丁目|-|−|ー|の))"
)
# Any town name, 境 alone included (find_town wants 境 followed by a block), but
# not 境 inside another word (市境, 境内).
_ANY_TOWN = re.compile(
    "|".join(re.escape(town) for town in TOWNS if town != "境")
    + r"|(?<![\u4e00-\u9fff])境(?![\u4e00-\u9fff])"
)
_KANJI_DIGITS = "一二三四五六七八九十"
# A place name: kanji, katakana or Latin letters and digits, but no hiragana, so
# that うちの近くの公園 or いつもの通り name no place.
_NAME = r"[0-9A-Za-z\u3005\u30a1-\u30fa\u30fc\u4e00-\u9fff]"
# Units after a number range that make it a size, a time or a price, not a block
# number (30-40cm, 10-15分).
_UNIT_AFTER = (
    r"(?!\s*(?:[0-9]|cm|mm|km|kg|m(?![a-z])|センチ|ミリ|メートル|キロ|分|秒|時|円|歳|才"
    r"|%|個|本|台|人|回|日|階|枚|件|度|年|月|週|か所|箇所))"
)
_DASH = "[-−ー‐‑‒–—―]"
_PHONE_PATTERN = re.compile(rf"0\d{{1,4}}{_DASH}\d{{1,4}}{_DASH}\d{{3,4}}")
# A named area's block (下連雀3丁目): the name says where the block is.
_NAMED_BLOCK_PATTERN = re.compile(rf"{_NAME}{{2,}}\s*[0-9{_KANJI_DIGITS}]+\s*丁目")
# Numbers that narrow a town down: a block (境1丁目), block numbers (2-3, 1-2-3)
# and a lot (12番地). Alone they name no town.
_NUMBER_PATTERN = re.compile(
    rf"[0-9{_KANJI_DIGITS}]+\s*丁目"
    rf"|(?<![0-9]){_DASH}?\d{{1,4}}\s*{_DASH}\s*\d{{1,4}}(\s*{_DASH}\s*\d{{1,4}})?"
    + _UNIT_AFTER
    # 110番 and 119番 are phone calls, not lots.
    + r"|(?<!\d)(?!11[09]\s*番)\d+\s*番(?![目め])"
)
_LANDMARK_PATTERN = re.compile(
    rf"{_NAME}{{2,}}(駅|公園|交差点|小学校|中学校|高校|高等学校|大学|病院|図書館"
    r"|コミュニティセンター|センター|市役所|役所|会館|体育館|通り|街道|遊歩道|緑道|橋"
    r"|神社|寺|郵便局|商店街|踏切|バス停|団地)"
)
# A town of the city with a place in it that staff can find on a map: 中町の
# 郵便局の前, 中町 セブンイレブンの前. The town narrows a post office, a police
# box or a named chain store down to one or a few. A bare 公園 or コンビニ in a
# whole town could be any of many. The town must start a word (玄関前 contains
# no town 関前), or follow 市, 都 or 内 (武蔵野市中町, 市内中町).
_TOWN_PLACE_PATTERN = re.compile(
    rf"(?:(?<![\u3005\u4e00-\u9fff])|(?<=市)|(?<=都)|(?<=内))"
    rf"(?:{_ANY_TOWN.pattern})(?:の|\s)?"
    r"(郵便局|交番|消防署|小学校|中学校|図書館|セブンイレブン|セブン-イレブン"
    r"|ローソン|ファミリーマート|ファミマ)"
)
# The city hall, which a resident names without the city, as the whole place:
# 市役所の前, 市役所の駐輪場 (not 市役所の人に言われて, nor 北の市役所).
_CITY_HALL_PATTERN = re.compile(
    r"^\s*(武蔵野)?市役所(の)?(前|横|裏|向かい|付近|近く|入口|入り口|駐輪場|駐車場"
    r"|敷地|正面|[東西南北](側|口))"
)
# Names of districts that end like a landmark (寺): 吉祥寺 spans four towns, so
# it names no place that staff can find.
AREA_NAMES = frozenset({"吉祥寺"})
# Neighbouring cities and wards: a typed address that names one of them is outside.
NEIGHBOURS = ("三鷹市", "杉並区", "練馬区", "西東京市", "小金井市", "調布市")

MAX_ADDRESS_CHARS = 200


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in metres between two points in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = (
        math.sin(dphi / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def is_valid_point(latitude: float | None, longitude: float | None) -> bool:
    """Return True for a finite latitude in -90..90 and longitude in -180..180."""
    if latitude is None or longitude is None:
        return False
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return False
    return -90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0


def is_inside_city(latitude: float, longitude: float) -> bool:
    """Return True when the point lies inside the approximate city polygon.

    Uses ray casting on the (latitude, longitude) plane, which is accurate enough
    over a few kilometres.
    """
    inside = False
    corners = CITY_POLYGON
    previous = corners[-1]
    for current in corners:
        lat_a, lon_a = previous
        lat_b, lon_b = current
        if (lon_a > longitude) != (lon_b > longitude):
            crossing = lat_a + (longitude - lon_a) * (lat_b - lat_a) / (lon_b - lon_a)
            if latitude < crossing:
                inside = not inside
        previous = current
    return inside


def metres_outside(latitude: float, longitude: float) -> float:
    """Return how far the point lies outside the approximate city polygon, in
    metres: 0 inside, else the distance to its nearest edge.

    Distances use a flat projection around the point, which is accurate to a
    few metres over the city's size and good enough for far points.
    """
    if is_inside_city(latitude, longitude):
        return 0.0
    metres_per_lat = math.pi * EARTH_RADIUS_M / 180
    metres_per_lon = metres_per_lat * math.cos(math.radians(latitude))

    def flat(corner: tuple[float, float]) -> tuple[float, float]:
        return (
            (corner[1] - longitude) * metres_per_lon,
            (corner[0] - latitude) * metres_per_lat,
        )

    corners = [flat(corner) for corner in CITY_POLYGON]
    return min(
        _distance_to_segment(corners[index - 1], corners[index])
        for index in range(len(corners))
    )


def _distance_to_segment(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the distance from the origin to the segment from ``a`` to ``b``."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length_squared = dx * dx + dy * dy
    share = 0.0
    if length_squared > 0:
        share = max(0.0, min(1.0, -(a[0] * dx + a[1] * dy) / length_squared))
    return math.hypot(a[0] + share * dx, a[1] + share * dy)


def normalize_address(text: str) -> str:
    """Return ``text`` NFKC-normalized, without invisible characters, with
    whitespace collapsed and cut to length."""
    normalized = visible_nfkc(text)
    return " ".join(normalized.split())[:MAX_ADDRESS_CHARS]


# Kana spellings of the towns, for a place typed without conversion.
TOWN_READINGS = {
    "きちじょうじひがしちょう": "吉祥寺東町",
    "きちじょうじみなみちょう": "吉祥寺南町",
    "きちじょうじほんちょう": "吉祥寺本町",
    "きちじょうじきたまち": "吉祥寺北町",
    "ごてんやま": "御殿山",
    "なかちょう": "中町",
    "にしくぼ": "西久保",
    "みどりちょう": "緑町",
    "はちまんちょう": "八幡町",
    "せきまえ": "関前",
    "きょうなんちょう": "境南町",
    "さくらづつみ": "桜堤",
    "さかい": "境",
}
# A town in kana and the numbers after it, each with its unit in kana:
# なかちょう1ちょうめ5ばん.
_KANA_ADDRESS = re.compile(
    "(?P<town>"
    + "|".join(sorted(TOWN_READINGS, key=len, reverse=True))
    + r")(?P<numbers>\s*[0-9]+\s*(?:ちょうめ|ばんち|ばん|ごう|-)"
    r"(?:\s*[0-9]+\s*(?:ちょうめ|ばんち|ばん|ごう|-|の)?)*)"
)
_KANA_UNITS = {"ちょうめ": "丁目", "ばんち": "番地", "ばん": "番", "ごう": "号"}
_KANA_UNIT = re.compile("|".join(_KANA_UNITS))


def kana_address_as_written(text: str) -> str:
    """Return ``text`` with a town and its numbers typed in kana written as an
    address is: なかちょう1ちょうめ5ばん (or ナカチョウ1チョウメ5バン) gives
    中町1丁目5番. The numbers must be digits, the first with its unit. A text
    with no such address comes back unchanged."""
    normalized = visible_nfkc(text)
    romaji = romaji_address_as_written(normalized)
    if romaji is not None:
        return romaji
    # Folding keeps each character in its place, so a match in the folded text
    # marks the same span of the text as typed (ローソン stays in katakana).
    folded = fold_kana(normalized)
    parts, last = [], 0
    for match in _KANA_ADDRESS.finditer(folded):
        parts += [normalized[last : match.start()], _written_address(match)]
        last = match.end()
    return "".join([*parts, normalized[last:]]) if parts else text


def romaji_address_as_written(text: str) -> str | None:
    """Return ``text`` spelled from romaji with its town and numbers written as
    an address is, or None when ``text`` is no romaji or names no town with a
    block or a dashed number. nakacho 1-chome 5 gives 中町1丁目5番, and
    konbini no mae, Kichijoji Honcho 1-2 gives こんびに の まえ, 吉祥寺本町1-2.

    Romaji mostly leaves long vowels out (Kichijoji for きちじょうじ), so the
    う of a long vowel in a town's reading may be missing. A town starts a
    word: おさかい contains no 境. A bare number after a town (sakai 2, 境 as a
    border) is no address.
    """
    spelled = romaji_spelling(visible_nfkc(text))
    if spelled is None:
        return None
    match = _ROMAJI_ADDRESS.search(spelled)
    if match is None:
        return None
    town = TOWN_READINGS[_town_reading(match)]
    first, second = match["first"], match["second"]
    if match["chome"]:
        address = f"{town}{first}丁目" + (f"{second}番" if second else "")
    elif second:
        address = f"{town}{first}-{second}"
    else:
        return None
    return spelled[: match.start()] + address + spelled[match.end() :]


def _town_reading(match: re.Match) -> str:
    """Return the reading in TOWN_READINGS whose pattern matched the town of
    an _ROMAJI_ADDRESS match."""
    return next(
        reading
        for index, reading in enumerate(_ROMAJI_TOWN_ORDER)
        if match[f"town{index}"] is not None
    )


# Kana after which a う lengthens the vowel, which romaji mostly leaves out.
_LONG_U_AFTER = "おこごそぞとどのほぼぽもよろょうくぐすずつづぬふぶぷむゆるゅ"
# Hepburn romaji writes づ and ぢ as zu and ji, so sakurazutsumi spells
# さくらずつみ for 桜堤 (さくらづつみ).
_ROMAJI_VOICED = {"づ": "[づず]", "ぢ": "[ぢじ]"}


def _loose_reading(kana: str) -> str:
    """Return a pattern of a town's reading as romaji spells it. A space or a
    dash may come between its letters (naka-cho), the う of a long vowel may
    be missing, and づ or ぢ may be spelled ず or じ."""
    parts = []
    for index, char in enumerate(kana):
        following = kana[index + 1 : index + 2]
        if char == "う" and index and kana[index - 1] in _LONG_U_AFTER:
            parts.append("う?")
        elif char == "ん" and following in _N_BEFORE_Y:
            # gotenyama reads as ごてにゃま, since romaji writes ん before や
            # with one n.
            parts.append(f"(?:ん[\\s-]?{following}|{_N_BEFORE_Y[following]})")
        elif index and kana[index - 1] == "ん" and char in _N_BEFORE_Y:
            continue
        elif char in _ROMAJI_VOICED:
            parts.append(_ROMAJI_VOICED[char])
        else:
            parts.append(re.escape(char))
    return r"[\s-]?".join(parts)


# や, ゆ and よ after ん, and the kana that romaji with one n gives for them.
_N_BEFORE_Y = {"や": "にゃ", "ゆ": "にゅ", "よ": "にょ"}


# A town at the start of a word, then a number with ちょうめ or a dash and a
# second number: なかちょ 1-ちょめ 5 as spelled from nakacho 1-chome 5.
_ROMAJI_TOWN_ORDER = sorted(TOWN_READINGS, key=len, reverse=True)
_ROMAJI_ADDRESS = re.compile(
    "(?<![ぁ-ゖ])(?P<town>"
    + "|".join(
        f"(?P<town{index}>{_loose_reading(kana)})"
        for index, kana in enumerate(_ROMAJI_TOWN_ORDER)
    )
    + r")\s*(?P<first>[0-9]+)\s*-?\s*(?P<chome>ちょう?め)?\s*-?\s*(?P<second>[0-9]+)?"
    # The unit of the second number, as 5 ban spells it.
    r"(?:(?<=[0-9])\s*(?:ばんち|ばん))?"
)


def _written_address(match: re.Match) -> str:
    numbers = _KANA_UNIT.sub(lambda unit: _KANA_UNITS[unit.group()], match["numbers"])
    return TOWN_READINGS[match["town"]] + numbers


def tidy_place(text: str, keep_if_empty: bool = True) -> str:
    """Return the place that ``text`` gives, without the words around it.

    A lead-in (場所は, 住所：, えっと), a clause saying the address is not known
    (住所は分からないけど) and a closing copula (です, になります) go, so that
    場所は境南町2丁目10番の前です gives 境南町2丁目10番の前. Landmarks and
    positions stay whole. A phone number, an e-mail address, emoji and a
    closing よろしくお願いします go too. When nothing would be left, returns the
    normalised text (see :func:`normalize_address`), or "" without
    ``keep_if_empty``.
    """
    normalized = normalize_address(text)
    tidy = without_contact_details(normalized)
    tidy = "".join(" " if _is_emoji_part(char) else char for char in tidy)
    tidy = " ".join(tidy.split())
    tidy = _PLEASANTRY_END.sub("", tidy)
    tidy = _CONTACT_LABEL_END.sub("", tidy)
    tidy = _UNKNOWN_PART.sub(_join_around_unknown, tidy, count=1)
    tidy = _PLACE_LEAD.sub("", tidy, count=1)
    tidy = _PLACE_END.sub("", tidy, count=1).strip()
    if len(tidy) >= 2 or not keep_if_empty:
        return tidy
    return normalized


def _is_emoji_part(char: str) -> bool:
    """Tell whether ``char`` is an emoji or another picture symbol (🙏, ★), or a
    joiner that builds emoji; math signs and arrows (～, →) stay."""
    return unicodedata.category(char) == "So" or char in "\u200d\ufe0f"


def _join_around_unknown(match: re.Match) -> str:
    """Join the parts before and after a clause saying the address is unknown:
    中町2丁目の番地は分からないけど、郵便局の前 gives 中町2丁目の郵便局の前."""
    before = match.group("before")
    if not before:
        return ""
    return before.removesuffix("で") + ("" if before.endswith("の") else "、")


# The label left of a contact detail once its number or address is removed:
# 電話は, TEL:.
_CONTACT_LABEL_END = re.compile(
    r"[、,\s]*(?:電話|連絡先|携帯|tel|メール)(?:番号)?\s*(?:は|:)?\s*(?:です)?[。.\s]*$",
    re.IGNORECASE,
)
# Greetings at the end of a place: …の前です。よろしくお願いします.
_PLEASANTRY_END = re.compile(
    r"[、,。.!\s]*(?:よろしく(?:お願い(?:します|いたします|致します))?(?:です)?"
    r"|お願いします|お願いいたします)[。.!\s]*$"
)
# A clause that the street number or address is not known, and what came
# before it in the same text (a town given first: 中町2丁目の番地は…).
_UNKNOWN_PART = re.compile(
    r"(?P<before>^.*?)"
    r"(?:正確な|詳しい|くわしい)?(?:住所|番地|場所)(?:は|が)?[、,\s]*(?:ちょっと|よく)?\s*"
    r"(?:(?:分から|わから|知ら)(?:ない|なく|ず)|(?:分かり|わかり|知り)ません)"
    r"(?:です|んです|のです)?(?:けど|けれど|けれども|が|ので)?[、,。\s]*"
)
# Fillers, a clause without subject that something is not known, and 場所は
# before a place.
_PLACE_LEAD = re.compile(
    r"^(?:(?:えっと|えーと|ええと|あの|あのー|すみません|すいません"
    r"|さっき(?:書いた|言った|送った)(?:とおり|通り))[、,\s]*)*"
    r"(?:(?:分から|わから|知ら)(?:ない|なく|ず)"
    r"(?:です|んです|のです)?(?:けど|けれど|けれども|が|ので)?[、,。\s]*)?"
    r"(?:(?:場所|住所|所在地|位置)\s*(?:は|が|:)\s*)?"
)
_PLACE_END = re.compile(
    r"(?:だと思うんですけど|と思うんですけど|かと思います|だと思います|と思います"
    r"|です|でございます|になります|だよ|だね)?"
    r"[\s。.!?…]*$"
)


def find_town(text: str) -> str | None:
    """Return the first town name of the city in ``text``, or None."""
    match = _TOWN_PATTERN.search(normalize_address(text))
    return match.group(0) if match else None


# A town with its block: 中町9丁目, 中町 九丁目, 中町9-3 (the first number of a
# dashed address is the block). The town starts a word or follows 市, 都 or 内.
_TOWN_BLOCK_PATTERN = re.compile(
    rf"(?:(?<![\u3005\u4e00-\u9fff])|(?<=市)|(?<=都)|(?<=内))"
    rf"(?P<town>{'|'.join(re.escape(town) for town in TOWNS)})の?"
    rf"(?P<block>[0-9]+|[{_KANJI_DIGITS}]+)(?:丁目|{_DASH}[0-9]+(?![0-9]){_UNIT_AFTER})"
)


def unknown_block(text: str) -> tuple[str, int, int] | None:
    """Return ``(town, block, last block)`` for a block that the town does not
    have (中町9丁目: 中町 ends at 3丁目), or None.

    An address of another city is never checked: neighbours share town names
    (西東京市中町5丁目 exists).
    """
    normalized = normalize_address(text)
    if address_is_outside_city(normalized):
        return None
    # Spaces typed inside a town or before its block (吉祥寺 東町 5丁目, 中町 の 9
    # 丁目) hide nothing.
    compact = "".join(_PHONE_PATTERN.sub(" ", normalized).split())
    for match in _TOWN_BLOCK_PATTERN.finditer(compact):
        town = match.group("town")
        block = _block_number(match.group("block"))
        if block is not None and not 1 <= block <= TOWN_BLOCKS[town]:
            return town, block, TOWN_BLOCKS[town]
    return None


def _block_number(digits: str) -> int | None:
    """Return the value of a block number in digits or kanji (12, 九, 十二),
    or None when the kanji do not spell a number."""
    if digits.isdigit():
        return int(digits)
    values = [_KANJI_DIGITS.index(char) + 1 for char in digits]
    if values == [10]:
        return 10
    if len(values) == 1:
        return values[0]
    if len(values) == 2 and values[0] == 10:
        return 10 + values[1]  # 十二
    if len(values) == 2 and values[1] == 10:
        return values[0] * 10  # 二十
    if len(values) == 3 and values[1] == 10:
        return values[0] * 10 + values[2]  # 二十一
    return None


# Place names in and next to the city that residents write with a hiragana の,
# which _NAME leaves out so that うちの近くの公園 names no place. Their other
# spelling (井ノ頭) already reads as a name.
NAMES_WITH_NO = {"井の頭": "井ノ頭"}


def _spell_names(text: str) -> str:
    """Return ``text`` with each name of NAMES_WITH_NO in its katakana-ノ spelling."""
    for name, spelling in NAMES_WITH_NO.items():
        text = text.replace(name, spelling)
    return text


def looks_like_address(text: str) -> bool:
    """Return True when ``text`` pins down a place well enough for staff.

    Accepted: a town of the city with numbers (境1丁目, 中町2-3, 緑町12番地), a
    named area's block (下連雀3丁目), a named landmark (吉祥寺駅, 中央公園,
    武蔵野市役所の前, 五日市街道の交差点, 井の頭公園の池), a town with a place
    in it (中町の郵便局の前, 中町 セブンイレブンの前), or a spot at the city hall
    (市役所の前). Not accepted: a town alone (中町, a whole town), numbers alone
    (1-2, 12番地: which town?), a phone number, a number range with a unit
    (30-40cm, 10-15分), and a place named without a name (近くの公園, いつもの通り).
    """
    normalized = _PHONE_PATTERN.sub(" ", _spell_names(normalize_address(text)))
    if len(normalized.strip()) < 2 or unknown_block(normalized) is not None:
        return False
    if _names_landmark(normalized):
        return True
    if _TOWN_PLACE_PATTERN.search(normalized) or _CITY_HALL_PATTERN.search(normalized):
        return True
    if _NAMED_BLOCK_PATTERN.search(normalized):
        return True
    return bool(find_town(normalized) and _NUMBER_PATTERN.search(normalized))


def names_street_address(text: str) -> bool:
    """Tell whether ``text`` gives a street address: a town of the city with
    numbers (中町1丁目5番) or a named area's block (下連雀3丁目).

    Stricter than :func:`looks_like_address`, which also takes a landmark: a
    report's first text often names a landmark only to say what is broken
    (児童公園のブランコが壊れています), where the place is still to be asked.
    """
    normalized = _PHONE_PATTERN.sub(" ", normalize_address(text))
    if unknown_block(normalized) is not None:
        return False
    if _NAMED_BLOCK_PATTERN.search(normalized):
        return True
    return bool(find_town(normalized) and _NUMBER_PATTERN.search(normalized))


# The end of a street address after its numbers: 番地, 号, and a position next
# to the address (の前, 先, 付近, の角, あたり).
_ADDRESS_TAIL = re.compile(
    r"(地|号)?(\s*(の\s*)?(前|先|横|裏|角|向かい|手前|付近|近く|あたり|辺り|周辺"
    r"|交差点|十字路|三叉路|角地|間(?!違)))?"
)
# A landmark after a block and the side of it: のローソンの前, の東急百貨店の裏.
_LANDMARK_AFTER = re.compile(
    rf"\s*の\s*{_NAME}{{1,12}}の?(前|裏|横|脇|向かい|近く|付近|角|隣|そば)"
)
# A landmark and its side just before the town: ローソンの前、, ファミマの前の.
_LANDMARK_BEFORE = re.compile(
    rf"{_NAME}{{1,12}}の?(前|裏|横|脇|向かい|近く|付近|角|隣|そば)\s*[の、,]?\s*$"
)
# Lot and house numbers after a block, in digits or kanji: 番3号, 二番三号, 12番地.
_LOT_NUMBERS = re.compile(rf"(\s*[0-9{_KANJI_DIGITS}]+\s*(番地?|号))+|\s*(番地?|号)")
# Words after an address that place the fault away from it (から100m先, より北).
_RELATIVE_AFTER = re.compile(r"\s*(から|より)")
# How far the numbers of an address may lie from its town or block name.
_ADDRESS_SPAN_CHARS = 12


def street_address_phrase(text: str) -> str | None:
    """Return the street address that a sentence names, with its position.

    中町1丁目5番の前の道路に穴 gives 中町1丁目5番の前, and 下連雀3丁目の道路が陥没
    gives 下連雀3丁目. The phrase runs from the town (with 武蔵野市 or 市 before it)
    or the named block through the numbers that follow it within
    _ADDRESS_SPAN_CHARS characters, then a position word if one follows. Returns
    None when ``text`` names no street address (see :func:`names_street_address`).
    """
    normalized = normalize_address(text)
    if unknown_block(normalized) is not None:
        return None
    masked = _PHONE_PATTERN.sub(lambda match: " " * len(match.group()), normalized)
    # A letter may name its town first without numbers (吉祥寺北町に住む者です)
    # and the place later, so each town or block is tried in order.
    starts = sorted(
        match.start()
        for pattern in (_NAMED_BLOCK_PATTERN, _TOWN_PATTERN)
        for match in pattern.finditer(masked)
    )
    found = next(
        (
            (start, end)
            for start in starts
            if (end := _numbers_end(masked, start)) is not None
        ),
        None,
    )
    if found is None:
        return None
    start, end = found
    # 2番3号 and 二番三号: the lot and house numbers after a block.
    lot = _LOT_NUMBERS.match(masked, end)
    if lot is not None:
        end = lot.end()
    tail = _ADDRESS_TAIL.match(masked, end)
    end = tail.end()
    if not tail.group(2):
        # 中町1丁目のローソンの前の道路で: a landmark and its side narrow the
        # block down, so they stay with it.
        landmark = _LANDMARK_AFTER.match(masked, end)
        if landmark is not None:
            end = landmark.end()
    if _RELATIVE_AFTER.match(masked, end):
        # 中町1丁目の交差点から100m先: the place is somewhere else; keep it whole.
        return None
    prefix = re.search(r"(武蔵野)?市\s*$", masked[:start])
    if prefix is not None:
        start = prefix.start()
    before = _LANDMARK_BEFORE.search(masked[:start])
    if before is not None:
        # ローソンの前、中町1丁目の道路に穴: the landmark given first stays.
        start = before.start()
    return normalized[start:end].strip()


def _numbers_end(masked: str, start: int) -> int | None:
    """Return where the numbers of an address starting at ``start`` end, or None
    when no number follows within _ADDRESS_SPAN_CHARS characters."""
    end = None
    for number in _NUMBER_PATTERN.finditer(masked, start):
        if number.start() - (end or start) > _ADDRESS_SPAN_CHARS:
            break
        end = number.end()
    return end


def _names_landmark(text: str) -> bool:
    """Tell whether ``text`` names a landmark that is not part of a town name
    (吉祥寺本町 contains 吉祥寺, which reads as a temple), nor a body whose staff
    or office is meant (武蔵野市役所の人に言われて, 武蔵野赤十字病院に電話した)."""
    towns = [match.span() for match in _ANY_TOWN.finditer(text)]
    for match in _LANDMARK_PATTERN.finditer(text):
        start, end = match.span()
        if any(low <= start and end <= high for low, high in towns):
            continue
        if match.group(0) in AREA_NAMES:
            continue
        if _AS_A_BODY.match(text, end):
            continue
        return True
    return False


# Words after a landmark that name the body rather than the place: its people,
# its site or a call to it (の人, の職員, のホームページ, に電話, から連絡).
_AS_A_BODY = re.compile(
    r"\s*(の\s*(人|ひと|職員|方|かた|担当|係|先生|窓口|ホームページ|hp|HP|サイト|電話"
    r"|案内)|(に|へ|から)\s*(言われ|いわれ|聞い|きい|電話|でんわ|連絡|問い合わせ|相談"
    r"|確認|通報|伝え))"
)


def names_only_a_town(text: str) -> bool:
    """Tell whether ``text`` names a town of the city but nothing narrower."""
    if looks_like_address(text):
        return False
    return _ANY_TOWN.search(normalize_address(text)) is not None


def names_the_city(text: str) -> bool:
    """Tell whether ``text`` names the city itself (東京都武蔵野市吉祥寺南町1丁目)."""
    return "武蔵野市" in normalize_address(text)


def address_is_outside_city(text: str, stations: bool = True) -> bool:
    """Return True when typed text names another city or ward, unless it names
    武蔵野市 too.

    Another city is a neighbour (三鷹市), one of Tokyo's wards (新宿区), a
    prefecture other than Tokyo, or any city or ward name directly followed by a
    town and a number (横浜市中区山下町1). Neighbours share town names
    (小金井市緑町, 西東京市中町), so a town name of the city does not make such
    an address inside. A neighbour's town with a number (下連雀3-2) is
    outside too, and with ``stations``, a station that is not the city's,
    named with no town of the city (新宿駅の東口).
    """
    normalized = normalize_address(text)
    if "武蔵野市" in normalized:
        return False
    if _names_other_city(normalized) or _NEIGHBOUR_TOWN_PATTERN.search(normalized):
        return True
    return stations and _names_station_elsewhere(normalized)


# Towns of the neighbouring cities and wards whose names the city's towns do
# not share, with a number after them: 下連雀3丁目 (三鷹市), 西荻北3-1 (杉並区),
# 東伏見2丁目 (西東京市). 井の頭 needs its number, since 井の頭通り and the
# park are places in the city too.
NEIGHBOUR_TOWNS = (
    "下連雀",
    "上連雀",
    "牟礼",
    "井の頭",
    "東伏見",
    "柳沢",
    "西荻北",
    "西荻南",
    "松庵",
    "善福寺",
    "久我山",
    "関町北",
    "関町南",
    "立野町",
    "梶野町",
)
_NEIGHBOUR_TOWN_PATTERN = re.compile(
    rf"(?:{'|'.join(NEIGHBOUR_TOWNS)})\s*[0-9{_KANJI_DIGITS}]+\s*(?:丁目|{_DASH})"
)


def _names_other_city(normalized: str) -> bool:
    if any(name in normalized for name in NEIGHBOURS + TOKYO_WARDS):
        return True
    if _PREFECTURE_PATTERN.search(normalized):
        return True
    return bool(_CITY_ADDRESS_PATTERN.search(normalized))


def _names_station_elsewhere(normalized: str) -> bool:
    """Tell whether ``normalized`` places the fault by a station that is not
    one of the city's (新宿駅の東口) and names no town of the city."""
    if _TOWN_PATTERN.search(normalized):
        return False
    names = [
        match.group(1)
        for match in _STATION_PATTERN.finditer(normalized)
        if not match.group(1).endswith(_NOT_STATION_NAMES)
    ]
    return bool(names) and not any(name.endswith(CITY_STATIONS) for name in names)


# Stations in the city or on its edge, as residents name them (三鷹駅's north
# side is in the city). Another station may still be near the boundary
# (西荻窪駅), so it gets the outside note and is not rejected as far.
CITY_STATIONS = ("吉祥寺", "三鷹", "武蔵境")
# Words before 駅 that name no station: 最寄駅, 地下鉄駅, 隣駅.
_NOT_STATION_NAMES = ("最寄", "地下鉄", "各", "隣", "次", "前", "始発", "終着", "乗換")
# A station named by kanji or katakana: 新宿駅, JR吉祥寺駅 (not 最寄り駅).
_STATION_PATTERN = re.compile(r"([一-龥ァ-ヶー]{2,8})駅")


def names_far_place(text: str) -> bool:
    """Tell whether typed text names a place in a city, ward or prefecture
    that does not border the city (立川市錦町1丁目, 京都市中京区): surely
    outside, unlike a neighbour's street, which may be the boundary road. A
    station alone does not count: its name may be mistyped."""
    normalized = normalize_address(text)
    if "武蔵野市" in normalized or any(name in normalized for name in NEIGHBOURS):
        return False
    return _names_other_city(normalized) or bool(_CITY_WARD_PATTERN.search(normalized))


# A ward of a designated city (京都市中京区, 横浜市中区): never a neighbour.
_CITY_WARD_PATTERN = re.compile(r"[一-龥]{2,4}市[一-龥]{1,3}区")


# Tokyo's 23 wards, named in addresses without 東京都.
TOKYO_WARDS = tuple(
    f"{name}区"
    for name in (
        "千代田 中央 港 新宿 文京 台東 墨田 江東 品川 目黒 大田 世田谷 渋谷 中野 "
        "杉並 豊島 北 荒川 板橋 練馬 足立 葛飾 江戸川"
    ).split()
)
_PREFECTURE_PATTERN = re.compile(r"北海道|京都府|大阪府|[一-龥]{2,3}県")
# A city or ward directly followed by a town name and a number: 横浜市中区山下町1,
# 小平市小川町1丁目. 吉祥寺地区3番 is no match, since no town name follows 区.
_CITY_ADDRESS_PATTERN = re.compile(
    rf"[一-龥]{{2,4}}[市区][一-龥ァ-ヶー]{{1,6}}\s*[0-9{_KANJI_DIGITS}]"
)
