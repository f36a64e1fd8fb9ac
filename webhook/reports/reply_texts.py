"""Resident texts of the report flow that are not yet in ``webhook.texts``.

They cover the urgent reply, the question typed at the comment step, the required
description of a report that names no object, and an invalid location. They use
the same style as the fault-report section of ``webhook.texts``.

NOTE: these constants belong in the fault-report section of ``webhook/texts.py``.
Move them there unchanged, then delete REPORT_URGENT and REPORT_PHONE_FOR_URGENT
from that module, because these texts replace them.
"""

from __future__ import annotations

# The urgent reply is one message made of these lines, joined with newlines in
# this order. The 110/119 line comes first because it works at any hour.
URGENT_EMERGENCY_CALL = (
    "人に危険が迫っているときは、すぐに110番（警察）か119番（消防・救急）へ"
    "電話してください。"
)
URGENT_GAS = (
    "ガスのにおいがするときは、火を使わずにガス会社の緊急連絡先へ電話してください。"
)
URGENT_CITY_HALL = (
    "道路の陥没や倒木など、市の施設の急ぎの連絡は武蔵野市役所（{phone}）へ"
    "お電話ください。"
)
URGENT_STAFF_DURING_HOURS = "送信された通報は、担当者が開庁時間内に確認します。"
URGENT_STAFF_AFTER_HOURS = (
    "今は閉庁中のため、担当者が通報を確認するのは {when} 以降です。"
)
URGENT_CONTINUE = "このまま通報を続けることもできます。"

# The last line of the reply after sending, for every report.
SUBMITTED_URGENT_ROUTE = (
    "人に危険が迫っているときは110番・119番へ、道路などの緊急の連絡は"
    "武蔵野市役所（{phone}）へお電話ください。"
)

# The reply to a text at the comment step that looks like a question. {text} is
# the start of that text.
QUESTION_AT_COMMENT = (
    "「{text}」は質問のようです。通報の補足にしますか。\n"
    "質問として送ると回答をお送りします。作成中の通報はそのまま残り、"
    "続けて補足を入力できます。"
)
BUTTON_USE_AS_COMMENT = "補足にする"
BUTTON_SEND_AS_QUESTION = "質問として送る"

# The comment step of a report whose category and text name no object.
ASK_DESCRIPTION = (
    "何がどうなっているかを短く入力してください（例：看板が倒れそう、"
    "歩道に物が置かれている）。担当者が内容を確かめるために必要です。"
)
DESCRIPTION_REQUIRED = (
    "この通報には説明が必要です。何がどうなっているかを短く入力してください。"
)

LOCATION_INVALID = (
    "位置情報を読み取れませんでした。もう一度「位置情報を送る」で送るか、"
    "住所や目印を入力してください。"
)
