"""Retrieval metrics of the answerer over a labelled question file.

The file is JSON lines ``{"id", "question", "gold": [{"url", "grade"}], "topic"}``,
where ``id`` and ``topic`` are optional. Grade A answers the question and B is
relevant (the default is A). An empty ``gold`` means that no page should be
offered. URLs are compared by path and query only, so answers from a mirror and from
the live site score alike.
"""

from __future__ import annotations

import codecs
import json
import logging
import math
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from answerer.answer import Answerer
from cityline.errors import ConfigError
from index.normalize import replace_surrogates

logger = logging.getLogger(__name__)

GAINS = {"A": 2, "B": 1}
METRIC_DEPTH = 5


@dataclass(frozen=True)
class LabelledQuestion:
    """One line of the question file."""

    question: str
    gold: dict[str, str]  # URL key (path and query) -> grade
    topic: str
    question_id: str | None = None
    line: int | None = None  # line number in the question file

    @property
    def label(self) -> str:
        """Return the id, or ``line N`` when the file gives none."""
        if self.question_id is not None:
            return self.question_id
        return "-" if self.line is None else f"line {self.line}"

    @property
    def answerable(self) -> bool:
        """True when some page of the site answers the question."""
        return bool(self.gold)


@dataclass(frozen=True)
class QuestionOutcome:
    """How the answerer did on one question."""

    question: LabelledQuestion
    urls: list[str]
    rank: int | None  # 1-based rank of the first gold page, None when missing
    ndcg: float
    fallback: bool
    milliseconds: float
    titles: list[str] = field(default_factory=list)
    tentative: bool = False  # pages offered on a weak match

    @property
    def missed(self) -> bool:
        """True for an answerable question whose first offered page is not a
        gold page (or that got the fallback), and for a no-answer question that
        got pages."""
        if self.question.answerable:
            return self.rank != 1
        return not self.fallback


@dataclass
class Evaluation:
    """All outcomes and the metrics computed from them."""

    outcomes: list[QuestionOutcome] = field(default_factory=list)

    def metrics(self) -> dict[str, float | int]:
        """Return the summary metrics under the keys that ``--json`` prints."""
        return summarize(self.outcomes)

    def misses(self) -> list[QuestionOutcome]:
        """Return the outcomes that missed (see ``QuestionOutcome.missed``), in
        file order."""
        return [outcome for outcome in self.outcomes if outcome.missed]

    def per_topic(self) -> dict[str, dict[str, float | int | None]]:
        """Return the summary metrics of each topic, topics sorted by name."""
        groups: dict[str, list[QuestionOutcome]] = defaultdict(list)
        for outcome in self.outcomes:
            groups[outcome.question.topic].append(outcome)
        return {topic: summarize(groups[topic]) for topic in sorted(groups)}


# A folder URL and its index file name the same page on the servers that CMSs run
# on, and crawlers differ in which of the two they keep.
_INDEX_FILES = ("index.html", "index.htm")


def url_key(url: str) -> str:
    """Return the path and query of ``url``, the part that evaluation compares.

    Scheme and host are dropped, and a trailing ``index.html`` is dropped too, so
    ``https://a.example/x/index.html`` and ``http://127.0.0.1:8000/x/`` compare
    equal.
    """
    parts = urlsplit(url.strip())
    path = parts.path or "/"
    for name in _INDEX_FILES:
        if path.endswith("/" + name):
            path = path[: -len(name)]
    return f"{path}?{parts.query}" if parts.query else path


LINE_FORMAT = (
    '{"id": ..., "question": ..., "gold": [{"url": ..., "grade": "A"|"B"}], '
    '"topic": ...}'
)


class _BadLine(ValueError):
    """Raised by the line parser with a message that needs no line number."""


