"""rank.prepare loads every compiled kernel that Answerer.ask calls."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Run in a new interpreter, because other tests of this process may have
# called the kernels already.
SCRIPT = """
from answerer import kernel
from answerer.rank import prepare
from index.fields import PageRecord
from index.vectorize import build_model

records = [
    PageRecord(
        f"https://city.example/{number}.html",
        f"粗大ごみの出し方 {number}",
        "粗大ごみは予約制です。\\n受付は午前9時から午後5時までです。",
    )
    for number in range(3)
]
prepare(build_model(records, workers=1))
kernels = [
    "score_question",
    "question_grams",
    "uncommon_grams",
    "choose_passage",
    "passage_weights",
]
print(" ".join(name for name in kernels if not getattr(kernel, name).signatures))
"""


def test_prepare_loads_snippet_kernels():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
