"""The webhook's Answerer picks up an index that a crawl or `cityline index`
swapped in, without a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityline.settings import Settings
from index.build import build_from_records
from index.fields import PageRecord
from webhook.answering import AnswererSource

SODAI = PageRecord(
    url="https://city.example/gomi/sodai.html",
    title="粗大ごみの申込方法",
    text="粗大ごみは事前の申込制です。電話かインターネットで申し込めます。",
    breadcrumbs=["ホーム", "ごみ"],
)
INU = PageRecord(
    url="https://city.example/pet/inu.html",
    title="犬の登録",
    text="犬を飼い始めたら、30日以内に登録してください。",
    breadcrumbs=["ホーム", "ペット"],
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path)
    build_from_records([SODAI, INU], settings.index_dir)
    return settings


def urls(source: AnswererSource, question: str) -> list[str]:
    return [answer.url for answer in source.get().ask(question).answers]


def test_new_index_is_used_after_the_check(settings):
    source = AnswererSource(settings, index_check_interval_s=0)
    assert urls(source, "粗大ごみの申込方法") == [SODAI.url]

    build_from_records([INU], settings.index_dir)

    assert SODAI.url not in urls(source, "粗大ごみの申込方法")


def test_index_is_not_checked_before_the_interval(settings):
    source = AnswererSource(settings, index_check_interval_s=3600)
    assert urls(source, "粗大ごみの申込方法") == [SODAI.url]

    build_from_records([INU], settings.index_dir)

    assert urls(source, "粗大ごみの申込方法") == [SODAI.url]


def test_unreadable_new_index_keeps_the_old_one(settings, caplog):
    source = AnswererSource(settings, index_check_interval_s=0)
    source.get()
    report = build_from_records([INU], settings.index_dir)
    (report.folder / "term_matrix.npz").write_bytes(b"damaged")

    first = urls(source, "粗大ごみの申込方法")
    second = urls(source, "粗大ごみの申込方法")

    assert first == second == [SODAI.url]
    failures = [r for r in caplog.records if "reloading the index" in r.message]
    assert len(failures) == 1


def test_build_after_a_damaged_one_is_loaded(settings):
    source = AnswererSource(settings, index_check_interval_s=0)
    source.get()
    report = build_from_records([INU], settings.index_dir)
    (report.folder / "term_matrix.npz").write_bytes(b"damaged")
    urls(source, "粗大ごみの申込方法")

    build_from_records([INU], settings.index_dir)

    assert SODAI.url not in urls(source, "粗大ごみの申込方法")
