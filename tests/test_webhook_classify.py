"""Sorting texts that no flow took: settings request, small talk or question."""

from __future__ import annotations

import pytest

from webhook.classify import TextKind, classify_text


@pytest.mark.parametrize(
    "text",
    [
        "こんにちは",
        "こんばんは！",
        "おはようございます☀️",
        "はじめまして よろしくお願いします",
    ],
)
def test_greetings(text):
    assert classify_text(text) is TextKind.GREETING


@pytest.mark.parametrize(
    "text",
    [
        "ありがとう",
        "ありがとうございました。助かりました",
        "Thank you!",
        "ありがとう😊",
    ],
)
def test_thanks(text):
    assert classify_text(text) is TextKind.THANKS


@pytest.mark.parametrize("text", ["使い方", "ヘルプ", "HELP", "何ができますか？", "？"])
def test_help(text):
    assert classify_text(text) is TextKind.HELP


@pytest.mark.parametrize(
    "text", ["受信設定", "配信設定を変えたい", "お知らせを止めたい", "通知の設定"]
)
def test_receive_settings(text):
    assert classify_text(text) is TextKind.RECEIVE_SETTINGS


@pytest.mark.parametrize(
    "text",
    [
        "こんにちは、粗大ごみの出し方は？",
        "住民票",
        "ありがとう。ところで図書館は何時まで？",
        "道路に穴が空いています",
        "",
        "😀",
        "受信設定" + "あ" * 60,
    ],
)
def test_everything_else_is_question(text):
    assert classify_text(text) is TextKind.QUESTION
