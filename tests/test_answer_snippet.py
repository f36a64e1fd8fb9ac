"""Snippets: page furniture is skipped, the whole page is searched, cuts are clean."""

from __future__ import annotations

import pytest

from answerer.answer import Answerer
from answerer.evaluate import load_questions
from answerer.rank import best_passage, rank, snippet_grams
from answerer.snippet import (
    ELLIPSIS,
    MAX_SNIPPET_CHARS,
    QuestionGrams,
    best_snippet,
    cut,
    is_page_furniture,
    mark_common_passages,
    usable_passages,
)
from cityline.settings import Settings
from index.build import build_from_records
from index.vectorize import PageEntry, build_model
from tests.test_evaluate_gate import DEMO, site_records

FEE_SENTENCE = "粗大ごみの手数料は1点につき400円です。"


def _page(*passages: str) -> PageEntry:
    return PageEntry(
        url="https://city.example/gomi/sodai.html",
        title="粗大ごみ",
        breadcrumbs=["ごみ"],
        passages=list(passages),
    )


def _grams(*texts: str) -> tuple[tuple[str, float], ...]:
    """Return every 2- and 3-gram of ``texts`` with weight 1."""
    grams = {}
    for text in texts:
        for size in (2, 3):
            for start in range(len(text) - size + 1):
                grams[text[start : start + size]] = 1.0
    return tuple(grams.items())


@pytest.mark.parametrize(
    "passage",
    [
        "更新日 2026年4月1日",
        "最終更新日:令和8年4月1日",
        "ページ番号 1004806",
        "2026/04/01",
        "掲載日 令和元年5月1日",
    ],
)
def test_furniture_lines_are_recognised(passage):
    assert is_page_furniture(passage)


@pytest.mark.parametrize(
    "passage",
    ["令和8年4月1日から受付を始めます。", "手数料 400円", "粗大ごみの出しかた"],
)
def test_content_lines_are_not_furniture(passage):
    assert not is_page_furniture(passage)


def test_date_line_in_window_is_skipped():
    page = _page(
        "粗大ごみ",
        "更新日 2026年4月1日",
        "前日までに申し込んでください。",
        FEE_SENTENCE,
    )
    snippet = best_snippet(page, _grams("粗大ごみ", "2026年"), window=(0, 2))
    assert "更新日" not in snippet
    assert snippet == FEE_SENTENCE


def test_window_without_match_searches_whole_page():
    page = _page("受付時間", "平日の午前9時から午後5時まで", FEE_SENTENCE)
    snippet = best_snippet(page, _grams("手数料"), window=(0, 2))
    assert snippet == FEE_SENTENCE


def test_window_match_is_kept_when_close():
    page = _page("手数料の支払い", "コンビニで買えます。", FEE_SENTENCE)
    snippet = best_snippet(page, _grams("手数料"), window=(0, 2))
    assert snippet == "手数料の支払い コンビニで買えます。"


def test_heading_brings_the_passage_under_it():
    page = _page("郵送で請求するとき", "請求書と返信用封筒を送ってください。", "窓口")
    snippet = best_snippet(page, _grams("郵送"))
    assert snippet == "郵送で請求するとき 請求書と返信用封筒を送ってください。"


def test_heading_collects_rows_up_to_a_sentence_end():
    page = _page(
        "手数料", "住民票 1通300円", "戸籍謄本 1通450円", "窓口で払います。", "次"
    )
    snippet = best_snippet(page, _grams("手数料"))
    assert snippet == "手数料 住民票 1通300円 戸籍謄本 1通450円 窓口で払います。"


def test_heading_rows_cut_at_limit():
    rows = [f"品目{n} " + "あ" * 40 for n in range(5)]
    page = _page("品目一覧", *rows)
    snippet = best_snippet(page, _grams("品目一覧"))
    assert snippet.startswith("品目一覧 品目0")
    assert len(snippet) <= 100
    assert snippet.endswith("…")


def test_last_passage_heading_stays_alone():
    page = _page("前日までに申し込んでください。", "問い合わせ先")
    assert best_snippet(page, _grams("問い合わせ")) == "問い合わせ先"


def test_sentence_is_not_extended():
    page = _page(FEE_SENTENCE, "前日までに申し込んでください。")
    assert best_snippet(page, _grams("手数料")) == FEE_SENTENCE


def test_page_of_only_furniture_gives_title():
    page = _page("粗大ごみ", "更新日 2026年4月1日")
    assert best_snippet(page, _grams("手数料"), window=(0, 2)) == "粗大ごみ"


def test_passage_weights_count_each_gram_once_per_passage():
    page = _page(
        "粗大ごみの申し込み。粗大ごみの出し方。",
        "家庭ごみの出し方",
        "更新日 2026年4月1日",
        "粗大ごみ",
        "手数料は400円です",
    )
    grams = {"粗大": 2.0, "ごみ": 0.5, "出し": 1.25, "400": 3.0, "なし": 9.0}
    usable = usable_passages(page)
    assert usable.numbers == [0, 1, 4]
    assert usable.weights(grams) == [
        sum(value for gram, value in grams.items() if gram in key)
        for key in usable.keys
    ]


def test_passage_weights_accept_grams_with_line_breaks():
    page = _page("ごみの\n出し方", "出し方")
    usable = usable_passages(page)
    grams = {"の\n出": 1.0, "": 0.25, "出し": 2.0}
    assert usable.weights(grams) == [
        sum(value for gram, value in grams.items() if gram in key)
        for key in usable.keys
    ]


