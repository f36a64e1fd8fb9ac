"""The report conversation's buttons (LINE postbacks), mixed into ReportFlow, and
their replies when they belong to a report already sent or to an older draft."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from linebot.v3.messaging import Message

from webhook import texts
from webhook.contact_route import contact_text
from webhook.reports import messages as msg
from webhook.reports.models import Draft, Report
from webhook.reports.place_steps import clear_location

if TYPE_CHECKING:
    from cityline.settings import Settings
    from webhook.reports.store import ReportStore

logger = logging.getLogger(__name__)

# Buttons that answer one step's question; a tap on one at another step (from
# an older message) changes nothing.
_STEP_OF_ACTION = {
    "category": "category",
    "photos_done": "photo",
    "skip_comment": "comment",
    "use_comment": "comment",
}


class Postbacks:
    """The report conversation's handling of button taps, mixed into ReportFlow.

    It uses the flow's ``store`` and ``settings`` and its steps ``_start``,
    ``_cancel``, ``_submit``, ``_auto_reply``, ``_skip_comment``,
    ``_use_pending_comment``, ``_prompt`` and ``_advance``.
    """

    store: ReportStore
    settings: Settings
    _start: Callable[..., list[Message]]
    _cancel: Callable[[str], list[Message]]
    _submit: Callable[[str, Draft], list[Message]]
    _auto_reply: Callable[[Report], Message]
    _skip_comment: Callable[[str, Draft], list[Message]]
    _use_pending_comment: Callable[[str, Draft], list[Message]]
    _prompt: Callable[[Draft], Message]
    _advance: Callable[[str, Draft], list[Message]]

    def _on_postback(
        self, user_hash: str, draft: Draft | None, params: dict[str, str]
    ) -> list[Message]:
        action = params.get("action", "")
        if action == "start":
            if draft is not None:
                return [msg.plain(texts.REPORT_IN_PROGRESS), self._prompt(draft)]
            return self._start(user_hash)
        if action == "submit":
            return self._on_submit_postback(user_hash, draft, params.get("draft", ""))
        if action == "cancel" and draft is None:
            return [msg.plain(texts.REPORT_NOTHING_TO_CANCEL, offer_start=True)]
        # Every other button acts only on the draft whose id it carries, so a tap
        # on an older conversation, or a draft id of another resident, changes
        # nothing.
        if draft is None or params.get("draft") != draft.draft_id:
            submitted = self._submitted_reply(
                user_hash, draft, params.get("draft", ""), correction=True
            )
            return submitted or self._stale_tap(draft, action)
        if action == "cancel":
            return self._cancel(user_hash)
        step = _STEP_OF_ACTION.get(action)
        if step is not None and step != draft.step:
            # スキップ from an older message while the category is asked would
            # otherwise skip the comment step before it comes.
            logger.info("report postback %r at step %s ignored", action, draft.step)
            return [msg.plain(texts.REPORT_OLD_STEP_BUTTON), self._prompt(draft)]
        if action == "category":
            value = params.get("value", "")
            if value not in texts.REPORT_CATEGORY_LABELS:
                return [msg.category_prompt(draft, texts.REPORT_ASK_CATEGORY_AGAIN)]
            draft.category = value
            return self._advance(user_hash, draft)
        if action == "photos_done":
            if not draft.photos:
                return [msg.photo_prompt(draft, texts.REPORT_ASK_PHOTO_AGAIN)]
            return self._advance(user_hash, draft)
        if action == "change_category":
            # The classifier may have guessed wrong; everything else is kept and
            # the next step after the new category is the first one still missing.
            draft.category = None
            draft.step = "category"
            self.store.save_draft(user_hash, draft)
            return [msg.category_prompt(draft)]
        if action == "change_place":
            # A wrong point or address is dropped, and the next place replaces it;
            # photos, category and comment are kept.
            clear_location(draft)
            draft.step = "location"
            self.store.save_draft(user_hash, draft)
            return [msg.location_prompt(draft, texts.REPORT_ASK_NEW_LOCATION)]
        if action == "skip_comment":
            return self._skip_comment(user_hash, draft)
        if action == "use_comment":
            return self._use_pending_comment(user_hash, draft)
        logger.warning("unknown report postback action %r", action)
        return [self._prompt(draft)]

    def _on_submit_postback(
        self, user_hash: str, draft: Draft | None, draft_id: str
    ) -> list[Message]:
        if draft is not None and draft.draft_id == draft_id:
            return self._submit(user_hash, draft)
        # A second press of 送信, or a redelivered event: repeat the auto-reply
        # of the report this draft became, and store no second report. The
        # first reply may never have arrived, for instance while LINE was down.
        submitted = self._submitted_reply(user_hash, draft, draft_id, resend=True)
        return submitted or self._stale_tap(draft, "submit")

    def _submitted_reply(
        self,
        user_hash: str,
        draft: Draft | None,
        draft_id: str,
        *,
        correction: bool = False,
        resend: bool = False,
    ) -> list[Message] | None:
        """Reply to a button of a draft that became a report: its receipt number,
        with ``correction`` how to correct it, then the current draft's prompt.
        With ``resend`` (送信 pressed again) the receipt comes as the full
        auto-reply of the report instead, while staff have not yet handled it.

        None when ``draft_id`` is no report of this resident; the number is given
        only to the resident who sent that report.
        """
        report = self.store.find_by_draft(draft_id) if draft_id else None
        if report is None or report.user_hash != user_hash:
            return None
        if resend and report.status == "submitted":
            replies = [self._auto_reply(report)]
            if draft is not None:
                replies.append(self._prompt(draft))
            return replies
        text = texts.REPORT_ALREADY_SUBMITTED.format(receipt_no=report.receipt_no)
        if correction:
            text += contact_text(texts.REPORT_CORRECTION_ROUTE, self.settings)
        replies = [msg.plain(text)]
        if draft is not None:
            replies.append(self._prompt(draft))
        return replies

    def _stale_tap(self, draft: Draft | None, action: str) -> list[Message]:
        """Reply to a button of a draft that is not the resident's current one.

        The current draft, if any, stays as it was, and its prompt follows the
        notice so that the resident can go on with it.
        """
        logger.info("report postback %r for another draft ignored", action)
        if draft is None:
            return [msg.plain(texts.REPORT_DRAFT_NOT_FOUND, offer_start=True)]
        return [msg.plain(texts.REPORT_STALE_BUTTON), self._prompt(draft)]
