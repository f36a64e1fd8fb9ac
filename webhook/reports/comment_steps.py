"""The report conversation's last two steps, mixed into ReportFlow: the comment,
and the confirmation, whose 送信 sends the report."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from linebot.v3.messaging import Message
from sqlalchemy.exc import IntegrityError

from answerer.intent_text import content_char_count
from webhook import texts
from webhook.contact_route import contact_text
from webhook.flow import Preface
from webhook.limits import MAX_DISPLAY_TEXT_UNITS, utf16_length
from webhook.reports import messages as msg
from webhook.reports.comments import append_comment, clean_comment, comment_is_cut
from webhook.reports.contact import has_contact_details
from webhook.reports.models import Draft, Report
from webhook.reports.place_steps import has_precise_place
from webhook.reports.questions import looks_like_question
from webhook.reports.report_intent import MAIN_CATEGORIES, IntentLike
from webhook.reports.resident_text import (
    COMMENT_DELETE,
    PLACE_IS_WRONG,
    approval_parts,
    asks_after_sending,
    asks_photo_count,
    means_do_not_send,
    means_plain_no,
    means_skip,
    means_submit,
    place_correction,
)

if TYPE_CHECKING:
    from cityline.settings import Settings
    from webhook.reports.store import ReportStore

logger = logging.getLogger(__name__)


class CommentSteps:
    """The report conversation's comment and confirmation steps, mixed into
    ReportFlow.

    It uses the flow's ``store``, ``settings`` and ``routing`` and its steps
    ``_classify``, ``_is_aside_question``, ``_draft_kept``, ``_urgent_reply``,
    ``_other_fault_note``, ``_cut_note``, ``_photo_count_note``,
    ``_correct_place``, ``_ask_new_place``, ``_description_required``,
    ``_next_step``, ``_prompt`` and ``_advance``.
    """

    store: ReportStore
    settings: Settings
    routing: dict[str, str]
    _classify: Callable[[str], IntentLike | None]
    _is_aside_question: Callable[[Draft, str, IntentLike | None], bool]
    _draft_kept: Callable[[], Preface]
    _urgent_reply: Callable[[Draft, bool, str], list[Message]]
    _other_fault_note: Callable[..., list[Message]]
    _cut_note: Callable[[], Message]
    _photo_count_note: Callable[[], Message]
    _correct_place: Callable[[str, Draft, str], list[Message]]
    _ask_new_place: Callable[[str, Draft], list[Message]]
    _description_required: Callable[[Draft], bool]
    _next_step: Callable[[Draft], str]
    _prompt: Callable[[Draft], Message]
    _advance: Callable[[str, Draft], list[Message]]

    def _on_comment_text(
        self, user_hash: str, draft: Draft, text: str, word: str
    ) -> list[Message] | None:
        """Take ``text`` as the comment, unless it is clearly a question.

        A question is kept as ``pending_comment`` until the resident presses
        補足にする (the ``use_comment`` postback) or 質問として送る, which sends the
        same text again. The core replies to that second message as to any question, and
        the draft keeps waiting for its comment.
        """
        if means_skip(word) or not content_char_count(word) or means_plain_no(word):
            # ないです, 特にないっす, いいえ, or an emoji alone: no comment to keep.
            return self._skip_comment(user_hash, draft)
        if means_submit(word):
            # 送信 before the comment: nothing to add, so the confirmation comes.
            return self._skip_comment(user_hash, draft)
        if means_do_not_send(word):
            # ちょっと待ってください: the comment step keeps waiting.
            return [self._prompt(draft)]
        place = place_correction(text, has_precise_place(draft))
        if place is not None:
            return self._correct_place(user_hash, draft, place)
        if PLACE_IS_WRONG.search(word):
            return self._ask_new_place(user_hash, draft)
        about_the_report = self._about_the_report(text)
        if about_the_report is not None:
            return [about_the_report, self._prompt(draft)]
        comment = clean_comment(text)
        if draft.pending_comment is not None and comment == draft.pending_comment:
            draft.pending_comment = None
            self.store.save_draft(user_hash, draft)
            logger.info("report comment-step text passed to the core as a question")
            return None
        intent = self._classify(text)
        replies = self._urgent_reply(draft, bool(intent and intent.urgent), text)
        # The text must fit a message action to be sent again as a question.
        fits = utf16_length(comment) <= MAX_DISPLAY_TEXT_UNITS
        if fits and looks_like_question(text, intent):
            draft.pending_comment = comment
            self.store.save_draft(user_hash, draft)
            return [*replies, msg.question_choice(draft)]
        draft.pending_comment = None
        other = []
        if draft.category in MAIN_CATEGORIES:
            # An その他 report's required description often names other objects.
            other = self._other_fault_note(draft, text, intent, explicit_only=True)
        if other:
            # あと、近くの側溝のふたも外れてます: a second fault is no comment on
            # this one, and the step keeps waiting.
            self.store.save_draft(user_hash, draft)
            return [*replies, *other, self._prompt(draft)]
        # A detail typed at the photo step may be in the comment already.
        cut = append_comment(draft, comment)
        draft.comment_done = True
        replies += contact_note(comment)
        if cut or comment_is_cut(text):
            replies.append(self._cut_note())
        return [*replies, *self._advance(user_hash, draft)]

    def _skip_comment(self, user_hash: str, draft: Draft) -> list[Message]:
        draft.pending_comment = None
        if self._description_required(draft) and not draft.comment:
            self.store.save_draft(user_hash, draft)
            text = texts.REPORT_DESCRIPTION_REQUIRED
            return [msg.comment_prompt(draft, required=True, text=text)]
        draft.comment_done = True
        return self._advance(user_hash, draft)

    def _use_pending_comment(self, user_hash: str, draft: Draft) -> list[Message]:
        if draft.pending_comment is None:
            return [self._prompt(draft)]
        pending = draft.pending_comment
        append_comment(draft, pending)
        draft.pending_comment = None
        draft.comment_done = True
        return [*contact_note(pending), *self._advance(user_hash, draft)]

    def _delete_comment(self, user_hash: str, draft: Draft) -> list[Message]:
        """Drop the draft's description and comment (補足を消してください) and
        ask for the comment again, which the resident may skip."""
        draft.description = None
        draft.comment = None
        draft.comment_done = False
        draft.step = self._next_step(draft)
        self.store.save_draft(user_hash, draft)
        logger.info("report comment deleted at the confirmation")
        return [msg.plain(texts.REPORT_COMMENT_DELETED), self._prompt(draft)]

    def _about_the_report(self, text: str) -> Message | None:
        """Return the reply to a question about the report being written (what
        happens once it is sent, how many photos it may have), or None."""
        if asks_after_sending(text):
            return msg.plain(contact_text(texts.REPORT_AFTER_SENDING, self.settings))
        if asks_photo_count(text):
            return self._photo_count_note()
        return None

    def _on_confirm_step_text(
        self, user_hash: str, draft: Draft, text: str, word: str
    ) -> list[Message] | Preface:
        """Reply to a text typed at the confirmation: yes sends, a new place
        replaces the old, a bare 大丈夫 or no asks for the button, and anything
        else is a detail added to the comment (see ``_on_confirm_text``)."""
        if means_submit(word):
            return self._submit(user_hash, draft)
        place = place_correction(text, has_precise_place(draft))
        if place is not None:
            return self._correct_place(user_hash, draft, place)
        if COMMENT_DELETE.search(word):
            return self._delete_comment(user_hash, draft)
        if approval_parts(word) is not None:
            # 大丈夫です alone may mean yes or no thanks: ask for the button.
            return [msg.confirmation(draft, texts.REPORT_CONFIRM_AGAIN)]
        if PLACE_IS_WRONG.search(word):
            return self._ask_new_place(user_hash, draft)
        if means_do_not_send(word):
            # いいえ, 送らないで: not a detail for staff to read. The draft stays,
            # and the confirmation offers 送信, the changes and やめる.
            return [msg.confirmation(draft, texts.REPORT_NOT_SENT_YET)]
        return self._on_confirm_text(user_hash, draft, text)

    def _on_confirm_text(
        self, user_hash: str, draft: Draft, text: str
    ) -> list[Message] | Preface:
        """Add a detail typed at the confirmation (深さ10cmくらい) to the comment.

        A question goes to the core with the draft kept, and a text of no letters
        or digits shows the confirmation again.
        """
        about_the_report = self._about_the_report(text)
        if about_the_report is not None:
            return [about_the_report, msg.confirmation(draft)]
        intent = self._classify(text)
        if self._is_aside_question(draft, text, intent):
            return self._draft_kept()
        addition = clean_comment(text)
        if not content_char_count(addition):
            return [msg.confirmation(draft, texts.REPORT_CONFIRM_AGAIN)]
        replies = self._urgent_reply(draft, bool(intent and intent.urgent), text)
        other = self._other_fault_note(draft, text, intent, explicit_only=True)
        if other:
            # あと、公園の街灯も消えてます: a second fault is no detail of this one.
            return [*replies, *other, msg.confirmation(draft)]
        cut = append_comment(draft, addition)
        draft.comment_done = True
        replies += contact_note(addition)
        if cut:
            replies.append(self._cut_note())
        self.store.save_draft(user_hash, draft)
        return [*replies, msg.confirmation(draft, texts.REPORT_COMMENT_ADDED)]

    def _submit(self, user_hash: str, draft: Draft) -> list[Message]:
        if self._next_step(draft) != "confirm":
            # 送信 pressed before the draft is complete: ask for what is missing.
            draft.step = self._next_step(draft)
            self.store.save_draft(user_hash, draft)
            return [self._prompt(draft)]
        department = self.routing[draft.category]
        try:
            report, created = self.store.submit(user_hash, draft, department)
        except IntegrityError:
            # Two first-of-the-year receipts raced; the second attempt gets the next.
            logger.warning("report submit raced on the receipt counter; retrying")
            report, created = self.store.submit(user_hash, draft, department)
        if not created:
            logger.info(
                "report %s already stored; its auto-reply sent again", report.id
            )
        return [self._auto_reply(report)]

    def _auto_reply(self, report: Report) -> Message:
        """Return the auto-reply to a report sent: receipt, department, when staff
        confirm it and the routes for emergencies."""
        return msg.submitted(
            report, self.store.now(), self.settings, outside_note=report.outside_city
        )


def contact_note(text: str | None) -> list[Message]:
    """Return the note on contact details when ``text`` contains any, else []."""
    if not text or not has_contact_details(text):
        return []
    return [msg.plain(texts.REPORT_COMMENT_CONTACT_DETAILS)]
