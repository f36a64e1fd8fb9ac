"""Titles that read as a "page not found" notice, and titles that only mention one."""

from __future__ import annotations

import pytest

from crawler.not_found import is_not_found_title, notice_title


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
        "Page not found.",
        "お探しのページは見つかりませんでした．",
        "申し訳ございませんが、お探しのページは見つかりませんでした。",
        "404 ページが見つかりません",
        "テスト市 | ページが見つかりません",
        "指定されたページまたはファイルは存在しません",
        "Sorry, the page you requested could not be found.",
        "The requested page could not be found.",
        "お探しのページは見つかりませんでした。URLをご確認ください。",
        "Page Not Found - Example City",
        "お探しのページは削除されたか、URLが変更された可能性があります。",
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
        "ページが見つかりません？",
        "電子申請：ファイルが見つかりません",
        "The file you requested was not found: reasons and fixes",
        "ページが見つかりません｜よくある質問｜テスト市",
        "よくある質問 - ページが見つかりません",
        "水道 ページが見つかりません",
        "国道404号",
        "市民課 404号室",
        "ページ番号1004806",
        "粗大ごみの申込方法",
        "",
    ],
)
def test_page_titles(title):
    assert not is_not_found_title(title)


def test_title_tag_counts_under_a_generic_heading():
    assert notice_title("エラー", "ページが見つかりません｜テスト市") is not None


def test_title_tag_is_ignored_under_a_page_heading():
    heading = "「ページが見つかりません」と表示されるとき"
    assert notice_title(heading, "ページが見つかりません｜テスト市") is None
