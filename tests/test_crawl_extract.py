"""Extraction of title, breadcrumbs, main text, page data and links."""

from __future__ import annotations

import pytest

from crawler.extract import extract_page

PAGE = """<!DOCTYPE html>
<html lang="ja"><head>
<meta charset="utf-8">
<title>ごみの出し方｜テスト市公式ホームページ</title>
<link rel="canonical" href="https://www.city.example.lg.jp/gomi/1001.html">
<script>var tracking = "スクリプトの文字";</script>
<style>.x { content: "スタイルの文字"; }</style>
</head><body>
<div id="skip"><a href="#main">本文へ移動</a></div>
<header id="header">
<ul class="util"><li><a href="/sitemap.html">サイトマップ</a></li></ul>
<form action="/search/"><label>サイト内検索</label></form>
<nav id="gnav"><a href="/kurashi/">くらしの案内</a></nav></header>
<div id="breadcrumb"><a href="/">ホーム</a> &gt; <a href="/gomi/">ごみ・リサイクル</a>
 &gt; <span>ごみの出し方</span></div>
<main id="main">
<h1>ごみの出し方</h1>
<div class="tools"><a class="share" href="https://twitter.com/intent/tweet">ポスト</a>
<a class="print" href="?print=1">印刷する</a></div>
<p class="page-meta">ページ番号1001　更新日 2025年3月9日</p>
<div class="body">
<p>燃やすごみは<strong>週2回</strong>、朝8時までに出してください。</p>
<table><tr><th>地区</th><td>月・木</td></tr></table>
<p><a href="/files/calendar.pdf">収集カレンダー（PDF）</a></p>
<p><a href="sodai.html">粗大ごみの申し込み</a></p>
</div>
<div class="related"><h2>関連情報</h2><a href="/gomi/1002.html">資源物</a></div>
</main>
<aside id="side"><h2>このカテゴリーのページ</h2></aside>
<footer id="footer"><p class="address">テスト市役所 〒000-0000 フッターの住所</p>
<p class="copyright">Copyright テスト市</p></footer>
</body></html>
"""

FURNITURE = [
    "本文へ移動",
    "サイトマップ",
    "サイト内検索",
    "くらしの案内",
    "ポスト",
    "印刷する",
    "関連情報",
    "このカテゴリーのページ",
    "フッターの住所",
    "Copyright",
    "スクリプトの文字",
    "スタイルの文字",
    "ページ番号",
    "ホーム",
]


def extracted():
    return extract_page(PAGE, "http://h.example/gomi/1001.html")


def test_title_is_the_h1():
    assert extracted().title == "ごみの出し方"


def test_title_falls_back_to_title_without_site_name():
    page = (
        "<html><head><title>粗大ごみ | テスト市</title></head><body>本文</body></html>"
    )
    assert extract_page(page, "http://h.example/").title == "粗大ごみ"


def test_breadcrumbs():
    assert extracted().breadcrumbs == ["ホーム", "ごみ・リサイクル", "ごみの出し方"]


def test_breadcrumbs_from_list_items():
    page = (
        "<nav aria-label='breadcrumb'><ol><li><a href='/'>ホーム</a></li>"
        "<li>子育て</li></ol></nav><main><h1>x</h1></main>"
    )
    assert extract_page(page, "http://h.example/").breadcrumbs == ["ホーム", "子育て"]


def test_breadcrumb_label_with_an_arrow_stays_whole():
    listed = (
        "<nav aria-label='breadcrumb'><ol><li><a href='/'>ホーム</a> ＞</li>"
        "<li><a href='/m/'>転入→転出の手続き</a> ＞</li><li>届出</li></ol></nav>"
        "<main><h1>x</h1></main>"
    )
    linked = (
        "<div id='breadcrumb'><a href='/'>ホーム</a> &gt; "
        "<a href='/m/'>転入→転出の手続き</a> &gt; 届出</div><main><h1>x</h1></main>"
    )
    expected = ["ホーム", "転入→転出の手続き", "届出"]
    assert extract_page(listed, "http://h.example/").breadcrumbs == expected
    assert extract_page(linked, "http://h.example/").breadcrumbs == expected


def test_current_page_label_with_an_arrow_stays_whole():
    page = (
        "<div id='breadcrumb'><a href='/'>ホーム</a> &gt; <a href='/k/'>くらし</a>"
        " &gt; 転入→転出の手続き</div><main><h1>x</h1></main>"
    )
    assert extract_page(page, "http://h.example/").breadcrumbs == [
        "ホーム",
        "くらし",
        "転入→転出の手続き",
    ]


