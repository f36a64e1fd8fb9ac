"""Metrics of `cityline evaluate` and the command's output."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from answerer.answer import Answerer
from answerer.cli import format_evaluation, format_misses, miss_json
from answerer.evaluate import (
    Evaluation,
    LabelledQuestion,
    QuestionOutcome,
    first_gold_rank,
    load_questions,
    ndcg,
    summarize,
    url_key,
)
from cityline.cli import cli
from cityline.errors import CitylineError, ConfigError
from cityline.settings import Settings
from index.build import build_from_records
from index.fields import PageRecord

JSON_KEYS = {
    "hit_at_1",
    "hit_at_3",
    "hit_at_5",
    "mrr",
    "ndcg_at_5",
    "answerable",
    "no_answer_total",
    "no_answer_fallback",
    "false_fallback",
    "no_answer_tentative",
    "answerable_tentative",
    "p50_ms",
    "p95_ms",
}


def test_url_key_ignores_scheme_and_host():
    assert url_key("https://www.city.example/a/b.html") == "/a/b.html"
    assert url_key("http://127.0.0.1:8000/a/b.html") == "/a/b.html"


def test_url_key_keeps_the_query():
    assert url_key("https://x.example/list?page=2") == "/list?page=2"


def test_url_key_joins_folder_and_index_file():
    assert url_key("https://x.example/a/index.html") == url_key("http://y/a/")


def test_url_key_of_a_bare_host_is_root():
    assert url_key("https://x.example") == "/"


def test_first_gold_rank_is_one_based():
    gold = {"/b": "A"}
    assert first_gold_rank(["https://h/a", "https://h/b"], gold) == 2
    assert first_gold_rank(["https://h/a"], gold) is None


def test_ndcg_is_one_for_the_ideal_order():
    gold = {"/a": "A", "/b": "B"}
    assert ndcg(["https://h/a", "https://h/b"], gold, 5) == pytest.approx(1.0)


def test_ndcg_uses_gains_two_and_one():
    gold = {"/a": "A", "/b": "B"}
    ideal = 2 + 1 / math.log2(3)
    assert ndcg(["https://h/b", "https://h/a"], gold, 5) == pytest.approx(
        (1 + 2 / math.log2(3)) / ideal
    )


def test_ndcg_counts_a_repeated_url_once():
    gold = {"/a": "A"}
    assert ndcg(["https://h/a", "http://m/a"], gold, 5) == pytest.approx(1.0)


def outcome(gold: dict, rank: int | None, fallback: bool, ms: float) -> QuestionOutcome:
    return QuestionOutcome(
        question=LabelledQuestion(question="q", gold=gold, topic="t"),
        urls=[],
        rank=rank,
        ndcg=0.0 if rank is None else 1.0 / rank,
        fallback=fallback,
        milliseconds=ms,
    )


def test_summary_counts_hits_and_fallbacks():
    outcomes = [
        outcome({"/a": "A"}, 1, False, 1.0),
        outcome({"/a": "A"}, 4, False, 2.0),
        outcome({"/a": "A"}, None, True, 3.0),
        outcome({}, None, True, 4.0),
        outcome({}, None, False, 5.0),
    ]
    metrics = summarize(outcomes)
    assert set(metrics) == JSON_KEYS
    assert metrics["answerable"] == 3
    assert metrics["hit_at_1"] == pytest.approx(1 / 3)
    assert metrics["hit_at_3"] == pytest.approx(1 / 3)
    assert metrics["hit_at_5"] == pytest.approx(2 / 3)
    assert metrics["mrr"] == pytest.approx((1 + 0.25) / 3)
    assert metrics["no_answer_total"] == 2
    assert metrics["no_answer_fallback"] == 1
    assert metrics["false_fallback"] == 1
    assert metrics["p50_ms"] == pytest.approx(3.0)


def test_summary_without_answerable_questions():
    metrics = summarize([outcome({}, None, True, 1.0), outcome({}, None, False, 2.0)])
    assert metrics["answerable"] == 0
    for key in ("hit_at_1", "hit_at_3", "hit_at_5", "mrr", "ndcg_at_5"):
        assert metrics[key] is None, key
    assert metrics["no_answer_fallback"] == 1


def test_load_questions_keeps_the_best_grade(tmp_path: Path):
    path = tmp_path / "q.jsonl"
    line = {
        "question": "犬",
        "gold": [
            {"url": "https://a/x.html", "grade": "B"},
            {"url": "http://b/x.html", "grade": "A"},
        ],
        "topic": "pet",
    }
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n\n", "utf-8")
    [question] = load_questions(path)
    assert question.gold == {"/x.html": "A"}
    assert question.topic == "pet"


def test_load_questions_names_the_bad_line(tmp_path: Path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"question": "犬", "gold": []}\n{"gold": []}\n', "utf-8")
    with pytest.raises(ConfigError, match=r"q\.jsonl' line 2: missing key 'question';"):
        load_questions(path)


def test_load_questions_rejects_unknown_grade(tmp_path: Path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"question": "犬", "gold": [{"url": "/x", "grade": "C"}]}\n')
    with pytest.raises(ConfigError, match='"C"'):
        load_questions(path)


def test_load_questions_names_bad_gold_url(tmp_path: Path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"question": "犬", "gold": [{"url": "https://[::1"}]}\n')
    with pytest.raises(ConfigError, match=r'line 1: gold url "https://\[::1" is not'):
        load_questions(path)


def test_load_questions_skips_a_byte_order_mark(tmp_path: Path):
    path = tmp_path / "q.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + '{"question": "犬", "gold": []}\n'.encode())
    [question] = load_questions(path)
    assert question.question == "犬"


def test_load_questions_names_json_document(tmp_path: Path):
    path = tmp_path / "q.json"
    rows = [{"question": "犬", "gold": []}, {"question": "猫", "gold": []}]
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=2), "utf-8")
    with pytest.raises(ConfigError, match="is one JSON document; write it as JSON"):
        load_questions(path)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("evaluate")
    pages = [
        PageRecord(
            url="https://city.example/gomi/sodai.html",
            title="粗大ごみの申込方法",
            text="粗大ごみは事前の申込制です。",
        ),
        PageRecord(
            url="https://city.example/pet/inu.html",
            title="犬の登録",
            text="犬を飼い始めたら、30日以内に登録してください。",
        ),
    ]
    build_from_records(pages, Settings(data_dir=folder).index_dir)
    questions = [
        {
            "question": "粗大ごみの申し込み",
            "gold": [{"url": "/gomi/sodai.html", "grade": "A"}],
            "topic": "ごみ",
        },
        {
            "question": "犬を飼った",
            "gold": [{"url": "http://m/pet/inu.html", "grade": "A"}],
            "topic": "ペット",
        },
        {"question": "明日の天気", "gold": [], "topic": "その他"},
    ]
    (folder / "questions.jsonl").write_text(
        "\n".join(json.dumps(q, ensure_ascii=False) for q in questions), "utf-8"
    )
    return folder


def test_evaluate_json_has_every_key(data_dir: Path):
    result = CliRunner().invoke(
        cli,
        [
            "--data-dir",
            str(data_dir),
            "evaluate",
            str(data_dir / "questions.jsonl"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)
    topics = metrics.pop("topics")
    assert set(metrics) == JSON_KEYS
    assert metrics["hit_at_1"] == 1.0
    assert metrics["no_answer_fallback"] == 1
    assert set(topics) == {"ごみ", "ペット", "その他"}
    assert all(set(row) == JSON_KEYS for row in topics.values())


def test_evaluate_counts_weak_matches(data_dir: Path):
    from answerer.confidence import ConfidenceRule
    from answerer.evaluate import evaluate

    settings = Settings(data_dir=data_dir)
    answerer = Answerer.load(settings, ConfidenceRule(sure_score=2.0))
    questions = load_questions(data_dir / "questions.jsonl")
    metrics = evaluate(answerer, questions).metrics()
    assert metrics["answerable_tentative"] == 2
    assert metrics["no_answer_tentative"] == 0


def test_evaluate_text_has_a_topic_table(data_dir: Path):
    result = CliRunner().invoke(
        cli,
        ["--data-dir", str(data_dir), "evaluate", str(data_dir / "questions.jsonl")],
    )
    assert result.exit_code == 0, result.output
    assert "hit@5" in result.output
    assert "p95" in result.output
    for topic in ("ごみ", "ペット", "その他"):
        assert topic in result.output


def write_misses_file(folder: Path) -> Path:
    """Write a question file with one right answer and two misses, no ids."""
    rows = [
        {"question": "犬の登録", "gold": [{"url": "/pet/inu.html"}], "topic": "ペット"},
        {"question": "犬の登録", "gold": [], "topic": "ペット"},
        {
            "question": "粗大ごみの申し込み",
            "gold": [{"url": "/pet/inu.html", "grade": "B"}],
            "topic": "ごみ",
        },
    ]
    path = folder / "misses.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    return path


def test_evaluate_misses_lists_each_miss_with_its_pages(data_dir: Path, tmp_path):
    path = write_misses_file(tmp_path)
    result = CliRunner().invoke(
        cli, ["--data-dir", str(data_dir), "evaluate", str(path), "--misses"]
    )
    assert result.exit_code == 0, result.output
    listing = result.output.split("missed: ", 1)[1]
    assert listing.startswith("2 of 3 questions")
    assert "line 1 " not in listing
    assert "line 2 [ペット] no-answer question got 1 page(s)" in listing
    assert "line 3 [ごみ] " in listing
    assert "1. 粗大ごみの申込方法  https://city.example/gomi/sodai.html" in listing


def test_format_misses_marks_gold_pages_with_their_grade():
    question = LabelledQuestion(
        question="犬の登録は?", gold={"/b": "B", "/c": "A"}, topic="t", line=4
    )
    missed = QuestionOutcome(
        question=question,
        urls=["https://x/a", "https://x/b", "https://x/c"],
        rank=2,
        ndcg=0.5,
        fallback=False,
        milliseconds=1.0,
        titles=["A page", "B page", "C page"],
    )
    text = format_misses(Evaluation(outcomes=[missed]))
    assert text.splitlines()[1:] == [
        "missed: 1 of 1 questions",
        "line 4 [t] first gold page at rank 2",
        "  犬の登録は?",
        "  1. A page  https://x/a",
        "  2. B page (B)  https://x/b",
        "  3. C page (A)  https://x/c",
    ]


def test_format_misses_names_gold_pages_not_offered():
    question = LabelledQuestion(
        question="質問\n\x1b[31m赤" + "あ" * 300,
        gold={"/g": "A", "/h": "B"},
        topic="t",
        line=2,
    )
    missed = QuestionOutcome(
        question, ["https://x/a"], None, 0.0, False, 1.0, titles=["A page"]
    )
    lines = format_misses(Evaluation(outcomes=[missed]), {"/g": "Gold page"})
    lines = lines.splitlines()
    assert lines[2] == "line 2 [t] no gold page among the 1 offered"
    assert lines[3].startswith("  質問 [31m赤あ")
    assert "\x1b" not in lines[3]
    assert len(lines[3]) == 2 + 200
    assert lines[3].endswith("…")
    assert lines[5:] == [
        "  expected (A): Gold page  /g",
        "  expected (B): (not in the index)  /h",
    ]


def test_miss_json_gives_reason_and_gold_pages():
    question = LabelledQuestion(question="q", gold={"/g": "A"}, topic="t", line=1)
    missed = QuestionOutcome(question, [], None, 0.0, True, 1.0)
    entry = miss_json(missed, {"/g": "Gold page"})
    assert entry["reason"] == "fallback"
    assert entry["gold"] == [{"url": "/g", "grade": "A", "title": "Gold page"}]


def test_tentative_pages_counted():
    answerable = LabelledQuestion(question="q", gold={"/a": "A"}, topic="t")
    no_answer = LabelledQuestion(question="r", gold={}, topic="t")
    outcomes = [
        QuestionOutcome(answerable, ["/a"], 1, 1.0, False, 1.0, ["A"], True),
        QuestionOutcome(no_answer, ["/b"], None, 0.0, False, 1.0, ["B"], True),
        QuestionOutcome(no_answer, ["/c"], None, 0.0, False, 1.0, ["C"]),
    ]
    evaluation = Evaluation(outcomes=outcomes)
    metrics = evaluation.metrics()
    assert metrics["no_answer_tentative"] == 1
    assert metrics["answerable_tentative"] == 1
    assert "weak match: 1 of 2 no-answer, 1 of 1 answerable" in format_evaluation(
        evaluation
    )
    assert "got 1 page(s), tentatively" in format_misses(evaluation)
    assert miss_json(outcomes[1])["tentative"] is True
    assert miss_json(outcomes[2])["tentative"] is False


def test_missed_includes_answerable_fallback():
    question = LabelledQuestion(question="q", gold={"/b": "A"}, topic="t")
    missed = QuestionOutcome(question, [], None, 0.0, True, 1.0)
    assert missed.missed
    assert "answerable question got the fallback" in format_misses(
        Evaluation(outcomes=[missed])
    )


def test_evaluate_misses_json_adds_the_list(data_dir: Path, tmp_path):
    path = write_misses_file(tmp_path)
    result = CliRunner().invoke(
        cli,
        ["--data-dir", str(data_dir), "evaluate", str(path), "--misses", "--json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    misses = report.pop("misses")
    report.pop("topics")
    assert set(report) == JSON_KEYS
    assert [m["line"] for m in misses] == [2, 3]
    no_answer = misses[0]
    assert no_answer["id"] is None
    assert no_answer["rank"] is None
    assert no_answer["fallback"] is False
    assert no_answer["offered"] == [
        {"url": "https://city.example/pet/inu.html", "title": "犬の登録", "grade": None}
    ]


def test_evaluate_without_misses_prints_no_list(data_dir: Path, tmp_path):
    path = write_misses_file(tmp_path)
    result = CliRunner().invoke(
        cli, ["--data-dir", str(data_dir), "evaluate", str(path), "--json"]
    )
    assert "misses" not in json.loads(result.output)


def test_misses_use_the_question_id_when_given(tmp_path: Path):
    path = tmp_path / "q.jsonl"
    path.write_text(
        '{"id": "q7", "question": "x", "gold": []}\n\n{"question": "y", "gold": []}\n',
        "utf-8",
    )
    first, second = load_questions(path)
    assert (first.label, first.line) == ("q7", 1)
    assert (second.label, second.line) == ("line 3", 3)


def test_ask_json_is_one_object(data_dir: Path):
    result = CliRunner().invoke(
        cli, ["--data-dir", str(data_dir), "ask", "犬の登録", "--top", "1", "--json"]
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["fallback"] is False
    assert len(answer["answers"]) == 1
    assert answer["answers"][0]["url"] == "https://city.example/pet/inu.html"


def test_ask_text_marks_a_weak_match():
    from answerer.answer import Answer, AnswerResult
    from answerer.cli import format_result

    page = Answer(url="https://city.example/a.html", title="A", snippet="s", score=0.1)
    weak = format_result(AnswerResult("q", [page], tentative=True))
    assert weak.splitlines()[0].startswith("weak match:")
    assert "weak match" not in format_result(AnswerResult("q", [page]))


def test_ask_text_prints_fallback(data_dir: Path):
    result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), "ask", "😀"])
    assert result.exit_code == 0, result.output
    assert "0422-51-5131" in result.output


def test_evaluate_intents_prints_accuracies(tmp_path: Path):
    reports = (
        Path(__file__).resolve().parents[1] / "cityline" / "demo" / "reports.jsonl"
    )
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path), "evaluate", "--intents", str(reports)]
    )
    assert result.exit_code == 0, result.output
    assert "intent accuracy: " in result.output
    assert "category accuracy over reports: " in result.output
    assert "texts: " in result.output


def test_evaluate_intents_json_has_the_counts(tmp_path: Path):
    reports = (
        Path(__file__).resolve().parents[1] / "cityline" / "demo" / "reports.jsonl"
    )
    result = CliRunner().invoke(
        cli,
        ["--data-dir", str(tmp_path), "evaluate", "--intents", str(reports), "--json"],
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)
    for key in ("intent_accuracy", "category_accuracy", "total"):
        assert key in metrics


def test_missing_index_points_to_the_demo_data_dir(tmp_path: Path):
    (tmp_path / "demo" / "index").mkdir(parents=True)
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "ask", "犬"])
    assert isinstance(result.exception, CitylineError)
    assert f"add --data-dir {tmp_path / 'demo'} to use it" in str(result.exception)


def test_ask_huge_top_is_capped(data_dir: Path):
    answerer = Answerer.load(Settings(data_dir=data_dir))
    result = answerer.ask("犬の登録と粗大ごみの申込", top_k=2**70)
    assert 1 <= len(result.answers) <= 2


def test_reports_file_points_to_intents(tmp_path: Path):
    path = tmp_path / "reports.jsonl"
    path.write_text('{"text": "街灯が消えています", "label": "report"}\n', "utf-8")
    with pytest.raises(ConfigError, match="cityline evaluate --intents"):
        load_questions(path)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ({"question": "犬", "gold": [{"url": "pet/dog.html"}]}, "is relative"),
        ({"question": "犬", "gold": [], "topic": 5}, "topic 5 is not a string"),
    ],
)
def test_load_questions_rejects_relative_url_and_odd_topic(tmp_path, line, expected):
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", "utf-8")
    with pytest.raises(ConfigError, match=expected):
        load_questions(path)


def test_load_questions_warns_keys_and_grades(tmp_path, caplog):
    path = tmp_path / "q.jsonl"
    line = {
        "question": "犬",
        "gold": [{"url": "/x.html", "grade": "A"}, {"url": "/x.html", "grade": "B"}],
        "Topic": "pet",
    }
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", "utf-8")
    [question] = load_questions(path)
    assert question.gold == {"/x.html": "A"}
    assert question.topic == "-"
    assert 'ignoring key "Topic" on 1 line (1)' in caplog.text
    assert "listed with grades A and B; counting A" in caplog.text


def test_load_questions_warns_each_extra_key_once(tmp_path, caplog):
    path = tmp_path / "q.jsonl"
    lines = [
        {"question": f"犬{n}", "gold": [], "style": "faq", "note": "x"}
        for n in range(5)
    ]
    path.write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines),
        "utf-8",
    )
    assert len(load_questions(path)) == 5

    warnings = [r.getMessage() for r in caplog.records]
    warnings = [message for message in warnings if "ignoring key" in message]
    assert len(warnings) == 2
    assert warnings[0].startswith('ignoring key "note" on 5 lines (1, 2, 3 and 2 more)')
    assert warnings[1].startswith('ignoring key "style" on 5 lines')
