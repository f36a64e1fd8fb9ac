"""The start of a report: how a message with no draft open starts one, or gets
the reply that fits it (a change route, a note, the police's lines)."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from linebot.v3.messaging import Message

from answerer.intent_evidence import (
    asks_how_to_act,
    fault_after_another_matter,
    fault_before_another_matter,
)
from answerer.intent_owners import SIGNAL_FAULT
from answerer.intent_text import normalize as intent_normalize
from index.normalize import visible_nfkc
from webhook import texts
from webhook.broadcasts.categories import load_catalog
from webhook.classify import (
    REPORT_START_WORDS,
    TextKind,
    asks_something,
    classify_text,
    is_cancel,
)
from webhook.contact_route import contact_text
from webhook.emergency import rules_out_report
from webhook.flow import IncomingEvent, Preface
from webhook.reports import geo
from webhook.reports import messages as msg
from webhook.reports.comments import clean_comment, comment_is_cut
from webhook.reports.models import Draft
from webhook.reports.photo_sets import ImageSet, image_set_of, just_sent_note
from webhook.reports.place_steps import is_far_outside, set_point
from webhook.reports.report_intent import (
    MAIN_CATEGORIES,
    IntentLike,
    is_report,
    may_start_report,
)
from webhook.reports.resident_text import (
    asks_about_the_photo,
    asks_beyond_a_fault,
    is_neighbour_trouble,
    names_broken_thing,
    retracts_the_fault,
    several_faults,
    tells_of_a_suspicious_person,
)

if TYPE_CHECKING:
    from cityline.settings import Settings
    from webhook.reports.store import ReportStore

logger = logging.getLogger(__name__)

START_WORDS = REPORT_START_WORDS
# A photo this soon after a report was sent may have been meant for it.
JUST_SENT = timedelta(minutes=10)
# A text that takes a fault back (見間違いでした) with no draft gets the route
# for changing a report sent this recently.
RECENT_REPORT = timedelta(days=1)


class ReportStart:
    """The report conversation's handling of a message with no draft open,
    mixed into ReportFlow.

    It uses the flow's ``store`` and ``settings`` and its steps ``_start``,
    ``_classify``, ``_object_category``, ``_urgent_message``, ``_add_photo``,
    ``_is_closed_set``, ``_start_with_set_photo``, ``_far_outside_text`` and
    ``_outside_note``.
    """

    store: ReportStore
    settings: Settings
    _start: Callable[..., list[Message]]
    _classify: Callable[[str], IntentLike | None]
    _object_category: Callable[[str], str | None]
    _urgent_message: Callable[..., Message]
    _add_photo: Callable[[Draft, str | None], str | None]
    _is_closed_set: Callable[[str, ImageSet], bool]
    _start_with_set_photo: Callable[[str, IncomingEvent, ImageSet], list[Message]]
    _far_outside_text: Callable[[], str]
    _outside_note: Callable[[Draft], list[Message]]

    def _maybe_start(
        self, user_hash: str, event: IncomingEvent
    ) -> list[Message] | None:
        if event.message_type == "image":
            image_set = image_set_of(event)
            if image_set is None:
                return self._start_with_photo(user_hash, event)
            if self._is_closed_set(user_hash, image_set):
                # The rest of a set whose report was sent or cancelled meanwhile.
                logger.info("late photo of a closed set not stored")
                return [msg.plain(texts.REPORT_LATE_SET_PHOTO, offer_start=True)]
            return self._start_with_set_photo(user_hash, event, image_set)
        if event.message_type == "location":
            if not geo.is_valid_point(event.latitude, event.longitude):
                return None  # unreadable: the core replies, and nothing starts
            return self._start_with_location(user_hash, event)
        if event.message_type != "text" or not event.text:
            return None
        word = normalize_word(event.text)
        if word in START_WORDS:
            return self._start(user_hash)
        if is_cancel(event.text):
            # 取り消してください moments after 送信 is about the report just
            # sent, which only the city hall can change. Otherwise the core
            # replies that nothing is under way.
            return self._change_route_after_sending(user_hash, JUST_SENT)
        if classify_text(event.text) is not TextKind.QUESTION:
            return None  # small talk or a receive-settings request, for the core
        if retracts_the_fault(event.text):
            return self._retraction_without_draft(user_hash)
        intent = self._classify(event.text)
        if not may_start_report(event.text, intent):
            return self._not_a_report(event.text, intent)
        if names_signal_fault(event.text):
            return [msg.plain(texts.REPORT_SIGNAL_IS_POLICE)]
        category = intent.category if intent.category in MAIN_CATEGORIES else None
        several = several_faults(event.text)
        if several:
            # 街灯が切れてて、その先の歩道にも穴: the resident picks the one
            # this report is about, after the one-fault note.
            category = None
        setup = None
        if several:
            setup = _one_fault_note
        elif _tells_of_another_matter(event.text):
            # 街灯が消えています。あと、粗大ごみの申し込みは…: the question is
            # not lost without a word.
            setup = _other_matter_note
        return self._start(
            user_hash,
            category=category,
            description=clean_comment(event.text),
            description_cut=comment_is_cut(event.text),
            urgent=intent.urgent,
            setup=setup,
        )

    def _change_route_after_sending(
        self, user_hash: str, within: timedelta
    ) -> list[Message] | None:
        """Return the route for changing a sent report, with its receipt
        number, when the resident sent one in the last ``within``, else None."""
        since = self.store.now() - within
        receipt_no = self.store.last_receipt_since(user_hash, since)
        if receipt_no is None:
            return None
        logger.info("report sent within %s: change route given", within)
        sent = texts.REPORT_ALREADY_SUBMITTED.format(receipt_no=receipt_no)
        change = contact_text(texts.REPORT_CHANGE_ROUTE, self.settings)
        return [msg.plain(sent + change)]

    def _retraction_without_draft(self, user_hash: str) -> list[Message]:
        """Reply to a text that takes a fault back (見間違いでした) with no
        draft: the change route of a report sent within RECENT_REPORT, else
        a note that none was, with the route for an older one."""
        change = self._change_route_after_sending(user_hash, RECENT_REPORT)
        if change is not None:
            return change
        logger.info("retraction with no draft and no recent report")
        within = msg.duration_words(RECENT_REPORT)
        nothing = contact_text(
            texts.REPORT_NOTHING_TO_TAKE_BACK, self.settings, within=within
        )
        return [msg.plain(nothing)]

    def _not_a_report(
        self, text: str, intent: IntentLike | None
    ) -> list[Message] | Preface | None:
        """Reply to a first text that starts no report, or leave it to the core.

        A complaint of neighbours, animals or parked cars, stated or asked
        about, gets a note with the city hall number before the page answers.
        A question on where to report a traffic signal gets the police reply,
        and one on where to report a fault this account takes gets the report
        route: for an urgent fault (道路の陥没はどこに連絡すれば), after the
        urgent lines. A question whether a report needs a photo gets the
        answer and the phone route for those who cannot send one. Hearsay of
        a suspicious person gets the police's lines and the safety category
        in place of page answers.
        """
        if tells_of_a_suspicious_person(text):
            logger.info("suspicious person heard of given the police routes")
            safety = load_catalog(self.settings).safety.name
            route = texts.SUSPICIOUS_PERSON_ROUTE.format(safety=safety)
            return [msg.with_settings_button(route)]
        asks = intent is not None and asks_how_to_act(intent_normalize(text))
        if (is_report(intent) or asks) and is_neighbour_trouble(text):
            logger.info("complaint of neighbours or animals not taken as a report")
            note = contact_text(texts.REPORT_NOT_A_FACILITY, self.settings)
            return Preface([msg.plain(note)])
        if intent is None or intent.label != "question":
            return None
        if asks_about_the_photo(text):
            needed = contact_text(texts.REPORT_PHOTO_NEEDED, self.settings)
            return [msg.plain(needed, offer_start=True)]
        if not asks:
            return None
        if names_signal_fault(text):
            return [msg.plain(texts.REPORT_SIGNAL_IS_POLICE)]
        if not self._asks_where_to_report(text):
            return None
        logger.info("question on where to report a fault given the route")
        how_to = contact_text(texts.REPORT_HOW_TO, self.settings)
        route = msg.plain(how_to, offer_start=True)
        if intent.urgent:
            return [self._urgent_message(text, can_continue=False), route]
        return [route]

    def _asks_where_to_report(self, text: str) -> bool:
        """Tell whether a question on how to act (see ``_not_a_report``) is
        about a fault of a kind this account takes: it names a broken thing of
        the five managed kinds, not one of the resident's own (うちの排水管),
        and asks for no fee, claim or new facility. A crime or a fire is left
        to the replies that name their phone lines.
        """
        normalized = intent_normalize(text)
        if not names_broken_thing(normalized) or asks_beyond_a_fault(normalized):
            return False
        if rules_out_report(text):
            return False
        return self._object_category(text) in MAIN_CATEGORIES

    def _start_with_photo(self, user_hash: str, event: IncomingEvent) -> list[Message]:
        """Start a report whose first photo is the one just sent.

        A resident who sends a photo first most likely means to report, so the
        draft requests the category next and offers やめる.
        """

        def add_photo(draft: Draft) -> list[Message]:
            problem = self._add_photo(draft, event.message_id)
            if problem is not None:
                return [msg.plain(problem)]
            lead = texts.REPORT_STARTED_BY_PHOTO.format(
                count=len(draft.photos), max_photos=msg.MAX_PHOTOS
            )
            return [*self._just_sent_note(user_hash), msg.plain(lead)]

        return self._start(user_hash, setup=add_photo)

    def _just_sent_note(self, user_hash: str) -> list[Message]:
        """Return the note that a photo starting a draft is not added to the
        report the resident sent moments ago, when there is one."""
        return just_sent_note(self._just_sent_receipt(user_hash))

    def _just_sent_receipt(self, user_hash: str) -> str | None:
        """Return the receipt number of a report the resident sent within
        JUST_SENT, or None."""
        since = self.store.now() - JUST_SENT
        return self.store.last_receipt_since(user_hash, since)

    def _start_with_location(
        self, user_hash: str, event: IncomingEvent
    ) -> list[Message]:
        """Start a report placed at the location just sent, unless the point
        lies far outside the city (see :func:`is_far_outside`)."""
        if is_far_outside(event):
            logger.info("location far outside the city starts no report")
            return [msg.plain(self._far_outside_text(), offer_start=True)]

        def place(draft: Draft) -> list[Message]:
            set_point(draft, event)
            lead = msg.plain(texts.REPORT_STARTED_BY_LOCATION)
            return [lead, *self._outside_note(draft)]

        return self._start(user_hash, setup=place)


def normalize_word(text: str) -> str:
    normalized = visible_nfkc(text).strip()
    return normalized.rstrip("。.!！")


def names_signal_fault(text: str) -> bool:
    """Tell whether ``text`` reports a faulty traffic signal, which the police run."""
    return SIGNAL_FAULT.search(unicodedata.normalize("NFKC", text)) is not None


def _one_fault_note(draft: Draft) -> list[Message]:
    """Return the one-fault-per-report note for a first message of several."""
    return [msg.plain(texts.REPORT_ONE_FAULT_EACH)]


def _other_matter_note(draft: Draft) -> list[Message]:
    """Return the note that a question asked beside the fault waits until the
    report is sent."""
    return [msg.plain(texts.REPORT_OTHER_MATTER_LATER)]


def _tells_of_another_matter(text: str) -> bool:
    """Tell whether a first text asks something beside its fault, in either
    order (see :func:`answerer.intent_evidence.fault_before_another_matter`).

    The other part must ask: 街灯が消えています。あと、場所は中町1丁目5番です
    gives the report's place, and 。あと、夜は真っ暗で怖いです its detail.
    """
    normalized = intent_normalize(text)
    before = fault_before_another_matter(normalized)
    if before is not None:
        return asks_something(normalized[len(before) :])
    after = fault_after_another_matter(normalized)
    if after is not None:
        return asks_something(normalized[: len(normalized) - len(after)])
    return False
