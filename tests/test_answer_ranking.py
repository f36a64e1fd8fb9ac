"""Ranking and snippets on the project's own demo city pages."""

from __future__ import annotations

import threading

import pytest

from answerer.answer import Answerer
from answerer.evaluate import url_key
from answerer.snippet import MAX_SNIPPET_CHARS, cut
from cityline.settings import Settings
from index.build import build_from_records
from tests.test_evaluate_gate import DEMO, site_records


@pytest.fixture(scope="module")
def answerer(tmp_path_factory) -> Answerer:
    settings = Settings(data_dir=tmp_path_factory.mktemp("ranking"))
    build_from_records(site_records(DEMO / "site"), settings.index_dir)
    return Answerer.load(settings)


def top_path(answerer: Answerer, question: str) -> str:
    result = answerer.ask(question)
    assert result.answers, f"no answer for {question!r}"
    return url_key(result.answers[0].url)


@pytest.mark.parametrize(
    ("question", "path"),
    [
        ("粗大ごみの申し込み", "/gomi/sodai/1002011.html"),
        ("粗大ゴミの申込", "/gomi/sodai/1002011.html"),
        ("住民票の写しがほしい", "/kurashi/juminhyo/1001001.html"),
        ("障がい者のタクシー券", "/kenko/shogai/1003043.html"),
        ("子供の医療費", "/kosodate/teate/1004002.html"),
    ],
)
def test_question_finds_its_page_first(answerer, question, path):
    assert top_path(answerer, question) == path


def test_shorter_compound_finds_longer_one(answerer):
    result = answerer.ask("健康保険")
    assert any("国民健康保険" in answer.title for answer in result.answers)


def test_category_index_ranks_below_its_pages(answerer):
    result = answerer.ask("粗大ごみ", top_k=5)
    paths = [url_key(answer.url) for answer in result.answers]
    assert paths[0] != "/gomi/sodai/"
    assert paths[0].startswith("/gomi/sodai/")


def test_answers_are_sorted_by_score(answerer):
    scores = [answer.score for answer in answerer.ask("ごみの出し方", top_k=5).answers]
    assert scores == sorted(scores, reverse=True)
    assert all(score > 0 for score in scores)


def test_top_k_limits_the_answers(answerer):
    assert len(answerer.ask("ごみ", top_k=2).answers) == 2


def test_answer_url_is_canonical(answerer):
    result = answerer.ask("粗大ごみの申し込み")
    assert result.answers[0].url.startswith("https://www.city.example.lg.jp/")


def test_snippet_is_short_and_from_the_page(answerer):
    result = answerer.ask("粗大ごみの手数料はいくら", top_k=3)
    for answer in result.answers:
        assert 0 < len(answer.snippet) <= MAX_SNIPPET_CHARS
        assert answer.snippet != answer.title


def test_snippet_holds_the_matching_words(answerer):
    result = answerer.ask("粗大ごみの手数料の支払い方法")
    assert "手数料" in result.answers[0].snippet


def test_cut_marks_both_cut_ends():
    text = "あ" * 90 + "手数料" + "い" * 200
    piece = cut(text, 90)
    assert len(piece) == MAX_SNIPPET_CHARS
    assert piece.startswith("…")
    assert piece.endswith("…")
    assert "手数料" in piece


def test_cut_leaves_short_text_alone():
    assert cut("手数料は800円です。", 3) == "手数料は800円です。"


def test_ask_is_thread_safe(answerer):
    questions = ["粗大ごみの申し込み", "住民票の写し", "子供の医療費", "犬の登録"]
    expected = {q: [a.url for a in answerer.ask(q).answers] for q in questions}
    errors: list[BaseException] = []
    mismatches: list[str] = []

    def work(offset: int) -> None:
        try:
            for call in range(100):
                question = questions[(offset + call) % len(questions)]
                urls = [a.url for a in answerer.ask(question).answers]
                if urls != expected[question]:
                    mismatches.append(question)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert mismatches == []
