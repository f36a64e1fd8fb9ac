"""`cityline evaluate --intents`: the text tables and the error for a wrong file."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "cityline" / "demo" / "reports.jsonl"
QUESTIONS = ROOT / "cityline" / "demo" / "questions.jsonl"


@pytest.fixture
def evaluate_intents(invoke, tmp_path: Path):
    """Run ``cityline evaluate --intents FILE`` through the console entry point."""

    def run(file: Path) -> subprocess.CompletedProcess:
        return invoke(tmp_path, "evaluate", "--intents", str(file))

    return run


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line and " INFO " not in line]


def test_question_file_gives_one_error_line(evaluate_intents):
    result = evaluate_intents(QUESTIONS)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = _error_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert str(QUESTIONS) in lines[0]
    assert "drop --intents" in lines[0]


def test_invalid_json_gives_error_line(evaluate_intents, tmp_path: Path):
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{not json\n", encoding="utf-8")
    result = evaluate_intents(broken)
    assert result.returncode == 2
    lines = _error_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "broken.jsonl:1: invalid JSON at column 2" in lines[0]
    assert lines[0].count("broken.jsonl") == 1


@pytest.mark.parametrize("line", ['["text"]', '"text"', "3"])
def test_json_line_not_object_names_line(evaluate_intents, tmp_path: Path, line):
    odd = tmp_path / "odd.jsonl"
    odd.write_text(
        '{"text": "道路に穴", "label": "report", "category": "road"}\n\n' + line + "\n",
        encoding="utf-8",
    )
    result = evaluate_intents(odd)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = _error_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert f"{odd}:3:" in lines[0]
    assert "not an object" in lines[0]


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ('"accept": null', "'accept' must be a list of categories"),
        ('"accept": 5', "'accept' must be a list of categories"),
        ('"accept": "parking lot"', "'accept' must be a list of categories"),
        ('"accept": ["trees"]', "'accept' must be a list of categories"),
        ('"text": ""', "'text' must be a non-empty string"),
    ],
)
def test_invalid_row_field_names_line(
    evaluate_intents, tmp_path: Path, fields, fragment
):
    row = tmp_path / "row.jsonl"
    text = "" if '"text"' in fields else '"text": "枝が折れて道に落ちそう", '
    row.write_text(
        "{" + text + '"label": "report", "category": "sewer", ' + fields + "}\n",
        encoding="utf-8",
    )
    result = evaluate_intents(row)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = _error_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert f"{row}:1:" in lines[0]
    assert fragment in lines[0]


def test_missing_text_is_named_as_missing(evaluate_intents, tmp_path: Path):
    row = tmp_path / "row.jsonl"
    row.write_text('{"label": "question"}\n', encoding="utf-8")
    result = evaluate_intents(row)
    assert result.returncode == 2
    assert "missing key 'text'" in result.stderr


def test_shift_jis_file_names_line(evaluate_intents, tmp_path: Path):
    legacy = tmp_path / "legacy.jsonl"
    row = '{"text": "道路に穴", "label": "report", "category": "road"}\n'
    legacy.write_bytes(row.encode("shift_jis"))
    result = evaluate_intents(legacy)
    assert result.returncode == 2
    lines = _error_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert "legacy.jsonl:1: not valid UTF-8 (byte 0x93)" in lines[0]
    assert "save the file as UTF-8" in lines[0]


def test_byte_order_mark_is_accepted(evaluate_intents, tmp_path: Path):
    marked = tmp_path / "marked.jsonl"
    row = '{"text": "道路に穴があいている", "label": "report", "category": "road"}\n'
    marked.write_bytes(b"\xef\xbb\xbf" + row.encode("utf-8"))
    result = evaluate_intents(marked)
    assert result.returncode == 0, result.stderr


def test_question_row_without_category_is_scored(evaluate_intents, tmp_path: Path):
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"text": "道路に穴", "label": "question"}\n', encoding="utf-8")
    result = evaluate_intents(rows)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "misses: 1" in result.stdout


def test_text_output_has_confusion_and_category_tables(evaluate_intents):
    result = evaluate_intents(REPORTS)
    assert result.returncode == 0, result.stderr
    assert "accept alternates counts as correct" in result.stdout
    assert "expected label" in result.stdout
    header = next(
        line for line in result.stdout.splitlines() if line.endswith(" share")
    )
    assert header.split() == ["category", "reports", "correct", "share"]
    assert "misses: " in result.stdout
    assert "{" not in result.stdout


def test_top_with_intents_is_refused(invoke, tmp_path: Path):
    result = invoke(tmp_path, "evaluate", "--intents", "--top", "3", str(REPORTS))
    assert result.returncode == 2
    assert "--top applies to questions, not to --intents" in result.stderr


def test_misses_with_intents_is_refused(invoke, tmp_path: Path):
    result = invoke(tmp_path, "evaluate", "--intents", "--misses", str(REPORTS))
    assert result.returncode == 2
    assert "--misses applies to questions, not to --intents" in result.stderr


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "labelled.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_json_error_at_line_end_gets_its_column(tmp_path: Path):
    from answerer.intents import evaluate_intents

    line = '{"text": "道路に穴", "label": "report", "category": "road"'
    path = _write(tmp_path, line)
    with pytest.raises(ValueError, match=f"invalid JSON at column {len(line) + 1}"):
        evaluate_intents(path)


def test_duplicate_id_names_both_lines(tmp_path: Path):
    from answerer.intents import evaluate_intents

    row = json.dumps(
        {
            "id": "e1",
            "text": "街灯が消えています",
            "label": "report",
            "category": "road",
        },
        ensure_ascii=False,
    )
    path = _write(tmp_path, row, "", row)
    with pytest.raises(
        ValueError, match=r":3: duplicate id \"e1\" \(first on line 1\)"
    ):
        evaluate_intents(path)


def test_missing_label_is_named(tmp_path: Path):
    from answerer.intents import evaluate_intents

    path = _write(tmp_path, '{"text": "街灯が消えています"}')
    with pytest.raises(ValueError, match="missing key 'label'"):
        evaluate_intents(path)


def test_misses_give_file_line_and_id(tmp_path: Path, classifier):
    from answerer.intents import evaluate_intents

    light = "街灯が消えています"
    path = _write(
        tmp_path,
        json.dumps(
            {"id": "a", "text": light, "label": "report", "category": "streetlight"}
        ),
        "",
        json.dumps({"id": "b", "text": light, "label": "question", "category": None}),
    )
    [error] = evaluate_intents(path, classifier)["errors"]
    assert error["line"] == 3
    assert error["id"] == "b"


def test_top_with_intents_names_reason(invoke, tmp_path: Path):
    result = invoke(tmp_path, "evaluate", "--intents", "--top", "3", str(REPORTS))
    assert result.returncode == 2
    assert "--top applies to questions, not to --intents (it ranks no pages)" in (
        result.stderr
    )


def test_number_and_string_ids_differ(tmp_path: Path, classifier):
    from answerer.intents import evaluate_intents

    light = "街灯が消えています"
    path = _write(
        tmp_path,
        json.dumps({"id": 1, "text": light, "label": "report", "category": "road"}),
        json.dumps({"id": "1", "text": light, "label": "report", "category": "road"}),
    )
    assert evaluate_intents(path, classifier)["total"] == 2
