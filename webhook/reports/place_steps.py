"""The report conversation's place step: typed places, map points and the notes
that go with them, mixed into ReportFlow.

A typed place is tidied (:func:`geo.tidy_place`). In a sentence that also
describes the fault, it is cut to its street address. A block its town lacks,
a far city and a far map point are refused. A place outside the city or on
another owner's land gets a note.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from linebot.v3.messaging import Message

from answerer.intent_owners import names_other_owner
from answerer.intent_text import split_sentences
from webhook import texts
from webhook.contact_route import contact_text
from webhook.flow import IncomingEvent, Preface
from webhook.reports import geo
from webhook.reports import messages as msg
from webhook.reports.comments import clean_comment
from webhook.reports.models import Draft
from webhook.reports.report_intent import IntentLike, is_confident_report
from webhook.reports.resident_text import (
    cannot_give_place,
    gives_size,
    names_broken_thing,
    outside_address,
    strip_address_tail,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from cityline.settings import Settings
    from webhook.reports.store import ReportStore

logger = logging.getLogger(__name__)

# A location this far outside the city's rough boundary is surely elsewhere.
FAR_OUTSIDE_M = 1000.0


class PlaceSteps:
    """The report conversation's handling of places, mixed into ReportFlow.

    It uses the flow's ``store`` and ``settings`` and its steps ``_classify``,
    ``_is_aside_question``, ``_draft_kept``, ``_urgent_reply``,
    ``_other_fault_note``, ``_keep_detail``, ``_prompt`` and ``_advance``.
    """

    store: ReportStore
    settings: Settings
    _classify: Callable[[str], IntentLike | None]
    _is_aside_question: Callable[[Draft, str, IntentLike | None], bool]
    _draft_kept: Callable[[], Preface]
    _urgent_reply: Callable[[Draft, bool, str], list[Message]]
    _other_fault_note: Callable[..., list[Message]]
    _keep_detail: Callable[[Draft, str], None]
    _prompt: Callable[[Draft], Message]
    _advance: Callable[[str, Draft], list[Message]]

    def _on_location_text(
        self, user_hash: str, draft: Draft, text: str
    ) -> list[Message] | Preface:
        """Reply to a text typed while the place is asked for: help for a
        resident who cannot give it, a question aside, a far place refused, a
        request to say more, or the typed place, which is taken. A town and
        numbers typed in kana are read as written (なかちょう1ちょうめ → 中町1丁目)."""
        text = geo.kana_address_as_written(text)
        intent = self._classify(text)

        # A place typed beside the words (住所は分からないですが、境南町3丁目
        # の郵便局の前です) is taken as the place below, and a danger
        # (ガス臭い、場所はわからない) gets its phone lines first.
        if (
            cannot_give_place(text)
            and not (intent and intent.urgent)
            and not geo.looks_like_address(text)
            and not outside_address(text)
        ):
            help_text = contact_text(texts.REPORT_PLACE_HELP, self.settings)
            return [msg.location_prompt(draft, help_text)]
        if self._is_aside_question(draft, text, intent):
            return self._draft_kept()

        if geo.names_far_place(text):
            logger.info("typed place far outside the city not taken")
            return [msg.location_prompt(draft, self._far_outside_text())]
        if not geo.looks_like_address(text) and not outside_address(text):
            again = (
                texts.REPORT_ASK_LOCATION_DETAIL
                if geo.names_only_a_town(text)
                else texts.REPORT_ASK_LOCATION_AGAIN
            )
            # A danger written in place of the place (ガス臭い, 木が倒れて道を
            # ふさいでいる) gets the phone routes before the prompt.
            urgent = self._urgent_reply(draft, bool(intent and intent.urgent), text)
            if urgent:
                self.store.save_draft(user_hash, draft)
            other = self._other_fault_note(draft, text, intent)
            if not other and (is_confident_report(intent, text) or gives_size(text)):
                # 穴は深さ10cmくらいです: a detail of this fault, kept while the
                # place is still asked for.
                self._keep_detail(draft, text)
                self.store.save_draft(user_hash, draft)
                kept = msg.plain(texts.REPORT_DETAIL_KEPT)
                return [*urgent, kept, msg.location_prompt(draft)]
            return [*urgent, *other, msg.location_prompt(draft, again)]

        # A place alone (境南町3丁目の郵便局の前です) may read as an unsure
        # report, so a text describes the fault only when it names a broken
        # thing or goes on in another sentence.
        describes_fault = is_confident_report(intent, text) and (
            names_broken_thing(text) or len(split_sentences(text)) > 1
        )
        self._set_address(draft, text, describes_fault=describes_fault)
        if describes_fault and _has_detail_beyond(text, draft.address or ""):
            # ファミマの前の中町2丁目の歩道が陥没してて危ないです: the place is
            # taken from it, and the whole text is kept as a detail too.
            self._keep_detail(draft, text)

        # 中町1丁目2番の前で木が倒れて道をふさいでいます: the place and a danger.
        urgent = self._urgent_reply(draft, bool(intent and intent.urgent), text)
        replies = [*self._outside_note(draft), *self._owner_note(draft, text)]
        other = self._other_fault_note(draft, text, intent)
        return [*urgent, *replies, *other, *self._advance(user_hash, draft)]

    def _on_location(
        self, user_hash: str, draft: Draft, event: IncomingEvent
    ) -> list[Message]:
        if is_far_outside(event):
            logger.info("location far outside the city not taken")
            return [msg.plain(self._far_outside_text()), self._prompt(draft)]
        set_point(draft, event)
        replies = self._outside_note(draft)
        if draft.step == "category" or (draft.step == "photo" and not draft.photos):
            self.store.save_draft(user_hash, draft)
            early = msg.plain(texts.REPORT_LOCATION_RECEIVED_EARLY)
            return [*replies, early, self._prompt(draft)]
        # At the photo step with a photo in, a location means the photos are
        # done, as 次へ would.
        return [*replies, *self._advance(user_hash, draft)]

    # Steps ------------------------------------------------------------------------

    def _invalid_location(self, draft: Draft, event: IncomingEvent) -> list[Message]:
        """Reply to a location outside -90..90 / -180..180, keeping the draft."""
        logger.warning(
            "report location rejected: latitude %r, longitude %r",
            event.latitude,
            event.longitude,
        )
        if draft.step == "location":
            return [msg.location_prompt(draft, texts.REPORT_LOCATION_INVALID)]
        return [msg.plain(texts.REPORT_LOCATION_INVALID), self._prompt(draft)]

    def _set_address(
        self, draft: Draft, text: str, describes_fault: bool = False
    ) -> None:
        """Place ``draft`` at the address typed in ``text``.

        When ``text`` is also the draft's comment (中町1丁目5番の前の道路に穴 as a
        first message), or ``describes_fault`` (中町1丁目5番の前の街灯が切れてる
        typed as the place), the place is the street address in it, not the
        whole sentence. Otherwise the whole text is the place.
        """
        phrase = None
        is_comment = draft.description and draft.description == clean_comment(text)
        if is_comment or describes_fault:
            phrase = geo.street_address_phrase(text)
        draft.address = phrase or geo.tidy_place(text)
        draft.latitude = None
        draft.longitude = None
        draft.location_source = "text"
        draft.outside_city = geo.address_is_outside_city(text)

    def _correct_place(self, user_hash: str, draft: Draft, place: str) -> list[Message]:
        """Replace the draft's place with ``place``, from a correction such as
        場所はやっぱり中町2丁目3番の前です (see :func:`place_correction`). The
        map point, if any, goes, so that staff never see two places. The step
        stays where it was. A place in a far city is not taken."""
        if geo.names_far_place(place):
            logger.info("typed place far outside the city not taken")
            return [msg.plain(self._far_outside_text()), self._prompt(draft)]
        self._set_address(draft, strip_address_tail(place), describes_fault=True)
        self.store.save_draft(user_hash, draft)
        logger.info("report place corrected by text at step %s", draft.step)
        changed = msg.plain(texts.REPORT_PLACE_CHANGED.format(place=draft.address))
        return [changed, *self._outside_note(draft), self._prompt(draft)]

    def _ask_new_place(self, user_hash: str, draft: Draft) -> list[Message]:
        """Drop the place and ask for it again, as the 場所を変える button does,
        for a text such as いいえ、場所が違います."""
        clear_location(draft)
        draft.step = "location"
        self.store.save_draft(user_hash, draft)
        return [msg.location_prompt(draft, texts.REPORT_ASK_NEW_LOCATION)]

    def _outside_note(self, draft: Draft) -> list[Message]:
        if not draft.outside_city:
            return []
        return [msg.plain(msg.outside_city_text(self.settings))]

    def _far_outside_text(self) -> str:
        return texts.REPORT_FAR_OUTSIDE.format(city_name=self.settings.city_name)

    def _owner_note(self, draft: Draft, place: str) -> list[Message]:
        """Return the note that another body may manage the place, when the
        typed ``place`` names one (井の頭公園の中, 五日市街道の歩道) and the
        report's first text did not, whose reply gave the note already."""
        if not names_other_owner(place):
            return []
        if draft.description and names_other_owner(draft.description):
            return []
        return [msg.plain(texts.REPORT_OTHER_OWNER)]


