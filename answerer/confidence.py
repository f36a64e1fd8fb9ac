"""The rule that decides when no page fits a question well enough to offer it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from answerer.answer_type import ANSWER_TYPES, missing_answer_types
from answerer.rank import Ranking
from index.tokenize import terms
from index.variants import SYNONYM_PREFIX
from index.vectorize import PageEntry
from index.word_groups import GROUP_PREFIX


@dataclass(frozen=True)
class ConfidenceRule:
    """Offer pages only when the best page passes every threshold.

    ``min_score`` bounds the best combined score, ``min_coverage`` the share of the
    question's term idf that the best page contains. When at least
    ``unknown_share`` of the question's term idf comes from terms that no page
    contains (宇宙旅行 in 宇宙旅行の補助金はありますか), the best score must also
    reach ``unknown_min_score``: the question is then mostly about something the
    site does not mention, and a weak match on its remaining words is more likely
    chance than an answer. A question of at most ``short_words`` content words
    (コンビニ交付って何?) needs ``short_min_coverage``, and less than
    ``unknown_share`` of its idf from words on no page (猫の登録 when no page
    names 猫): in so short a question each word carries the point, and a page
    missing one is about something near it. A question of at least
    ``long_words`` content words needs only ``long_min_coverage``: a letter
    spreads its idf over background words (足の悪い母のために, 0歳の赤ちゃんと一緒に)
    that the page which answers it need not contain. :meth:`Answerer.ask
    <answerer.answer.Answerer.ask>` tries a long message's asking sentence
    before it relaxes this floor. A
    question with no content term and no known n-gram (empty text, particles,
    emoji, symbols) never passes, nor does one of a single kana (づ, which
    Sudachi reads as 出る): a stray key rather than a word.

    With ``answer_types``, and when ``confident`` is given the pages and the
    question, the best page must also state a fact of each kind in
    ``fallback_types`` that the question asks for (see
    :mod:`answerer.answer_type`): a page without any place in its body does not
    answer 回収ボックスはどこにありますか. A missing amount counts only when the
    best page's title names none of the question's specific terms, those on at
    most ``amount_title_share`` of the pages (or on one page). A page
    titled with the question's topic (HPVワクチン for HPVワクチンは無料ですか)
    often gives its fees further down or on a linked page. A page on something
    else (a care form for パスポートの申請料金) is a chance match.

    ``follow_share`` is not a test of the best page: once it passes, a page after
    it is offered only when its score reaches that share of the best score. A weak
    match on one common word then does not follow a strong match.

    ``sure_score`` is not a test either. Pages whose best score passes every test
    but stays below it are offered tentatively (:meth:`tentative`): the reply
    states that they may not fit and gives the contact route. Such a best page
    often shares only one or two words with the question, and it answers no
    more often than it misses.
    """

    min_score: float = 0.04
    min_coverage: float = 0.2
    unknown_share: float = 0.4
    unknown_min_score: float = 0.12
    short_words: int = 2
    short_min_coverage: float = 0.5
    long_words: int = 7
    long_min_coverage: float = 0.15
    follow_share: float = 0.1
    answer_types: bool = True
    fallback_types: frozenset[str] = ANSWER_TYPES
    amount_title_share: float = 0.05
    sure_score: float = 0.12

    def confident(
        self,
        ranking: Ranking,
        pages: Sequence[PageEntry] | None = None,
        question: str | None = None,
        expected: frozenset[str] | None = None,
        long_floor: bool = True,
    ) -> bool:
        """Tell whether the best page of ``ranking`` may be offered.

        ``pages`` are the index's pages in row order and ``question`` the text
        that was ranked. The answer-type test needs both and is skipped when
        either is None. ``expected`` is the question's answer types when the
        caller has them already, from
        :func:`answerer.answer_type.expected_answer_types`. With ``long_floor``
        False, a long question needs ``min_coverage`` like any other.
        """
        best_row = int(ranking.scores.argmax())
        if not self._scores_pass(ranking, best_row, long_floor):
            return False
        if not self.answer_types or pages is None or question is None:
            return True
        best = pages[best_row]
        missing = missing_answer_types(question, best, expected) & self.fallback_types
        if "amount" in missing and self._title_names_topic(ranking, best, len(pages)):
            missing -= {"amount"}
        return not missing

    def tentative(self, ranking: Ranking) -> bool:
        """Tell whether the best page of a confident ``ranking`` is a weak match.

        True when its score is below ``sure_score``. Call it only for a ranking
        that :meth:`confident` let through.
        """
        best = ranking.top[0] if ranking.top is not None else ranking.scores.argmax()
        return float(ranking.scores[best]) < self.sure_score

    def _title_names_topic(
        self, ranking: Ranking, page: PageEntry, page_count: int
    ) -> bool:
        """Tell whether ``page``'s title contains a specific term of the question:
        one on at most ``amount_title_share`` of the pages (see
        :func:`terms_on_few_pages`)."""
        specific = terms_on_few_pages(ranking, page_count, self.amount_title_share)
        return bool(specific) and not specific.isdisjoint(terms(page.title))

    def _scores_pass(self, ranking: Ranking, best: int, long_floor: bool) -> bool:
        query = ranking.query
        if query.empty or query.term_idf_total == 0 or _one_kana(query.char_text):
            return False
        score = float(ranking.scores[best])
        if score < self.min_score:
            return False
        coverage = float(ranking.coverage[best])
        long = long_floor and query.word_count >= self.long_words
        if coverage < (self.long_min_coverage if long else self.min_coverage):
            return False
        unknown_share = query.unknown_share
        if query.word_count <= self.short_words and (
            coverage < self.short_min_coverage or unknown_share >= self.unknown_share
        ):
            return False
        return unknown_share < self.unknown_share or score >= self.unknown_min_score


def terms_on_few_pages(ranking: Ranking, page_count: int, share: float) -> set[str]:
    """Return the question's terms found on at most ``share`` of the
    ``page_count`` pages (or on one page).

    Sudachi's synonym group terms are left out, because they also join looser
    pairs (利用 and 使用). The city word groups join only words for one thing,
    so they count.
    """
    query = ranking.query
    # The index's smooth idf is ln((1 + n) / (1 + df)) + 1, so df follows.
    max_pages = max(1.0, share * page_count)
    return {
        name
        for name, idf in zip(query.term_names, query.term_idf.tolist(), strict=True)
        if (1 + page_count) / math.exp(idf - 1) - 1 <= max_pages + 1e-6
        and (name.startswith(GROUP_PREFIX) or not name.startswith(SYNONYM_PREFIX))
    }


def _one_kana(text: str) -> bool:
    """Tell whether ``text`` is a single hiragana or katakana character."""
    return len(text) == 1 and ("ぁ" <= text <= "ゖ" or "ァ" <= text <= "ヺ")
