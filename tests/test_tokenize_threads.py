"""The tokenizer is called from a thread pool by the webhook."""

from __future__ import annotations

import threading

from index.sudachi import tokenizer
from index.tokenize import terms

TEXTS = [
    "粗大ごみの申し込み方法を教えてください",
    "国民健康保険に加入するにはどうすればいいですか",
    "子どもの医療費助成の申請",
    "犬を飼ったら登録が必要ですか",
]


def test_four_threads_tokenize_concurrently():
    expected = [terms(text) for text in TEXTS]
    errors: list[BaseException] = []
    mismatches: list[tuple[int, int]] = []

    def work(worker: int) -> None:
        try:
            for call in range(1000):
                index = (worker + call) % len(TEXTS)
                if terms(TEXTS[index]) != expected[index]:
                    mismatches.append((worker, call))
        except BaseException as exc:  # reported below, with the thread's error
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert mismatches == []


def test_each_thread_gets_its_own_tokenizer():
    seen: dict[str, object] = {}

    def record(name: str) -> None:
        seen[name] = tokenizer()

    threads = [threading.Thread(target=record, args=(f"t{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen["t0"] is not seen["t1"]
    assert tokenizer() is tokenizer()
