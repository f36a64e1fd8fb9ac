"""The keyed worker: order per key, keys in parallel, stop leaves the rest."""

from __future__ import annotations

import threading

from webhook.worker import KeyedWorker


def test_items_of_one_key_run_in_order():
    seen: list[int] = []
    worker = KeyedWorker(seen.append, threads=4)
    for number in range(200):
        worker.submit("user", number)
    assert worker.wait_idle(10)
    worker.stop()
    assert seen == list(range(200))


def test_different_keys_run_concurrently():
    both_running = threading.Barrier(2, timeout=10)
    finished: list[str] = []

    def handle(key: str) -> None:
        both_running.wait()  # raises BrokenBarrierError unless both run at once
        finished.append(key)

    worker = KeyedWorker(handle, threads=2)
    worker.submit("a", "a")
    worker.submit("b", "b")
    assert worker.wait_idle(10)
    worker.stop()
    assert sorted(finished) == ["a", "b"]


def test_failing_item_does_not_stop_key():
    seen: list[int] = []

    def handle(number: int) -> None:
        if number == 1:
            raise RuntimeError("boom")
        seen.append(number)

    worker = KeyedWorker(handle, threads=1)
    for number in range(3):
        worker.submit("k", number)
    assert worker.wait_idle(10)
    worker.stop()
    assert seen == [0, 2]


def test_stop_drops_queued_items_and_rejects_new():
    release = threading.Event()
    started = threading.Event()
    seen: list[int] = []

    def handle(number: int) -> None:
        started.set()
        release.wait(10)
        seen.append(number)

    worker = KeyedWorker(handle, threads=1)
    worker.submit("k", 0)
    worker.submit("k", 1)
    worker.submit("other", 2)
    assert started.wait(10)
    stopper = threading.Thread(target=worker.stop)
    stopper.start()
    release.set()
    stopper.join(10)
    assert seen == [0]
    assert worker.submit("k", 3) is False


def test_submit_during_stop_does_not_raise():
    worker = KeyedWorker(lambda number: None, threads=1)
    executor = worker._executor
    stopper = threading.Thread(target=worker.stop)

    class StopBeforeSubmit:
        """Start ``stop()`` just before the executor's submit, the moment at
        which a shutdown can overtake a late webhook."""

        def submit(self, *args, **kwargs):
            stopper.start()
            # stop() finishes within 1 s unless it waits for a lock held here.
            stopper.join(1)
            return executor.submit(*args, **kwargs)

        def shutdown(self, *args, **kwargs):
            executor.shutdown(*args, **kwargs)

    worker._executor = StopBeforeSubmit()
    assert isinstance(worker.submit("k", 0), bool)
    stopper.join(10)
    assert not stopper.is_alive()
    assert worker.submit("k", 1) is False


def test_submit_to_shut_down_executor_returns_false():
    worker = KeyedWorker(lambda number: None, threads=1)
    worker._executor.shutdown()  # as at interpreter exit, without stop()
    assert worker.submit("k", 0) is False
    assert worker.wait_idle(1)