@pytest.mark.parametrize(
    "trail",
    [
        "<a href='/'>ホーム</a> &gt; <span>転入</span>→<span>転出の手続き</span>",
        "ホーム &gt; 転入→転出の手続き",
    ],
)
def test_unspaced_arrow_in_a_label_stays_whole(trail):
    page = f"<div id='breadcrumb'>{trail}</div><main><h1>x</h1></main>"
    assert extract_page(page, "http://h.example/").breadcrumbs == [
        "ホーム",
        "転入→転出の手続き",
    ]


@pytest.mark.parametrize(
    "trail",
    [
        "<a href='/'>ホーム ＞</a> <a href='/k/'>くらし ＞</a> 転入→転出の手続き",
        "<span>ホーム</span> ＞ <span>くらし</span> ＞ <span>転入→転出の手続き</span>",
    ],
)
def test_breadcrumb_keeps_unspaced_arrow(trail):
    page = f"<div id='breadcrumb'>{trail}</div><main><h1>x</h1></main>"
    assert extract_page(page, "http://h.example/").breadcrumbs == [
        "ホーム",
        "くらし",
        "転入→転出の手続き",
    ]


def test_trail_of_arrows_alone_is_split_at_each():
    page = "<div class='topicpath'>ホーム→くらし→ごみ</div><main><h1>x</h1></main>"
    assert extract_page(page, "http://h.example/").breadcrumbs == [
        "ホーム",
        "くらし",
        "ごみ",
    ]


def test_loose_labels_between_links_are_split_at_brackets():
    page = (
        "<div id='breadcrumb'><a href='/'>ホーム</a>＞くらし＞ごみ</div>"
        "<main><h1>x</h1></main>"
    )
    assert extract_page(page, "http://h.example/").breadcrumbs == [
        "ホーム",
        "くらし",
        "ごみ",
    ]


def test_plain_breadcrumb_split_at_separators():
    page = "<div class='topicpath'>ホーム＞くらし＞ごみ</div><main><h1>x</h1></main>"
    assert extract_page(page, "http://h.example/").breadcrumbs == [
        "ホーム",
        "くらし",
        "ごみ",
    ]


def test_main_text_keeps_content():
    text = extracted().text
    assert "燃やすごみは週2回、朝8時までに出してください。" in text
    assert "地区 月・木" in text
    assert "収集カレンダー（PDF）" in text


def test_main_text_drops_furniture():
    text = extracted().text
    for furniture in FURNITURE:
        assert furniture not in text, furniture


def test_page_number_and_update_date():
    page = extracted()
    assert page.page_number == "1001"
    assert page.updated == "2025-03-09"


def test_update_date_in_japanese_era():
    page = "<main><h1>x</h1><p>更新日：令和6年4月1日</p></main>"
    assert extract_page(page, "http://h.example/").updated == "2024-04-01"


def test_canonical_link():
    assert extracted().canonical_url == "https://www.city.example.lg.jp/gomi/1001.html"


def test_links_cover_the_whole_page():
    urls = {link.url for link in extracted().links}
    assert "http://h.example/kurashi/" in urls  # navigation links are crawled
    assert "http://h.example/gomi/sodai.html" in urls
    assert "http://h.example/files/calendar.pdf" in urls
    assert "http://h.example/gomi/1001.html" in urls  # ?print=1 is dropped


def test_links_resolve_against_base_href():
    page = (
        "<html><head><base href='/other/dir/'></head><body>"
        "<a href='page.html'>p</a><a href='../up.html'>u</a></body></html>"
    )
    urls = [link.url for link in extract_page(page, "http://h.example/a/b.html").links]
    assert urls == [
        "http://h.example/other/dir/page.html",
        "http://h.example/other/up.html",
    ]


def test_meta_robots_noindex_nofollow():
    page = "<head><meta name='robots' content='noindex, nofollow'></head><h1>x</h1>"
    result = extract_page(page, "http://h.example/")
    assert result.noindex
    assert result.nofollow


def test_nofollow_links_are_skipped():
    page = "<a rel='nofollow' href='/a.html'>a</a><a href='/b.html'>b</a>"
    urls = [link.url for link in extract_page(page, "http://h.example/").links]
    assert urls == ["http://h.example/b.html"]


