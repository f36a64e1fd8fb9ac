"""Time the inbox's write of one event, and the checkpoint that follows it.

Each round stores one receive-settings postback, marks it handled (which clears
its JSON) and, in the runs with checkpoints, empties the -wal file with
``Inbox.checkpoint``. The runs cover ``secure_delete`` on (cityline's setting)
and off. The database is a SQLite file in a temporary folder under ``--dir``,
which should be on the disk a server would use.

    .venv/bin/python benchmarks/inbox_checkpoint.py --rounds 500
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cityline.db import create_db_engine, sqlite_url  # noqa: E402
from webhook.inbox import Inbox  # noqa: E402
from webhook.privacy import UserHasher  # noqa: E402
from webhook.testing import postback_event  # noqa: E402

ANSWER = "flow=settings&action=set&attr=area&value=sakai"
# Events stored and handled before timing, so the file is not new.
HISTORY = 2000


def user(number: int) -> str:
    return f"U{number:032x}"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[round(fraction * (len(ordered) - 1))]


def run(folder: Path, rounds: int, secure_delete: bool, checkpoint: bool) -> str:
    """Time ``rounds`` events in a new database; return one line of results."""
    engine = create_db_engine(sqlite_url(folder / "app.db"))
    if not secure_delete:
        event.listen(
            engine,
            "connect",
            lambda connection, _record: connection.execute("PRAGMA secure_delete=OFF"),
        )
    inbox = Inbox(engine, UserHasher(b"k" * 32))
    for item in inbox.add([postback_event(user(n), ANSWER) for n in range(HISTORY)]):
        inbox.mark_handled(item.seq)
    inbox.checkpoint()

    writes, checkpoints = [], []
    for number in range(rounds):
        started = time.perf_counter()
        [item] = inbox.add([postback_event(user(number % 500), ANSWER)])
        inbox.mark_handled(item.seq)
        written = time.perf_counter()
        if checkpoint:
            inbox.checkpoint()
        done = time.perf_counter()
        writes.append((written - started) * 1000)
        checkpoints.append((done - written) * 1000)
    engine.dispose()

    line = (
        f"secure_delete {'on ' if secure_delete else 'off'}  "
        f"store+handled p50 {percentile(writes, 0.5):.2f} "
        f"p99 {percentile(writes, 0.99):.2f} ms"
    )
    if checkpoint:
        line += (
            f"  checkpoint p50 {percentile(checkpoints, 0.5):.2f} "
            f"p99 {percentile(checkpoints, 0.99):.2f} ms"
        )
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=500, help="Events timed per run.")
    parser.add_argument(
        "--dir", type=Path, default=None, help="Folder for the database files."
    )
    options = parser.parse_args()
    for secure_delete in (True, False):
        for checkpoint in (False, True):
            with tempfile.TemporaryDirectory(dir=options.dir) as folder:
                print(run(Path(folder), options.rounds, secure_delete, checkpoint))


if __name__ == "__main__":
    main()
