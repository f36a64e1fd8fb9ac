"""Time a crawl and a re-crawl of the mirrored city site served on loopback.

Usage: python benchmarks/crawl_mirror.py [--data DIR] [--runs N]

Starts the mirror's serve.py on a free port, then crawls it twice into a temporary
data dir with the default CrawlConfig except ``delay=0``. Each run prints one JSON
line: pages stored, seconds, pages per second and the counts of the re-crawl.
The index is not built, so the figures are the crawler's alone.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from cityline.settings import Settings
from crawler.config import CrawlConfig
from crawler.crawl import crawl_site

# The real city data: the folder that CITYLINE_EVAL_DATA names, else
# shared/data/musashino beside the repository.
DEFAULT_DATA = Path(
    os.environ.get("CITYLINE_EVAL_DATA")
    or Path(__file__).resolve().parents[2] / "shared" / "data" / "musashino"
)


def serve(data: Path) -> tuple[subprocess.Popen, str]:
    """Start serve.py on a free port; return the process and its base URL."""
    process = subprocess.Popen(
        [sys.executable, str(data / "serve.py"), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+", line)
    if not match:
        process.terminate()
        raise SystemExit(f"serve.py printed no address: {line!r}")
    return process, match.group(0)


def measure(base_url: str) -> dict:
    config = dataclasses.replace(CrawlConfig(), delay=0)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder))
        first = crawl_site(settings, base_url + "/", config)
        second = crawl_site(settings, base_url + "/", config)
    return {
        "pages": first.pages,
        "seconds": round(first.seconds, 2),
        "pages_per_second": round(first.pages / first.seconds, 1),
        "failed": first.failed,
        "recrawl_seconds": round(second.seconds, 2),
        "recrawl_unchanged": second.unchanged,
        "recrawl_new": second.new,
        "recrawl_changed": second.changed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not (args.data / "serve.py").exists():
        raise SystemExit(f"no serve.py in {str(args.data)!r}; pass --data DIR")
    process, base_url = serve(args.data)
    try:
        print(json.dumps({"python": platform.python_version(), "url": base_url}))
        for _ in range(args.runs):
            print(json.dumps(measure(base_url)), flush=True)
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
