"""Content words of a question, counted for the short-question fallback."""

from __future__ import annotations

import pytest

from index.tokenize import content_word_count


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("", 0),
        ("のをには", 0),
        ("犬", 1),
        ("犬と犬", 1),
        ("乾電池の出し方", 2),
        ("粗大ごみを出したいのですが、申し込み方法を教えてください", 4),
    ],
    ids=["empty", "particles", "one", "repeated", "two", "sentence"],
)
def test_content_words_are_counted_once_each(text, count):
    assert content_word_count(text) == count


def test_compound_counts_as_one_word():
    assert content_word_count("国民健康保険") == 1


def test_long_text_is_counted():
    text = "犬と猫。" * 200
    assert content_word_count(text) == 2
