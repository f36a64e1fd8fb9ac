"""The ``cityline ask`` and ``cityline evaluate`` commands."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import click

from answerer.answer import DEFAULT_TOP_K, Answerer, AnswerResult
from answerer.evaluate import (
    Evaluation,
    LabelledQuestion,
    QuestionOutcome,
    gold_not_indexed,
    load_questions,
    url_key,
)
from answerer.evaluate import evaluate as run_evaluation
from cityline.errors import ConfigError
from cityline.settings import Settings
from cityline.terminal import pad_columns
from index.artifact import IndexNotFoundError

GOLD_URLS_LISTED = 3
# Maximum of --top: far more pages than a resident reads, and small enough for
# every array size.
MAX_TOP = 1000


@click.command()
@click.argument("question")
@click.option(
    "--top",
    "top_k",
    type=click.IntRange(min=1, max=MAX_TOP),
    default=DEFAULT_TOP_K,
    show_default=True,
    help="Maximum number of pages to return.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def ask(settings: Settings, question: str, top_k: int, as_json: bool) -> None:
    """Answer QUESTION with links to city pages, or the fallback text."""
    result = load_answerer(settings).ask(question, top_k=top_k)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
        return
    click.echo(format_result(result))


def load_answerer(settings: Settings) -> Answerer:
    """Load the answerer of ``settings``.

    When its data dir does not exist, the error names the missing folder. When
    it has no index but contains the demo's, the error names the demo's data
    dir.
    """
    try:
        return Answerer.load(settings)
    except IndexNotFoundError as exc:
        if not settings.data_dir.exists():
            # A mistyped --data-dir, not a data dir waiting for its index.
            raise IndexNotFoundError(
                f"data dir {str(settings.data_dir)!r} does not exist; pass the "
                "folder that `cityline crawl` filled with --data-dir or "
                "CITYLINE_DATA_DIR"
            ) from None
        demo = settings.data_dir / "demo"
        if (demo / "index").is_dir():
            raise IndexNotFoundError(
                f"{exc}. The demo's index is in {str(demo)!r}: add "
                f"--data-dir {demo} to use it"
            ) from None
        raise


def format_result(result: AnswerResult) -> str:
    """Return the answers of ``result`` as numbered plain-text lines."""
    if result.fallback:
        return result.fallback_text or ""
    lines = []
    if result.tentative:
        lines.append("weak match: these pages may not answer the question")
    for number, answer in enumerate(result.answers, start=1):
        lines.append(f"{number}. {answer.title} ({answer.score:.3f})")
        lines.append(f"   {answer.url}")
        lines.append(f"   {answer.snippet}")
    return "\n".join(lines)


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--top",
    "top_k",
    type=click.IntRange(min=1, max=MAX_TOP),
    default=5,
    show_default=True,
    help=(
        "Pages requested per question; a value under 5 still requests 5, because "
        "hit@k and nDCG@5 look at the first 5 (MRR looks at all of them)."
    ),
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--intents",
    is_flag=True,
    help="Score the intent classifier on FILE of labelled reports and questions.",
)
@click.option(
    "--misses",
    "show_misses",
    is_flag=True,
    help=(
        "Also list each question whose first page is not a gold page, and each "
        "no-answer question that got pages, with the pages offered."
    ),
)
@click.pass_obj
def evaluate(
    settings: Settings,
    file: Path,
    top_k: int,
    as_json: bool,
    intents: bool,
    show_misses: bool,
) -> None:
    """Score the answerer (or with --intents, the intent classifier) on FILE."""
    if intents:
        context = click.get_current_context()
        reasons = {
            "top_k": ("--top", "it ranks no pages"),
            "show_misses": ("--misses", "it always lists its misses"),
        }
        for name, (option, reason) in reasons.items():
            source = context.get_parameter_source(name)
            if source is click.core.ParameterSource.COMMANDLINE:
                raise click.UsageError(
                    f"{option} applies to questions, not to --intents ({reason}); "
                    "drop one of them"
                )
        _evaluate_intents(file, as_json)
        return
    questions = load_questions(file)
    if not questions:
        raise ConfigError(
            f"question file {str(file)!r} contains no questions; add JSON lines "
            'with "question" and "gold"'
        )
    answerer = load_answerer(settings)
    _warn_gold_not_indexed(questions, answerer)
    evaluation = run_evaluation(answerer, questions, top_k=top_k)
    titles = {url_key(page.url): page.title for page in answerer.model.pages}
    if as_json:
        # The summary keys first, as documented, then the per-topic table.
        result = {**evaluation.metrics(), "topics": evaluation.per_topic()}
        if show_misses:
            result["misses"] = [miss_json(o, titles) for o in evaluation.misses()]
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    click.echo(format_evaluation(evaluation))
    if show_misses:
        click.echo(format_misses(evaluation, titles))


def _warn_gold_not_indexed(
    questions: list[LabelledQuestion], answerer: Answerer
) -> None:
    """Print one warning line when gold URLs are missing from the index."""
    missing = gold_not_indexed(questions, (page.url for page in answerer.model.pages))
    if not missing:
        return
    listed = ", ".join(missing[:GOLD_URLS_LISTED])
    more = ", ..." if len(missing) > GOLD_URLS_LISTED else ""
    click.echo(
        f"warning: {len(missing)} gold URL(s) are not in the index and score as "
        f"misses: {listed}{more}; crawl the pages or fix the question file",
        err=True,
    )


def format_evaluation(evaluation: Evaluation) -> str:
    """Return the summary metrics and the per-topic table as text."""
    m = evaluation.metrics()
    lines = [
        f"answerable questions: {m['answerable']}",
        f"hit@1 {_share(m['hit_at_1'])}  hit@3 {_share(m['hit_at_3'])}  "
        f"hit@5 {_share(m['hit_at_5'])}  MRR {_share(m['mrr'])}  "
        f"nDCG@5 {_share(m['ndcg_at_5'])}",
        f"no-answer questions given the fallback: {m['no_answer_fallback']} of "
        f"{m['no_answer_total']}",
        f"answerable questions given the fallback: {m['false_fallback']} of "
        f"{m['answerable']}",
        f"pages offered tentatively, on a weak match: {m['no_answer_tentative']} "
        f"of {m['no_answer_total']} no-answer, {m['answerable_tentative']} of "
        f"{m['answerable']} answerable questions",
        f"latency p50 {m['p50_ms']:.1f} ms  p95 {m['p95_ms']:.1f} ms",
        "",
        f"{'topic':<24} {'n':>3} {'hit@1':>6} {'hit@5':>6} {'MRR':>6} "
        f"{'no-ans':>7} {'false-fb':>8}",
    ]
    for topic, t in evaluation.per_topic().items():
        no_answer = f"{t['no_answer_fallback']}/{t['no_answer_total']}"
        lines.append(
            f"{pad_columns(topic, 24)} {t['answerable'] + t['no_answer_total']:>3} "
            f"{_cell(t['hit_at_1']):>6} {_cell(t['hit_at_5']):>6} {_cell(t['mrr']):>6} "
            f"{no_answer:>7} {t['false_fallback']:>8}"
        )
    return "\n".join(lines)


def miss_reason(outcome: QuestionOutcome) -> str:
    """Return why ``outcome`` missed, as the ``reason`` of ``--json``."""
    if not outcome.question.answerable:
        return "no_answer_got_pages"
    if outcome.fallback:
        return "fallback"
    if outcome.rank is None:
        return "no_gold_offered"
    return "gold_below_first"


def miss_status(outcome: QuestionOutcome) -> str:
    """Return how ``outcome`` missed, in words."""
    reason = miss_reason(outcome)
    if reason == "fallback":
        return "answerable question got the fallback"
    manner = ", tentatively" if outcome.tentative else ""
    if reason == "no_answer_got_pages":
        return f"no-answer question got {len(outcome.urls)} page(s){manner}"
    if reason == "no_gold_offered":
        return f"no gold page among the {len(outcome.urls)} offered{manner}"
    return f"first gold page at rank {outcome.rank}{manner}"


# Questions in the misses listing are cut to this many characters.
MISS_QUESTION_CHARS = 200


def one_line(text: str, limit: int = MISS_QUESTION_CHARS) -> str:
    """Return ``text`` on one line for a terminal: control characters (line
    breaks, escapes) as spaces, space runs as one, cut to ``limit`` with …."""
    cleaned = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch
        for ch in text
    )
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    return cleaned


def format_misses(evaluation: Evaluation, titles: dict[str, str] | None = None) -> str:
    """Return the missed questions as text: each with the pages offered (gold ones
    marked with their grade) and the gold pages that were not offered.

    ``titles`` maps URL keys (:func:`answerer.evaluate.url_key`) to page titles,
    for naming the gold pages that were not offered.
    """
    titles = titles or {}
    misses = evaluation.misses()
    lines = ["", f"missed: {len(misses)} of {len(evaluation.outcomes)} questions"]
    for outcome in misses:
        question = outcome.question
        lines.append(
            f"{one_line(question.label, 60)} [{one_line(question.topic, 60)}] "
            f"{miss_status(outcome)}"
        )
        lines.append(f"  {one_line(question.question)}")
        for number, (url, title) in enumerate(
            zip(outcome.urls, outcome.titles, strict=True), start=1
        ):
            grade = question.gold.get(url_key(url))
            mark = f" ({grade})" if grade else ""
            lines.append(f"  {number}. {one_line(title)}{mark}  {url}")
        for key, grade in _gold_not_offered(outcome):
            title = titles.get(key, "(not in the index)")
            lines.append(f"  expected ({grade}): {one_line(title)}  {key}")
    return "\n".join(lines)


def _gold_not_offered(outcome: QuestionOutcome) -> list[tuple[str, str]]:
    """Return (URL key, grade) of the gold pages that ``outcome`` did not offer,
    grade A first."""
    offered = {url_key(url) for url in outcome.urls}
    missing = [
        (key, grade)
        for key, grade in outcome.question.gold.items()
        if key not in offered
    ]
    return sorted(missing, key=lambda item: item[1])


def miss_json(outcome: QuestionOutcome, titles: dict[str, str] | None = None) -> dict:
    """Return one missed question as the ``misses`` entry of ``--json``."""
    titles = titles or {}
    question = outcome.question
    return {
        "id": question.question_id,
        "line": question.line,
        "question": question.question,
        "topic": question.topic,
        "reason": miss_reason(outcome),
        "rank": outcome.rank,
        "fallback": outcome.fallback,
        "tentative": outcome.tentative,
        "offered": [
            {"url": url, "title": title, "grade": question.gold.get(url_key(url))}
            for url, title in zip(outcome.urls, outcome.titles, strict=True)
        ],
        "gold": [
            {"url": key, "grade": grade, "title": titles.get(key)}
            for key, grade in sorted(question.gold.items(), key=lambda item: item[1])
        ],
    }


def _cell(value: float | None) -> str:
    """Format a per-topic share with two decimals, or n/a."""
    return "n/a" if value is None else f"{value:.2f}"


def _share(value: float | None) -> str:
    """Format a share with three decimals, or n/a when there was nothing to count."""
    return "n/a" if value is None else f"{value:.3f}"


def _evaluate_intents(file: Path, as_json: bool) -> None:
    from answerer.intents import evaluate_intents

    try:
        result = evaluate_intents(file)
    except ValueError as exc:
        raise ConfigError(
            f"invalid file of labelled texts: {exc}. --intents expects "
            'JSON lines {"text": ..., "label": "report"|"question", "category": ...}, '
            "such as cityline/demo/reports.jsonl; "
            "drop --intents to score a question file"
        ) from exc
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, default=str))
        return
    click.echo(format_intents(result))


def _intent_pair(pair: list) -> str:
    """Format a [label, category] pair as report/road, or question alone."""
    label, category = pair
    return label if category is None else f"{label}/{category}"


def format_intents(result: dict) -> str:
    """Return the intent evaluation of ``result`` as text tables."""
    lines = [
        f"texts: {result['total']} ({result['reports']} reports, "
        f"{result['questions']} questions), flagged urgent: {result['urgent_flagged']}",
        f"intent accuracy: {_share(result['intent_accuracy'])}",
        f"category accuracy over reports: {_share(result['category_accuracy'])} "
        "(a category in a line's accept alternates counts as correct)",
        "",
        "labels, expected (rows) against predicted (columns):",
        f"{'expected label':<16} "
        + " ".join(f"{label:>9}" for label in result["label_confusion"]),
    ]
    for expected, row in result["label_confusion"].items():
        cells = " ".join(
            f"{row.get(label, 0):>9}" for label in result["label_confusion"]
        )
        lines.append(f"{expected:<16} {cells}")
    lines += ["", f"{'category':<12} {'reports':>7} {'correct':>7} {'share':>6}"]
    for category, counts in result["per_category"].items():
        if not counts["total"]:
            continue
        share = counts["correct"] / counts["total"]
        lines.append(
            f"{category:<12} {counts['total']:>7} {counts['correct']:>7} {share:>6.2f}"
        )
    errors = result.get("errors") or []
    lines += ["", f"misses: {len(errors)}"]
    for error in errors:
        where = f"line {error['line']}"
        if "id" in error:
            where += f" ({error['id']})"
        expected = _intent_pair(error["expected"])
        predicted = _intent_pair(error["predicted"])
        lines.append(f"  {where}: expected {expected}, got {predicted}")
    return "\n".join(lines)
