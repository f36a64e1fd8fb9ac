"""City word groups: words residents and pages use for one thing share a term."""

from __future__ import annotations

import json

import pytest

from answerer import answer as answer_module
from answerer.answer import Answerer
from cityline.settings import Settings
from index import word_groups
from index.artifact import IndexVersionError, current_build
from index.build import build_from_records
from index.fields import PageRecord
from index.tokenize import (
    _single_word_key,
    publish_word_groups,
    read_word_groups,
    terms,
    word_group_table,
    word_groups_digest,
)
from index.word_groups import (
    GROUPS_PATH,
    WordGroupError,
    build_table,
    groups_digest,
    read_groups,
)

RECORDS = [
    PageRecord(
        url="https://city.example/toshokan.html",
        title="中央図書館",
        text="中央図書館の開館時間は午前9時30分から午後8時までです。",
    ),
]


@pytest.mark.parametrize(
    ("resident", "page"),
    [
        ("再発行", "再交付"),
        ("赤ちゃん", "乳児"),
        ("引き落とし", "口座振替"),
        ("入園", "入所"),
        ("ワクチン", "予防接種"),
        ("スマホ", "スマートフォン"),
    ],
)
def test_word_group_joins_resident_and_page_words(resident, page):
    shared = {t for t in terms(resident) if t.startswith("syn:")} & set(terms(page))
    assert shared


def test_word_group_reaches_the_part_of_a_compound():
    # 市民税 is one word whose short unit 税 is in the group of 税金.
    assert set(terms("税金")) & {t for t in terms("市民税") if t.startswith("syn:")}


def test_word_group_keeps_each_word_own_key():
    assert "再発行" in terms("再発行")
    assert "再発行" not in terms("再交付")


def test_inflected_verb_gets_its_group():
    assert set(terms("払った")) & set(terms("納付"))


def test_every_shipped_word_is_one_sudachi_word():
    table = word_group_table()
    words = [word for _, group in read_groups() for word in group]
    assert all(_single_word_key(word) in table for word in words)


def test_one_word_group_is_rejected(tmp_path):
    path = tmp_path / "groups.txt"
    path.write_text("# comment\n\n再発行 再交付\n乳児\n", encoding="utf-8")
    with pytest.raises(
        WordGroupError, match=r"groups.txt:4: invalid group '乳児'.*at least two"
    ):
        read_groups(path)


def test_phrase_is_rejected(tmp_path):
    path = tmp_path / "groups.txt"
    path.write_text("燃やすごみ 可燃ごみ\n", encoding="utf-8")
    groups = read_groups(path)
    with pytest.raises(WordGroupError, match=r"groups.txt:1: '燃やすごみ' is not one"):
        build_table(groups, _single_word_key, path)


def test_repeated_word_is_rejected(tmp_path):
    path = tmp_path / "groups.txt"
    path.write_text("乳児 赤ちゃん 乳児\n", encoding="utf-8")
    with pytest.raises(WordGroupError, match="repeats a word"):
        read_groups(path)


def test_digest_follows_the_groups(tmp_path):
    first = tmp_path / "a.txt"
    second = tmp_path / "b.txt"
    first.write_text("乳児 赤ちゃん\n", encoding="utf-8")
    second.write_text("乳児 新生児\n", encoding="utf-8")
    assert groups_digest(first) != groups_digest(second)
    assert len(groups_digest(GROUPS_PATH)) == 16


def test_digest_ignores_comments_and_layout(tmp_path):
    plain = tmp_path / "a.txt"
    edited = tmp_path / "b.txt"
    plain.write_text("乳児 赤ちゃん\n", encoding="utf-8")
    edited.write_bytes("\ufeff# reviewed\r\n\r\n乳児\t赤ちゃん  # same\r\n".encode())
    assert groups_digest(plain) == groups_digest(edited)


def test_numeral_group_term_differs_from_sudachi_ids(tmp_path):
    path = tmp_path / "groups.txt"
    path.write_text("20 二十\n", encoding="utf-8")
    table = build_table(read_groups(path), _single_word_key, path)
    assert table[_single_word_key("20")] == ("syn:w:20",)


def test_bom_and_crlf_are_read(tmp_path):
    path = tmp_path / "groups.txt"
    path.write_bytes("\ufeff再発行 再交付\r\n乳児　赤ちゃん\r\n".encode())
    assert read_groups(path) == [(1, ("再発行", "再交付")), (2, ("乳児", "赤ちゃん"))]


def test_comment_after_words_is_ignored(tmp_path):
    path = tmp_path / "groups.txt"
    path.write_text("再発行 再交付  # papers\n", encoding="utf-8")
    assert read_groups(path) == [(1, ("再発行", "再交付"))]


