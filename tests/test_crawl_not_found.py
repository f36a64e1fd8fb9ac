"""Titles that read as a "page not found" notice, and titles that only mention one."""

from __future__ import annotations

import pytest

from crawler.not_found import is_not_found_title


@pytest.mark.parametrize(
    "title",
    [
        "お探しのページが見つかりません",
        "お探しのページは見つかりませんでした。",
        "ページが見つかりません | テスト市",
        "指定されたページは存在しません",
        "このページは削除されました",
        "404 Not Found",
        "Error 404",
        "404エラー",
        "Page not found",
        "ページが見つかりません",
        "テスト市 ページが見つかりません",
        "テスト市公式ホームページ ページが見つかりません",
        "申し訳ございません。お探しのページは見つかりませんでした。",
        "お探しのページが見つかりませんでした（エラーコード：404）",
    ],
)
def test_notice_titles(title):
    assert is_not_found_title(title)


@pytest.mark.parametrize(
    "title",
    [
        "ページが見つからないときの検索方法",
        "「ページが見つかりません」と表示されるとき",
        "ページが見つかりません。どうすればいいですか",
        "ページが見つかりません どうすればいい",
        "お探しのページが見つからないときは（サイト内検索の使い方）",
        "エラー",
        "市民課 404号室",
        "ページ番号1004806",
        "粗大ごみの申込方法",
        "",
    ],
)
def test_page_titles(title):
    assert not is_not_found_title(title)
