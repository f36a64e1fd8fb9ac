"""The LINE messages of the report conversation, built from ``webhook.texts``.

Every button that belongs to a draft carries the draft id in its postback data, so
that a button pressed on an old conversation cannot act on a newer draft.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

from linebot.v3.messaging import (
    CameraAction,
    CameraRollAction,
    Message,
    QuickReplyItem,
)

from cityline.settings import Settings
from webhook import texts
from webhook.contact_route import contact_text
from webhook.limits import MAX_ACTION_LABEL_UNITS, truncate
from webhook.replies import (
    SETTINGS_SHOW_DATA,
    location_item,
    message_item,
    postback_item,
    quick_reply,
    text_message,
)
from webhook.reports.models import Draft, Report
from webhook.reports.office_hours import (
    format_japanese,
    is_office_hours,
    next_confirmation_time,
)

FLOW_NAME = "report"
MAX_PHOTOS = 3
# The comment as echoed in the confirmation; the stored comment is longer.
MAX_ECHOED_COMMENT_UNITS = 300
# The start of a question as echoed in the reply that offers 補足にする.
MAX_ECHOED_QUESTION_UNITS = 40


def postback_data(action: str, draft: Draft | None = None, **extra: str) -> str:
    """Return the postback data of a report button."""
    params = {"flow": FLOW_NAME, "action": action}
    if draft is not None:
        params["draft"] = draft.draft_id
    params.update(extra)
    return urlencode(params)


def _cancel_item(draft: Draft) -> QuickReplyItem:
    return postback_item(texts.REPORT_BUTTON_CANCEL, postback_data("cancel", draft))


def _camera_items() -> list[QuickReplyItem]:
    return [
        QuickReplyItem(
            action=CameraAction(
                label=truncate(texts.REPORT_BUTTON_CAMERA, MAX_ACTION_LABEL_UNITS)
            )
        ),
        QuickReplyItem(
            action=CameraRollAction(
                label=truncate(texts.REPORT_BUTTON_CAMERA_ROLL, MAX_ACTION_LABEL_UNITS)
            )
        ),
    ]


def category_prompt(draft: Draft, text: str = texts.REPORT_ASK_CATEGORY) -> Message:
    """Ask for the category with one quick reply per category."""
    items = [
        postback_item(label, postback_data("category", draft, value=category))
        for category, label in texts.REPORT_CATEGORY_LABELS.items()
    ]
    return text_message(text, quick_reply([*items, _cancel_item(draft)]))


def photo_prompt(draft: Draft, text: str | None = None) -> Message:
    """Ask for a photo, offering the camera, the camera roll and (with one) 次へ."""
    if text is None:
        text = texts.REPORT_ASK_PHOTO.format(
            category=category_label(draft.category), max_photos=MAX_PHOTOS
        )
    items = _camera_items()
    if draft.photos:
        items.append(
            postback_item(texts.REPORT_BUTTON_NEXT, postback_data("photos_done", draft))
        )
    return text_message(text, quick_reply([*items, _cancel_item(draft)]))


def photo_received(draft: Draft) -> Message:
    """Confirm a photo and offer another one or 次へ."""
    text = texts.REPORT_PHOTO_RECEIVED.format(
        count=len(draft.photos), max_photos=MAX_PHOTOS
    )
    return photo_prompt(draft, text)


def location_prompt(draft: Draft, text: str = texts.REPORT_ASK_LOCATION) -> Message:
    """Ask for the place with LINE's location picker or a typed address."""
    items = [location_item(texts.REPORT_BUTTON_LOCATION), _cancel_item(draft)]
    return text_message(text, quick_reply(items))


def comment_prompt(
    draft: Draft, *, required: bool = False, text: str | None = None
) -> Message:
    """Ask for a comment: optional with スキップ, or ``required`` without it."""
    if required:
        items = [_cancel_item(draft)]
        default = texts.REPORT_ASK_DESCRIPTION
    else:
        skip = postback_data("skip_comment", draft)
        items = [postback_item(texts.REPORT_BUTTON_SKIP, skip), _cancel_item(draft)]
        default = texts.REPORT_ASK_COMMENT
    return text_message(text or default, quick_reply(items))


