"""The index folder on disk: versions, atomic swap, reload and fresh processes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from answerer.answer import Answerer
from cityline.errors import CitylineError
from cityline.settings import Settings
from index import artifact
from index.artifact import (
    BUILDS_DIR,
    KEEP_BUILDS,
    POINTER_NAME,
    IndexNotFoundError,
    IndexVersionError,
    current_build,
    load_model,
    software_versions,
)
from index.build import EmptyStoreError, build_from_records
from index.fields import PageRecord

REPO = Path(__file__).resolve().parents[1]

PAGES = [
    PageRecord(
        url="https://city.example/gomi/sodai.html",
        title="粗大ごみの申込方法",
        text="粗大ごみは事前の申込制です。\n電話かインターネットで申し込めます。",
        breadcrumbs=["ホーム", "ごみ"],
    ),
    PageRecord(
        url="https://city.example/kenko/kokuho.html",
        title="国民健康保険の加入",
        text="会社を退職したときは、14日以内に国民健康保険の加入の届出をしてください。",
        breadcrumbs=["ホーム", "健康"],
    ),
    PageRecord(
        url="https://city.example/pet/inu.html",
        title="犬の登録",
        text="犬を飼い始めたら、30日以内に登録してください。狂犬病の予防注射も必要です。",
        breadcrumbs=["ホーム", "ペット"],
    ),
]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path)


def test_build_writes_manifest_with_versions(settings):
    report = build_from_records(PAGES, settings.index_dir)
    manifest = json.loads((report.folder / "manifest.json").read_text("utf-8"))
    for key, value in software_versions().items():
        assert manifest[key] == value
    assert manifest["page_count"] == 3
    assert report.page_count == 3


def test_pointer_names_the_new_build(settings):
    report = build_from_records(PAGES, settings.index_dir)
    assert current_build(settings.index_dir) == report.folder.name
    assert (settings.index_dir / POINTER_NAME).is_file()


def test_missing_index_says_to_run_index(settings):
    with pytest.raises(IndexNotFoundError, match="cityline index"):
        Answerer.load(settings)


def test_missing_index_error_is_a_cityline_error():
    assert issubclass(IndexNotFoundError, CitylineError)
    assert issubclass(IndexVersionError, CitylineError)


@pytest.mark.parametrize(
    "key", ["sudachipy", "sudachidict_core", "index_format", "word_groups"]
)
def test_other_version_is_rejected(settings, key):
    report = build_from_records(PAGES, settings.index_dir)
    manifest_path = report.folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    manifest[key] = "0.0.0-other"
    manifest_path.write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(IndexVersionError, match="cityline index") as raised:
        Answerer.load(settings)
    assert key in str(raised.value)
    assert "0.0.0-other" in str(raised.value)


def test_damaged_build_is_rejected(settings):
    report = build_from_records(PAGES, settings.index_dir)
    (report.folder / "term_matrix.npz").write_bytes(b"not a matrix")
    with pytest.raises(IndexVersionError, match="cityline index"):
        load_model(settings.index_dir)


def test_pointer_not_utf8_is_rejected(settings):
    build_from_records(PAGES, settings.index_dir)
    (settings.index_dir / POINTER_NAME).write_bytes(b"\xff\xfe")
    with pytest.raises(IndexVersionError, match="not UTF-8.*cityline index"):
        load_model(settings.index_dir)


@pytest.mark.parametrize("name", ["..", "../../etc", "builds/x", "."])
def test_pointer_outside_builds_is_rejected(settings, name):
    build_from_records(PAGES, settings.index_dir)
    (settings.index_dir / POINTER_NAME).write_text(name, encoding="utf-8")
    with pytest.raises(IndexVersionError, match="not a build folder"):
        load_model(settings.index_dir)


def test_empty_records_keep_the_old_index(settings):
    first = build_from_records(PAGES, settings.index_dir)
    with pytest.raises(EmptyStoreError):
        build_from_records([], settings.index_dir)
    assert current_build(settings.index_dir) == first.folder.name


def test_pages_with_titles_alone_are_indexed(settings):
    titles_only = [
        PageRecord(url=page.url, title=page.title, text="", breadcrumbs=[])
        for page in PAGES
    ]
    report = build_from_records(titles_only, settings.index_dir)
    answer = Answerer.load(settings).ask("犬の登録")
    assert report.page_count == 3
    assert answer.answers[0].url == "https://city.example/pet/inu.html"


def test_pages_without_any_term_keep_the_old_index(settings):
    first = build_from_records(PAGES, settings.index_dir)
    symbols = [
        PageRecord(url=page.url, title="😀", text="★★", breadcrumbs=[])
        for page in PAGES
    ]
    with pytest.raises(EmptyStoreError, match="none of the 3 pages.*crawl again"):
        build_from_records(symbols, settings.index_dir)
    assert current_build(settings.index_dir) == first.folder.name


@pytest.mark.parametrize("content", ["[]", '"x"', '{"files": []}'])
def test_manifest_not_an_object_is_rejected(settings, content):
    report = build_from_records(PAGES, settings.index_dir)
    (report.folder / "manifest.json").write_text(content, encoding="utf-8")
    with pytest.raises(IndexVersionError, match="damaged manifest.*cityline index"):
        load_model(settings.index_dir)


def test_old_builds_are_pruned(settings):
    folders = [build_from_records(PAGES, settings.index_dir).folder for _ in range(5)]
    kept = sorted(p.name for p in (settings.index_dir / BUILDS_DIR).iterdir())
    assert len(kept) == KEEP_BUILDS
    assert folders[-1].name in kept
    assert not folders[0].exists()


def test_staging_folder_of_a_stopped_build_is_deleted(settings):
    build_from_records(PAGES, settings.index_dir)
    builds = settings.index_dir / BUILDS_DIR
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    stopped = builds / f".20260101T000000-000000001-{gone}.partial"
    running = builds / f".20260101T000000-000000002-{os.getpid()}.partial"
    for folder in (stopped, running):
        folder.mkdir()
        (folder / "terms.json").write_text("{}")
    build_from_records(PAGES, settings.index_dir)
    assert not stopped.exists()
    assert running.exists()


def test_reload_picks_up_a_new_build(settings):
    build_from_records(PAGES[:2], settings.index_dir)
    answerer = Answerer.load(settings)
    assert answerer.reload_if_changed() is False
    assert answerer.ask("犬の登録").fallback is True
    build_from_records(PAGES, settings.index_dir)
    assert answerer.reload_if_changed() is True
    assert answerer.reload_if_changed() is False
    assert (
        answerer.ask("犬の登録").answers[0].url == "https://city.example/pet/inu.html"
    )


def test_reload_keeps_old_index_when_new_one_is_bad(settings):
    build_from_records(PAGES, settings.index_dir)
    answerer = Answerer.load(settings)
    report = build_from_records(PAGES, settings.index_dir)
    (report.folder / "manifest.json").write_text("{}", "utf-8")
    assert answerer.reload_if_changed() is False
    assert answerer.ask("犬の登録").answers


def test_readers_never_see_a_partial_index(settings):
    build_from_records(PAGES, settings.index_dir)
    errors: list[BaseException] = []
    loads = 0
    done = threading.Event()

    def read() -> None:
        nonlocal loads
        while not done.is_set():
            try:
                model, _ = load_model(settings.index_dir)
                assert model.page_count == len(PAGES)
                loads += 1
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)
                return

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(6):
            build_from_records(PAGES, settings.index_dir)
    finally:
        done.set()
        reader.join()
    assert errors == []
    assert loads > 0


def test_build_deleted_while_loading_loads_current(settings, monkeypatch):
    first = build_from_records(PAGES, settings.index_dir)
    real_load = artifact._load_build
    calls = []

    def replaced_on_first_call(folder):
        calls.append(folder.name)
        if len(calls) == 1:
            # Newer builds replace this one and delete its folder mid-load.
            build_from_records(PAGES, settings.index_dir)
            shutil.rmtree(folder)
            return real_load(folder)
        return real_load(folder)

    monkeypatch.setattr(artifact, "_load_build", replaced_on_first_call)
    model, manifest = load_model(settings.index_dir)
    assert model.page_count == len(PAGES)
    assert calls[0] == first.folder.name
    assert calls[1] == current_build(settings.index_dir)


def test_build_half_deleted_while_loading_loads_current(settings, monkeypatch):
    first = build_from_records(PAGES, settings.index_dir)
    real_load = artifact._load_build
    calls = []

    def replaced_on_first_call(folder):
        calls.append(folder.name)
        if len(calls) == 1:
            # The pruning of this build has removed one file, not yet the folder.
            build_from_records(PAGES, settings.index_dir)
            (folder / "window_starts.npy").unlink()
        return real_load(folder)

    monkeypatch.setattr(artifact, "_load_build", replaced_on_first_call)
    model, _manifest = load_model(settings.index_dir)
    assert model.page_count == len(PAGES)
    assert calls[0] == first.folder.name
    assert calls[1] == current_build(settings.index_dir)


def test_damaged_current_build_is_not_retried(settings, monkeypatch):
    build_from_records(PAGES, settings.index_dir)
    (_current_folder(settings) / "terms.json").write_text("[", encoding="utf-8")
    calls = []
    real_load = artifact._load_build

    def counting(folder):
        calls.append(folder)
        return real_load(folder)

    monkeypatch.setattr(artifact, "_load_build", counting)
    with pytest.raises(IndexVersionError):
        load_model(settings.index_dir)
    assert len(calls) == 1


def test_index_answers_in_a_fresh_process(settings):
    build_from_records(PAGES, settings.index_dir)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "cityline.cli",
            "--data-dir",
            str(settings.data_dir),
            "ask",
            "粗大ゴミを出したい",
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert set(result) == {"question", "answers", "fallback"}
    assert result["fallback"] is False
    assert result["answers"][0]["url"] == "https://city.example/gomi/sodai.html"
    assert set(result["answers"][0]) == {"url", "title", "snippet", "score"}


def test_fresh_process_rejects_other_versions(settings):
    report = build_from_records(PAGES, settings.index_dir)
    manifest_path = report.folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    manifest["sudachipy"] = "0.0.1"
    manifest_path.write_text(json.dumps(manifest), "utf-8")
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "cityline.cli",
            "--data-dir",
            str(settings.data_dir),
            "ask",
            "粗大ごみ",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert completed.returncode == 2
    assert completed.stderr.startswith("error: ")
    assert "cityline index" in completed.stderr


def _current_folder(settings: Settings) -> Path:
    return settings.index_dir / BUILDS_DIR / current_build(settings.index_dir)


def _forget_file_sums(settings: Settings) -> None:
    """Drop the file sums from the manifest, as in a build made before them, so
    that the checks after them are reached."""
    path = _current_folder(settings) / "manifest.json"
    manifest = json.loads(path.read_text("utf-8"))
    del manifest["files"]
    path.write_text(json.dumps(manifest), "utf-8")


def test_manifest_sums_every_file(settings):
    report = build_from_records(PAGES, settings.index_dir)
    manifest = json.loads((report.folder / "manifest.json").read_text("utf-8"))
    names = {path.name for path in report.folder.iterdir()} - {"manifest.json"}
    assert set(manifest["files"]) == names
    for name, entry in manifest["files"].items():
        assert entry["bytes"] == (report.folder / name).stat().st_size, name


def test_flipped_byte_is_rejected(settings):
    build_from_records(PAGES, settings.index_dir)
    path = _current_folder(settings) / "char_codes.npy"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01
    path.write_bytes(bytes(data))

    with pytest.raises(IndexVersionError, match="char_codes.npy does not match"):
        load_model(settings.index_dir)


def test_missing_file_is_rejected(settings):
    build_from_records(PAGES, settings.index_dir)
    (_current_folder(settings) / "window_starts.npy").unlink()

    with pytest.raises(IndexVersionError, match="cannot be read.*cityline index"):
        load_model(settings.index_dir)


def test_truncated_matrix_is_rejected(settings):
    build_from_records(PAGES, settings.index_dir)
    path = _current_folder(settings) / "term_matrix.npz"
    path.write_bytes(path.read_bytes()[:200])

    with pytest.raises(IndexVersionError, match="cannot be read.*cityline index"):
        load_model(settings.index_dir)


@pytest.mark.parametrize(
    ("name", "content"),
    [("pages.json", "[]"), ("terms.json", '["only"]')],
    ids=["no-pages", "one-term"],
)
def test_inconsistent_build_is_rejected(settings, name, content):
    build_from_records(PAGES, settings.index_dir)
    (_current_folder(settings) / name).write_text(content, encoding="utf-8")
    _forget_file_sums(settings)

    # The test's own folder name contains "inconsistent", so the pattern
    # anchors on the message's words.
    with pytest.raises(IndexVersionError, match=r"is inconsistent \(.*cityline index"):
        load_model(settings.index_dir)


def test_short_idf_array_is_rejected(settings):
    build_from_records(PAGES, settings.index_dir)
    path = _current_folder(settings) / "term_idf.npy"
    np.save(path, np.load(path)[:2], allow_pickle=False)
    _forget_file_sums(settings)

    with pytest.raises(IndexVersionError, match="term idf length"):
        load_model(settings.index_dir)


def test_build_ids_sort_across_a_second(monkeypatch):
    # Two builds a few nanoseconds apart, on either side of a second boundary.
    readings = iter([1_700_000_000_999_999_998, 1_700_000_001_000_000_003])
    monkeypatch.setattr(artifact.time, "time_ns", lambda: next(readings))
    first = artifact._new_build_id()
    second = artifact._new_build_id()

    assert first < second
    assert first.split("-")[1] == "999999998"
    assert second.split("-")[1] == "000000003"
