"""The request gate: one compute slot, entered once open requests finish."""

from __future__ import annotations

import threading
import time

from webhook.priority import RequestGate


def test_compute_slot_is_exclusive():
    gate = RequestGate()
    inside = 0
    most_inside = 0
    lock = threading.Lock()

    def compute() -> None:
        nonlocal inside, most_inside
        for _ in range(50):
            with gate.compute_slot():
                with lock:
                    inside += 1
                    most_inside = max(most_inside, inside)
                with lock:
                    inside -= 1

    threads = [threading.Thread(target=compute) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert most_inside == 1


def test_compute_slot_entered_after_request_finishes():
    gate = RequestGate(max_wait_s=30)
    entered = threading.Event()

    def compute() -> None:
        with gate.compute_slot():
            entered.set()

    gate.request_started()
    worker = threading.Thread(target=compute)
    worker.start()
    gate.request_finished()
    assert entered.wait(10)
    worker.join(10)


def test_compute_slot_free_without_requests():
    gate = RequestGate(max_wait_s=30)
    started = time.monotonic()
    with gate.compute_slot():
        waited_s = time.monotonic() - started
    # A slot that waited for requests would take the full 30 s.
    assert waited_s < 5
