"""Cross-validate the intent classifier on its own training sentences.

Each repetition shuffles ``answerer/intent_data/train.jsonl`` with its own seed,
splits it into stratified folds by label, trains the classifier on all folds
but one with the packaged lexicon, and scores the fold left out. Intent
accuracy counts the label; category accuracy counts a report whose label and
category are both right, over the labelled reports.

Run: .venv/bin/python benchmarks/intent_cv.py [--folds 5] [--seeds 5]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from answerer.intent_owners import load_lexicon
from answerer.intents import TRAIN_PATH, IntentClassifier, load_jsonl


def cross_validate(rows: list[dict], folds: int, seed: int) -> dict:
    """Return intent and category accuracy of one stratified k-fold run."""
    lexicon = load_lexicon()
    labels = [row["label"] for row in rows]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    right_label = right_category = reports = 0
    for train_rows, test_rows in splitter.split(rows, labels):
        classifier = IntentClassifier([rows[i] for i in train_rows], lexicon)
        for i in test_rows:
            row, intent = rows[i], classifier.classify(rows[i]["text"])
            right_label += intent.label == row["label"]
            if row["label"] == "report":
                reports += 1
                right_category += (intent.label, intent.category) == (
                    "report",
                    row["category"],
                )
    return {
        "seed": seed,
        "intent_accuracy": round(right_label / len(rows), 3),
        "category_accuracy": round(right_category / reports, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5, help="folds per run")
    parser.add_argument("--seeds", type=int, default=5, help="runs, seeds 0 to N-1")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    rows = load_jsonl(TRAIN_PATH)
    runs = [cross_validate(rows, args.folds, seed) for seed in range(args.seeds)]
    for run in runs:
        print(json.dumps(run))
    for key in ("intent_accuracy", "category_accuracy"):
        values = [run[key] for run in runs]
        print(f"{key}: {min(values):.3f} to {max(values):.3f}")


if __name__ == "__main__":
    main()
