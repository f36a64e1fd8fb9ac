"""LINE's message limits: UTF-16 lengths, clean cuts and fitted messages."""

from __future__ import annotations

import json

import pytest
from linebot.v3.messaging import (
    ButtonsTemplate,
    ConfirmTemplate,
    FlexBox,
    FlexBubble,
    FlexButton,
    FlexCarousel,
    FlexMessage,
    FlexText,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    StickerMessage,
    TemplateMessage,
    TextMessage,
    URIAction,
)

from webhook.limits import (
    ELLIPSIS,
    MAX_BUBBLE_JSON_BYTES,
    MAX_TEXT_UNITS,
    enforce_limits,
    fit_messages,
    truncate,
    utf16_length,
)
from webhook.replies import (
    answer_bubble,
    default_quick_reply,
    message_item,
    postback_item,
    quick_reply,
    text_message,
)


def test_utf16_length_counts_emoji_as_two():
    assert utf16_length("abc") == 3
    assert utf16_length("あいう") == 3
    assert utf16_length("😀") == 2
    assert utf16_length("👨‍👩‍👧") == 8


def test_truncate_leaves_short_text_alone():
    assert truncate("短い", 10) == "短い"
    assert truncate("x" * 5000, MAX_TEXT_UNITS) == "x" * 5000


def test_truncate_counts_utf16_units():
    text = "😀" * 3000  # 6,000 units, 3,000 code points
    cut = truncate(text, MAX_TEXT_UNITS)
    assert utf16_length(cut) <= MAX_TEXT_UNITS
    assert cut.endswith(ELLIPSIS)
    assert cut == "😀" * 2499 + ELLIPSIS


def test_truncate_emoji_at_boundary_not_split():
    text = "あ" * 4998 + "😀" + "い"
    cut = truncate(text, 5000)
    assert cut == "あ" * 4998 + ELLIPSIS
    cut.encode("utf-8")  # raises on a lone surrogate


@pytest.mark.parametrize(
    ("text", "max_units", "expected"),
    [
        ("ab👍🏽cd", 5, "ab…"),  # skin tone modifier stays with its emoji
        ("ab👨‍👩‍👧cd", 5, "ab…"),  # ZWJ family is one character
        ("ab👨‍👩‍👧cd", 8, "ab…"),  # cut after a ZWJ
        ("ab🇯🇵cd", 5, "ab…"),  # flag is a pair of regional indicators
        ("ab🇯🇵cd", 7, "ab🇯🇵…"),
        ("abか\u3099cd", 4, "ab…"),  # combining voiced mark stays with its kana
        ("abか\u3099cd", 5, "abか\u3099…"),
        ("ab❤️cd", 4, "ab…"),  # variation selector stays with its symbol
    ],
)
def test_truncate_keeps_clusters_whole(text, max_units, expected):
    assert truncate(text, max_units) == expected


def test_truncate_rejects_limit_below_ellipsis():
    with pytest.raises(ValueError, match="max_units=0"):
        truncate("abc", 0)


def test_enforce_limits_joins_plain_texts_past_five():
    messages = [TextMessage(text=f"{i}") for i in range(7)]
    fitted = enforce_limits(messages)
    assert [message.text for message in fitted] == ["0\n\n1\n\n2", "3", "4", "5", "6"]


def test_over_five_keeps_last_buttons():
    messages = [TextMessage(text=f"{i}") for i in range(5)]
    messages.append(text_message("次へ", default_quick_reply()))
    fitted = enforce_limits(messages)
    assert len(fitted) == 5
    assert fitted[-1].text == "次へ"
    assert fitted[-1].quick_reply is not None


def test_unjoinable_messages_past_five_dropped():
    messages = [text_message(f"{i}", default_quick_reply()) for i in range(7)]
    fitted = enforce_limits(messages)
    assert [message.text for message in fitted] == ["0", "1", "2", "3", "6"]


def test_stickers_past_five_keep_last_buttons():
    messages = [StickerMessage(package_id="446", sticker_id="1988") for _ in range(5)]
    messages.append(text_message("次へ", default_quick_reply()))
    fitted = enforce_limits(messages)
    assert len(fitted) == 5
    assert isinstance(fitted[0], StickerMessage)
    assert fitted[-1].text == "次へ"
    assert fitted[-1].quick_reply is not None


def test_fit_messages_past_five_keeps_first_and_last():
    messages = [text_message("緊急のお知らせ", default_quick_reply())]
    messages += [StickerMessage(package_id="446", sticker_id="1988") for _ in range(5)]
    messages.append(text_message("次へ", default_quick_reply()))
    fitted = fit_messages(messages)
    assert len(fitted) == 5
    assert fitted[0]["text"] == "緊急のお知らせ"
    assert fitted[-1]["text"] == "次へ"
    assert "quickReply" in fitted[-1]


def test_enforce_limits_cuts_long_text():
    [fitted] = enforce_limits([TextMessage(text="あ" * 6000)])
    assert utf16_length(fitted.text) == 5000
    assert fitted.text.endswith(ELLIPSIS)


def test_enforce_limits_drops_empty_text():
    assert enforce_limits([TextMessage(text="  ")]) == []


