"""Score the emergency rules of the webhook on labelled LINE messages.

Each line of FILE is ``{"text": ..., "kind": ...}`` with one of four kinds:

- ``emergency_no_report``: a danger happening now that no fault report fits;
  the 119/110 line is expected and no report may start;
- ``emergency_with_fault``: a danger caused by a city facility; the line is
  expected and a report may still start;
- ``fault``: an ordinary fault; no line, and a report should start;
- ``ordinary``: a question or chat; no line and no report.

For each kind the script counts the texts that got the line as expected, and the
texts whose report start (``webhook.reports.flow.may_start_report``, after the
small-talk test) was as expected. ``--reports`` adds files of labelled texts
(``{"text", "label"}``, as ``cityline evaluate --intents`` reads them) and counts
how many of their reports would be kept from starting.

Run: .venv/bin/python benchmarks/emergencies.py FILE [--reports FILE ...] [-v]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from answerer.intents import IntentClassifier
from webhook.classify import TextKind, classify_text  # noqa: E402
from webhook.emergency import is_emergency  # noqa: E402
from webhook.reports.flow import may_start_report  # noqa: E402

# (line expected, report start expected) of each kind.
EXPECTED = {
    "emergency_no_report": (True, False),
    "emergency_with_fault": (True, True),
    "fault": (False, True),
    "ordinary": (False, False),
}


def starts_report(text: str, classifier: IntentClassifier) -> bool:
    """Tell whether ``text`` sent with no report under way would start one."""
    if classify_text(text) is not TextKind.QUESTION:
        return False
    return may_start_report(text, classifier.classify(text))


def read_lines(path: Path) -> list[dict]:
    """Return the JSON objects of ``path``, one per non-blank line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def score_kinds(path: Path, classifier: IntentClassifier, verbose: bool) -> None:
    """Print, per kind, how many texts got the line and the report start expected."""
    counts: Counter = Counter()
    for row in read_lines(path):
        kind, text = row["kind"], row["text"]
        if kind not in EXPECTED:
            raise SystemExit(
                f"{path}: unknown kind {kind!r}; use one of {list(EXPECTED)}"
            )
        line_expected, start_expected = EXPECTED[kind]
        line, start = is_emergency(text), starts_report(text, classifier)
        counts[kind, "total"] += 1
        counts[kind, "line"] += line == line_expected
        counts[kind, "start"] += start == start_expected
        if verbose and (line, start) != (line_expected, start_expected):
            print(f"  {kind}: line {line}, report {start}: {text[:70]}")
    header = f"{'kind':<22} {'texts':>5} {'line as expected':>17}"
    print(f"{header} {'start as expected':>18}")
    for kind in EXPECTED:
        total = counts[kind, "total"]
        print(
            f"{kind:<22} {total:>5} {counts[kind, 'line']:>17} "
            f"{counts[kind, 'start']:>18}"
        )


def score_reports(paths: list[Path], classifier: IntentClassifier) -> None:
    """Print how many labelled reports get the line or are kept from starting."""
    reports = line = kept = 0
    for path in paths:
        for row in read_lines(path):
            if row.get("label") != "report":
                continue
            reports += 1
            line += is_emergency(row["text"])
            kept += not may_start_report(row["text"], classifier.classify(row["text"]))
    print(
        f"labelled reports: {reports}, given the line: {line}, kept from starting "
        f"(also by the classifier's own doubt): {kept}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--reports", type=Path, nargs="*", default=[])
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    classifier = IntentClassifier.load()
    score_kinds(args.file, classifier, args.verbose)
    if args.reports:
        score_reports(args.reports, classifier)


if __name__ == "__main__":
    main()
