"""Sorting texts that no flow took: settings request, small talk or question."""

from __future__ import annotations

import pytest

from webhook import texts
from webhook.classify import TextKind, classify_text, greeting_word


@pytest.mark.parametrize(
    "text",
    [
        "こんにちは",
        "こんばんは！",
        "おはようございます☀️",
        "はじめまして よろしくお願いします",
        # Romaji, typed without Japanese input.
        "konnichiwa",
        "Ohayou gozaimasu",
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
        "了解です",
        "OK",
        "👍",
        "🙏",
        "わかった！",
        # いつ inside いつも asks nothing.
        "いつもありがとうございます",
        "いつもお世話になっております。ありがとうございます",
    ],
)
def test_thanks(text):
    assert classify_text(text) is TextKind.THANKS


LETTER_OF_THANKS = (
    "拝啓　先日はお忙しい中、拙宅前の街灯を早速修理していただき、"
    "誠にありがとうございました。おかげさまで夜道も安心して歩けるように"
    "なりました。今後ともよろしくお願い申し上げます。敬具"
)
THANKS_FOR_REPAIRS = [
    "直ってました、ありがとう",
    "早速直していただきありがとうございました",
    "対応ありがとうございました",
    "返信ありがとうございます",
    "Thank you very much",
    "穴、埋めてもらえました。感謝です",
    LETTER_OF_THANKS,
]


@pytest.mark.parametrize("text", THANKS_FOR_REPAIRS)
def test_thanks_for_a_repair(text):
    assert classify_text(text) is TextKind.THANKS


@pytest.mark.parametrize(
    "text",
    [
        "いつもありがとうございます。粗大ごみの出し方を教えてください",
        "いつもありがとうございます。家の前の街灯が消えています",
        "直してもらった街灯がまた消えています",
        "お疲れさまです。雨の日でも市役所は開いてますか笑",
        "Thanks, but the light is still broken",
        "すみません、見間違いでした",
    ],
)
def test_thanks_with_more_is_no_thanks(text):
    assert classify_text(text) is TextKind.QUESTION


@pytest.mark.parametrize(
    "text",
    [
        "使い方",
        "ヘルプ",
        "HELP",
        "何ができますか？",
        "？",
        "???",
        "通報の仕方を教えて",
        "通報はどうやるの？",
        "ブロックしたらどうなりますか",
        "このアカウントをブロックすると設定は消えますか",
        "LINEをブロックしたら登録は消えますか",
    ],
)
def test_help(text):
    assert classify_text(text) is TextKind.HELP


@pytest.mark.parametrize(
    "text",
    [
        "受信設定",
        "配信設定を変えたい",
        "お知らせを止めたい",
        "通知の設定",
        "子育ての通知はもういらないです",
        "通知多すぎ。止めたい",
        "ごみの情報も受け取りたい",
        "防災の情報だけにしたい",
        "通知が来ないんですが",
        "LINEの通知が来ない",
        "防災の通知が来ない",
        "子育ての配信が届かない",
        "防災のお知らせだけ止めたい",
        "配信を解除したい",
        "イベント情報はいらないです",
        "メッセージが多いので減らしたい",
        "性別の回答を取り消したい",
        "年齢を登録したい",
        "引っ越したので地域を変えたい",
        "登録した情報を削除してください",
        "退会したい",
        "私の性別や年齢の情報はどう使われますか",
        "性別を答えたくありません",
        "年齢は答えなくてもいいですか",
        "地域は答えなければいけませんか？",
    ],
)
def test_receive_settings(text):
    assert classify_text(text) is TextKind.RECEIVE_SETTINGS


@pytest.mark.parametrize(
    "text",
    [
        "こんにちは、粗大ごみの出し方は？",
        "子育ての情報が知りたい",
        "児童手当のお知らせはいつ届きますか",
        "119番通報の仕方を教えて",
        "特定健診のお知らせが来ない",
        "住民票",
        "ありがとう。ところで図書館は何時まで？",
        "道路に穴が空いています",
        "",
        "😀",
        "受信設定" + "あ" * 60,
        # City procedures that name an address, a record or a membership.
        "引っ越したので住所を変更したい",
        "住民票の性別を変更したい",
        "図書館を退会したい",
        "マイナンバーの情報はどう使われますか",
        # The age of someone else, or asked for by a procedure.
        "子どもの年齢を答えなくても申請できますか",
        "窓口で年齢を言わないといけないですか",
        "ごみの量を減らしたい",
        # Notices and answers of other services.
        "メールマガジンの配信を解除したい",
        "アンケートの回答はどう使われますか",
        "国勢調査の回答した内容を確認したい",
    ],
)
def test_everything_else_is_question(text):
    assert classify_text(text) is TextKind.QUESTION


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("おはようございます", texts.GREETING_MORNING),
        ("おはよう", texts.GREETING_MORNING),
        ("こんばんは", texts.GREETING_EVENING),
        ("こんにちは", texts.GREETING_DAYTIME),
        ("はじめまして", texts.GREETING_DAYTIME),
        ("ohayou gozaimasu", texts.GREETING_MORNING),
        ("konbanwa", texts.GREETING_EVENING),
    ],
)
def test_greeting_is_answered_in_kind(text, word):
    assert greeting_word(text) == word


