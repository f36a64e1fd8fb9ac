"""Tell a resident's fault report from a question and guess the report's category.

The classifier combines hand-written cues with trained models:

- regular expressions for question endings, procedure words, fault-state
  predicates and requests, plus a weighted object lexicon per category
  (``intent_data/lexicon.json``);
- two scikit-learn logistic regressions over TF-IDF character n-grams, trained at
  load time on the sentences in ``intent_data/train.jsonl`` (written for this
  project, under 500 lines, so training takes well under a second).

Three rules decide before any model. A question about how to act ("〜ときはどうすれば?")
is a question, and so is a text with no evidence of a fault (``has_fault_evidence``),
such as a bare object name or "公園はどこ", and a short text that names no object
of the lexicon, such as "こわい". Otherwise the label model takes the cue
counts as extra features, so the cues and the n-grams are weighed together. For a
report, ownership rules come first (dumping and graffiti, then anything inside a
park, then things of other owners such as national roads and private trees).
Otherwise the category is the lexicon score plus the model's probability.

The rules live in their own modules: :mod:`answerer.intent_text` prepares a
text, :mod:`answerer.intent_cues` contains the regular expressions of its wording,
:mod:`answerer.intent_evidence` decides whether it gives evidence of a fault or
asks how to act, and :mod:`answerer.intent_owners` contains the ownership rules
and the lexicon. This module trains the models, classifies and evaluates.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

from answerer.intent_cues import (
    ADMIN_TOPIC,
    CONDITIONAL_PROCEDURE,
    FAULT_STATE,
    FEAR_OR_WORRY,
    FEELING,
    FOLLOW_UP,
    PROCEDURE,
    PROPOSAL,
    QUESTION_END,
    QUESTION_MARK,
    REPORTING_WORDS,
    REQUEST,
    RESPONSIBILITY,
    SOMETHING_WRONG,
    THING_IN_A_STATE,
)
from answerer.intent_evidence import (
    FAULT_CUES,
    NAMED_SUBJECT,
    asks_how_to_act,
    asserts_fault,
    fault_after_another_matter,
    fault_before_another_matter,
    fault_sentences,
    follows_up_on_a_fault,
    has_fault_evidence,
    is_urgent,
    tells_only_of_an_emergency,
)
from answerer.intent_own import tells_only_of_own_things
from answerer.intent_owners import (
    CATEGORIES,
    DATA_DIR,
    LEXICON_PATH,
    PARK_LANDMARK,
    load_lexicon,
    ownership_category,
    score_lexicon,
)
from answerer.intent_text import (
    MAX_CHARS,
    content_char_count,
    has_content,
    is_repetition,
    normalize,
    split_sentences,
    strip_urls,
)
from cityline.terminal import json_text
from index.normalize import fold_kana

logger = logging.getLogger(__name__)

LABELS = ("report", "question")
TRAIN_PATH = DATA_DIR / "train.jsonl"

# A text with fewer letters and digits than this, whose only fault cue is a
# feeling (FEELING) and that names no object of the lexicon, is no report. The
# shortest report among the labelled texts that names no lexicon object has 18.
BARE_FEELING_CHARS = 12


@dataclass(frozen=True)
class Intent:
    """Classification of one text.

    ``category`` is one of CATEGORIES for a report and None for a question.
    ``urgent`` is computed from the text for either label, because a question that
    mentions a cave-in or a gas smell also needs the city hall number at once.
    ``confidence`` is the model's probability (0..1) of ``label``.
    """

    label: str
    category: str | None
    urgent: bool
    confidence: float


def cue_features(text: str) -> list[float]:
    """Return the hand-written cue counts of a normalized text, in a fixed order."""
    sentences = split_sentences(text) or [""]
    question_ends = sum(1 for s in sentences if QUESTION_END.search(s))
    has_fault = 1.0 if FAULT_STATE.search(text) else 0.0
    request = 1.0 if REQUEST.search(text) else 0.0
    procedure = len(PROCEDURE.findall(text))
    admin = len(ADMIN_TOPIC.findall(text))
    return [
        question_ends / len(sentences),
        1.0 if QUESTION_MARK.search(text) else 0.0,
        min(procedure, 3) / 3,
        1.0 if CONDITIONAL_PROCEDURE.search(text) else 0.0,
        1.0 if REPORTING_WORDS.search(text) else 0.0,
        1.0 if RESPONSIBILITY.search(text) else 0.0,
        min(admin, 3) / 3,
        min(len(FAULT_STATE.findall(text)), 3) / 3,
        request,
        has_fault * request,
        1.0 if asserts_fault(text) else 0.0,
        1.0 if PROPOSAL.search(text) else 0.0,
        1.0 if FOLLOW_UP.search(text) else 0.0,
    ]


def load_jsonl(path: Path) -> list[dict]:
    """Read a JSON-lines file, raising ValueError that names the bad line."""
    return [row for _, row in load_numbered_jsonl(path)]


def load_numbered_jsonl(path: Path) -> list[tuple[int, dict]]:
    """Read a JSON-lines file as (line number, object) pairs, skipping blank
    lines; raise ValueError that names the bad line."""
    rows = []
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                bad = raw[error.start : error.start + 1].hex()
                raise ValueError(
                    f"{path}:{number}: not valid UTF-8 (byte 0x{bad}); "
                    "save the file as UTF-8"
                ) from error
            if not line.strip():
                continue
            try:
                # Without its line break, an error at the end of the line gets
                # that line's column, not column 1 of the next.
                row = json.loads(line.rstrip("\r\n"))
            except json.JSONDecodeError as error:
                raise ValueError(
                    f"{path}:{number}: invalid JSON at column {error.colno} "
                    f"({error.msg}); expected one object per line"
                ) from error
            if not isinstance(row, dict):
                raise ValueError(
                    f"{path}:{number}: a JSON {type(row).__name__}, not an object; "
                    "expected one object per line"
                )
            rows.append((number, row))
    return rows


ROW_KEYS = frozenset({"id", "text", "label", "category", "accept"})


def validate_row(row: dict, where: str) -> None:
    """Raise ValueError, naming ``where`` and the value, for a labelled row that
    lacks a non-empty text, a label, a report's category, or whose ``accept`` is
    not a list of categories. Keys outside ROW_KEYS are logged and ignored."""
    if "text" not in row:
        raise ValueError(f"{where}: missing key 'text'; add the message text")
    if "label" not in row:
        raise ValueError(f'{where}: missing key \'label\'; add "report" or "question"')
    if not isinstance(row["text"], str) or not row["text"].strip():
        raise ValueError(
            f"{where}: 'text' must be a non-empty string, got {row['text']!r}"
        )
    unknown = sorted(set(row) - ROW_KEYS)
    if unknown:
        logger.warning(
            "%s: ignoring key(s) %s; the keys are %s",
            where,
            ", ".join(json.dumps(key, ensure_ascii=False) for key in unknown),
            ", ".join(sorted(ROW_KEYS)),
        )
    if row["label"] not in LABELS:
        raise ValueError(
            f"{where}: invalid 'label' {json_text(row['label'])}; use one of "
            f"{_choices(LABELS)}"
        )
    category = row.get("category")
    if row["label"] == "report" and category not in CATEGORIES:
        raise ValueError(
            f"{where}: a report needs 'category', one of {_choices(CATEGORIES)}; "
            f"got {json_text(category)}"
        )
    accept = row.get("accept", [])
    if not isinstance(accept, list) or any(item not in CATEGORIES for item in accept):
        raise ValueError(
            f"{where}: 'accept' must be a list of categories from "
            f"{_choices(CATEGORIES)}, got {json_text(accept)}"
        )
    if row["label"] == "question" and category is not None:
        raise ValueError(
            f"{where}: a question needs 'category' null, got {json_text(category)}"
        )


def _choices(values: tuple[str, ...]) -> str:
    return ", ".join(f'"{value}"' for value in values)


class IntentClassifier:
    """Report/question classifier with a category guess for reports.

    ``classify`` only reads the fitted models, so one instance may be shared by
    many threads.
    """

    # Weight of the category model's probability against the lexicon scores,
    # which are sums of per-term weights from 0.5 to 4.
    MODEL_WEIGHT = 2.0
    # Confidence reported when a rule decides, since no model is consulted.
    RULE_CONFIDENCE = 0.9

    def __init__(self, rows: list[dict], lexicon: dict[str, dict[str, float]]):
        if not rows:
            raise ValueError("training rows are empty; add sentences to train.jsonl")
        self.lexicon = lexicon
        texts = [normalize(row["text"]) for row in rows]
        labels = [row["label"] for row in rows]

        # Both models share one vocabulary, so classify transforms a text once.
        self.vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True
        )
        ngrams = self.vectorizer.fit_transform(texts)
        self.label_model = LogisticRegression(
            C=4.0, class_weight="balanced", solver="liblinear"
        )
        self.label_model.fit(self.label_features(ngrams, texts), labels)

        report_rows = [i for i, row in enumerate(rows) if row["label"] == "report"]
        report_categories = [rows[i]["category"] for i in report_rows]
        # liblinear fits in milliseconds but, in scikit-learn 1.9, rejects more than
        # two classes, hence one-vs-rest.
        self.category_model = OneVsRestClassifier(
            LogisticRegression(C=4.0, solver="liblinear")
        )
        self.category_model.fit(ngrams[report_rows], report_categories)
        logger.debug(
            "trained intent models on %d rows (%d reports)",
            len(rows),
            len(report_rows),
        )

    @classmethod
    def load(cls, train_path: Path = TRAIN_PATH, lexicon_path: Path = LEXICON_PATH):
        """Train the classifier from the packaged data files (no network)."""
        rows = load_jsonl(train_path)
        for number, row in enumerate(rows, start=1):
            validate_row(row, f"{train_path}:{number}")
        return cls(rows, load_lexicon(lexicon_path))

    def label_features(self, ngrams, texts: list[str]):
        """Append the cue features of ``texts`` to their n-gram rows."""
        cues = [cue_features(text) + [self.object_strength(text)] for text in texts]
        return hstack([ngrams, csr_matrix(np.array(cues))], format="csr")

    def object_strength(self, text: str) -> float:
        """Return 0..1: how strongly a text names a city-managed physical object."""
        best = max(self.lexicon_scores(text).values())
        return min(best, 6.0) / 6.0

    def lexicon_scores(self, text: str) -> dict[str, float]:
        return score_lexicon(self.lexicon, text)

    def names_object(self, text: str) -> bool:
        """Return True when a normalized text names a term of the lexicon.

        Katakana is read as hiragana too, since the lexicon spells kana words in
        hiragana (ｶﾞｲﾄｳ for がいとう).
        """
        return any(self.object_strength(form) > 0 for form in (text, fold_kana(text)))

    def is_bare_feeling(self, text: str) -> bool:
        """Return True for a short text that names no city object and states
        no fault: a feeling (こわい, 地震こわい) or a remark about oneself with no
        thing named as its subject (おなかすいた, 眠い).

        A short text that states a fault (ふたが外れてる, ミラーが割れてる) is
        neither, nor is a longer one (道の端が崩れていて、歩くと足元が危ない
        names no lexicon object), nor one that names a thing with が or を
        (ガラスが散らばってる), which may be a hazard the lexicon lacks.
        """
        if content_char_count(text) >= BARE_FEELING_CHARS:
            return False
        if not FEELING.search(text) and NAMED_SUBJECT.search(text):
            return False
        rest = FEELING.sub(" ", text)
        if any(pattern.search(rest) for pattern in FAULT_CUES) or is_urgent(rest):
            return False
        return not self.names_object(text)

    def names_nothing_to_fix(self, text: str) -> bool:
        """Return True for a text that names no city object and nothing wrong:
        small talk, thanks, a feeling, or a matter of the writer's own
        (ごみ出しカレンダーをなくしました, 使い方がよくわからん,
        雨ばっかりでいやになるね, 夜道がなんとなくこわい).

        Anything wrong counts, named or not: a fault, a request, a follow-up, a
        state that has lasted or an urgent case. So does a thing that stopped,
        was left or makes noise (エレベーターが止まってます, 集積所に布団を
        置いていった, 夜中ずっと物音がします), and a thing named in a state that
        goes on (水が白く濁っています), which the lexicon may not name.
        """
        if self.names_object(text) or is_urgent(text):
            return False
        # Fear or worry alone (夜道がなんとなくこわい) names nothing wrong, while
        # 困ってます complains of something (のらねこが庭に来て困ってます).
        rest = FEAR_OR_WORRY.sub(" ", text)
        if any(pattern.search(rest) for pattern in FAULT_CUES):
            return False
        return not (SOMETHING_WRONG.search(rest) or THING_IN_A_STATE.search(rest))

    def object_category(self, text: str) -> str | None:
        """Return the category of the city object that a message names, if any.

        Unlike ``classify``, this needs no fault evidence: the report flow uses it
        when it has asked for the category and the resident types an object name
        ("街灯", "ベンチ"). Returns None when no lexicon term occurs in the text.
        """
        normalized = strip_urls(normalize(text[:MAX_CHARS]))
        if self.object_strength(normalized) == 0:
            return None
        return self.guess_category(normalized)

    def guess_category(self, text: str, ngrams=None) -> str:
        """Return the category of a normalized report text.

        ``ngrams`` is the text's row from ``self.vectorizer``, computed when omitted.
        """
        fixed = ownership_category(text)
        if fixed is not None:
            return fixed
        if ngrams is None:
            ngrams = self.vectorizer.transform([text])
        # The sentences that state the fault name its object; a later sentence
        # may name other things only to give details (電柱に貼ってある番号).
        scores = score_lexicon(self.lexicon, fault_sentences(text), landmarks=True)
        if not any(scores.values()):
            scores = score_lexicon(self.lexicon, text, landmarks=True)
        # The lexicon spells words typed in kana (がいとう) in hiragana, and a
        # voice-input text may mix katakana with other words (ガイトウガキエテ
        # イマス…えきからのみち), so the folded text counts too, per category.
        folded_text = fold_kana(text)
        if folded_text != text:
            folded = score_lexicon(self.lexicon, folded_text, landmarks=True)
            scores = {name: max(scores[name], folded[name]) for name in scores}
        probabilities = self.category_model.predict_proba(ngrams)[0]
        for category, probability in zip(
            self.category_model.classes_, probabilities, strict=True
        ):
            scores[category] += self.MODEL_WEIGHT * probability
        return max(CATEGORIES, key=lambda category: scores[category])

    def classify(self, text: str) -> Intent:
        """Classify one message.

        Links are removed first (``strip_urls``). A text left empty or with only
        symbols, and a text that is one word repeated (``is_repetition``), is a
        question at confidence 0.5, because neither describes a fault. A question
        about how to act (``asks_how_to_act``) and a text without evidence of a
        fault (``has_fault_evidence``) are questions decided without the model, at
        RULE_CONFIDENCE. So is a text that tells only of a person down or a fire
        (``tells_only_of_an_emergency``), and a short text that names no city
        object (``is_bare_feeling``).
        """
        normalized = strip_urls(normalize(text[:MAX_CHARS]))
        if not has_content(normalized) or is_repetition(normalized):
            return Intent("question", None, False, 0.5)
        # A fault, then another matter (…角です。あと、粗大ごみの申し込みって…):
        # the fault is what the message reports.
        normalized = (
            fault_before_another_matter(normalized)
            or fault_after_another_matter(normalized)
            or normalized
        )

        urgent = is_urgent(normalized)
        if asks_how_to_act(normalized) or not has_fault_evidence(normalized):
            return Intent("question", None, urgent, self.RULE_CONFIDENCE)
        if tells_only_of_an_emergency(normalized):
            return Intent("question", None, urgent, self.RULE_CONFIDENCE)
        if self.is_bare_feeling(normalized) or self.names_nothing_to_fix(normalized):
            return Intent("question", None, urgent, self.RULE_CONFIDENCE)
        if tells_only_of_own_things(normalized):
            return Intent("question", None, urgent, self.RULE_CONFIDENCE)

        ngrams = self.vectorizer.transform([normalized])
        probabilities = self.label_model.predict_proba(
            self.label_features(ngrams, [normalized])
        )[0]
        best = int(np.argmax(probabilities))
        label = str(self.label_model.classes_[best])
        confidence = float(probabilities[best])
        if label == "question" and follows_up_on_a_fault(normalized):
            # まだそのままです。いつ直りますか？ states that a fault is still
            # there, which the model, unsure, may take for a question.
            label, confidence = "report", self.RULE_CONFIDENCE
        category = None
        if label == "report":
            category = self.guess_category(normalized, ngrams)
        return Intent(
            label=label,
            category=category,
            urgent=urgent,
            confidence=confidence,
        )


class CueClassifier:
    """Regex-and-lexicon baseline with no trained model, kept for comparison.

    A text is a question when it asks how to act (``asks_how_to_act``), when it
    gives no evidence of a fault (``has_fault_evidence``), or when it ends like a
    question or names a procedure without naming a city object together with a
    fault or a request.
    """

    def __init__(self, lexicon: dict[str, dict[str, float]]):
        self.lexicon = lexicon

    @classmethod
    def load(cls, lexicon_path: Path = LEXICON_PATH) -> CueClassifier:
        return cls(load_lexicon(lexicon_path))

    def lexicon_scores(self, text: str) -> dict[str, float]:
        return score_lexicon(self.lexicon, text)

    def classify(self, text: str) -> Intent:
        normalized = strip_urls(normalize(text[:MAX_CHARS]))
        if not has_content(normalized) or is_repetition(normalized):
            return Intent("question", None, False, 0.5)
        scores = self.lexicon_scores(PARK_LANDMARK.sub("", normalized))
        asks = bool(
            QUESTION_END.search(normalized)
            or PROCEDURE.search(normalized)
            or CONDITIONAL_PROCEDURE.search(normalized)
        )
        describes_fault = max(scores.values()) >= 1.5 and bool(
            FAULT_STATE.search(normalized) or REQUEST.search(normalized)
        )
        if (
            asks_how_to_act(normalized)
            or (asks and not describes_fault)
            or not has_fault_evidence(normalized)
        ):
            return Intent("question", None, is_urgent(normalized), 1.0)
        category = ownership_category(normalized)
        if category is None and max(scores.values()) == 0:
            category = "other"
        elif category is None:
            category = max(CATEGORIES, key=lambda name: scores[name])
        return Intent("report", category, is_urgent(normalized), 1.0)


def evaluate_intents(path: Path, classifier: IntentClassifier | None = None) -> dict:
    """Score a classifier on a JSON-lines file of labelled texts.

    Each line is ``{"text", "label": "report"|"question", "category": ...|null,
    "accept": [...]}``, with ``accept`` optional. The returned dict contains:

    - ``intent_accuracy``: share of all texts with the right label;
    - ``category_accuracy``: over texts labelled report, share whose predicted
      category is ``category`` or in ``accept`` (a predicted question is wrong),
      or None when the file has no reports;
    - ``total``, ``reports``, ``questions`` and ``urgent_flagged``: counts;
    - ``per_category``: ``{category: {"total", "correct"}}`` over reports;
    - ``label_confusion`` and ``category_confusion``: ``{expected: {predicted:
      count}}``, where the predicted category ``"question"`` means the report was
      taken for a question;
    - ``errors``: for each miss, its line in the file, its ``id`` when the line
      has one, and the expected and predicted pairs. The text is left out, since
      real reports may hold personal data.

    Raises ValueError for a file with no rows, an invalid row or an id that an
    earlier line used.
    """
    path = Path(path)
    numbered = load_numbered_jsonl(path)
    if not numbered:
        raise ValueError(f"{path}: no labelled texts; expected JSON lines")
    first_line_of: dict[str, int] = {}
    for number, row in numbered:
        validate_row(row, f"{path}:{number}")
        if "id" in row:
            # As JSON, so that the id 1 and the id "1" stay apart.
            key = json_text(row["id"])
            if key in first_line_of:
                raise ValueError(
                    f"{path}:{number}: duplicate id {json_text(row['id'])} (first on "
                    f"line {first_line_of[key]}); give each line its own id"
                )
            first_line_of[key] = number
    rows = [row for _, row in numbered]
    classifier = classifier or IntentClassifier.load()

    label_confusion: dict[str, Counter] = {label: Counter() for label in LABELS}
    category_confusion: dict[str, Counter] = {name: Counter() for name in CATEGORIES}
    per_category = {name: {"total": 0, "correct": 0} for name in CATEGORIES}
    label_correct = category_correct = urgent_flagged = 0
    errors = []
    for number, row in numbered:
        intent = classifier.classify(row["text"])
        urgent_flagged += intent.urgent
        label_confusion[row["label"]][intent.label] += 1
        label_ok = intent.label == row["label"]
        label_correct += label_ok
        category_ok = True
        if row["label"] == "report":
            expected = row["category"]
            predicted = intent.category if intent.label == "report" else "question"
            category_confusion[expected][predicted] += 1
            category_ok = predicted == expected or predicted in row.get("accept", [])
            per_category[expected]["total"] += 1
            per_category[expected]["correct"] += category_ok
            category_correct += category_ok
        if not (label_ok and category_ok):
            error = {
                "line": number,
                "expected": [row["label"], row.get("category")],
                "predicted": [intent.label, intent.category],
            }
            if "id" in row:
                error["id"] = row["id"]
            errors.append(error)

    reports = sum(1 for row in rows if row["label"] == "report")
    return {
        "intent_accuracy": label_correct / len(rows),
        "category_accuracy": category_correct / reports if reports else None,
        "total": len(rows),
        "reports": reports,
        "questions": len(rows) - reports,
        "per_category": per_category,
        "label_confusion": {k: dict(v) for k, v in label_confusion.items()},
        "category_confusion": {k: dict(v) for k, v in category_confusion.items() if v},
        "urgent_flagged": urgent_flagged,
        "errors": errors,
    }


def main(argv: list[str] | None = None) -> int:
    """Print ``evaluate_intents`` figures for JSON-lines files (``python -m``)."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m answerer.intents",
        description="Score the intent classifier on labelled JSON-lines files.",
    )
    parser.add_argument("paths", nargs="+", type=Path, help="labelled JSON-lines file")
    parser.add_argument(
        "--baseline", action="store_true", help="score the cue-only classifier instead"
    )
    parser.add_argument("--json", action="store_true", help="print the full result")
    args = parser.parse_args(argv)

    classifier = CueClassifier.load() if args.baseline else IntentClassifier.load()
    for path in args.paths:
        result = evaluate_intents(path, classifier)
        if args.json:
            print(json.dumps({"path": str(path), **result}, ensure_ascii=False))
            continue
        category_accuracy = result["category_accuracy"]
        category_text = (
            "n/a" if category_accuracy is None else f"{category_accuracy:.3f}"
        )
        print(
            f"{path}: intent_accuracy={result['intent_accuracy']:.3f} "
            f"category_accuracy={category_text} "
            f"total={result['total']} reports={result['reports']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
