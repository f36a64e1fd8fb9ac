"""Snippets for questions that ask for a kind of fact: a time, an amount, a place."""

from __future__ import annotations

from answerer.answer_type import first_statement, snippet_kinds, states_answer_types
from answerer.snippet import KIND_PREFERENCE, best_snippet, usable_passages
from index.vectorize import PageEntry
from tests.test_answer_snippet import _grams

TIME = frozenset({"time"})

WORDY = "自転車の保管場所では、撤去された自転車の引き取りの手続きを受け付けています。"
DATED = "撤去された自転車は30日間保管します。"


def _page(*passages: str) -> PageEntry:
    return PageEntry(
        url="https://city.example/jitensha/tekkyo.html",
        title="放置自転車の撤去",
        breadcrumbs=["くらし"],
        passages=["放置自転車の撤去", *passages],
    )


QUESTION_GRAMS = _grams("撤去された自転車の保管", "引き取り")


def test_word_heavy_passage_wins_without_kinds():
    page = _page(WORDY, DATED)
    assert best_snippet(page, QUESTION_GRAMS) == WORDY


def test_passage_stating_time_wins_for_time_question():
    page = _page(WORDY, DATED)
    assert best_snippet(page, QUESTION_GRAMS, kinds=TIME) == DATED


def test_kind_boost_needs_a_matching_word():
    # A passage with a time but none of the question's n-grams is never chosen.
    page = _page(WORDY, "受付は午前9時からです。")
    assert best_snippet(page, QUESTION_GRAMS, kinds=TIME) == WORDY


def test_heading_boosted_by_text_under_it():
    page = _page(WORDY, "保管の期間", "撤去した日から30日間です。")
    boosts = usable_passages(page).kind_facts(TIME).boosts
    assert boosts.tolist() == [1.0, KIND_PREFERENCE, KIND_PREFERENCE]


def test_cut_keeps_the_asked_fact():
    filler = "撤去された自転車の保管場所と引き取りの手続きについてご案内します。" * 3
    passage = filler + "なお、保管の期間は撤去した日から30日間です。"
    snippet = best_snippet(_page(passage), QUESTION_GRAMS, kinds=TIME)
    assert "30日間" in snippet
    assert len(snippet) <= 100


def test_cut_without_kinds_starts_at_match():
    filler = "撤去された自転車の保管場所と引き取りの手続きについてご案内します。" * 3
    passage = filler + "なお、保管の期間は撤去した日から30日間です。"
    assert "30日間" not in best_snippet(_page(passage), QUESTION_GRAMS)


def test_states_answer_types_needs_every_kind():
    assert states_answer_types("午前9時から、手数料は300円です。", {"time", "amount"})
    assert not states_answer_types("午前9時からです。", {"time", "amount"})


def test_first_statement_offset():
    assert first_statement("受付は午前9時から", TIME) == 3
    assert first_statement("受付しています", TIME) is None


def test_what_time_questions_also_want_a_clock_time():
    assert snippet_kinds("市役所は何時まで開いてますか", TIME) == TIME | {"clock"}
    assert snippet_kinds("いつまでに出せばいいですか", TIME) == TIME
    assert snippet_kinds("何時か分からないけど、場所はどこ", frozenset()) == frozenset()


def test_clock_question_prefers_hours_over_a_walking_time():
    access = "市役所は、市役所前のバス停から歩いて8分です。"
    hours = "市役所の窓口は、平日の午前8時30分から午後5時まで開いています。"
    page = _page(access, hours)
    grams = _grams("市役所は", "開いて")
    kinds = snippet_kinds("市役所は何時まで開いてますか", TIME)
    assert best_snippet(page, grams, kinds=kinds) == hours


def test_clock_question_finds_hours_without_its_words():
    # The hours table repeats none of the question's words, unlike the description.
    about = "中央図書館は、本や雑誌をそろえた図書館です。図書館の本は予約できます。"
    page = _page(about, "開館時間", "火曜日から金曜日 午前9時30分から午後8時まで")
    grams = _grams("図書館は")
    kinds = snippet_kinds("図書館は何時から", TIME)
    snippet = best_snippet(page, grams, kinds=kinds)
    assert snippet.startswith("開館時間")
    assert "午前9時30分" in snippet


def test_clock_question_keeps_match_when_no_clock():
    about = "中央図書館は、本や雑誌をそろえた図書館です。"
    page = _page(about, "休館日は毎週月曜日です。")
    grams = _grams("図書館は")
    kinds = snippet_kinds("図書館は何時から", TIME)
    assert best_snippet(page, grams, kinds=kinds) == about


def test_clock_question_keeps_a_date_passage():
    # Residents write 何時 for いつ; a chosen passage with the dates stays.
    dates = "学童クラブの申し込みは、1月10日から1月31日まで受け付けます。"
    hours = "開所時間は放課後から午後6時までです。"
    page = _page(dates, hours)
    grams = _grams("学童クラブの申し込み")
    kinds = snippet_kinds("学童クラブの申し込みは何時まで", TIME)
    assert best_snippet(page, grams, kinds=kinds) == dates


def test_duration_is_no_clock_time():
    about = "中央図書館は、本や雑誌をそろえた図書館です。"
    page = _page(about, "貸出は1回につき2時間まで延長できます。")
    grams = _grams("図書館は")
    kinds = snippet_kinds("図書館は何時から", TIME)
    assert best_snippet(page, grams, kinds=kinds) == about
