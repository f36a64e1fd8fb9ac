"""Texts that mention an earlier report, a repair in the past or a worse fault:
which of them ask for the status, thank, take a report back, or carry a fault
that must be received."""

import pytest

from webhook.classify import TextKind, classify_text, is_cancel
from webhook.reports.resident_text import strip_address_tail, takes_back_the_fault


@pytest.mark.parametrize(
    "text",
    [
        # A fault that got worse, or a light on by day.
        "中町の交差点の歩道の穴が前より広くなりました",
        "歩道のタイルがはがれて、雨の日は滑りやすくなりました",
        "公園の街灯が昼間でも点くようになりました",
        # A repair in the fault's past.
        "以前埋めてもらったところです",
        "去年も同じ場所を補修してもらいました",
        "先月直ってたのに",
        # A question after a repair.
        "直ってましたけど、粗大ごみの出し方を教えて",
    ],
)
def test_history_or_worse_fault_takes_nothing_back(text):
    assert not takes_back_the_fault(text)
    assert classify_text(text) is not TextKind.THANKS


@pytest.mark.parametrize(
    "text",
    [
        "すみません、見間違いでした",
        "あ、今見たらもう直ってました",
        "さっきのは間違いです",
    ],
)
def test_retraction_or_repair_now_takes_back(text):
    assert takes_back_the_fault(text)


@pytest.mark.parametrize(
    "text",
    [
        # The photo or place sent describes the fault.
        "送った写真が今の状況です",
        "送った写真の場所、その後さらに広がっています",
        # A fault stated with the follow-up is a report to receive.
        "前に通報した件、連絡ないんですが、穴がまだそのままで危ないです",
        "通報しましたが連絡もなく、まだ穴があいたままです",
    ],
)
def test_fault_with_sent_report_is_no_status_question(text):
    assert classify_text(text) is not TextKind.REPORT_STATUS


@pytest.mark.parametrize(
    "text",
    [
        "先週LINEで送った件、どうなってますか",
        "通報したのに連絡がありません",
        "この前通報した穴まだ直ってない",
        "受付番号 2026-000002 の状況を教えてください",
        "2026-000002",
        "R2026ー000002",
    ],
)
def test_follow_up_on_sent_report_is_status(text):
    assert classify_text(text) is TextKind.REPORT_STATUS


def test_long_blank_run_is_classified_quickly():
    # A run of blanks before the last word once made two end-anchored patterns
    # rescan it from every position.
    text = "ありがとう" + " " * 5000 + "あ"
    assert classify_text(text) is not None
    assert not is_cancel(text)


@pytest.mark.parametrize(
    ("typed", "place"),
    [
        ("境南町2丁目の交差点です。", "境南町2丁目の交差点"),
        ("中町やで。 ", "中町"),
        ("中町2丁目\u3000。\n", "中町2丁目"),
        ("中町です です。", "中町です "),
        ("。。。", ""),
    ],
)
def test_place_tail_is_stripped(typed, place):
    assert strip_address_tail(typed) == place


def test_long_space_run_strips_whole():
    assert strip_address_tail("中町" + " " * 5000 + "。") == "中町"
