"""Bad question files for `cityline evaluate`: one error line naming file and line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cityline.cli import cli, main
from cityline.settings import Settings
from index.build import build_from_records
from index.fields import PageRecord

GOOD_LINE = '{"id": "q1", "question": "犬の登録", "gold": [{"url": "/pet/inu.html"}]}'


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    """Return a data dir whose index has one page, /pet/inu.html."""
    folder = tmp_path_factory.mktemp("evaluate-input")
    page = PageRecord(
        url="https://city.example/pet/inu.html",
        title="犬の登録",
        text="犬を飼い始めたら、30日以内に登録してください。",
    )
    build_from_records([page], Settings(data_dir=folder).index_dir)
    return folder


def run_evaluate(data_dir: Path, questions: Path):
    runner = CliRunner()
    return runner.invoke(
        cli, ["--data-dir", str(data_dir), "evaluate", str(questions), "--json"]
    )


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("error: ")]


def test_non_utf8_file_names_the_line(data_dir, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_bytes(
        GOOD_LINE.encode() + b'\n{"question": "\x93\xfa", "gold": []}\n'
    )

    result = run_evaluate(data_dir, questions)

    assert result.exit_code != 0
    assert not isinstance(result.exception, UnicodeDecodeError)
    message = str(result.exception)
    assert f"{str(questions)!r} line 2 is not valid UTF-8" in message
    assert "save the file as UTF-8" in message


@pytest.mark.parametrize(
    ("second_line", "expected"),
    [
        ('{"id": "q2", "question": "  ", "gold": []}', "line 2: question is empty"),
        ('{"id": "q2", "question": "犬"}', "line 2: missing key 'gold'"),
        ('{"id": "q2", "gold": []}', "line 2: missing key 'question'"),
        ('["犬"]', "line 2: expected a JSON object, got list"),
        ('{"question": "犬", gold}', "line 2: invalid JSON at column 19 ("),
        ('{"question": "犬", "gold": [{"grade": "A"}]}', 'has no string "url"'),
        ('{"question": "犬", "gold": [{"url": " "}]}', 'has an empty "url"'),
        ('{"question": "犬", "gold": "/a.html"}', 'gold "/a.html" is not a list'),
        (
            '{"id": "q1", "question": "猫", "gold": []}',
            "line 2: duplicate id 'q1' (first on line 1)",
        ),
        ('{"id": "", "question": "猫", "gold": []}', "line 2: id '' is empty"),
        (
            '\ufeff{"question": "猫", "gold": []}',
            "line 2: the line starts with a byte order mark (BOM)",
        ),
    ],
)
def test_bad_line_is_named_without_a_repr(data_dir, tmp_path, second_line, expected):
    questions = tmp_path / "q.jsonl"
    questions.write_text(f"{GOOD_LINE}\n{second_line}\n", "utf-8")

    result = run_evaluate(data_dir, questions)

    message = str(result.exception)
    assert result.exit_code != 0
    assert expected in message
    assert "Error(" not in message


def test_error_line_from_main_is_one_line(data_dir, tmp_path, capsys, monkeypatch):
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"question": "犬"}\n', "utf-8")
    argv = ["cityline", "--data-dir", str(data_dir), "evaluate", str(questions)]
    monkeypatch.setattr(sys, "argv", argv)

    with pytest.raises(SystemExit) as exited:
        main()

    err = capsys.readouterr().err
    lines = error_lines(err)
    assert exited.value.code == 2
    assert len(lines) == 1, err
    assert lines[0].startswith(f"error: question file {str(questions)!r} line 1: ")
    assert "Traceback" not in err


def test_gold_urls_not_indexed_get_one_warning(data_dir, tmp_path):
    gold = [{"url": "/pet/inu.html"}] + [
        {"url": f"https://city.example/gone/{n}.html"} for n in range(5)
    ]
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        json.dumps({"question": "犬の登録", "gold": gold}, ensure_ascii=False),
        "utf-8",
    )

    result = CliRunner().invoke(
        cli, ["--data-dir", str(data_dir), "evaluate", str(questions), "--json"]
    )

    assert result.exit_code == 0, result.output
    warnings = [
        line for line in result.stderr.splitlines() if line.startswith("warning: ")
    ]
    assert len(warnings) == 1, result.stderr
    assert "5 gold URL(s) are not in the index" in warnings[0]
    assert "/gone/0.html, /gone/1.html, /gone/2.html, ..." in warnings[0]
    assert "/gone/3.html" not in warnings[0]
    assert "city.example" not in warnings[0]
    assert json.loads(result.stdout)["hit_at_1"] == 1.0


def test_all_gold_indexed_gives_no_warning(data_dir, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(GOOD_LINE + "\n", "utf-8")

    result = CliRunner().invoke(
        cli, ["--data-dir", str(data_dir), "evaluate", str(questions), "--json"]
    )

    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr


def test_only_no_answer_questions_print_na(data_dir, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"question": "宇宙旅行", "gold": []}\n', encoding="utf-8")
    runner = CliRunner()
    text = runner.invoke(cli, ["--data-dir", str(data_dir), "evaluate", str(questions)])
    assert text.exit_code == 0
    assert "hit@1 n/a" in text.output
    assert "MRR n/a" in text.output
    result = run_evaluate(data_dir, questions)
    assert json.loads(result.stdout)["mrr"] is None


def test_lone_surrogate_question_is_listed(data_dir, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"question": "\\ud800犬", "gold": [{"url": "/gone.html"}]}\n', "utf-8"
    )

    result = CliRunner().invoke(
        cli, ["--data-dir", str(data_dir), "evaluate", str(questions), "--misses"]
    )

    assert result.exit_code == 0, result.output
    assert "\ufffd犬" in result.stdout