def _has_detail_beyond(text: str, place: str) -> bool:
    """Tell whether ``text`` contains more than ``place`` and the words around
    it such as です or よろしくお願いします (中町1丁目5番。夜は真っ暗です)."""
    rest = geo.normalize_address(text).replace(place, " ", 1)
    return len(geo.tidy_place(rest, keep_if_empty=False)) >= 2


def no_such_block(block: tuple[str, int, int]) -> Message:
    """Return the reply to an address whose block its town does not have."""
    town, number, last = block
    logger.info("typed address with an unknown block not taken")
    return msg.plain(
        texts.REPORT_NO_SUCH_BLOCK.format(town=town, block=number, last=last)
    )


def is_far_outside(event: IncomingEvent) -> bool:
    """Tell whether a location message's point lies more than FAR_OUTSIDE_M
    outside the city's rough boundary: surely another town (a Kyoto street).
    Points nearer the boundary are taken with the outside-city note, since the
    boundary is only approximate."""
    return geo.metres_outside(event.latitude, event.longitude) > FAR_OUTSIDE_M


def set_point(draft: Draft, event: IncomingEvent) -> None:
    """Place ``draft`` at the point of a location message, noting whether it lies
    outside the city.

    A point is outside when it lies outside the rough boundary and LINE's
    address does not name the city, or when that address is in another city or
    ward (a point just over the boundary). Points far outside never get here.
    """
    draft.latitude = event.latitude
    draft.longitude = event.longitude
    draft.address = geo.normalize_address(event.address) if event.address else None
    draft.location_source = "line"
    address = event.address or ""
    # The boundary is rough, so an address in the city outweighs it; a station
    # that LINE names near the point does not count.
    outside_boundary = not geo.is_inside_city(event.latitude, event.longitude)
    draft.outside_city = (
        outside_boundary and not geo.names_the_city(address)
    ) or geo.address_is_outside_city(address, stations=False)


def clear_location(draft: Draft) -> None:
    """Forget the draft's point, address and outside-city flag."""
    draft.latitude = None
    draft.longitude = None
    draft.address = None
    draft.location_source = None
    draft.outside_city = False


def has_precise_place(draft: Draft) -> bool:
    """Tell whether the draft's place is a map point or a street address, which
    a vaguer place typed later (場所は駅の南口の交番の先です) only refines."""
    if draft.latitude is not None:
        return True
    return bool(draft.address) and geo.names_street_address(draft.address)