def test_passage_weights_with_colliding_gram_starts():
    # ごみ and the pair below fall in the same slot of the compiled lookup, so
    # the kernel must compare their codes to find each.
    other = chr(ord("ご") + 1) + chr(ord("み") - 31)
    page = _page(
        "ごみの日",
        other + "の日",
        "ごみ" + other,
        "収集は" + other,
        "手数料はごみ",
    )
    grams = {"ごみ": 1.0, "ごみの": 2.0, other: 4.0, other + "の": 8.0, "の日": 16.0}
    usable = usable_passages(page)
    assert usable.weights(grams) == [
        sum(value for gram, value in grams.items() if gram in key)
        for key in usable.keys
    ]


def test_cut_ends_at_sentence_end():
    text = "手数料は400円です。" + "収集は月に2回です。" * 8 + "あ" * 200
    piece = cut(text, text.find("手数料"))
    assert len(piece) <= MAX_SNIPPET_CHARS
    assert "手数料は400円です。" in piece
    assert piece.endswith("。" + ELLIPSIS)


def test_cut_starts_at_sentence_start():
    text = "あ" * 120 + "。手数料は400円です。" + "い" * 120
    piece = cut(text, text.find("手数料"))
    assert piece.startswith(ELLIPSIS + "手数料")
    assert len(piece) <= MAX_SNIPPET_CHARS


def test_cut_near_the_end_keeps_the_last_characters():
    text = "、".join(["本人確認書類"] * 16) + "、手数料300円"
    piece = cut(text, text.find("300円"))
    assert piece.endswith("手数料300円")
    assert piece.startswith(ELLIPSIS)
    assert len(piece) == MAX_SNIPPET_CHARS


def test_cut_anywhere_keeps_the_anchor():
    # Distinct characters, so that each piece is found at one place only.
    text = "".join(chr(0x4E00 + offset) for offset in range(130))
    for anchor in range(len(text)):
        piece = cut(text, anchor)
        covered = piece.strip(ELLIPSIS)
        start = text.find(covered)
        assert len(piece) <= MAX_SNIPPET_CHARS
        assert start <= anchor < start + len(covered), anchor


def test_cut_keeps_combining_mark_with_its_base():
    # か + U+3099 (combining voiced mark) repeated: no piece may start with the mark.
    text = "か\u3099" * 150
    for anchor in range(0, 200, 7):
        piece = cut(text, anchor).lstrip(ELLIPSIS).rstrip(ELLIPSIS)
        assert not piece.startswith("\u3099")
        assert piece.endswith("\u3099")


@pytest.fixture(scope="module")
def answerer(tmp_path_factory) -> Answerer:
    settings = Settings(data_dir=tmp_path_factory.mktemp("snippets"))
    build_from_records(site_records(DEMO / "site"), settings.index_dir)
    return Answerer.load(settings)


@pytest.mark.parametrize(
    "question",
    [
        "住民票の写しってどこでとれますか",
        "印鑑登録をしたいです。必要なものは？",
        "粗大ゴミ 申し込み",
    ],
)
def test_demo_snippets_are_never_furniture(answerer, question):
    result = answerer.ask(question)
    assert result.answers
    for answer in result.answers:
        assert not is_page_furniture(answer.snippet), answer
        assert 0 < len(answer.snippet) <= MAX_SNIPPET_CHARS


def _searched(grams: QuestionGrams) -> QuestionGrams:
    """The same grams without codes, so that passages are chosen by str search."""
    return QuestionGrams(values=grams.values, codes=None, texts=tuple(grams.weights))


def test_compiled_and_searched_choice_give_the_same_snippets():
    model = build_model(site_records(DEMO / "site"))
    questions = [q.question for q in load_questions(DEMO / "questions.jsonl")]
    for question in questions:
        ranking = rank(model, question, top=3)
        grams = snippet_grams(model, ranking.query)
        for row in ranking.top:
            first = best_passage(model, ranking, int(row))
            window = None if first is None else (first, first + 2)
            page = model.pages[row]
            assert best_snippet(page, grams, window) == best_snippet(
                page, _searched(grams), window
            ), question


def test_equal_weights_anchor_at_the_gram_that_sorts_last():
    filler = "受付は市役所の窓口でします。" * 6
    page = _page("ごみは月曜日に出します。" + filler + "手数料は400円です。" + filler)
    # 手 sorts after ご, so the cut starts at the sentence with 手数.
    grams = QuestionGrams.of([("ごみ", 1.0), ("手数", 1.0)])
    compiled = best_snippet(page, grams)
    assert compiled == best_snippet(page, _searched(grams))
    assert compiled.startswith(ELLIPSIS + "手数料は400円です。")


def test_snippet_without_a_match_skips_template_lines():
    share = "このページの情報を共有できます"
    pages = [_page(share, f"本文{n}です。") for n in range(6)]
    common = mark_common_passages(pages)
    assert common == {share}
    assert best_snippet(pages[0], _grams("天気")) == "本文0です。"


def test_unmarked_pages_fall_back_to_their_first_passage():
    page = _page("このページの情報を共有できます", "本文です。")
    assert best_snippet(page, _grams("天気")) == "このページの情報を共有できます"
