"""The emergency scoring script runs on a small labelled file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "emergencies.py"


def test_script_counts_each_kind(tmp_path: Path):
    rows = [
        {"text": "火事です", "kind": "emergency_no_report"},
        {"text": "街灯が消えています", "kind": "fault"},
        {"text": "粗大ごみの出し方", "kind": "ordinary"},
    ]
    path = tmp_path / "messages.jsonl"
    path.write_text(
        "\n".join(json.dumps(row, ensure_ascii=False) for row in rows), "utf-8"
    )
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    table = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()}
    assert table["emergency_no_report"] == ["1", "1", "1"]
    assert table["fault"] == ["1", "1", "1"]
    assert table["ordinary"] == ["1", "1", "1"]
    assert table["emergency_with_fault"] == ["0", "0", "0"]