FOLDER_PAGE = """<html><head>
<link rel="canonical" href="https://www.city.example.lg.jp/kosodate/nyuen_moshikomi/index.html">
</head><body>
<div id="breadcrumb"><a href="/">ホーム</a> &gt; <a href="/kosodate/">kosodate</a>
 &gt; <span>nyuen moshikomi</span></div>
<main><h1>nyuen moshikomi</h1>
<ul><li><a href="/kosodate/nyuen_moshikomi/">nyuen moshikomi</a></li>
<li><a href="/kosodate/nyuen_moshikomi/index.html">保育園の入園申し込み</a></li>
<li><a href="/kosodate/nyuen_moshikomi/1001.html">入園の説明会</a></li></ul>
</main></body></html>
"""


def test_slug_title_takes_own_link_text():
    url = "http://h.example/kosodate/nyuen_moshikomi/index.html"
    assert extract_page(FOLDER_PAGE, url).title == "保育園の入園申し込み"


def test_content_wrapper_named_like_furniture_is_kept():
    page = (
        "<div id='main'><div id='print_area'><h1>児童手当</h1>"
        "<p>児童手当は高校生年代までの子どもを育てる方に支給します。</p></div>"
        "<div class='related'><a href='/x.html'>関連ページ</a></div></div>"
    )
    extracted = extract_page(page, "http://h.example/a.html")
    assert "支給します" in extracted.text
    assert "関連ページ" not in extracted.text


def test_header_logo_is_not_title():
    page = (
        "<html><head><title>児童手当 | テスト市</title></head><body>"
        "<header><h1>テスト市</h1></header>"
        "<div id='contents'><h2>児童手当</h2><p>本文です。</p></div></body></html>"
    )
    assert extract_page(page, "http://h.example/a.html").title == "児童手当"


def test_menu_and_copyright_blocks_are_furniture():
    page = (
        "<body><div id='tmp_gnavi'><li>くらし・手続き</li></div>"
        "<div id='wrap'><h1>ごみの出し方</h1><p>本文</p></div>"
        "<div id='copyright'>Copyright 市役所</div></body>"
    )
    assert extract_page(page, "http://h.example/b.html").text == "ごみの出し方\n本文"


def test_slug_heading_leaves_the_text():
    page = (
        "<main><h1>nyusho tetsuzuki</h1><ul><li>"
        "<a href='/hoiku/nyusho_tetsuzuki/index.html'>入所申込手続き</a>"
        "</li></ul></main>"
    )
    extracted = extract_page(page, "http://h.example/hoiku/nyusho_tetsuzuki/")
    assert extracted.title == "入所申込手続き"
    assert extracted.text == "入所申込手続き"


def test_folder_canonical_keeps_index_file_as_written():
    url = "http://h.example/kosodate/nyuen_moshikomi/"
    extracted = extract_page(FOLDER_PAGE, url)
    folder = "https://www.city.example.lg.jp/kosodate/nyuen_moshikomi/"
    assert extracted.canonical_url == folder
    assert extracted.canonical_href == folder + "index.html"


def test_canonical_href_is_absolute_without_fragment():
    page = "<link rel='canonical' href='../gomi/index.html#top'>"
    extracted = extract_page(page, "http://h.example/kurashi/a.html")
    assert extracted.canonical_href == "http://h.example/gomi/index.html"
    assert extracted.canonical_url == "http://h.example/gomi/"


def test_non_http_canonical_is_ignored():
    extracted = extract_page(
        "<link rel='canonical' href='mailto:a@b.jp'>", "http://h.example/"
    )
    assert extracted.canonical_href is None
    assert extracted.canonical_url is None


def test_numbered_folder_title_takes_own_link_text():
    page = (
        "<main><h1>1002345</h1><ul><li><a href='./'>生活の相談窓口</a></li></ul></main>"
    )
    title = extract_page(page, "http://h.example/fukushi/1002345/").title
    assert title == "生活の相談窓口"


def test_slug_title_kept_without_named_self_link():
    page = (
        "<main><h1>nyuen moshikomi</h1>"
        "<ul><li><a href='1001.html'>入園の説明会</a></li></ul></main>"
    )
    title = extract_page(page, "http://h.example/kosodate/nyuen_moshikomi/").title
    assert title == "nyuen moshikomi"


def test_ascii_title_other_than_slug_kept():
    page = "<main><h1>FAQ</h1><a href='/help/1003.html'>よくある質問</a></main>"
    assert extract_page(page, "http://h.example/help/1003.html").title == "FAQ"
