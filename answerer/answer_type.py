"""The kind of fact a question asks for, and whether a page states any fact of it.

A question such as 回収ボックスはどこにありますか asks for a place. A page that
names the topic but gives no place anywhere in its body (no address, floor,
station, building or counter) cannot answer it, however well its words match.
:func:`missing_answer_types` finds such kinds, and ``ConfidenceRule`` then falls
back. The page patterns are deliberately broad: a kind counts as present on any
trace of it, so the test fires only when a page holds nothing of the kind.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from index.vectorize import PageEntry

logger = logging.getLogger(__name__)

# The cues of each expected answer type in the last clause of a question.
_QUESTION_CUES = {
    "location": re.compile(
        r"どこに(あり|ある|置|設置|いけ|行け)|場所|所在地|住所|何階|会場|どこにあ|どの辺|"
        r"どこ(です|でしょう|だ|なの|$)|どちら(です|でしょう|$)"
    ),
    "time": re.compile(
        r"いつ|何時|何日|何曜|曜日|期限|締め?切|日程|期間|何月|時間|までに|開館|休館|"
        r"営業日|何年|どのくらい(で|かか)|どれくらい(で|かか)|何週間|何か月|何ヶ月"
    ),
    "amount": re.compile(
        r"いくら|料金|費用|手数料|値段|金額|何円|代は|代って|税額|使用料|利用料|負担額|"
        r"無料|有料|お金"
    ),
    "count": re.compile(r"何(台|冊|人|個|回|歳|枚|件|か所|カ所|箇所|本|キロ|リットル)"),
    "documents": re.compile(
        r"必要なもの|持ち物|持って(いく|行く|くる|来る|いけば)|何が(必要|いる)|何を持|"
        r"書類|必要な(書類|もの)"
    ),
}

# Any trace of each kind in a page's body. A fee word (使用料がかかります) is an
# amount, a facility or counter name is a place, and any numeral is a count.
_PAGE_CUES = {
    "location": re.compile(
        r"\d+丁目|\d+番|\d+号|\d+階|〒|駅|ロビー|センター|施設|会館|館|学校|公園|庁舎|"
        r"所在地|住所|場所|窓口|カウンター|入口|店|局|事務所|コーナー"
    ),
    "time": re.compile(
        r"\d+時|午前|午後|正午|\d+月|\d+日|曜日|以内|前日|翌|週間|か月|ヶ月|年末年始|"
        r"毎月|毎週|毎日|毎年|平日|休日|祝日|期間|\d+年|夜間|昼間|朝|夕方|夏|冬|春|秋|"
        r"上旬|中旬|下旬|年度|時期|頃|ごろ"
    ),
    "amount": re.compile(r"円|無料|有料|負担|割引|減免|免除|料|費用|代金"),
    "count": re.compile(r"\d|[一二三四五六七八九十百千]"),
    "documents": re.compile(
        r"書|証|カード|手帳|委任状|写真|印鑑|通帳|届出印|お持ち|持って|持参|"
        r"必要なもの|パスポート|免許"
    ),
}

# A stated fact of each kind, for choosing a snippet. Narrower than _PAGE_CUES: a
# passage that names a year or a fee word is no answer to いつ or いくら, but a
# page that holds neither cannot answer it at all.
_FACT_CUES = {
    "location": re.compile(
        r"\d+丁目|\d+番|\d+号|\d+階|〒|駅|窓口|センター|会館|館|学校|庁舎|所在地|住所|"
        r"場所|コーナー"
    ),
    "time": re.compile(
        r"\d+時|\d+分|\d+月|\d+日|曜日|以内|日間|週間|か月|ヶ月|カ月|年末年始|毎月|毎週|"
        r"毎日|平日|休日|祝日|上旬|中旬|下旬|翌日|前日|当日|午前|午後"
    ),
    "amount": re.compile(r"\d[\d,]*円|無料|有料|\d+割|半額|全額"),
    "count": re.compile(r"\d+(回|台|人|個|歳|枚|件|か所|カ所|箇所|本|冊|通|点)"),
    "documents": _PAGE_CUES["documents"],
    # A clock time, for 何時 questions only (see snippet_kinds). 1時間 is a
    # duration, not a clock time, but 24時間 is a reply to 何時まで.
    "clock": re.compile(r"\d+時(?!間)|24時間|午前|午後|正午"),
}

ANSWER_TYPES = frozenset(_QUESTION_CUES)

# A clause before one of these sets the scene (名字や住所に変更があった場合、…),
# so its words are not what the question asks for.
_CLAUSE_BREAK = re.compile(r"[。、,，!！]|場合|とき|時は|ので、|けど|けれど")
_TRAILING = re.compile(r"[?？\s]+$")

# The first passage of the contact block that ends most content pages of a city
# site. Its address and phone belong to the office, not to the page's topic.
_CONTACT_HEADINGS = frozenset(
    ["このページに関するお問い合わせ", "お問い合わせ先", "お問い合わせ"]
)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def last_clause(question: str) -> str:
    """Return the part of ``question`` after its last comma or condition.

    Trailing question marks and spaces are dropped first. A question with no
    break is returned whole, NFKC-normalised.
    """
    text = _TRAILING.sub("", _nfkc(question).strip())
    parts = [part for part in _CLAUSE_BREAK.split(text) if part.strip()]
    return parts[-1] if parts else text


def expected_answer_types(question: str) -> frozenset[str]:
    """Return the expected answer types of ``question``, read from its last clause.

    The kinds are ``location``, ``time``, ``amount``, ``count`` and
    ``documents``. Questions about a procedure (どうすればいいですか) and most
    yes-or-no questions expect none of them, but 日曜日も開いていますか expects a
    time.
    """
    clause = last_clause(question)
    return frozenset(kind for kind, cue in _QUESTION_CUES.items() if cue.search(clause))


def snippet_kinds(question: str, kinds: frozenset[str]) -> frozenset[str]:
    """Return the kinds of fact a snippet for ``question`` should state.

    These are ``kinds`` (:func:`expected_answer_types`), plus ``clock`` when the
    last clause contains 何時. 市役所は何時まで expects the opening hours, not
    歩いて8分, which is a time too. ``clock`` is a snippet preference only; the fallback
    checks ``kinds`` alone.
    """
    if "time" in kinds and "何時" in last_clause(question):
        return kinds | {"clock"}
    return kinds


def page_body(page: PageEntry) -> tuple[str, ...]:
    """Return the passages of ``page`` before its contact block, without the title.

    Computed once per page and kept on it, NFKC-normalised.
    """
    cached = page.__dict__.get("_answer_type_body")
    if cached is None:
        title = _nfkc(page.title).strip()
        body = []
        for passage in page.passages:
            text = _nfkc(passage).strip()
            if text in _CONTACT_HEADINGS:
                break
            if text != title:
                body.append(text)
        cached = tuple(body)
        page.__dict__["_answer_type_body"] = cached
    return cached


def has_body_text(page: PageEntry) -> bool:
    """Tell whether ``page`` has any passage besides its title.

    A folder page stored as its title alone has none. Unlike :func:`page_body`,
    this does not stop at a contact heading, so a page titled お問い合わせ has a
    body. Computed once per page and kept on it.
    """
    cached = page.__dict__.get("_has_body_text")
    if cached is None:
        title = _nfkc(page.title).strip()
        cached = any(
            (text := _nfkc(passage).strip()) and text != title
            for passage in page.passages
        )
        page.__dict__["_has_body_text"] = cached
    return cached


def stated_answer_types(page: PageEntry) -> frozenset[str]:
    """Return the answer types of which ``page``'s body states at least one fact.

    Computed once per page and kept on it, so that a question costs a set
    difference instead of a pattern search over the page.
    """
    cached = page.__dict__.get("_stated_answer_types")
    if cached is None:
        body = page_body(page)
        cached = frozenset(
            kind
            for kind, cue in _PAGE_CUES.items()
            if any(cue.search(passage) for passage in body)
        )
        page.__dict__["_stated_answer_types"] = cached
    return cached


def states_answer_types(text: str, kinds: frozenset[str]) -> bool:
    """Tell whether ``text`` states a fact of each of ``kinds`` (True when empty).

    ``text`` must be NFKC-normalised, as the stored passages of a page are. The
    facts are narrower than the traces that :func:`stated_answer_types` looks
    for: a time is a date, a clock time or a period, not a bare year.
    """
    return all(_FACT_CUES[kind].search(text) for kind in kinds)


def first_statement(text: str, kinds: frozenset[str]) -> int | None:
    """Return the offset of the first fact of one of ``kinds`` in ``text``, or None.

    ``text`` must be NFKC-normalised, as for :func:`states_answer_types`.
    """
    starts = [
        match.start()
        for kind in kinds
        if (match := _FACT_CUES[kind].search(text)) is not None
    ]
    return min(starts) if starts else None


def missing_answer_types(
    question: str, page: PageEntry, expected: frozenset[str] | None = None
) -> frozenset[str]:
    """Return the expected answer types of ``question`` that ``page``'s body lacks.

    ``expected`` is :func:`expected_answer_types` of ``question`` when the caller
    has it already. A page with no body text (a folder page whose stored text is
    its title) lacks nothing: what it states cannot be judged, and the pages it
    leads to may give the fact.
    """
    if expected is None:
        expected = expected_answer_types(question)
    if not expected or not has_body_text(page):
        return frozenset()
    missing = expected - stated_answer_types(page)
    if missing:
        # The question is left out of the log, because residents' questions may
        # contain personal details.
        logger.debug(
            "page %s contains no %s for the question", page.url, sorted(missing)
        )
    return missing