def load_questions(path: Path) -> list[LabelledQuestion]:
    """Read a labelled question file; raise ConfigError naming the bad line.

    A line is rejected when it is not UTF-8 or not a JSON object, misses
    ``question`` or ``gold``, has an empty question, a bad gold entry, or an ``id``
    that an earlier line already used. Blank lines are skipped.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"cannot read question file {str(path)!r}: {exc.strerror}"
        ) from exc
    # Editors on Windows often save "UTF-8 with BOM"; the mark is not text.
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        number = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"question file {str(path)!r} line {number} is not valid UTF-8 (byte "
            f"0x{data[exc.start]:02x}); save the file as UTF-8"
        ) from exc

    questions: list[LabelledQuestion] = []
    first_line_of_id: dict[str, int] = {}
    ignored: dict[str, list[int]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            question = _parse_line(line, number, ignored)
        except _BadLine as exc:
            if _is_one_document(text):
                raise ConfigError(
                    f"question file {str(path)!r} is one JSON document; write it "
                    f"as JSON lines, one question per line: {LINE_FORMAT}"
                ) from exc
            raise ConfigError(
                f"question file {str(path)!r} line {number}: {exc}; each line must "
                f"be {LINE_FORMAT}"
            ) from exc
        if question.question_id is not None:
            first = first_line_of_id.setdefault(question.question_id, number)
            if first != number:
                raise ConfigError(
                    f"question file {str(path)!r} line {number}: duplicate id "
                    f"{question.question_id!r} (first on line {first}); give each "
                    "question its own id"
                )
        questions.append(question)
    _warn_ignored_keys(ignored)
    return questions


def _warn_ignored_keys(ignored: dict[str, list[int]]) -> None:
    """Log one warning per key that some lines carry but evaluation does not
    read, naming how many lines carry it and the first few."""
    for key, numbers in sorted(ignored.items()):
        line_list = ", ".join(str(number) for number in numbers[:3])
        if len(numbers) > 3:
            line_list += f" and {len(numbers) - 3} more"
        noun = "line" if len(numbers) == 1 else "lines"
        # Extra keys such as notes are allowed, but a misspelt key (Topic) is lost.
        logger.warning(
            "ignoring key %s on %d %s (%s); the keys read are %s",
            _shown(key),
            len(numbers),
            noun,
            line_list,
            ", ".join(sorted(LINE_KEYS)),
        )


def _is_one_document(text: str) -> bool:
    """Tell whether ``text`` is a JSON array or object spread over several lines."""
    if text.count("\n") < 2:
        return False
    try:
        return isinstance(json.loads(text), (list, dict))
    except json.JSONDecodeError:
        return False


def _parse_line(
    line: str, number: int | None = None, ignored: dict[str, list[int]] | None = None
) -> LabelledQuestion:
    """Parse one line of the question file, adding each key it does not read to
    ``ignored`` with the line ``number``. Raises _BadLine naming the problem."""
    if line.startswith("\ufeff"):
        raise _BadLine(
            "the line starts with a byte order mark (BOM), as where files saved "
            "as UTF-8 with BOM were joined; delete the mark or save each file as "
            "UTF-8 without BOM before joining them"
        )
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        # The decoder counts lines within this one line; only the column helps.
        raise _BadLine(f"invalid JSON at column {exc.colno} ({exc.msg})") from exc
    if not isinstance(data, dict):
        raise _BadLine(f"expected a JSON object, got {type(data).__name__}")
    if "question" not in data and {"text", "label"} <= data.keys():
        raise _BadLine(
            "missing key 'question'; this line is a labelled text of reports and "
            "questions, which `cityline evaluate --intents` scores"
        )
    for key in ("question", "gold"):
        if key not in data:
            raise _BadLine(f"missing key {key!r}")

    question = data["question"]
    if not isinstance(question, str):
        raise _BadLine(f"question {_shown(question)} is not a string")
    if not question.strip():
        raise _BadLine("question is empty")
    question_id = data.get("id")
    if question_id is not None and not isinstance(question_id, str):
        raise _BadLine(f"id {_shown(question_id)} is not a string")
    if question_id is not None and not question_id.strip():
        raise _BadLine(f"id {question_id!r} is empty; give an id or leave the key out")
    topic = data.get("topic")
    if topic is not None and not isinstance(topic, str):
        raise _BadLine(f"topic {_shown(topic)} is not a string")
    if ignored is not None:
        for key in sorted(data.keys() - LINE_KEYS):
            ignored.setdefault(key, []).append(number)
    # A JSON escape of a lone surrogate (\ud800) cannot be printed in a
    # report; it is read as U+FFFD, as questions are asked.
    return LabelledQuestion(
        question=replace_surrogates(question),
        gold=_parse_gold(data["gold"]),
        topic=replace_surrogates(topic or "-"),
        question_id=None if question_id is None else replace_surrogates(question_id),
        line=number,
    )


LINE_KEYS = frozenset({"id", "question", "gold", "topic"})


def _shown(value: object) -> str:
    """Return ``value`` as JSON, as the question file writes it, cut to 80 chars."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:79] + "…"


def _parse_gold(items: object) -> dict[str, str]:
    """Return URL key -> grade, keeping the best grade of a URL listed twice."""
    if not isinstance(items, list):
        raise _BadLine(f"gold {_shown(items)} is not a list")
    gold: dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            raise _BadLine(f'gold entry {_shown(item)} has no string "url"')
        url = item["url"].strip()
        if not url:
            raise _BadLine(f'gold entry {_shown(item)} has an empty "url"')
        grade = item.get("grade", "A")
        if grade not in GAINS:
            raise _BadLine(f'grade {_shown(grade)} is not "A" or "B"')
        try:
            parts = urlsplit(url)
            key = url_key(url)
        except ValueError as exc:
            raise _BadLine(
                f"gold url {_shown(url)} is not a valid URL ({exc})"
            ) from exc
        if not parts.scheme and not url.startswith("/"):
            raise _BadLine(
                f"gold url {_shown(url)} is relative, so it matches no page; give "
                "the page's full URL or a path that starts with /"
            )
        if gold.get(key, grade) != grade:
            logger.warning(
                "gold url %s is listed with grades %s and %s; counting %s",
                _shown(url),
                gold[key],
                grade,
                max(gold[key], grade, key=GAINS.__getitem__),
            )
        if key not in gold or GAINS[grade] > GAINS[gold[key]]:
            gold[key] = grade
    return gold