def question_choice(draft: Draft) -> Message:
    """Ask whether the pending text is the comment or a question for the bot.

    補足にする is a postback. 質問として送る sends the text again as the resident's
    message, which the flow then leaves to the core, as any question.
    """
    question = draft.pending_comment or ""
    text = texts.REPORT_QUESTION_AT_COMMENT.format(
        text=truncate(question, MAX_ECHOED_QUESTION_UNITS)
    )
    items = [
        postback_item(
            texts.REPORT_BUTTON_USE_AS_COMMENT, postback_data("use_comment", draft)
        ),
        message_item(texts.REPORT_BUTTON_SEND_AS_QUESTION, question),
    ]
    return text_message(text, quick_reply(items))


def confirmation(draft: Draft, lead: str | None = None) -> Message:
    """Show what will be sent, with 送信, 種類を変える, 場所を変える and やめる."""
    comment = "\n".join(part for part in (draft.description, draft.comment) if part)
    text = texts.REPORT_CONFIRM.format(
        category=category_label(draft.category),
        photo_count=len(draft.photos),
        place=place_label(draft),
        comment=truncate(comment, MAX_ECHOED_COMMENT_UNITS)
        if comment
        else texts.REPORT_CONFIRM_NO_COMMENT,
    )
    if lead:
        text = f"{lead}\n{text}"
    items = [
        postback_item(texts.REPORT_BUTTON_SUBMIT, postback_data("submit", draft)),
        postback_item(
            texts.REPORT_BUTTON_CHANGE_CATEGORY,
            postback_data("change_category", draft),
        ),
        postback_item(
            texts.REPORT_BUTTON_CHANGE_PLACE, postback_data("change_place", draft)
        ),
        _cancel_item(draft),
    ]
    return text_message(text, quick_reply(items))


def start_item() -> QuickReplyItem:
    """A 通報する button that starts a new report."""
    return postback_item(texts.REPORT_BUTTON_START, postback_data("start"))


def plain(text: str, *, offer_start: bool = False) -> Message:
    """A text message, optionally with a 通報する button."""
    return text_message(text, quick_reply([start_item()]) if offer_start else None)


def with_settings_button(text: str) -> Message:
    """A text message with a 受信設定 button, which shows the receive settings."""
    button = postback_item(texts.QUICK_SETTINGS, SETTINGS_SHOW_DATA)
    return text_message(text, quick_reply([button]))


def submitted(
    report: Report, now: datetime, settings: Settings, *, outside_note: bool
) -> Message:
    """The auto-reply after sending: receipt, department, when staff confirm, and
    the routes for emergencies with the city office and phone of ``settings``."""
    parts = [
        contact_text(
            texts.REPORT_SUBMITTED,
            settings,
            receipt_no=report.receipt_no,
            department=report.department,
        )
    ]
    if not is_office_hours(now, settings.office_hours):
        when = format_japanese(next_confirmation_time(now, settings.office_hours))
        parts.append(texts.REPORT_NEXT_CONFIRMATION.format(when=when))
    if report.duplicate_of:
        parts.append(texts.REPORT_DUPLICATE_NOTE)
    if outside_note:
        # The report is sent, so the way to change its place is gone.
        parts.append(
            texts.REPORT_OUTSIDE_CITY_SENT.format(city_name=settings.city_name)
        )
    parts.append(texts.REPORT_NO_INDIVIDUAL_REPLY)
    parts.append(contact_text(texts.REPORT_SUBMITTED_URGENT_ROUTE, settings))
    return text_message("\n".join(parts))


def outside_city_text(settings: Settings) -> str:
    """Return the note that a place may lie outside the city named in ``settings``."""
    return texts.REPORT_OUTSIDE_CITY.format(city_name=settings.city_name)


def category_label(category: str | None) -> str:
    """Return the Japanese name of a category ("" for None)."""
    if category is None:
        return ""
    return texts.REPORT_CATEGORY_LABELS.get(category, category)


def place_label(draft: Draft) -> str:
    """Return the place as the confirmation shows it."""
    if draft.address:
        return draft.address
    if draft.latitude is not None and draft.longitude is not None:
        return texts.REPORT_CONFIRM_PLACE_POINT.format(
            latitude=draft.latitude, longitude=draft.longitude
        )
    return ""


def duration_words(duration: timedelta) -> str:
    """Return ``duration`` as the replies word it (30分, 24時間, 1時間30分),
    in whole minutes."""
    hours, minutes = divmod(int(duration.total_seconds() // 60), 60)
    if not hours:
        return f"{minutes}分"
    if not minutes:
        return f"{hours}時間"
    return f"{hours}時間{minutes}分"