def test_greeting_reply_starts_with_the_daytime_word():
    assert texts.GREETING_REPLY.startswith(texts.GREETING_DAYTIME)


@pytest.mark.parametrize(
    "text",
    [
        "R2026-000001の状況は？",
        "受付番号R2026−000001の状況を知りたい",
        "通報したのに返事がない",
        "この前通報した穴、まだ直ってないんだけど",
        "さっきの通報はいつごろ直りますか",
        "この通報、今日中に確認してもらえますか",
        "通報の結果はどこで見られますか",
        "土曜日に通報したらいつ見てもらえますか",
        "返事はまだですか",
        "先週送った街灯の件どうなりました?",
        "通報したのに連絡がありません",
        "通報したのに何の連絡もないんですが",
        "先週LINEで送った件、どうなってますか？",
        "受付番号 2026-000002 の状況を教えてください",
    ],
)
def test_question_about_a_sent_report(text):
    assert classify_text(text) is TextKind.REPORT_STATUS


@pytest.mark.parametrize(
    "text",
    [
        "通報したいです。まだ直っていない街灯があります",
        "通報の件数はどうなっていますか",
        "受付番号R2026-000123を取り消したい",
        "パスポートの申請の返事がまだ来ない",
        "通報件数は何件ですか",
        "街灯がまだ消えたままです",
        "この前送った街灯がまだ消えています",
        "まだ穴があいています",
        "写真を送ったらどうなりますか",
        "先週送った件、返信ありがとうございます",
    ],
)
def test_report_request_is_no_status_question(text):
    assert classify_text(text) is not TextKind.REPORT_STATUS


def test_receipt_without_r_changes_a_report():
    text = "受付番号2026-000002を取り消したい"
    assert classify_text(text) is TextKind.REPORT_CHANGE


@pytest.mark.parametrize(
    "text",
    [
        "返事が来ないんですけど、保育園の入所申請の結果っていつわかりますか",
        "回答まだ間に合いますか？市民アンケートの",
        "この通報機能はいつから始まったんですか",
    ],
)
def test_other_waits_are_no_status_question(text):
    assert classify_text(text) is not TextKind.REPORT_STATUS


@pytest.mark.parametrize(
    "text",
    [
        "さっきの通報をキャンセルしたいです",
        "送った通報の場所を間違えました",
        "昨日通報したものに写真を追加したい",
        "受付番号R2026-000123を取り消したい",
        "受付番号R2026-000123の通報を取り下げたいです",
    ],
)
def test_change_to_a_sent_report(text):
    assert classify_text(text) is TextKind.REPORT_CHANGE


@pytest.mark.parametrize(
    "text",
    [
        "さっき通報した穴の隣の街灯も切れてます",
        "つうほうしたけど へんじ こない",
        "前に通報した穴がまた開いてます、追加で報告します",
        "先日通報した街灯がまた消えたので追加の通報です",
    ],
)
def test_no_change_request(text):
    assert classify_text(text) is not TextKind.REPORT_CHANGE


@pytest.mark.parametrize(
    "text", ["おやすみなさい", "さようなら！", "じゃあね〜", "Good night"]
)
def test_farewells(text):
    assert classify_text(text) is TextKind.FAREWELL


def test_farewell_with_a_fault_is_a_question():
    assert classify_text("おやすみなさい。街灯が消えています") is TextKind.QUESTION


@pytest.mark.parametrize(
    "text",
    [
        "がんばってください",
        "今日は寒いですね",
        "いつも助かってます",
        "本当に便利ですね",
        "なるほど",
        "最近暑いですね😊",
        "ganbatte kudasai",
    ],
)
def test_chat_that_asks_nothing(text):
    assert classify_text(text) is TextKind.CHAT


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("お疲れさまです。ありがとう", TextKind.THANKS),
        ("こんにちは、今日は暑いですね", TextKind.GREETING),
        ("今日は暑いですね、公園の水飲み場が壊れてます", TextKind.QUESTION),
        ("暑いですね。熱中症の相談はどこ？", TextKind.QUESTION),
        ("雨がすごいですね", TextKind.QUESTION),
    ],
)
def test_chat_beside_other_words(text, kind):
    assert classify_text(text) is kind
