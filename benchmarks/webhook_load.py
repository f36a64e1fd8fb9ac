"""Load the webhook with signed text events at fixed rates and time two things.

1. The time from sending a webhook request to its 200 (what LINE waits for).
2. The time from sending it to the reply reaching the fake LINE API, which covers
   the inbox write, the queue, the answer and the reply call.

The app runs in a child process, served by uvicorn on a loopback port, with the real
Answerer over an index of the shared city pages when they are present (otherwise a
fixed answer, which the output states). The fake LINE API and the load generator
run in this process. The load is open-loop: request i is sent at start + i / rate,
whether or not earlier ones have returned, so a slow server shows up as latency
instead of a lower rate. Each run is bounded by ``--requests`` and ``--max-seconds``.

    .venv/bin/python benchmarks/webhook_load.py --rates 50 200 --requests 1000
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cityline.fake_line_api import FakeLineApi  # noqa: E402
from cityline.settings import Settings  # noqa: E402
from webhook.testing import (  # noqa: E402
    TEST_CHANNEL_SECRET,
    loopback_settings,
    signed_headers,
    text_event,
    webhook_body,
)

# The real city data: the folder that CITYLINE_EVAL_DATA names, else
# shared/data/musashino beside the repository.
SHARED = Path(
    os.environ.get("CITYLINE_EVAL_DATA")
    or ROOT.parent / "shared" / "data" / "musashino"
)
REPLY = "/v2/bot/message/reply"
FALLBACK_QUESTIONS = [
    "粗大ごみの出し方を教えてください",
    "住民票の写しはどこで取れますか",
    "保育園の申し込みはいつまでですか",
    "図書館の開館時間は",
    "避難所はどこですか",
]


class FixedAnswerer:
    """Returns one fixed page, for runs without the shared city pages."""

    def ask(self, question: str, top_k: int = 3):
        from types import SimpleNamespace

        page = SimpleNamespace(
            url="https://city.example/a.html", title="案内", snippet="要約", score=1.0
        )
        return SimpleNamespace(
            question=question, answers=[page], fallback=False, fallback_text=None
        )


def build_real_index(data_dir: Path) -> None:
    """Write the shared pages into a page store in ``data_dir`` and index them."""
    from crawler.records import StoredPage, utc_now
    from crawler.store import PageStore
    from index.build import build_index

    settings = Settings(data_dir=data_dir)
    settings.ensure_data_dir()
    store = PageStore.open(settings.pages_db_path)
    now = utc_now()
    try:
        run_id = store.start_run("https://www.city.musashino.lg.jp/")
        with (SHARED / "pages.jsonl").open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                text = record.get("text") or ""
                page = StoredPage(
                    url=record["url"],
                    canonical_url=record["url"],
                    title=record.get("title") or "",
                    breadcrumbs=[],
                    text=text,
                    page_number=None,
                    updated=None,
                    encoding="utf-8",
                    status=200,
                    content_hash=hashlib.sha256(text.encode()).hexdigest(),
                    fetched_at=now,
                    changed_at=now,
                )
                store.record_outcome(run_id, page.url, "done", page=page)
        store.finish_run(run_id, 0.0)
    finally:
        store.close()
    build_index(settings)


def serve_app(
    data_dir: str, fake_url: str, port: int, real: bool, threads: int, handle: bool
):
    """Child process: serve the webhook app as ``cityline serve`` does, until killed."""
    from webhook.app import create_app
    from webhook.cli import run_server

    settings = loopback_settings(Path(data_dir), fake_url)
    answerer = None if real else FixedAnswerer()
    app = create_app(
        settings,
        answerer=answerer,
        worker_threads=threads,
        flows=[],
        handle_events=handle,
    )
    run_server(app, "127.0.0.1", port, log_level="warning")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def questions() -> list[str]:
    path = SHARED / "questions_dev.jsonl"
    if not path.exists():
        return FALLBACK_QUESTIONS
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line)["question"] for line in lines]


class LoopbackClient:
    """A minimal HTTP/1.1 client over kept-alive loopback connections.

    httpx costs several milliseconds of CPU per request, which on a small machine
    makes the load generator, not the app, the bottleneck. This client writes one
    prepared request and reads the status line, headers and body, nothing more.
    """

    def __init__(self, host: str, port: int) -> None:
        self._host = host
        self._port = port
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._all: list[asyncio.StreamWriter] = []

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        """Send a POST and return the status code; raises OSError on failure.

        uvicorn closes idle kept-alive connections after 5 s. When a reused
        connection turns out closed, the request is sent once more on a new one,
        as HTTP clients do. The webhook's event-id dedupe makes that safe.
        """
        if self._idle:
            connection = self._idle.pop()
            try:
                return await self._exchange(connection, path, body, headers)
            except (OSError, asyncio.IncompleteReadError):
                connection[1].close()
        connection = await asyncio.open_connection(self._host, self._port)
        self._all.append(connection[1])
        return await self._exchange(connection, path, body, headers)

    async def _exchange(self, connection, path, body, headers) -> int:
        reader, writer = connection
        lines = [f"POST {path} HTTP/1.1", f"Host: {self._host}:{self._port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        status_line = await reader.readline()
        if not status_line:
            raise OSError("connection closed before the response")
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        if length:
            await reader.readexactly(length)
        self._idle.append(connection)
        return status

    async def close(self) -> None:
        for writer in self._all:
            writer.close()


async def run_load(
    url: str, rate: float, count: int, max_seconds: float, texts: list[str]
) -> tuple[list[float], dict[str, float], int]:
    """Send ``count`` signed events at ``rate`` per second (or until max_seconds).

    Returns the 200 latencies in ms, the wall-clock send time by reply token, and
    the number of requests that did not get a 200.
    """
    host, port = url.removeprefix("http://").split(":")
    client = LoopbackClient(host, int(port))
    sent_at: dict[str, float] = {}
    latencies: list[float] = []
    failures = 0

    async def send_one(index: int) -> None:
        nonlocal failures
        user = f"U{index % 500:032x}"
        event = text_event(user, texts[index % len(texts)])
        body = webhook_body([event])
        headers = signed_headers(body, TEST_CHANNEL_SECRET)
        sent_at[event["replyToken"]] = time.time()
        started = time.perf_counter()
        try:
            status = await client.post("/callback", body, headers)
        except (OSError, ValueError, asyncio.IncompleteReadError):
            failures += 1
            return
        latencies.append((time.perf_counter() - started) * 1000)
        if status != 200:
            failures += 1

    tasks = []
    start = time.perf_counter()
    for index in range(count):
        due = start + index / rate
        if due - start > max_seconds:
            break
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send_one(index)))
    await asyncio.gather(*tasks)
    await client.close()
    return latencies, sent_at, failures


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def summary(values: list[float]) -> str:
    return (
        f"p50 {percentile(values, 0.50):7.1f}  p95 {percentile(values, 0.95):7.1f}  "
        f"p99 {percentile(values, 0.99):7.1f}  max {max(values, default=0):7.1f} ms"
    )


def wait_healthy(url: str, timeout_s: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            response = httpx.get(url + "/healthz", timeout=2)
            if response.status_code in (200, 503):
                return response.json()
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the app at {url} did not respond to /healthz in {timeout_s} s")


def machine() -> str:
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        model = next(
            line.split(":", 1)[1].strip()
            for line in lscpu.splitlines()
            if line.startswith("Model name")
        )
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    cores = multiprocessing.cpu_count()
    return f"{model}, {cores} cores, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rates", type=float, nargs="+", default=[50, 200])
    parser.add_argument(
        "--requests", type=int, default=1000, help="Requests per rate (upper bound)."
    )
    parser.add_argument(
        "--max-seconds", type=float, default=30, help="Send window per rate, seconds."
    )
    parser.add_argument("--threads", type=int, default=8, help="Worker threads.")
    parser.add_argument(
        "--fixed-answer",
        action="store_true",
        help="Reply with one fixed page instead of using the real Answerer.",
    )
    parser.add_argument(
        "--store-only",
        action="store_true",
        help="Verify and store events without handling them (no replies).",
    )
    args = parser.parse_args()

    real = not args.fixed_answer and (SHARED / "pages.jsonl").exists()
    texts = questions()
    print(f"machine: {machine()}")
    print(
        "answerer: "
        + ("real, index of the 200 shared city pages" if real else "fixed answer")
    )
    with tempfile.TemporaryDirectory() as tmp, FakeLineApi() as fake:
        data_dir = Path(tmp)
        if real:
            build_real_index(data_dir)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        context = multiprocessing.get_context("spawn")
        child = context.Process(
            target=serve_app,
            args=(
                str(data_dir),
                fake.base_url,
                port,
                real,
                args.threads,
                not args.store_only,
            ),
        )
        child.start()
        try:
            health = wait_healthy(url)
            print(f"health: {health}")
            for rate in args.rates:
                run_rate(url, fake, rate, args, texts, child.pid)
        finally:
            child.terminate()
            child.join(30)


def process_cpu_s(pid: int) -> float:
    """Return the user + system CPU seconds of process ``pid`` (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def run_rate(url, fake, rate, args, texts, pid) -> None:
    before = len(fake.requests_to(REPLY, accepted_only=True))
    cpu_before = process_cpu_s(pid)
    own_cpu_before = process_cpu_s(os.getpid())
    latencies, sent_at, failures = asyncio.run(
        run_load(url, rate, args.requests, args.max_seconds, texts)
    )
    expected = before + len(sent_at)
    if not args.store_only:
        try:
            fake.wait_for(REPLY, expected, timeout_s=120)
        except TimeoutError as exc:
            print(f"  {exc}")
    replies = fake.requests_to(REPLY, accepted_only=True)[before:]
    reply_ms = []
    for request in replies:
        token = (request.json or {}).get("replyToken")
        if token in sent_at:
            reply_ms.append((request.received_at - sent_at[token]) * 1000)
    lost = len(sent_at) - len(reply_ms)
    cpu_ms = (process_cpu_s(pid) - cpu_before) * 1000 / max(len(sent_at), 1)
    own_ms = (process_cpu_s(os.getpid()) - own_cpu_before) * 1000
    own_ms /= max(len(sent_at), 1)
    print(
        f"rate {rate:.0f}/s: {len(sent_at)} requests, {failures} without 200, "
        f"{lost} without reply"
    )
    print(f"  time to 200:   {summary(latencies)}")
    print(f"  time to reply: {summary(reply_ms)}")
    if reply_ms:
        print(f"  mean reply {statistics.fmean(reply_ms):.1f} ms")
    print(
        f"  CPU per request: app {cpu_ms:.1f} ms, load generator + fake {own_ms:.1f} ms"
    )


if __name__ == "__main__":
    main()
