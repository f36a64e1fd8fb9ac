"""The fault-report conversation: category, photo, location, comment, confirmation.

A report starts with the postback ``flow=report&action=start``, the text 通報, or a
free text that the intent classifier labels a report (its category, when it is one
of the five managed kinds, skips the category question). The draft is stored after
every step, keyed by the hashed user id, so a restart loses nothing. A draft idle
for DRAFT_IDLE expires, and the resident's next message gets an expiry notice.
Idle time ends when the resident acted (the event's LINE timestamp), not when the
server handles the event, so a message that LINE delivers late after an outage
still finds its draft.

Photos and locations are taken at any step, because residents often send them
before they are asked. A report is sent only with a category, a photo and a
location. The start of a report, the buttons, the photo step, photo sets,
places, and the comment and confirmation steps have modules of their own
(:mod:`webhook.reports.report_start`, :mod:`webhook.reports.postbacks`,
:mod:`webhook.reports.photo_step`, :mod:`webhook.reports.photo_sets`,
:mod:`webhook.reports.place_steps`, :mod:`webhook.reports.comment_steps`).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Protocol

from linebot.v3.messaging import Message
from sqlalchemy import Engine

from answerer.answer_type import expected_answer_types
from answerer.intent_owners import names_other_owner
from cityline.settings import Settings
from index.normalize import visible_nfkc
from webhook import texts
from webhook.classify import TextKind, asks_something, classify_text, is_cancel
from webhook.contact_route import contact_text
from webhook.emergency import is_crisis, rules_out_report
from webhook.events import parse_event_time_ms
from webhook.flow import ContentFetcher, IncomingEvent, Preface, is_one_to_one
from webhook.reports import geo
from webhook.reports import messages as msg
from webhook.reports.comment_steps import CommentSteps, contact_note
from webhook.reports.comments import (
    MAX_COMMENT_CHARS,
    append_comment,
    clean_comment,
    comment_is_cut,
)
from webhook.reports.models import Draft
from webhook.reports.photo_sets import PhotoSetSteps, image_set_of
from webhook.reports.photo_step import PhotoStep
from webhook.reports.photos import delete_photo_files, unlisted_photo_files
from webhook.reports.place_steps import PlaceSteps, no_such_block
from webhook.reports.postbacks import Postbacks
from webhook.reports.questions import looks_like_question
from webhook.reports.report_intent import (
    MAIN_CATEGORIES,
    IntentLike,
    is_confident_report,
    may_start_report,
)
from webhook.reports.report_start import (
    START_WORDS,
    ReportStart,
    names_signal_fault,
    normalize_word,
)
from webhook.reports.resident_text import (
    ANOTHER_FAULT_LEAD,
    CATEGORY_IS_WRONG,
    LEADING_APOLOGY,
    approval_parts,
    asks_not_to_send,
    cannot_send_photo,
    category_correction,
    corrects_category_plainly,
    gives_a_place,
    means_do_not_send,
    means_submit,
    names_broken_thing,
    negates_category,
    takes_back_the_fault,
    tells_of_an_injury,
    thanks_alone,
)
from webhook.reports.routing import load_routing
from webhook.reports.store import ReportStore, new_draft_id, utc_now
from webhook.reports.urgent import mentions_gas, urgent_reply_text

logger = logging.getLogger(__name__)
# The id of the webhook event being handled in this thread, which a draft
# started by it records as its last_event_id.
_HANDLED_EVENT: ContextVar[str | None] = ContextVar("handled_event", default=None)

DRAFT_IDLE = timedelta(minutes=30)
# A draft with its photo and place in expires only after this long. Its
# resident may be called away before tapping 送信, and taking the photos and the
# place again would be a lot to ask.
COMPLETE_IDLE = timedelta(hours=24)
# The steps at which a draft contains all that a report needs.
COMPLETE_STEPS = ("comment", "confirm")
# Expired drafts are kept this long so that the resident still gets the expiry
# message, then deleted with their photos.
DRAFT_RETENTION = timedelta(days=7)
PURGE_INTERVAL = timedelta(minutes=10)
# A closed photo set is remembered this long: a late photo of it comes within
# seconds, or after an outage when LINE delivers what it kept.
CLOSED_SET_RETENTION = timedelta(days=1)
# Photos of a draft idle for DRAFT_IDLE are kept this much longer. Another
# resident's event may trigger the purge while LINE still keeps this
# resident's taps from an outage, and a late tap within DRAFT_IDLE of the last
# step must find the photos.
# NOTE: after an outage longer than DRAFT_IDLE plus this grace, such a tap
# finds a draft without photos and is asked for a photo again.
EXPIRED_PHOTO_GRACE = timedelta(hours=3)
# Photo files that no draft or report lists are deleted once this old. A file
# is written just before the draft that lists it is saved, so only a crash or a
# failed save between the two, or a failed delete, leaves one.
UNLISTED_PHOTO_AGE = timedelta(days=1)
UNLISTED_SWEEP_INTERVAL = timedelta(days=1)
MAX_REPORTS_PER_DAY = 10


class ClassifierLike(Protocol):
    def classify(self, text: str) -> IntentLike: ...

    def object_category(self, text: str) -> str | None: ...


class ReportFlow(
    ReportStart, Postbacks, PhotoStep, CommentSteps, PlaceSteps, PhotoSetSteps
):
    """The report conversation as a :class:`webhook.flow.Flow`.

    ``classifier`` defaults to ``answerer.intents.IntentClassifier``, loaded on first
    use. ``clock`` returns the current aware datetime and is shared with the store.
    """

    name = msg.FLOW_NAME

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        fetch_content: ContentFetcher,
        *,
        classifier: ClassifierLike | None = None,
        clock=utc_now,
    ) -> None:
        self.settings = settings
        self.store = ReportStore(engine, settings.user_hash_key(), clock=clock)
        self.routing = load_routing(settings.data_dir)
        self._fetch_content = fetch_content
        self._classifier = classifier
        self._classifier_lock = threading.Lock()
        # The lock of the one thread that purges. The worker handles residents
        # in parallel, and another thread's event skips a purge already running.
        self._purge_lock = threading.Lock()
        self._last_purge: datetime | None = None
        self._last_sweep: datetime | None = None

    # Flow protocol ----------------------------------------------------------------

    def handle(self, event: IncomingEvent) -> list[Message] | None:
        """Return the reply if the event belongs to a report conversation.

        Reports are taken in one-to-one chats only: a draft is the resident's
        own, and a group's messages must neither start one nor continue it.
        """
        if not event.user_id or event.event_type not in ("message", "postback"):
            return None
        if not is_one_to_one(event):
            return None
        params = event.postback_params() if event.event_type == "postback" else {}
        if event.event_type == "postback" and params.get("flow") != self.name:
            return None

        user_hash = self.store.hash_user(event.user_id)
        acted_at = self.store.now() - delivery_delay(event)
        self._purge_if_due(acted_at)
        draft = self.store.load_draft(user_hash)
        if draft is not None and event.event_id:
            if draft.last_event_id == event.event_id:
                # Handled before a restart that came before its reply was
                # confirmed: the draft already contains what the event added.
                logger.info("event %s already applied to the draft", event.event_id)
                return [self._prompt(draft)]
            draft.last_event_id = event.event_id
        token = _HANDLED_EVENT.set(event.event_id or None)
        try:
            return self._handle(event, params, user_hash, acted_at, draft)
        finally:
            _HANDLED_EVENT.reset(token)

    def _handle(
        self,
        event: IncomingEvent,
        params: dict[str, str],
        user_hash: str,
        acted_at: datetime,
        draft: Draft | None,
    ) -> list[Message] | Preface | None:
        expired = draft is not None and acted_at - draft.updated_at > idle_limit(draft)
        if expired:
            self._discard(user_hash)
            logger.info("report draft expired after %s idle", idle_limit(draft))
            idle_words = _idle_words(draft)
            expired_text = texts.REPORT_EXPIRED.format(idle=idle_words)
            if (
                params.get("draft") == draft.draft_id
                and params.get("action") != "start"
            ):
                # A button of the expired draft: the expiry notice is the whole reply.
                return [msg.plain(expired_text, offer_start=True)]
            draft = None

        set_notice = self._close_set_before(user_hash, draft, event)
        if event.event_type == "postback":
            replies = self._on_postback(user_hash, draft, params)
        elif draft is None:
            replies = self._maybe_start(user_hash, event)
        else:
            replies = self._continue(user_hash, draft, event)

        if set_notice:
            return self._after_set_notice(user_hash, event, set_notice, replies)
        if expired:
            if replies and self.store.load_draft(user_hash) is not None:
                # The message started a new report: no call to start one.
                new_draft = texts.REPORT_EXPIRED_NEW_DRAFT.format(idle=idle_words)
                return [msg.plain(new_draft), *replies]
            expiry = msg.plain(expired_text, offer_start=replies is None)
            if replies is None and _answers_the_draft(event):
                # はい or いいえ meant for the expired draft: no page search.
                return [expiry]
            if replies is None:
                # The core still answers the message (a question, say).
                return Preface([expiry])
            return [expiry, *replies]
        return replies

    def on_follow(self, user_id: str) -> None:
        """Do nothing: a new friend has no report state."""

    def starts_report(self, text: str) -> bool:
        """Tell whether ``text`` would start a report in a one-to-one chat: a
        start word such as 通報, or a confident report of a fault
        (道路に穴があいてます). A group reply uses this to point there."""
        if normalize_word(text) in START_WORDS:
            return True
        if classify_text(text) is not TextKind.QUESTION:
            return False
        return may_start_report(text, self._classify(text))

    def forget_user(self, user_id: str) -> None:
        """Delete the user's draft and its photos, and unlink their reports."""
        draft, unlinked = self.store.forget_user(self.store.hash_user(user_id))
        if draft is not None:
            self._delete_draft_photos(draft)
        logger.info(
            "report data forgotten: draft %s, %d reports unlinked",
            "deleted" if draft else "none",
            unlinked,
        )

    # Starting ---------------------------------------------------------------------

    def _start(
        self,
        user_hash: str,
        *,
        category: str | None = None,
        description: str | None = None,
        description_cut: bool = False,
        urgent: bool = False,
        setup: Callable[[Draft], list[Message]] | None = None,
    ) -> list[Message]:
        """Start a draft and return the replies, ending with the next step's prompt.

        ``setup`` fills the new draft (a first photo or point) before its step is
        chosen and returns the messages to send before the prompt. Over the daily
        limit no draft starts.
        """
        replies: list[Message] = []
        since = self.store.now() - timedelta(days=1)
        if self.store.count_since(user_hash, since) >= MAX_REPORTS_PER_DAY:
            logger.warning(
                "report start rejected: %d reports in a day", MAX_REPORTS_PER_DAY
            )
            if urgent:
                # The phone routes still matter, but the report cannot go on.
                replies.append(self._urgent_message(description, can_continue=False))
            limited = contact_text(
                texts.REPORT_RATE_LIMITED,
                self.settings,
                max_reports=MAX_REPORTS_PER_DAY,
            )
            return [*replies, msg.plain(limited)]
        if urgent:
            replies.append(self._urgent_message(description))
        replies += contact_note(description)
        if description and names_other_owner(description):
            replies.append(msg.plain(texts.REPORT_OTHER_OWNER))
        if description_cut:
            replies.append(self._cut_note())
        draft = Draft(
            draft_id=new_draft_id(),
            last_event_id=_HANDLED_EVENT.get(),
            step="category",
            category=category,
            description=description,
            urgent=urgent,
            gas_warned=urgent and mentions_gas(description),
        )
        if description and cannot_send_photo(description):
            # 写真は撮れないんですが、家の前の道路に穴: the phone route now.
            route = contact_text(texts.REPORT_NO_PHOTO_ROUTE, self.settings)
            replies.append(msg.plain(route))
        if description and geo.names_far_place(description):
            # 横浜市中区山下町1丁目の歩道に穴: the place is not taken, and the
            # location step asks for one in the city.
            replies.append(msg.plain(self._far_outside_text()))
        elif description and geo.names_street_address(description):
            # 中町1丁目5番の前の道路に穴: the place is in the text, so the
            # location step is skipped; 場所を変える on the confirmation fixes it.
            self._set_address(draft, description)
            replies += self._outside_note(draft)
            replies.append(msg.plain(texts.REPORT_LOCATION_RECEIVED_EARLY))
        elif description and (block := geo.unknown_block(description)) is not None:
            # 中町9丁目の道路に穴: the place is asked for later, and the resident
            # learns now why the typed one was not taken.
            replies.append(no_such_block(block))
        if setup is not None:
            replies += setup(draft)
        draft.step = self._next_step(draft)
        self.store.save_draft(user_hash, draft)
        logger.info("report draft started (step %s)", draft.step)
        return [*replies, _with_idle_note(self._prompt(draft))]

    # Messages within a draft ------------------------------------------------------

    def _continue(
        self, user_hash: str, draft: Draft, event: IncomingEvent
    ) -> list[Message] | None:
        """Return the reply to a message within ``draft``.

        Returns None, which leaves the message to the core, for a question typed
        at a step that waits for a tap, a photo or a place. It does the same for a
        question that the resident chose to send as a question (see
        ``_on_comment_text``). The draft stays as it was in both cases.
        """
        if event.message_type == "text" and event.text is not None:
            return self._on_text(user_hash, draft, event.text)
        if event.message_type == "image":
            image_set = image_set_of(event)
            # A photo of a set closed before it came is taken as one sent alone.
            if image_set is not None and image_set.set_id != draft.closed_photo_set:
                return self._on_set_photo(user_hash, draft, event, image_set)
            return self._on_image(user_hash, draft, event)
        if event.message_type == "location":
            if not geo.is_valid_point(event.latitude, event.longitude):
                return self._invalid_location(draft, event)
            return self._on_location(user_hash, draft, event)
        if event.message_type == "video":
            return [msg.plain(texts.REPORT_VIDEO_NOT_PHOTO), self._prompt(draft)]
        if event.message_type == "file":
            return [msg.plain(texts.REPORT_FILE_NOT_PHOTO), self._prompt(draft)]
        return [msg.plain(texts.REPORT_UNSUPPORTED_MESSAGE), self._prompt(draft)]

    def _on_text(self, user_hash: str, draft: Draft, text: str) -> list[Message] | None:
        word = normalize_word(text)
        if is_cancel(text):
            return self._cancel(user_hash)
        if draft.step != "confirm" and asks_not_to_send(word):
            # 送らないでください before the confirmation: the draft stays, and
            # the step's prompt offers やめる. The confirmation replies to it
            # with its own buttons.
            return self._lead_and_prompt(draft, texts.REPORT_ASK_CANCEL)
        if is_crisis(text):
            # Someone who wants to die gets the consultation line alone, from the
            # handler; a report prompt after it would read as not listening. The
            # draft stays as it was.
            return []
        kind = classify_text(text)
        if kind is TextKind.REPORT_CHANGE:
            # R2026-000001を取り消したい speaks of a report already sent, not of
            # this draft: the route for sent reports, then the step's prompt.
            change = contact_text(texts.REPORT_CHANGE_ROUTE, self.settings)
            return [msg.plain(change), *self._lead_and_prompt(draft)]
        if takes_back_the_fault(text):
            # 見間違いでした, もう直ってました: no detail for staff, and
            # perhaps no report at all. The draft stays until やめる.
            logger.info("report %s-step text takes the fault back", draft.step)
            return self._lead_and_prompt(draft, texts.REPORT_TAKEN_BACK)
        if word in START_WORDS:
            return [msg.plain(texts.REPORT_IN_PROGRESS), self._prompt(draft)]

        injury_at_comment = draft.step == "comment" and tells_of_an_injury(text)
        if (
            rules_out_report(text)
            and not asks_something(text)
            and not injury_at_comment
        ):
            # 火事です at any step is no photo, place or comment: the handler puts
            # 119/110 first, and the step's prompt shows the draft still waits. A
            # question (火事の時は?) goes on to be answered as an aside. Someone
            # hurt at the place (ここで人が転んでけがをしました), written at the
            # comment step, was most likely hurt by this fault: that is the comment.
            return [self._prompt(draft)]
        if thanks_alone(text) and not means_submit(word):
            # ありがとうございます is no detail for staff. はい、ありがとう
            # still sends at the confirmation. It comes after the crisis check,
            # since ありがとう。もう死にたい is no thanks to reply to.
            return self._lead_and_prompt(draft, texts.REPORT_THANKS_IN_DRAFT)
        if kind is TextKind.REPORT_STATUS:
            # R2026-000001 or 先週送った件どうなりました: the reply the core
            # gives, then the step's prompt, so that the draft goes on at once.
            status = contact_text(texts.REPORT_STATUS_TEMPLATE, self.settings)
            return [msg.plain(status), *self._lead_and_prompt(draft)]
        if kind in (TextKind.RECEIVE_SETTINGS, TextKind.HELP):
            # 受信設定 or 使い方 typed mid-report: the settings flow or the core
            # replies to it, after a line saying the draft waits.
            return self._draft_kept()
        block = geo.unknown_block(text)
        late = draft.step in ("comment", "confirm")
        if block is not None and (not late or gives_a_place(text)):
            # 中町9丁目: a typo that no step may take as the place. The step's
            # prompt follows, and the draft stays as it was.
            return [no_such_block(block), self._prompt(draft)]
        if draft.step == "category":
            return self._on_category_text(user_hash, draft, text, word)
        if draft.step in ("photo", "location"):
            # Before the comment step, only a text plainly about the category
            # (種類が違います, 街灯じゃなくて道路の穴でした) corrects it, and
            # not one of a danger, whose reply comes first.
            corrected = None
            if (
                corrects_category_plainly(text, draft.category)
                and not mentions_gas(text)
                and not self._classify(text).urgent
            ):
                corrected = self._on_category_correction(user_hash, draft, text)
            if corrected is not None:
                return corrected
            if draft.step == "photo":
                return self._on_photo_text(user_hash, draft, text, word)
            return self._on_location_text(user_hash, draft, text)
        corrected = self._on_category_correction(user_hash, draft, text)
        if corrected is not None:
            return corrected
        if draft.step == "comment":
            return self._on_comment_text(user_hash, draft, text, word)
        return self._on_confirm_step_text(user_hash, draft, text, word)

    def _lead_and_prompt(
        self, draft: Draft, lead: str = texts.REPORT_DRAFT_OPEN
    ) -> list[Message]:
        """Return ``lead`` with the step's prompt, whose quick reply offers
        やめる: one message at the confirmation, else two."""
        if draft.step == "confirm":
            return [msg.confirmation(draft, lead)]
        return [msg.plain(lead), self._prompt(draft)]

    def _on_category_text(
        self, user_hash: str, draft: Draft, text: str, word: str
    ) -> list[Message] | None:
        for category, label in texts.REPORT_CATEGORY_LABELS.items():
            if word == label:
                draft.category = category
                return self._advance(user_hash, draft)
        intent = self._classify(text)
        if self._is_aside_question(draft, text, intent):
            return self._draft_kept()
        if names_signal_fault(text):
            # A draft started by a photo of a traffic signal: the police run it.
            return [msg.plain(texts.REPORT_SIGNAL_IS_POLICE), self._prompt(draft)]
        if is_confident_report(intent, text) and intent.category in MAIN_CATEGORIES:
            draft.category = intent.category
            replies = self._urgent_reply(draft, intent.urgent, text)
            if not draft.description:
                draft.description = clean_comment(text)
                if comment_is_cut(text):
                    replies.append(self._cut_note())
            if not draft.has_location and geo.names_street_address(text):
                # A photo first, then 中町1丁目5番の前の道路に穴: keep the place too.
                self._set_address(draft, text)
                replies += self._outside_note(draft)
            return [*replies, *self._advance(user_hash, draft)]
        # A bare object name ("街灯", "ベンチ") is no report on its own, but here it
        # is the reply to the category question.
        category = self._object_category(text)
        if category in MAIN_CATEGORIES:
            draft.category = category
            return self._advance(user_hash, draft)
        # A danger (ガス臭いです) gets its phone lines here too, and a fault the
        # buttons may file under その他 (看板が壊れてる) is kept as the comment.
        replies = self._urgent_reply(draft, bool(intent and intent.urgent), text)
        if intent is not None and intent.label == "report" and not draft.description:
            draft.description = clean_comment(text)
            if comment_is_cut(text):
                replies.append(self._cut_note())
        if replies or draft.description:
            self.store.save_draft(user_hash, draft)
        return [*replies, msg.category_prompt(draft, texts.REPORT_ASK_CATEGORY_AGAIN)]

    def _draft_kept(self) -> Preface:
        """Say, before the answer to an aside question, that the draft is kept."""
        return Preface([msg.plain(texts.REPORT_DRAFT_KEPT)])

    def _is_aside_question(
        self, draft: Draft, text: str, intent: IntentLike | None
    ) -> bool:
        """Tell whether ``text``, typed at a step that waits for a tap, a photo or a
        place, is a question for the core; log it when it is.

        An address is not one, because the photo and location steps take it,
        unless the text requests a fact other than a place: a time, an amount,
        a count or papers (吉祥寺駅の近くの図書館は何時まで開いていますか).
        """
        if not looks_like_question(text, intent):
            return False
        if geo.names_street_address(text):
            return False  # 中町1丁目5番の前の道路はいつ直りますか: the place is given
        if geo.looks_like_address(text) and not (
            expected_answer_types(text) - {"location"}
        ):
            return False
        logger.info("report %s-step question passed to the core", draft.step)
        return True

    def _advance(self, user_hash: str, draft: Draft) -> list[Message]:
        draft.step = self._next_step(draft)
        self.store.save_draft(user_hash, draft)
        return [self._prompt(draft)]

    def _next_step(self, draft: Draft) -> str:
        return _next_step(draft, description_required=self._description_required(draft))

    def _description_required(self, draft: Draft) -> bool:
        """Return True when the draft needs a comment to say what is broken.

        The five managed categories name the broken object, but その他 does not.
        An その他 report therefore needs a comment, unless the text that started
        it names an object. That is the case when ``object_category`` finds one,
        and its lexicon covers kinds of その他 too, such as 落書き and 不法投棄.
        """
        if draft.category != "other":
            return False
        return not (draft.description and self._object_category(draft.description))

    def _prompt(self, draft: Draft) -> Message:
        if draft.step == "category":
            return msg.category_prompt(draft)
        if draft.step == "photo":
            if draft.photos:
                return msg.photo_received(draft)
            return msg.photo_prompt(draft)
        if draft.step == "location":
            return msg.location_prompt(draft)
        if draft.step == "comment":
            if draft.pending_comment is not None:
                return msg.question_choice(draft)
            required = self._description_required(draft) and not draft.comment
            return msg.comment_prompt(draft, required=required)
        return msg.confirmation(draft)

    def _on_category_correction(
        self, user_hash: str, draft: Draft, text: str
    ) -> list[Message] | None:
        """Apply a category correction typed after the category is known, or
        return None when ``text`` contains none (see :func:`category_correction`).

        種類が違います requests the category again, as 種類を変える does;
        道路じゃなくて公園でした sets it, and the current step's prompt follows.
        When the draft has a description, written for the old category, a
        text that names that category as wrong joins the comment for staff.
        The category the draft has already gets a note that it is set, not a
        comment.
        """
        category = category_correction(text)
        if category is None:
            normalized = LEADING_APOLOGY.sub("", visible_nfkc(text).strip())
            if CATEGORY_IS_WRONG.search(normalized) is None:
                return None
            draft.category = None
            draft.step = "category"
            self.store.save_draft(user_hash, draft)
            return [msg.category_prompt(draft)]
        label = texts.REPORT_CATEGORY_LABELS[category]
        if category == draft.category:
            same = msg.plain(texts.REPORT_CATEGORY_SAME.format(category=label))
            return [same, self._prompt(draft)]
        if draft.description and negates_category(text, draft.category):
            # The description was written for the old category (街灯が消えて
            # います), so 街灯じゃなくて道路の穴でした gives staff the real fault.
            append_comment(draft, clean_comment(text))
        draft.category = category
        if draft.step == "confirm":
            draft.step = self._next_step(draft)
        self.store.save_draft(user_hash, draft)
        logger.info("report category corrected by text at step %s", draft.step)
        changed = msg.plain(texts.REPORT_CATEGORY_CHANGED.format(category=label))
        return [changed, self._prompt(draft)]

    def _keep_detail(self, draft: Draft, text: str) -> None:
        """Keep a detail of the fault typed before the comment step: as the
        draft's description when it has none, else added to its comment."""
        detail = clean_comment(text)
        if not draft.description:
            draft.description = detail
            return
        append_comment(draft, detail)

    def _other_fault_note(
        self,
        draft: Draft,
        text: str,
        intent: IntentLike | None,
        *,
        explicit_only: bool = False,
    ) -> list[Message]:
        """Return the one-fault-per-report note when ``text`` reports a fault of
        another object than ``draft``'s category, or another object with も
        (あと、入口の街灯も消えてます), else []. A text that goes on about the same
        fault (夜は真っ暗で怖い, 座面の板が割れています) gets no note: the
        classifier's guess of a category alone does not count, only an object
        that the text names.

        With ``explicit_only``, for details typed after the fault is known, an
        object of another category counts only after a word that adds a fault
        (あと, ほかにも), because such a detail often names one as a landmark or
        a cause (穴の横の街灯の下です, 街路樹の根で舗装が盛り上がっています).
        """
        if draft.category is None or not is_confident_report(intent, text):
            return []
        if not names_broken_thing(text):
            # 吉祥寺駅北口を出てすぐのところです: a place, and no fault at all.
            return []
        named = self._object_category(text)
        other_kind = (
            intent.category in MAIN_CATEGORIES
            and intent.category != draft.category
            and named in MAIN_CATEGORIES
            and named != draft.category
            and not self._other_object_is_context(draft, text)
        )
        if explicit_only:
            other_kind = other_kind and ANOTHER_FAULT_LEAD.match(text) is not None
        if other_kind or self._adds_object(text):
            return [msg.plain(texts.REPORT_ONE_FAULT_EACH)]
        return []

    def _other_object_is_context(self, draft: Draft, text: str) -> bool:
        """Tell whether every clause of ``text`` that names an object outside
        ``draft``'s category ends in で, where the fault is: in
        中町1丁目の道路で、ふたが浮いてます for a sewer report, the road."""
        clauses = [part.strip() for part in re.split(r"[、,。]", text) if part.strip()]
        others = [
            clause
            for clause in clauses
            if self._object_category(clause) not in (None, draft.category)
        ]
        if any(names_broken_thing(clause) for clause in others):
            # 道路がへこんで、ふたが浮いてます: the road has a fault of its own.
            return False
        return (
            len(clauses) > 1
            and bool(others)
            and all(clause.endswith("で") for clause in others)
        )

    def _adds_object(self, text: str) -> bool:
        """Tell whether ``text`` names a city object followed by も and a fault."""
        classifier = self._load_classifier()
        if classifier is None:
            return False
        return any(
            classifier.object_category(match.group(1)) is not None
            for match in _ANOTHER_FAULT.finditer(visible_nfkc(text))
        )

    def _cut_note(self) -> Message:
        """Tell the resident that the end of a long text was not kept."""
        return msg.plain(texts.REPORT_COMMENT_CUT.format(limit=MAX_COMMENT_CHARS))

    def _urgent_reply(self, draft: Draft, urgent: bool, text: str) -> list[Message]:
        # The reply goes once per draft, and once more for the first gas smell
        # after an urgent reply without the gas line (a cave-in, say).
        if not urgent:
            return []
        gas = mentions_gas(text)
        if draft.urgent and not (gas and not draft.gas_warned):
            return []
        draft.urgent = True
        draft.gas_warned = draft.gas_warned or gas
        return [self._urgent_message(text)]

    def _urgent_message(self, text: str | None, can_continue: bool = True) -> Message:
        now = self.store.now()
        return msg.plain(urgent_reply_text(text, now, self.settings, can_continue))

    def _cancel(self, user_hash: str) -> list[Message]:
        self._discard(user_hash)
        logger.info("report draft cancelled")
        return [msg.plain(texts.REPORT_CANCELLED, offer_start=True)]

    # Housekeeping -----------------------------------------------------------------

    def _classify(self, text: str) -> IntentLike | None:
        classifier = self._load_classifier()
        if classifier is None:
            return None
        return classifier.classify(text)

    def _object_category(self, text: str) -> str | None:
        classifier = self._load_classifier()
        if classifier is None:
            return None
        return classifier.object_category(text)

    def _load_classifier(self) -> ClassifierLike | None:
        with self._classifier_lock:
            if self._classifier is None:
                from answerer.intents import IntentClassifier

                self._classifier = IntentClassifier.load()
            return self._classifier

    def _discard(self, user_hash: str) -> None:
        draft = self.store.delete_draft(user_hash)
        if draft is not None:
            self._delete_draft_photos(draft)

    def _delete_draft_photos(self, draft: Draft) -> None:
        delete_photo_files(
            self.settings.photos_dir, [photo.path for photo in draft.photos]
        )

    def _purge_if_due(self, now: datetime) -> None:
        """Run :meth:`_purge` once every PURGE_INTERVAL, and return at once when
        another thread is purging."""
        if not self._purge_lock.acquire(blocking=False):
            return
        try:
            if self._last_purge is None or now - self._last_purge >= PURGE_INTERVAL:
                self._last_purge = now
                self._purge(now)
        finally:
            self._purge_lock.release()

    def _purge(self, now: datetime) -> None:
        """Delete old drafts with their photos, expired drafts' photos, old
        closed photo sets and, once a day, photo files that nothing lists."""
        for draft in self.store.purge_drafts(now - DRAFT_RETENTION):
            self._delete_draft_photos(draft)
        # An expired draft's photos go soon: a photo sent on its own starts a
        # draft, and it may show something that was never meant as a report.
        expired_photos = self.store.strip_idle_photos(
            now - DRAFT_IDLE - EXPIRED_PHOTO_GRACE,
            complete_idle_before=now - COMPLETE_IDLE - EXPIRED_PHOTO_GRACE,
            complete_steps=COMPLETE_STEPS,
        )
        delete_photo_files(self.settings.photos_dir, expired_photos)
        self.store.purge_closed_sets(now - CLOSED_SET_RETENTION)
        if (
            self._last_sweep is None
            or now - self._last_sweep >= UNLISTED_SWEEP_INTERVAL
        ):
            self._last_sweep = now
            self._delete_unlisted_photos(now)

    def _delete_unlisted_photos(self, now: datetime) -> None:
        """Delete photo files that no draft or report lists, once they are
        UNLISTED_PHOTO_AGE old."""
        unlisted = unlisted_photo_files(
            self.settings.photos_dir,
            self.store.listed_photo_paths(),
            older_than=now - UNLISTED_PHOTO_AGE,
        )
        if unlisted:
            logger.info("deleting %d photo files that nothing lists", len(unlisted))
            delete_photo_files(self.settings.photos_dir, unlisted)


