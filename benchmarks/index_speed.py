"""Index build time against raw Sudachi tokenization, answer latency against bm25s.

Both comparisons run on the same corpus in the same process:

- build: ``index.build.build_from_records`` (tokenize, vectorize, write the
  folder), with its default tokenizing threads and with one thread, against
  plain SplitMode.C tokenization of the same title, breadcrumb and body text
  with the same process-wide dictionary, in one thread;
- answer: ``Answerer.ask(question, top_k=3)`` against bm25s over the same
  Sudachi terms of the same pages, each timed from the question text to the top
  3 (both include tokenizing the question, from the same warm term caches),
  in alternating rounds.

Corpora: the real mirror site (HTML files read with the crawler's decoder and
extractor) when present, and a synthetic corpus of ``--synthetic-pages`` pages
made from sentences of the project's demo site.

Run: .venv/bin/python benchmarks/index_speed.py [--synthetic-pages 20000]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from answerer.answer import Answerer, cut_question  # noqa: E402
from answerer.evaluate import load_questions  # noqa: E402
from answerer.rank import rank  # noqa: E402
from cityline.settings import Settings  # noqa: E402
from crawler.decode import decode_html  # noqa: E402
from crawler.extract import extract_page  # noqa: E402
from index.build import build_from_records  # noqa: E402
from index.fields import PageRecord  # noqa: E402
from index.sudachi import split_for_sudachi, tokenizer  # noqa: E402
from index.tokenize import clear_caches, terms  # noqa: E402
from index.vectorize import default_workers  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "cityline" / "demo"
# The real city data: the folder that CITYLINE_EVAL_DATA names, else
# shared/data/musashino beside the repository.
MIRROR = Path(
    os.environ.get("CITYLINE_EVAL_DATA")
    or REPO.parent / "shared" / "data" / "musashino"
)


def site_records(root: Path) -> list[PageRecord]:
    """Read every HTML file under ``root`` as the crawler would store it."""
    records, seen = [], set()
    for path in sorted(root.rglob("*.html")):
        relative = path.relative_to(root).as_posix()
        page = extract_page(
            decode_html(path.read_bytes()).text, f"http://127.0.0.1/{relative}"
        )
        url = page.canonical_url or f"http://127.0.0.1/{relative}"
        if page.noindex or url in seen:
            continue
        seen.add(url)
        records.append(PageRecord(url, page.title, page.text, page.breadcrumbs))
    return records


def synthetic_records(count: int, seed: int = 7) -> list[PageRecord]:
    """Make ``count`` pages from shuffled sentences of the demo site.

    Each page gets a title of two demo titles' words, three breadcrumbs and 8 to
    40 sentences, with page numbers mixed in so that pages differ.
    """
    rng = random.Random(seed)
    demo = site_records(DEMO / "site")
    sentences = [
        sentence + "。"
        for record in demo
        for sentence in record.text.replace("\n", "。").split("。")
        if len(sentence) > 8
    ]
    titles = [record.title for record in demo if record.title]
    crumbs = sorted({c for record in demo for c in record.breadcrumbs})
    records = []
    for number in range(count):
        body = rng.sample(sentences, rng.randint(8, min(40, len(sentences))))
        body.insert(rng.randrange(len(body)), f"ページ番号 {1_000_000 + number}。")
        records.append(
            PageRecord(
                url=f"https://synthetic.example/page/{number}.html",
                title=f"{rng.choice(titles)} {rng.choice(titles)}",
                text="\n".join(body),
                breadcrumbs=rng.sample(crumbs, min(3, len(crumbs))),
            )
        )
    return records


def raw_tokenize_seconds(records: list[PageRecord]) -> float:
    """Time plain mode C tokenization of each page's title, breadcrumbs and body."""
    tok = tokenizer()
    started = time.perf_counter()
    for record in records:
        text = "\n".join([record.title, " / ".join(record.breadcrumbs), record.text])
        for piece in split_for_sudachi(text):
            for morpheme in tok.tokenize(piece):
                morpheme.surface()
    return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    """Return the ``q``-th percentile of ``values`` (numpy's linear method)."""
    return float(np.percentile(np.asarray(values), q))


def median_percentile(runs: list[list[float]], q: float) -> float:
    """Return the median over ``runs`` of each run's ``q``-th percentile, rounded."""
    return round(float(np.median([percentile(run, q) for run in runs])), 3)


def bm25s_searcher(records: list[PageRecord]):
    """Index the pages' terms with bm25s; return a question -> top 3 function."""
    import bm25s

    # bm25s sets its own logger to DEBUG when imported; keep its progress lines out.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    vocabulary: dict[str, int] = {}
    corpus = []
    for record in records:
        tokens = terms(record.title) + terms(" / ".join(record.breadcrumbs))
        tokens += terms(record.text)
        corpus.append([vocabulary.setdefault(t, len(vocabulary)) for t in tokens])
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenization.Tokenized(ids=corpus, vocab=vocabulary),
        show_progress=False,
    )

    def search(question: str) -> None:
        ids = [vocabulary[t] for t in terms(question) if t in vocabulary]
        if ids:
            scores = retriever.get_scores(ids)
            top = np.argpartition(-scores, 3)[:3]
            top[np.argsort(-scores[top])]

    return search