def test_enforce_limits_returns_same_object_when_fitting():
    message = text_message("ちょうど良い")
    [fitted] = enforce_limits([message])
    assert fitted is message


def carousel(count: int, uri: str = "https://city.example/p") -> FlexMessage:
    bubbles = [answer_bubble(f"題{i}", "要約", uri) for i in range(count)]
    return FlexMessage(altText="代替" * 300, contents=FlexCarousel(contents=bubbles))


def test_enforce_limits_caps_carousel_and_alt_text():
    [fitted] = enforce_limits([carousel(15)])
    data = fitted.to_dict()
    assert len(data["contents"]["contents"]) == 12
    assert utf16_length(data["altText"]) == 400


def test_enforce_limits_removes_button_with_long_uri():
    bubble = FlexBubble(
        body=FlexBox(layout="vertical", contents=[FlexText(text="本文")]),
        footer=FlexBox(
            layout="vertical",
            contents=[
                FlexButton(
                    action=URIAction(label="開く", uri="https://x/" + "a" * 1200)
                ),
                FlexButton(action=URIAction(label="別", uri="https://x/ok")),
            ],
        ),
    )
    message = FlexMessage(altText="a", contents=FlexCarousel(contents=[bubble]))
    [fitted] = enforce_limits([message])
    footer = fitted.to_dict()["contents"]["contents"][0]["footer"]["contents"]
    assert [button["action"]["uri"] for button in footer] == ["https://x/ok"]


def big_bubble(*texts: str) -> FlexBubble:
    contents = [FlexText(text=text, wrap=True) for text in texts]
    return FlexBubble(body=FlexBox(layout="vertical", contents=contents))


def test_enforce_limits_cuts_large_bubble():
    message = FlexMessage(
        altText="お知らせ", contents=big_bubble("見出し", "本文" * 9000, "詳細" * 4000)
    )
    [fitted] = enforce_limits([message])
    data = fitted.to_dict()["contents"]
    texts = [item["text"] for item in data["body"]["contents"]]
    assert len(json.dumps(data, ensure_ascii=False).encode()) <= MAX_BUBBLE_JSON_BYTES
    assert texts[0] == "見出し"
    assert texts[1].endswith(ELLIPSIS)
    assert texts[2].startswith("詳細")


def test_enforce_limits_fits_each_bubble_of_a_carousel():
    bubbles = [big_bubble("本文" * 9000), big_bubble("短い")]
    message = FlexMessage(altText="a", contents=FlexCarousel(contents=bubbles))
    [fitted] = enforce_limits([message])
    fitted_bubbles = fitted.to_dict()["contents"]["contents"]
    assert len(fitted_bubbles) == 2
    assert fitted_bubbles[1]["body"]["contents"][0]["text"] == "短い"


def test_enforce_limits_cuts_template_title_and_texts():
    confirm = TemplateMessage(
        altText="確認",
        template=ConfirmTemplate.construct(
            type="confirm",
            text="確認" * 200,
            actions=[
                PostbackAction(label="はい", data="a=1"),
                PostbackAction(label="いいえ", data="a=0"),
            ],
        ),
    )
    buttons = TemplateMessage(
        altText="選択",
        template=ButtonsTemplate.construct(
            type="buttons",
            title="題名" * 30,
            text="説明" * 100,
            actions=[PostbackAction(label="選ぶ", data="a=1")],
        ),
    )
    fitted = [
        message.to_dict()["template"] for message in enforce_limits([confirm, buttons])
    ]
    assert utf16_length(fitted[0]["text"]) == 240
    assert utf16_length(fitted[1]["title"]) == 40
    assert utf16_length(fitted[1]["text"]) == 60


def test_enforce_limits_caps_quick_reply_items():
    items = [message_item(f"項目{i}") for i in range(20)]
    long_uri = URIAction(label="x", uri="https://x/" + "a" * 1200)
    items.insert(0, QuickReplyItem(action=long_uri))
    # The SDK validates 13 items at construction, so build past it as a raw model.
    message = TextMessage(
        text="選んでください", quickReply=QuickReply.construct(items=items)
    )
    [fitted] = enforce_limits([message])
    labels = [item.action.label for item in fitted.quick_reply.items]
    assert labels == [f"項目{i}" for i in range(13)]


def test_enforce_limits_cuts_action_labels():
    item = QuickReplyItem(
        action=PostbackAction(label="とても長いラベル" * 5, data="a=1", displayText="x")
    )
    message = TextMessage(text="本文", quickReply=QuickReply(items=[item]))
    [fitted] = enforce_limits([message])
    assert utf16_length(fitted.quick_reply.items[0].action.label) == 20


def test_answer_bubble_without_button_for_long_url():
    bubble = answer_bubble("題", "要約", "https://x/" + "a" * 1000)
    assert bubble.footer is None


def test_builders_cut_their_inputs():
    item = postback_item("ラベル" * 10, "flow=x")
    assert utf16_length(item.action.label) == 20
    assert item.action.display_text == item.action.label
    assert utf16_length(text_message("😀" * 3000).text) <= 5000
    assert quick_reply([]) is None
    assert len(quick_reply(message_item(str(i)) for i in range(20)).items) == 13