def gold_not_indexed(
    questions: Iterable[LabelledQuestion], indexed_urls: Iterable[str]
) -> list[str]:
    """Return the gold URL keys that no indexed page has, in file order.

    Such a URL can never be found, so the questions that want it score as misses.
    """
    indexed = {url_key(url) for url in indexed_urls}
    missing: dict[str, None] = {}
    for question in questions:
        for key in question.gold:
            if key not in indexed:
                missing.setdefault(key)
    return list(missing)


def evaluate(
    answerer: Answerer, questions: Iterable[LabelledQuestion], top_k: int = 5
) -> Evaluation:
    """Ask every question and record rank, nDCG, fallback and latency.

    At least METRIC_DEPTH answers are requested, so hit@5 and nDCG@5 are defined
    whatever ``top_k`` is; a fallback counts as no answer at all.
    """
    depth = max(top_k, METRIC_DEPTH)
    evaluation = Evaluation()
    for question in questions:
        started = time.perf_counter()
        result = answerer.ask(question.question, top_k=depth)
        elapsed = (time.perf_counter() - started) * 1000
        urls = [answer.url for answer in result.answers]
        evaluation.outcomes.append(
            QuestionOutcome(
                question=question,
                urls=urls,
                rank=first_gold_rank(urls, question.gold),
                ndcg=ndcg(urls, question.gold, METRIC_DEPTH),
                fallback=result.fallback,
                milliseconds=elapsed,
                titles=[answer.title for answer in result.answers],
                tentative=result.tentative,
            )
        )
    return evaluation


def first_gold_rank(urls: list[str], gold: dict[str, str]) -> int | None:
    """Return the 1-based rank of the first URL in ``gold``, or None."""
    for position, url in enumerate(urls, start=1):
        if url_key(url) in gold:
            return position
    return None


def ndcg(urls: list[str], gold: dict[str, str], depth: int) -> float:
    """Return nDCG@depth with gains A=2 and B=1 (0.0 when ``gold`` is empty)."""
    gains = sorted((GAINS[grade] for grade in gold.values()), reverse=True)
    ideal = sum(g / math.log2(i + 2) for i, g in enumerate(gains[:depth]))
    if ideal == 0:
        return 0.0
    seen: set[str] = set()
    actual = 0.0
    for i, url in enumerate(urls[:depth]):
        key = url_key(url)
        if key in gold and key not in seen:
            seen.add(key)
            actual += GAINS[gold[key]] / math.log2(i + 2)
    return actual / ideal


def summarize(outcomes: list[QuestionOutcome]) -> dict[str, float | int | None]:
    """Compute the metrics of ``outcomes``, keyed as ``cityline evaluate --json``
    prints them.

    Over the answerable questions: hit@1, hit@3 and hit@5, MRR (the first gold
    page anywhere in the answers asked for) and nDCG@5. Over the no-answer
    questions: how many got the fallback, and how many got pages offered
    tentatively, on a weak match. Also the answerable questions that got the
    fallback or tentative pages, and the latency p50 and p95 in milliseconds
    over all. hit@k,
    MRR and nDCG@5 are None when no question is answerable, since there is
    nothing to rank.
    """
    answerable = [o for o in outcomes if o.question.answerable]
    no_answer = [o for o in outcomes if not o.question.answerable]
    count = len(answerable)

    def hit(k: int) -> float | None:
        return _mean(
            [1.0 if o.rank is not None and o.rank <= k else 0.0 for o in answerable]
        )

    latencies = np.asarray([o.milliseconds for o in outcomes] or [0.0])
    return {
        "hit_at_1": hit(1),
        "hit_at_3": hit(3),
        "hit_at_5": hit(5),
        "mrr": _mean([1.0 / o.rank if o.rank else 0.0 for o in answerable]),
        "ndcg_at_5": _mean([o.ndcg for o in answerable]),
        "answerable": count,
        "no_answer_total": len(no_answer),
        "no_answer_fallback": sum(1 for o in no_answer if o.fallback),
        "false_fallback": sum(1 for o in answerable if o.fallback),
        "no_answer_tentative": sum(1 for o in no_answer if o.tentative),
        "answerable_tentative": sum(1 for o in answerable if o.tentative),
        "p50_ms": float(np.percentile(latencies, 50)),
        "p95_ms": float(np.percentile(latencies, 95)),
    }


def _mean(values: list[float]) -> float | None:
    return float(sum(values) / len(values)) if values else None