def idle_limit(draft: Draft) -> timedelta:
    """Return how long ``draft`` may stay untouched before it expires."""
    return COMPLETE_IDLE if draft.step in COMPLETE_STEPS else DRAFT_IDLE


def _idle_words(draft: Draft) -> str:
    """Return the idle limit of ``draft`` as the expiry notice words it."""
    return msg.duration_words(idle_limit(draft))


def _with_idle_note(prompt: Message) -> Message:
    """Return ``prompt`` with a last line saying how long an untouched draft
    stays open (DRAFT_IDLE, and COMPLETE_IDLE from the comment step on)."""
    note = texts.REPORT_IDLE_NOTE.format(
        idle=msg.duration_words(DRAFT_IDLE),
        complete_idle=msg.duration_words(COMPLETE_IDLE),
    )
    return prompt.copy(update={"text": f"{prompt.text}\n{note}"})


def _answers_the_draft(event: IncomingEvent) -> bool:
    """Tell whether ``event`` is a yes, a no or a wait (はい, いいえ, 送信),
    which only makes sense as a reply to a report's question."""
    if event.message_type != "text" or not event.text:
        return False
    word = normalize_word(event.text)
    return approval_parts(word) is not None or means_do_not_send(word)


def delivery_delay(event: IncomingEvent) -> timedelta:
    """Return how long ago, by this machine's clock, the resident sent ``event``.

    LINE stamps each event when the resident acts and redelivers events that
    an unreachable server missed, so the delay can be long after an outage.
    An event without a timestamp (0), or one stamped later than this clock
    reads, counts as sent now. The delay is read on the wall clock, not the
    store's, so that it stays a duration when a test or a replay sets the
    store's clock to another time.
    """
    sent_ms = parse_event_time_ms(event.timestamp_ms)
    if sent_ms is None:
        return timedelta(0)
    return timedelta(seconds=max(0.0, time.time() - sent_ms / 1000))


# An object followed by も and a fault: 街灯も消えてます, ベンチも壊れてる. The
# object must be a lexicon term, so 先週も消えてました adds nothing.
_ANOTHER_FAULT = re.compile(
    r"([^\s、。,.!！?？]{1,10}?)も\s*(消え|壊れ|こわれ|切れ|割れ|倒れ|傾|剥が|はが|外れ"
    r"|はずれ|あふれ|溢れ|詰ま|つま|陥没|へこ|凹|折れ)"
)


def _next_step(draft: Draft, *, description_required: bool = False) -> str:
    """Return the first step whose input the draft still lacks.

    With ``description_required``, the comment step is done only with a comment.
    """
    if not draft.category:
        return "category"
    if not draft.photos:
        return "photo"
    if not draft.has_location:
        return "location"
    if not draft.comment_done:
        return "comment"
    if description_required and not draft.comment:
        return "comment"
    return "confirm"
