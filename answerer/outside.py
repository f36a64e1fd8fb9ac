"""Services that residents ask the city about but another office handles.

Residents often ask the city's account about passports, driving licences or
unemployment benefit. A city site that does not handle them still names them,
for example in lists of identity papers, so such a question reaches an
unrelated page through that word. ``outside_services.txt`` beside this module
lists such services with the sentence that names the office for each, and
:func:`find_service` returns the one a question asks about, if any.

A line of the file holds the service's words, ``=`` and the sentence. Words
after a ``/`` replace the usual asking words for that line: a wallet is the
police's only when it was lost or found (財布 鍵 / 落とし なくし 拾). A line
whose first character other than spaces is ``#`` is a comment, and blank lines
are skipped; a ``#`` elsewhere is text (#9110 is a police number).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cityline.errors import CitylineError
from index.normalize import fold_kana, normalize_text
from index.tokenize import noun_spans, terms
from index.variants import SYNONYM_PREFIX

if TYPE_CHECKING:
    from index.vectorize import PageEntry

logger = logging.getLogger(__name__)

SERVICES_PATH = Path(__file__).with_name("outside_services.txt")

# A noun of a question about another office's service keeps the site's page
# when the page's title names it and it is on at most this share of the pages.
RESCUE_SHARE = 0.2
# Nouns that say where, how or for whom to ask, not what about: a page titled
# 市役所の開庁時間 does not answer パスポートを更新したいです。市役所でできますか,
# nor one on children's rights 子どものパスポートを作りたい, nor a funeral
# grant form 車庫証明はどこで申請するの.
RESCUE_IGNORED = frozenset(
    {"市役所", "役所", "市", "区役所", "窓口", "場所", "方法", "手続き", "必要"}
    | {"申請", "申し込み", "届け出", "更新", "変更", "発行", "交付", "受け取り"}
    | {"問い合わせ", "子供", "娘", "息子", "家族", "親", "夫", "妻", "自分", "本人"}
)

# Words that ask about doing something with a service, right after the
# service word and at most one particle: パスポートの申請, 免許証の住所変更,
# 車庫証明はどこ, 失業保険をもらう. 市役所で may come between (パスポートって
# 市役所で作れる?). A word farther away is usually about something else:
# 住民票の写しは運転免許証で取れますか asks for a 住民票. 住所 counts only
# with a change (免許証の住所が古いまま is background).
_ASKING = (
    "申請|申し込|申込|更新|作|つく|取|と[りるれろら]|手続|変更|発行|交付|届"
    "|住所(?:の|を)?(?:変更|変え|書き?換)"
    "|受け取|受給|もら|どこ(?:に|で|へ)?|窓口|場所|再発行|書き換え|書換|なくし"
    "|無くし|紛失|問い合わせ|問合せ|拾|自主返納|返納|電話|連絡先|こうしん|しんせい"
)
# A service word may end in 証 or name its office: 運転免許証, 運転免許センター
# (matched with katakana as hiragana).
_SUFFIX = "(?:証|書|せんたー|試験場)?"
# A space or a comma may stand for the particle, as in a search: パスポート 申請.
_PARTICLE = "[\\s、]?(?:の|を|は|って|が|も)?[\\s、]?"
# 市役所で, or a question word, may come between: パスポートって市役所で作れる?,
# 失業手当はいつからもらえますか.
_BETWEEN = (
    "(?:[^、。!?\\s]{0,6}?(?:役所|市|区|町|村)で|いつから|いつ|どうやって|どのように)?"
)
# After the asking word, some words show a purpose, a time or a reason
# beside the question's own point. Purpose: パスポートの申請に住民票は要りますか,
# パスポート申請用の住民票, 更新に必要な戸籍抄本 (but not 申請に必要なもの),
# 車庫証明を取るのに. Time: 雇用保険をもらいながら, 受給中, もらっている間,
# もらい始めたら, 手続きをしました, 受給が終わった後. Reason or condition:
# 住所変更をしたので, 更新で必要になったので, もらったら, もらうと. Polite
# endings still ask: どこでしたらいい, 申請したいのですが, 取るのでしょうか.
# A reason or condition followed at once by an asking word, with no other
# topic up to the end of the clause, is the service's own story:
# パスポートをなくしたので再発行したい, 財布を落としたら、どこに届ければ. Not
# so 手続きをしたので、どこで国保に入れば: 国保 is another topic.
_NOT_THE_POINT = (
    "(?!に(?!行|来|必要な(?:もの|物|書類))[\\u4e00-\\u9fff]|中)"
    "(?![^、。!?]{{0,6}}?(?:用|ため|に必要な(?!もの|物|書類)|に使|で使|のに|ながら"
    "|ている間|てる間|の間|間に|始め|しました|した後|済|終わ|終了))"
    "(?![^、。!?]*?(?:ので(?!す|しょ)|[たれ](?:ら|ば)(?!いい|よい|良い)"
    "|[うくぐすつぬぶむる]と(?![こもかき]))(?![、\\s]*(?:{asking}){tail}))"
)
# Text allowed after that asking word up to the end of the clause: kana, and
# kanji only in words of asking or doing (届ければ, 連絡したい, 手続きを教えて).
_STORY_TAIL = (
    "(?:[^、。!?\\u3005\\u4e00-\\u9fff]|届|連絡|相談|行|教|手続|再発行|申請|発行"
    "|問い?合|窓口|場所|必要|方法|良|何|探)*(?:[、。!?]|$)"
)
# A service word does not count after a kanji: 自動車税 is not found in
# 軽自動車税, nor 免許 in 調理師免許. Kana before it is mostly a particle
# (娘のパスポート).
_WORD_START = "(?<![\\u3005\\u4e00-\\u9fff])"
# A message that is the service word alone: パスポート, 車庫証明について.
_ALONE_TAIL = "(?:について|のこと|って何|とは)?(?:ですか|は)?[?？]?"
_SEPARATOR = re.compile("[=＝]")
# Dashes that NFKC leaves as "-" but a resident meant as ー (パスポ−ト).
_KANA_DASH = re.compile("(?<=[\\u3041-\\u309f\\u30a1-\\u30fa])-(?=[\\u3041-\\u309f])")


class OutsideServiceError(CitylineError, ValueError):
    """Raised when the outside services file cannot be read or a line is invalid."""


@dataclass(frozen=True)
class OutsideService:
    """A service another office handles: the words that name it, in matching
    form (see :func:`matching_text`), and the sentence that names the office."""

    words: tuple[str, ...]
    sentence: str
    pattern: re.Pattern[str]
    alone: re.Pattern[str]
    # True when the line names its own asking words: its words are things
    # (財布, スマホ), not services, so a page titled with one (スマホ決済) is
    # no page on the service.
    things: bool = False


@dataclass(frozen=True)
class ServiceMatch:
    """A question about ``service``. ``text`` is the question as
    :func:`index.normalize.normalize_text` gives it, with whitespace runs as
    one space when it came from the ranking. ``span`` is where
    ``matching_text(text)``, which has the same length, names the service:
    service word and asking word."""

    service: OutsideService
    text: str
    span: tuple[int, int]


def matching_text(text: str, normalized: str | None = None) -> str:
    """Return ``text`` in the form the services are matched in.

    That is :func:`index.normalize.normalize_text` with katakana as hiragana
    (ぱすぽーと is パスポート) and a dash between kana as ー. ``normalized`` is
    ``normalize_text(text)`` when the caller has it already.
    """
    if normalized is None:
        normalized = normalize_text(text)
    return _KANA_DASH.sub("ー", fold_kana(normalized))


class OutsideServices(tuple):
    """The services of one file, in file order, with ``starts``: a pattern that
    finds the start of any of their words, so that most questions, which name
    no service, are passed over after one search."""

    starts: re.Pattern[str] | None

    def __new__(cls, services=()):
        self = super().__new__(cls, services)
        self.starts = _start_pattern(self)
        return self


def read_services(path: Path | None = None) -> OutsideServices:
    """Read the services of ``path`` (default SERVICES_PATH).

    Raises OutsideServiceError naming the file and CITYLINE_OUTSIDE_SERVICES_FILE,
    and the line where one is invalid: not UTF-8, no ``=``, no word or no
    sentence.
    """
    path = SERVICES_PATH if path is None else path
    try:
        content = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OutsideServiceError(
            f"outside services file {str(path)!r} is not UTF-8 ({exc}); save it "
            "as UTF-8 or point CITYLINE_OUTSIDE_SERVICES_FILE at another file"
        ) from exc
    except OSError as exc:
        raise OutsideServiceError(
            f"outside services file {str(path)!r} cannot be read ({exc}); "
            "check CITYLINE_OUTSIDE_SERVICES_FILE"
        ) from exc
    services = []
    for number, line in enumerate(content.split("\n"), start=1):
        text = line.strip().lstrip("\ufeff").strip()
        if text and not text.startswith("#"):
            services.append(_parse_line(text, path, number))
    return OutsideServices(services)


def _parse_line(text: str, path: Path, number: int) -> OutsideService:
    # The sentence is sent as written; only the words are normalised, and a
    # full-width ＝, as a Japanese keyboard types it, separates them too.
    separator = _SEPARATOR.search(text)
    words_part = text if separator is None else text[: separator.start()]
    sentence = "" if separator is None else text[separator.end() :]
    words_part, slash, asking_part = words_part.replace("／", "/").partition("/")
    words = _matching_words(words_part)
    asking = _matching_words(asking_part)
    sentence = sentence.strip()

    if separator is None or not words or not sentence or (slash and not asking):
        raise OutsideServiceError(
            f"{str(path)!r} line {number}: {text!r} needs words, '=' and a "
            "sentence, as in 'パスポート 旅券 = 東京都が受け付けています。', "
            "and asking words after a '/' if it has one; "
            "fix the file that CITYLINE_OUTSIDE_SERVICES_FILE names"
        )
    if not sentence.endswith(("。", ".", "!", "?", "！", "？")):
        sentence += "。"

    names = "|".join(re.escape(word) for word in words)
    alternatives = (
        "|".join(_asking_pattern(word) for word in asking) if asking else _ASKING
    )
    pattern = re.compile(
        f"{_WORD_START}(?:{names}){_SUFFIX}{_PARTICLE}{_BETWEEN}(?:{alternatives})"
        f"{_NOT_THE_POINT.format(asking=f'{alternatives}|{_ASKING}', tail=_STORY_TAIL)}"
    )
    alone = re.compile(f"(?:{names}){_ALONE_TAIL}")
    return OutsideService(
        words=words,
        sentence=sentence,
        pattern=pattern,
        alone=alone,
        things=bool(asking),
    )


def _asking_pattern(word: str) -> str:
    """Return the pattern of one asking word of a line; どこ takes the particle
    after it along, as in the usual asking words (落とし物はどこに届く)."""
    return "どこ(?:に|で|へ)?" if word == "どこ" else re.escape(word)


def site_covers(
    page: PageEntry, match: ServiceMatch, specific: set[str], weak: bool
) -> bool:
    """Tell whether ``page``, a question's best page, answers the question
    about a service that another office handles (``match``).

    It does when its title or breadcrumbs name the service: a city that takes
    passport applications has a page titled so. That does not hold for a line
    whose words are things rather than services, since a page titled スマホ決済
    is no page on a lost phone. It does too when the page is no ``weak`` match
    and its title contains a noun of the question outside the words that name
    the service, a noun among the ``specific`` terms (those on at most
    RESCUE_SHARE of the pages): then the question is about that as well (戸籍
    in パスポートの更新で戸籍の附票を取りたい).
    """
    heading = matching_text(" ".join([page.title, *page.breadcrumbs]))
    service = match.service
    if not service.things and any(word in heading for word in service.words):
        return True
    if weak:
        return False
    own_nouns = _nouns_outside(match) - RESCUE_IGNORED
    return not (own_nouns & specific).isdisjoint(terms(page.title))


def _nouns_outside(match: ServiceMatch) -> set[str]:
    """Return the terms of the question's nouns outside the words that name
    the service: each noun's key and its compound parts (国民健康保険税 gives
    国民健康保険 and 保険 too), without synonym group terms."""
    start, end = match.span
    found = set()
    for key, noun_start, noun_end in noun_spans(match.text):
        if noun_start < end and noun_end > start:
            continue
        found.add(key)
        found.update(
            term
            for term in terms(match.text[noun_start:noun_end])
            if not term.startswith(SYNONYM_PREFIX)
        )
    return found


def _matching_words(text: str) -> tuple[str, ...]:
    """Return the space-separated words of ``text`` in matching form, without
    words that normalise to nothing (a lone zero-width space)."""
    return tuple(
        word for word in (matching_text(part) for part in text.split()) if word
    )


def find_service(
    question: str,
    services: tuple[OutsideService, ...],
    normalized: str | None = None,
) -> ServiceMatch | None:
    """Return the first service that ``question`` asks about, or None.

    A question asks about a service when one of its words is followed by a
    word of asking or doing (申請, 更新, どこ, 手続き, もらう), with at most a
    particle and a place such as 市役所で between, and no purpose or time
    after it (申請用, 更新に必要な, もらいながら). A question that is the
    service word alone (パスポート, 車庫証明について) asks about it too.
    ``normalized`` is ``normalize_text(question)`` when the caller has it,
    whitespace runs as one space allowed.
    """
    if not services:
        return None
    if normalized is None:
        normalized = normalize_text(question)
    starts = (
        services.starts
        if isinstance(services, OutsideServices)
        else _start_pattern(services)
    )
    if starts is None or starts.search(normalized) is None:
        return None
    text = matching_text(question, normalized)
    stripped = text.strip()
    for service in services:
        found = service.pattern.search(text)
        if found is not None:
            return ServiceMatch(service, normalized, found.span())
        if service.alone.fullmatch(stripped):
            return ServiceMatch(service, normalized, (0, len(text)))
    return None


def _start_pattern(services: tuple[OutsideService, ...]) -> re.Pattern[str] | None:
    """Return a pattern that finds the first two characters of any word of
    ``services`` in normalised text, each kana character in either script (so
    ぱスポート is found too), or None when there are no services."""
    starts = set()
    for service in services:
        for word in service.words:
            starts.update(_kana_spellings(word[:2]))
    if not starts:
        return None
    return re.compile("|".join(re.escape(start) for start in sorted(starts)))


def _kana_spellings(text: str) -> set[str]:
    """Return ``text`` with each hiragana character as itself or as katakana."""
    spellings = {""}
    for ch in text:
        forms = {ch, chr(ord(ch) + 0x60)} if "\u3041" <= ch <= "\u3096" else {ch}
        spellings = {spelling + form for spelling in spellings for form in forms}
    return spellings