def test_group_term_uses_the_first_word_key(tmp_path):
    path = tmp_path / "groups.txt"
    path.write_text("ｽﾏﾎ スマートフォン\n", encoding="utf-8")
    table = build_table(read_groups(path), _single_word_key, path)
    assert table[_single_word_key("スマホ")] == ("syn:w:すまほ",)


def test_same_first_word_twice_is_rejected(tmp_path):
    path = tmp_path / "groups.txt"
    path.write_text("乳児 赤ちゃん\n乳児 新生児\n", encoding="utf-8")
    groups = read_groups(path)
    with pytest.raises(WordGroupError, match=r"groups.txt:2: .*line 1"):
        build_table(groups, _single_word_key, path)


def test_file_not_utf8_is_rejected(tmp_path):
    path = tmp_path / "groups.txt"
    path.write_bytes("再発行 再交付\n".encode("shift_jis"))
    with pytest.raises(WordGroupError, match="cannot be read.*UTF-8"):
        read_groups(path)


def test_missing_file_is_rejected(tmp_path):
    with pytest.raises(WordGroupError, match="cannot be read"):
        read_groups(tmp_path / "absent.txt")


@pytest.fixture
def edited_groups(tmp_path, monkeypatch):
    """Point the word group file at an editable copy; read the real one after."""
    path = tmp_path / "word_groups.txt"
    path.write_bytes(GROUPS_PATH.read_bytes())
    monkeypatch.setattr(word_groups, "GROUPS_PATH", path)
    yield path
    monkeypatch.undo()
    publish_word_groups(read_word_groups())


def _manifest_with_groups(index_dir, digest):
    manifest_path = index_dir / "builds" / current_build(index_dir) / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    manifest["word_groups"] = digest
    manifest_path.write_text(json.dumps(manifest), "utf-8")


def test_index_of_edited_file_reloads_groups(tmp_path, edited_groups):
    settings = Settings(data_dir=tmp_path / "data")
    build_from_records(RECORDS, settings.index_dir)
    edited_groups.write_text(
        edited_groups.read_text("utf-8") + "歩道 舗道\n", encoding="utf-8"
    )
    # As if `cityline index` ran in another process after the edit.
    _manifest_with_groups(settings.index_dir, groups_digest(edited_groups))
    assert not set(terms("舗道")) & set(terms("歩道"))
    Answerer.load(settings)
    assert word_groups_digest() == groups_digest(edited_groups)
    assert set(terms("舗道")) & set(terms("歩道"))


def test_index_of_other_groups_names_the_file(tmp_path, edited_groups):
    settings = Settings(data_dir=tmp_path / "data")
    build_from_records(RECORDS, settings.index_dir)
    _manifest_with_groups(settings.index_dir, "0123456789abcdef")
    with pytest.raises(IndexVersionError, match="word_groups") as raised:
        Answerer.load(settings)
    assert str(edited_groups) in str(raised.value)
    assert "cityline index" in str(raised.value)


def test_failed_load_keeps_old_groups(tmp_path, edited_groups):
    settings = Settings(data_dir=tmp_path / "data")
    build_from_records(RECORDS, settings.index_dir)
    before = word_groups_digest()
    edited_groups.write_text(
        edited_groups.read_text("utf-8") + "歩道 舗道\n", encoding="utf-8"
    )
    _manifest_with_groups(settings.index_dir, groups_digest(edited_groups))
    folder = settings.index_dir / "builds" / current_build(settings.index_dir)
    (folder / "term_matrix.npz").write_bytes(b"cut short")
    with pytest.raises(IndexVersionError):
        Answerer.load(settings)
    assert word_groups_digest() == before
    assert not set(terms("舗道")) & set(terms("歩道"))


def test_groups_switch_only_with_the_index(tmp_path, edited_groups, monkeypatch):
    settings = Settings(data_dir=tmp_path / "data")
    build_from_records(RECORDS, settings.index_dir)
    answerer = Answerer.load(settings)
    before = word_groups_digest()
    edited_groups.write_text(
        edited_groups.read_text("utf-8") + "歩道 舗道\n", encoding="utf-8"
    )
    edited = groups_digest(edited_groups)
    build_from_records(RECORDS, settings.index_dir)
    _manifest_with_groups(settings.index_dir, edited)

    def fail(model) -> None:
        raise RuntimeError("preparing the index failed")

    # A newer index that fails after it is read keeps the old index and groups.
    with monkeypatch.context() as patched:
        patched.setattr(answer_module, "prepare", fail)
        assert not answerer.reload_if_changed()
    assert word_groups_digest() == before

    build_from_records(RECORDS, settings.index_dir)
    _manifest_with_groups(settings.index_dir, edited)
    assert answerer.reload_if_changed()
    assert word_groups_digest() == edited
