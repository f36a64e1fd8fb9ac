"""Photos sent together (LINE's image sets) in the report conversation.

LINE delivers each photo of a set as its own image event, whose ``imageSet``
gives the set's id, the photo's index and the set's size, in no promised order.
The draft keeps the open set's state in ``Draft.photo_set``: the indexes seen,
how many photos were kept, and each error once. The resident gets one reply
when the last photo has come. A set whose last photo never comes is closed by
the resident's next message, whose reply then starts with the count.

The last set closed per resident is stored, so that a photo of it that arrives
after the report was sent or cancelled, also after a restart, gets a reply
instead of quietly starting a new draft.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, NamedTuple

from linebot.v3.messaging import Message

from webhook import texts
from webhook.emergency import is_crisis
from webhook.flow import IncomingEvent, Preface
from webhook.reports import messages as msg
from webhook.reports.models import Draft

if TYPE_CHECKING:
    from collections.abc import Callable

    from webhook.reports.store import ReportStore

logger = logging.getLogger(__name__)


class ImageSet(NamedTuple):
    """The position of one photo in a set sent together (LINE's ``imageSet``)."""

    set_id: str
    index: int
    total: int


# LINE sends at most this many photos in one set; a larger total is not trusted.
MAX_SET_PHOTOS = 20


def image_set_of(event: IncomingEvent) -> ImageSet | None:
    """Return the ``imageSet`` of an image event sent with others, or None
    for a photo sent alone or a set field that does not make sense."""
    message = event.raw.get("message")
    image_set = message.get("imageSet") if isinstance(message, dict) else None
    if not isinstance(image_set, dict):
        return None
    set_id = image_set.get("id")
    index, total = image_set.get("index"), image_set.get("total")
    if not (isinstance(set_id, str) and set_id):
        return None
    if isinstance(index, bool) or isinstance(total, bool):
        return None
    if not (isinstance(index, int) and isinstance(total, int)):
        return None
    if not 1 <= index <= total <= MAX_SET_PHOTOS:
        return None
    return ImageSet(set_id, index, total)


def set_notes(state: dict[str, Any]) -> list[Message]:
    """Return the notes for a photo set: the photo limit, with how many of the
    set were kept, then each rejection's error once.

    A set that filled the draft gets no rejection errors, since each asks for
    a photo again and no more fit.
    """
    notes = []
    if state.get("over_limit"):
        kept_count = state.get("kept", 0)
        template = (
            texts.REPORT_PHOTO_SET_LIMIT
            if kept_count
            else texts.REPORT_PHOTO_SET_NONE_KEPT
        )
        note = template.format(max_photos=msg.MAX_PHOTOS, kept=kept_count)
        notes.append(msg.plain(note))
        return notes
    notes.extend(msg.plain(problem) for problem in state.get("problems", []))
    return notes


def just_sent_note(receipt_no: str | None) -> list[Message]:
    """Return the note that photos starting a draft are not added to the
    report ``receipt_no`` sent moments ago, or nothing for None."""
    if receipt_no is None:
        return []
    return [msg.plain(texts.REPORT_PHOTO_AFTER_SENT.format(receipt_no=receipt_no))]


class PhotoSetSteps:
    """The report conversation's handling of photo sets, mixed into ReportFlow.

    It uses the flow's ``store`` and its steps ``_start``, ``_add_photo``,
    ``_next_step``, ``_prompt`` and ``_advance``.
    """

    store: ReportStore
    _start: Callable[..., list[Message]]
    _add_photo: Callable[[Draft, str | None], str | None]
    _next_step: Callable[[Draft], str]
    _prompt: Callable[[Draft], Message]
    _advance: Callable[[str, Draft], list[Message]]
    _just_sent_receipt: Callable[[str], str | None]

    def _remember_closed_set(self, user_hash: str, set_id: str | None) -> None:
        """Record the set just closed, so that a late photo of it is answered."""
        if set_id is not None:
            self.store.remember_closed_set(user_hash, set_id)

    def _is_closed_set(self, user_hash: str, image_set: ImageSet) -> bool:
        """Tell whether ``image_set`` is the last set the resident's draft closed."""
        return self.store.closed_set(user_hash) == image_set.set_id

    def _close_set_before(
        self, user_hash: str, draft: Draft | None, event: IncomingEvent
    ) -> list[Message]:
        """Close the draft's unfinished photo set when ``event`` is anything but
        another photo of it, and return the notice of the photos kept."""
        if draft is None or draft.photo_set is None:
            return []
        image_set = image_set_of(event) if event.message_type == "image" else None
        if image_set is not None and image_set.set_id == draft.photo_set.get("id"):
            return []
        return self._close_unfinished_set(user_hash, draft)

    def _after_set_notice(
        self,
        user_hash: str,
        event: IncomingEvent,
        notice: list[Message],
        replies: list[Message] | None,
    ) -> list[Message] | None:
        """Put the notice of an unfinished photo set before ``replies``.

        The notice is left out when the draft is gone (cancelled or sent) and
        after a crisis text, whose consultation line must come alone.
        """
        if self.store.load_draft(user_hash) is None:
            return replies
        if event.message_type == "text" and is_crisis(event.text or ""):
            return replies
        if replies is None or isinstance(replies, Preface):
            return Preface([*notice, *(replies or [])])
        return [*notice, *replies]

    def _start_with_set_photo(
        self, user_hash: str, event: IncomingEvent, image_set: ImageSet
    ) -> list[Message]:
        """Start a report with the first photo to arrive of a set sent together.

        The reply waits for the set's other photos (see :meth:`_on_set_photo`),
        unless the daily limit kept the draft from starting.
        """

        def add_photo(draft: Draft) -> list[Message]:
            problem = self._add_photo(draft, event.message_id)
            draft.photo_set = {
                "id": image_set.set_id,
                "total": image_set.total,
                "seen": [image_set.index],
                "started": True,
                "just_sent": self._just_sent_receipt(user_hash),
                "kept": 1 if problem is None else 0,
                "problems": [] if problem is None else [problem],
            }
            return []

        replies = self._start(user_hash, setup=add_photo)
        draft = self.store.load_draft(user_hash)
        if draft is None or draft.photo_set is None:
            return replies
        return self._set_reply(user_hash, draft) if image_set.total == 1 else []

    def _on_set_photo(
        self, user_hash: str, draft: Draft, event: IncomingEvent, image_set: ImageSet
    ) -> list[Message]:
        """Store one photo of a set and reply once every photo of it has come.

        LINE sends each photo of a set as its own event, in no promised order.
        One reply for the whole set counts the photos kept and gives each error
        once, such as the photo limit for a set of five.
        """
        state = draft.photo_set
        if state is None or state.get("id") != image_set.set_id:
            state = {
                "id": image_set.set_id,
                "total": image_set.total,
                "seen": [],
                "started": False,
                "problems": [],
            }
        if image_set.index not in state["seen"]:
            state["seen"].append(image_set.index)
            self._take_set_photo(draft, event, state)
        draft.photo_set = state
        if len(state["seen"]) < state["total"]:
            self.store.save_draft(user_hash, draft)
            return []
        return self._set_reply(user_hash, draft)

    def _take_set_photo(
        self, draft: Draft, event: IncomingEvent, state: dict[str, Any]
    ) -> None:
        """Store a photo of a set, and note in the set's ``state`` whether it
        was kept, over the photo limit, or rejected (with the error text)."""
        if any(photo.message_id == event.message_id for photo in draft.photos):
            return
        if len(draft.photos) >= msg.MAX_PHOTOS:
            state["over_limit"] = True
            return
        problem = self._add_photo(draft, event.message_id)
        if problem is None:
            state["kept"] = state.get("kept", 0) + 1
        elif problem not in state["problems"]:
            state["problems"].append(problem)

    def _set_reply(self, user_hash: str, draft: Draft) -> list[Message]:
        """Close the draft's photo set and return the one reply for it: the
        photos kept, the errors, and the prompt of the step that comes next."""
        state = draft.photo_set or {}
        draft.photo_set = None
        draft.closed_photo_set = state.get("id")
        self._remember_closed_set(user_hash, draft.closed_photo_set)
        notes = set_notes(state)
        count = len(draft.photos)
        if state.get("started"):
            lead = texts.REPORT_STARTED_BY_PHOTO.format(
                count=count, max_photos=msg.MAX_PHOTOS
            )
            replies = [msg.plain(lead)] if count else []
            draft.step = self._next_step(draft)
            self.store.save_draft(user_hash, draft)
            sent = just_sent_note(state.get("just_sent"))
            return [*sent, *replies, *notes, self._prompt(draft)]
        if draft.step == "photo" and count < msg.MAX_PHOTOS:
            self.store.save_draft(user_hash, draft)
            return [*notes, msg.photo_received(draft)]
        received = texts.REPORT_PHOTO_RECEIVED_LAST.format(
            count=count, max_photos=msg.MAX_PHOTOS
        )
        return [*notes, msg.plain(received), *self._advance(user_hash, draft)]

    def _close_unfinished_set(self, user_hash: str, draft: Draft) -> list[Message]:
        """Say what came of a photo set whose other photos never arrived.

        Called when the resident sends something else meanwhile, so that the
        photos kept are still counted. Returns no messages when no set is open.
        """
        state = draft.photo_set
        if state is None:
            return []
        draft.photo_set = None
        draft.closed_photo_set = state.get("id")
        self._remember_closed_set(user_hash, draft.closed_photo_set)
        self.store.save_draft(user_hash, draft)
        logger.info(
            "photo set closed with %d of %d photos seen",
            len(state.get("seen", [])),
            state.get("total", 0),
        )
        count = len(draft.photos)
        template = (
            texts.REPORT_STARTED_BY_PHOTO
            if state.get("started")
            else texts.REPORT_PHOTO_RECEIVED_LAST
        )
        notes = set_notes(state)
        lead = template.format(count=count, max_photos=msg.MAX_PHOTOS)
        return [msg.plain(lead), *notes] if count else notes
