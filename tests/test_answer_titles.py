"""Titles shown in a reply: the section of a page, and repeated titles."""

from __future__ import annotations

from dataclasses import dataclass

from answerer.answer import Answer
from index.vectorize import section_label
from webhook.replies import answer_messages, shown_titles


def answer(title: str, section: str = "", url: str = "https://city.test/a") -> Answer:
    return Answer(url=url, title=title, snippet="", score=1.0, section=section)


def test_section_is_nearest_named_breadcrumb_above_the_page():
    crumbs = ["ホーム", "健康・福祉", "健康診査・がん検診", "がん検診"]
    assert section_label("がん検診", crumbs) == "健康診査・がん検診"


def test_section_skips_folder_ids_and_slugs():
    crumbs = ["ホーム", "くらしのガイド", "健康・保健", "1027033", "1027208"]
    assert section_label("がん検診", crumbs) == "健康・保健"
    assert section_label("shoko", ["ホーム", "商工・農政・労政", "shoko"]) == (
        "商工・農政・労政"
    )


def test_section_is_empty_without_a_named_breadcrumb():
    assert section_label("トップ", ["ホーム"]) == ""
    assert section_label("トップ", []) == ""
    assert section_label("ごみ", ["ホーム", "gomi", "12"]) == ""


def test_repeated_titles_get_their_sections():
    shown = shown_titles(
        [
            answer("がん検診", "健康・保健"),
            answer("胃がん内視鏡検診", "がん検診"),
            answer("がん検診", "健康診査・がん検診"),
        ]
    )
    assert shown == [
        "がん検診（健康・保健）",
        "胃がん内視鏡検診",
        "がん検診（健康診査・がん検診）",
    ]


def test_titles_that_differ_are_shown_as_they_are():
    shown = shown_titles([answer("児童手当", "手当"), answer("保育園", "手当")])
    assert shown == ["児童手当", "保育園"]


def test_repeated_titles_same_section_unchanged():
    # Their snippets tell them apart; the same section twice would not.
    shown = shown_titles([answer("ごみ よくある質問", "ごみ")] * 2)
    assert shown == ["ごみ よくある質問", "ごみ よくある質問"]


def test_repeated_untitled_pages_show_the_placeholder_with_sections():
    shown = shown_titles([answer("", "税金"), answer(" ", "ごみ")])
    assert shown == ["市のページ（税金）", "市のページ（ごみ）"]


def test_carousel_and_alt_text_use_the_shown_titles():
    [carousel] = answer_messages(
        [answer("がん検診", "健康・保健"), answer("がん検診", "健康診査・がん検診")]
    )
    assert (
        "がん検診（健康・保健） / がん検診（健康診査・がん検診）" in carousel.alt_text
    )
    first = carousel.contents.contents[0].body.contents[0].text
    assert first == "がん検診（健康・保健）"


def test_snippet_that_repeats_the_title_is_left_out():
    [carousel] = answer_messages(
        [
            Answer(
                url="https://city.test/a", title="がん検診", snippet="がん検診", score=1
            )
        ]
    )
    body = carousel.contents.contents[0].body.contents
    assert [text.text for text in body] == ["がん検診"]


def test_snippet_repeating_a_sectioned_title_is_left_out():
    pages = [answer("がん検診", "健康・保健"), answer("がん検診", "健康診査・がん検診")]
    pages = [
        Answer(url=p.url, title=p.title, snippet="がん検診", score=1, section=p.section)
        for p in pages
    ]
    [carousel] = answer_messages(pages)
    body = carousel.contents.contents[1].body.contents
    assert [text.text for text in body] == ["がん検診（健康診査・がん検診）"]


@dataclass
class PlainPage:
    url: str
    title: str
    snippet: str


def test_answers_without_a_section_show_their_titles():
    pages = [
        PlainPage("https://city.test/a", "がん検診", ""),
        PlainPage("https://city.test/b", "がん検診", ""),
    ]
    assert shown_titles(pages) == ["がん検診", "がん検診"]
