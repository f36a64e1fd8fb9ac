"""The report conversation's photo step, mixed into ReportFlow: photos sent one
at a time, their download and storage, and texts typed while photos are asked for."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from linebot.v3.messaging import Message

from cityline.errors import CitylineError
from webhook import texts
from webhook.contact_route import contact_text
from webhook.flow import ContentFetcher, ContentTooLarge, IncomingEvent, Preface
from webhook.reports import geo
from webhook.reports import messages as msg
from webhook.reports.models import Draft
from webhook.reports.photos import MAX_PHOTO_BYTES, PhotoRejected, store_photo
from webhook.reports.place_steps import has_precise_place
from webhook.reports.report_intent import IntentLike, is_confident_report
from webhook.reports.resident_text import (
    asks_photo_count,
    cannot_send_photo,
    gives_size,
    means_next,
    means_submit,
    place_correction,
)

if TYPE_CHECKING:
    from cityline.settings import Settings
    from webhook.reports.store import ReportStore

logger = logging.getLogger(__name__)


class PhotoStep:
    """The report conversation's handling of photos sent one at a time and of
    texts typed at the photo step, mixed into ReportFlow.

    It uses the flow's ``store``, ``settings`` and ``_fetch_content`` and its
    steps ``_classify``, ``_is_aside_question``, ``_draft_kept``,
    ``_urgent_reply``, ``_other_fault_note``, ``_keep_detail``,
    ``_correct_place``, ``_set_address``, ``_outside_note``, ``_owner_note``,
    ``_prompt`` and ``_advance``.
    """

    store: ReportStore
    settings: Settings
    _fetch_content: ContentFetcher
    _classify: Callable[[str], IntentLike | None]
    _is_aside_question: Callable[[Draft, str, IntentLike | None], bool]
    _draft_kept: Callable[[], Preface]
    _urgent_reply: Callable[[Draft, bool, str], list[Message]]
    _other_fault_note: Callable[..., list[Message]]
    _keep_detail: Callable[[Draft, str], None]
    _correct_place: Callable[[str, Draft, str], list[Message]]
    _set_address: Callable[..., None]
    _outside_note: Callable[[Draft], list[Message]]
    _owner_note: Callable[[Draft, str], list[Message]]
    _prompt: Callable[[Draft], Message]
    _advance: Callable[[str, Draft], list[Message]]

    def _on_photo_text(
        self, user_hash: str, draft: Draft, text: str, word: str
    ) -> list[Message] | Preface:
        """Reply to a text typed while photos are asked for: 次へ once one is
        in, a resident with no photo, a corrected or early place, a question
        aside, or a detail of the fault, which is kept."""
        if draft.photos and (means_next(word) or means_submit(word)):
            return self._advance(user_hash, draft)

        if not draft.photos and cannot_send_photo(text):
            route = contact_text(texts.REPORT_NO_PHOTO_ROUTE, self.settings)
            return [msg.plain(route), self._prompt(draft)]

        if asks_photo_count(text):
            return [self._photo_count_note(), self._prompt(draft)]

        precise = has_precise_place(draft)
        place = place_correction(text, precise) if draft.has_location else None
        if place is not None:
            return self._correct_place(user_hash, draft, place)

        intent = self._classify(text)
        if self._is_aside_question(draft, text, intent):
            return self._draft_kept()

        # A danger typed while the photo is awaited (ガス臭い) gets the phone
        # routes first, as at the later steps.
        urgent = self._urgent_reply(draft, bool(intent and intent.urgent), text)
        if urgent:
            self.store.save_draft(user_hash, draft)

        if not draft.has_location and geo.looks_like_address(text):
            # The place typed before the photo is kept for the location step.
            self._set_address(draft, text)
            self.store.save_draft(user_hash, draft)
            early = msg.plain(texts.REPORT_LOCATION_RECEIVED_EARLY)
            notes = [*self._outside_note(draft), *self._owner_note(draft, text)]
            return [*urgent, *notes, early, self._prompt(draft)]

        other = self._other_fault_note(draft, text, intent, explicit_only=True)
        if not other and (is_confident_report(intent, text) or gives_size(text)):
            # 座面の板が割れています, 深さ10cmくらい: a detail of this fault.
            self._keep_detail(draft, text)
            self.store.save_draft(user_hash, draft)
            detail_kept = msg.plain(texts.REPORT_DETAIL_KEPT)
            if draft.photos:
                more = texts.REPORT_PHOTO_STEP_MORE.format(count=len(draft.photos))
                return [*urgent, detail_kept, msg.photo_prompt(draft, more)]
            return [*urgent, detail_kept, msg.photo_prompt(draft)]

        if draft.photos:
            photos_in = texts.REPORT_PHOTO_STEP_TEXT.format(count=len(draft.photos))
            return [*urgent, *other, msg.photo_prompt(draft, photos_in)]
        prompt = msg.photo_prompt(draft, texts.REPORT_ASK_PHOTO_AGAIN)
        return [*urgent, *other, prompt]

    def _on_image(
        self, user_hash: str, draft: Draft, event: IncomingEvent
    ) -> list[Message]:
        if any(photo.message_id == event.message_id for photo in draft.photos):
            return [self._prompt(draft)]
        if len(draft.photos) >= msg.MAX_PHOTOS:
            limit = texts.REPORT_PHOTO_LIMIT.format(max_photos=msg.MAX_PHOTOS)
            return [msg.plain(limit), self._prompt(draft)]
        problem = self._add_photo(draft, event.message_id)
        if problem is not None:
            if draft.step == "photo":
                return [msg.photo_prompt(draft, problem)]
            return [msg.plain(problem), self._prompt(draft)]
        self.store.save_draft(user_hash, draft)
        if draft.step == "photo" and len(draft.photos) < msg.MAX_PHOTOS:
            return [msg.photo_received(draft)]
        # The last photo allowed, or one sent after the photo step, is counted
        # before the flow moves on, without the photo step's call to press 次へ:
        # no other step offers that button.
        received = texts.REPORT_PHOTO_RECEIVED_LAST.format(
            count=len(draft.photos), max_photos=msg.MAX_PHOTOS
        )
        return [msg.plain(received), *self._advance(user_hash, draft)]

    def _add_photo(self, draft: Draft, message_id: str | None) -> str | None:
        """Download and store one photo; return the resident's error text or None."""
        if not message_id:
            return texts.REPORT_PHOTO_FAILED
        try:
            data = self._fetch_content(message_id)
        except ContentTooLarge as exc:
            logger.info("photo rejected (too_large): %s", exc)
            max_mb = MAX_PHOTO_BYTES // (1024 * 1024)
            return texts.REPORT_PHOTO_TOO_LARGE.format(max_mb=max_mb)
        except CitylineError as exc:
            logger.warning("photo download failed: %s", exc)
            return texts.REPORT_PHOTO_FAILED
        try:
            photo = store_photo(data, self.settings.photos_dir, message_id)
        except PhotoRejected as exc:
            logger.info("photo rejected (%s): %s", exc.reason, exc)
            if exc.reason == "too_large":
                max_mb = MAX_PHOTO_BYTES // (1024 * 1024)
                return texts.REPORT_PHOTO_TOO_LARGE.format(max_mb=max_mb)
            if exc.reason == "too_many_pixels":
                return texts.REPORT_PHOTO_TOO_MANY_PIXELS
            return texts.REPORT_PHOTO_INVALID
        draft.photos.append(photo)
        return None

    def _photo_count_note(self) -> Message:
        """Return the reply to 写真は何枚まで送れますか."""
        return msg.plain(texts.REPORT_PHOTO_COUNT.format(max_photos=msg.MAX_PHOTOS))