def rank_only(model, question: str) -> np.ndarray:
    """Rank ``question`` and pick the top 3 rows, as ``ask`` does before snippets.

    The confidence rule, titles and snippets are left out, so this is the part
    of an answer that bm25s also computes.
    """
    return rank(model, cut_question(question), top=3).top


def latencies(search, questions: list[str]) -> list[float]:
    """Time ``search(question)`` for each question, in milliseconds."""
    times = []
    for question in questions:
        started = time.perf_counter()
        search(question)
        times.append((time.perf_counter() - started) * 1000)
    return times


def measure(
    name: str,
    records: list[PageRecord],
    questions: list[str],
    repeat: int,
    rounds: int = 5,
) -> dict:
    """Return build and answer timings of one corpus.

    Raw tokenization and the build alternate ``repeat`` times and the fastest run
    of each counts, so that load from other processes affects both alike. Each
    build starts with empty term caches, as a new ``cityline index`` process does.

    For latency, every question is asked of both once first, so both read the
    question's terms from the same warm caches. Then ``rounds`` rounds alternate
    the answerer and bm25s over all questions, and the median of each round's
    p50 and p99 counts.
    """
    terms("warm up the dictionary")
    raw_runs, build_runs, single_runs = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder))
        for _ in range(repeat):
            raw_runs.append(raw_tokenize_seconds(records))
            clear_caches()  # each build starts as cold as a new process
            single = build_from_records(records, settings.index_dir, workers=1)
            single_runs.append(single.seconds)
            clear_caches()
            build_runs.append(build_from_records(records, settings.index_dir).seconds)
        raw, build, single = min(raw_runs), min(build_runs), min(single_runs)
        answerer = Answerer.load(settings)
        ask = partial(answerer.ask, top_k=3)
        ranked = partial(rank_only, answerer.model)
        search = bm25s_searcher(records)
        latencies(ask, questions)
        latencies(search, questions)
        ours, ranks, reference = [], [], []
        for _ in range(rounds):
            ours.append(latencies(ask, questions))
            ranks.append(latencies(ranked, questions))
            reference.append(latencies(search, questions))
    return {
        "corpus": name,
        "pages": len(records),
        "text_chars": sum(len(r.text) for r in records),
        "raw_tokenize_s": round(raw, 3),
        "build_s": round(build, 3),
        "build_over_tokenize": round(build / raw, 2),
        "build_workers": default_workers(),
        "build_1_thread_s": round(single, 3),
        "build_1_thread_over_tokenize": round(single / raw, 2),
        "questions": len(questions),
        "answer_p50_ms": median_percentile(ours, 50),
        "answer_p99_ms": median_percentile(ours, 99),
        "rank_p50_ms": median_percentile(ranks, 50),
        "rank_p99_ms": median_percentile(ranks, 99),
        "bm25s_p50_ms": median_percentile(reference, 50),
        "bm25s_p99_ms": median_percentile(reference, 99),
    }


def question_texts() -> list[str]:
    """Return the labelled questions of both sets, repeated to 300 for percentiles."""
    texts = [q.question for q in load_questions(DEMO / "questions.jsonl")]
    if (MIRROR / "questions_dev.jsonl").is_file():
        texts += [q.question for q in load_questions(MIRROR / "questions_dev.jsonl")]
    return (texts * (300 // len(texts) + 1))[:300]


def machine() -> str:
    """Return the CPU model and core count, as the figures are quoted with them."""
    model = platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model}, {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--synthetic-pages", type=int, default=20_000)
    parser.add_argument("--skip-mirror", action="store_true")
    parser.add_argument(
        "--repeat", type=int, default=3, help="Build and tokenize runs per corpus."
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="Latency rounds per corpus."
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    questions = question_texts()
    results = []
    if not args.skip_mirror and (MIRROR / "site").is_dir():
        results.append(
            measure(
                "mirror",
                site_records(MIRROR / "site"),
                questions,
                args.repeat,
                args.rounds,
            )
        )
    elif not args.skip_mirror:
        print(f"mirror not found at {MIRROR}; measuring the synthetic corpus only")
    if args.synthetic_pages:
        records = synthetic_records(args.synthetic_pages)
        results.append(
            measure("synthetic", records, questions, args.repeat, args.rounds)
        )
    print(f"# {machine()}, Python {sys.version.split()[0]}")
    for result in results:
        print(json.dumps(result, ensure_ascii=False))
    print(
        "| corpus | pages | raw tokenize s | build s (threads) | ratio "
        "| 1-thread build s | ratio | answer p50/p99 ms "
        "| rank only p50/p99 ms | bm25s p50/p99 ms |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        print(
            f"| {r['corpus']} | {r['pages']} | {r['raw_tokenize_s']} "
            f"| {r['build_s']} ({r['build_workers']}) | {r['build_over_tokenize']} "
            f"| {r['build_1_thread_s']} | {r['build_1_thread_over_tokenize']} "
            f"| {r['answer_p50_ms']} / "
            f"{r['answer_p99_ms']} | {r['rank_p50_ms']} / {r['rank_p99_ms']} "
            f"| {r['bm25s_p50_ms']} / {r['bm25s_p99_ms']} |"
        )


if __name__ == "__main__":
    main()
