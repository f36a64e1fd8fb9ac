"""Report buttons that carry a draft id other than the resident's current draft.

LINE keeps old quick replies tappable, so a resident can press やめる or 送信 of a
draft that is gone, and a forged postback can carry anyone's draft id. Such a tap
must leave every draft as it was.
"""

from __future__ import annotations

import io
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from cityline.db import create_db_engine
from cityline.fake_line_api import FakeLineApi
from cityline.settings import Settings
from tests.answerers import RecordingAnswerer
from webhook import texts
from webhook.app import create_app
from webhook.flow import IncomingEvent
from webhook.line_client import LineClient
from webhook.reports.flow import ReportFlow
from webhook.reports.models import Draft
from webhook.testing import (
    TEST_CHANNEL_SECRET,
    loopback_settings,
    postback_event,
    signed_headers,
    text_event,
    webhook_body,
)

# Friday 4 December 2026, 10:00 in Japan: inside office hours.
OFFICE_HOURS = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)
KICHIJOJI = (35.7031, 139.5798)
ALICE = "U" + "a" * 32
BOB = "U" + "b" * 32

_ids = itertools.count()


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), "blue").save(buffer, format="JPEG")
    return buffer.getvalue()


class Resident:
    """Sends one LINE user's events straight to the flow."""

    def __init__(self, flow: ReportFlow, photos: dict[str, bytes], user_id: str):
        self.flow = flow
        self.photos = photos
        self.user_id = user_id

    def _send(self, **fields) -> list | None:
        fields.setdefault("event_type", "message")
        event = IncomingEvent(
            event_id=f"e{next(_ids)}",
            user_id=self.user_id,
            reply_token=f"r{next(_ids)}",
            timestamp_ms=0,
            **fields,
        )
        return self.flow.handle(event)

    def text(self, text: str) -> list | None:
        return self._send(message_type="text", text=text)

    def image(self) -> list | None:
        message_id = f"m{next(_ids)}"
        self.photos[message_id] = jpeg_bytes()
        return self._send(message_type="image", message_id=message_id)

    def location(self) -> list | None:
        return self._send(
            message_type="location",
            message_id=f"m{next(_ids)}",
            latitude=KICHIJOJI[0],
            longitude=KICHIJOJI[1],
            address="東京都武蔵野市吉祥寺本町1丁目",
        )

    def postback(self, data: str) -> list | None:
        return self._send(event_type="postback", postback_data=data)

    def press(self, action: str, draft_id: str | None = None, **extra: str):
        """Press a button of ``draft_id``, by default of the current draft."""
        draft_id = draft_id or self.draft.draft_id
        params = "".join(f"&{key}={value}" for key, value in extra.items())
        return self.postback(f"flow=report&action={action}&draft={draft_id}{params}")

    @property
    def draft(self) -> Draft | None:
        return self.flow.store.load_draft(self.flow.store.hash_user(self.user_id))


@pytest.fixture
def clock() -> Clock:
    return Clock(OFFICE_HOURS)


@pytest.fixture
def photos() -> dict[str, bytes]:
    """Image bytes by LINE message id, served as the content API would."""
    return {}


@pytest.fixture
def flow(tmp_path, classifier, clock, photos) -> ReportFlow:
    settings = Settings(data_dir=tmp_path / "data")
    engine = create_db_engine(settings.app_database_url)
    yield ReportFlow(
        settings, engine, photos.__getitem__, classifier=classifier, clock=clock
    )
    engine.dispose()


@pytest.fixture
def alice(flow, photos) -> Resident:
    return Resident(flow, photos, ALICE)


@pytest.fixture
def bob(flow, photos) -> Resident:
    return Resident(flow, photos, BOB)


def cancelled_draft_id(resident: Resident) -> str:
    """Start a draft, cancel it with its button, and return its id."""
    resident.text("通報")
    draft_id = resident.draft.draft_id
    assert resident.press("cancel")[0].text == texts.REPORT_CANCELLED
    return draft_id


def reach(resident: Resident, step: str) -> None:
    """Start a 道路 draft and fill it in until it waits at ``step``.

    ``step`` "question" is the comment step with a question pending, which
    offers 補足にする.
    """
    resident.text("通報")
    if step != "category":
        resident.press("category", value="road")
        resident.image()
    if step not in ("category", "photo"):
        resident.press("photos_done")
    if step in ("comment", "question", "confirm"):
        resident.location()
    if step == "question":
        resident.text("市役所の開庁時間は？")
    if step == "confirm":
        resident.press("skip_comment")
    assert resident.draft.step == ("comment" if step == "question" else step)
    assert (resident.draft.pending_comment is not None) == (step == "question")


def test_stale_cancel_keeps_current_draft(alice, clock):
    old_id = cancelled_draft_id(alice)
    alice.text("通報")
    alice.press("category", value="road")
    before = alice.draft
    clock.now += timedelta(minutes=1)

    replies = alice.press("cancel", old_id)

    assert replies[0].text == texts.REPORT_STALE_BUTTON
    assert alice.draft == before
    assert alice.draft.category == "road"
    # The current draft's prompt follows, so the resident can go on with it.
    assert len(replies) == 2
    assert "写真" in replies[1].text


# Each action with the step where its button is offered, so that pressing the
# current draft's button would change the draft.
STALE_ACTIONS = [
    ("cancel", "category", {}),
    ("category", "category", {"value": "road"}),
    ("photos_done", "photo", {}),
    ("skip_comment", "comment", {}),
    ("use_comment", "question", {}),
    ("submit", "confirm", {}),
    ("no_such_action", "photo", {}),
]


@pytest.mark.parametrize(("action", "step", "extra"), STALE_ACTIONS)
def test_stale_button_changes_nothing(alice, flow, clock, action, step, extra):
    old_id = cancelled_draft_id(alice)
    reach(alice, step)
    before = alice.draft
    clock.now += timedelta(minutes=1)

    replies = alice.press(action, old_id, **extra)

    assert replies[0].text == texts.REPORT_STALE_BUTTON
    assert alice.draft == before
    assert flow.store.list() == []
    assert len(replies) == 2


@pytest.mark.parametrize(("action", "step", "extra"), STALE_ACTIONS)
def test_other_residents_draft_id_changes_nothing(alice, bob, action, step, extra):
    reach(alice, step)
    reach(bob, step)
    alice_before = alice.draft
    bob_before = bob.draft

    replies = alice.press(action, bob.draft.draft_id, **extra)

    assert replies[0].text == texts.REPORT_STALE_BUTTON
    assert alice.draft == alice_before
    assert bob.draft == bob_before


def test_button_without_draft_id_changes_nothing(alice):
    reach(alice, "photo")
    before = alice.draft
    replies = alice.postback("flow=report&action=cancel")
    assert replies[0].text == texts.REPORT_STALE_BUTTON
    assert alice.draft == before


def test_stale_button_without_draft_offers_start(alice):
    old_id = cancelled_draft_id(alice)
    replies = alice.press("category", old_id, value="road")
    assert len(replies) == 1
    assert replies[0].text == texts.REPORT_DRAFT_NOT_FOUND
    labels = [item.action.label for item in replies[0].quick_reply.items]
    assert texts.REPORT_BUTTON_START in labels
    assert alice.draft is None


def test_stale_cancel_without_draft(alice):
    old_id = cancelled_draft_id(alice)
    replies = alice.press("cancel", old_id)
    assert replies[0].text == texts.REPORT_NOTHING_TO_CANCEL
    assert alice.draft is None


def test_current_cancel_button_still_cancels(alice):
    reach(alice, "comment")
    replies = alice.press("cancel")
    assert replies[0].text == texts.REPORT_CANCELLED
    assert alice.draft is None


def submitted_draft_id(resident: Resident) -> str:
    reach(resident, "confirm")
    draft_id = resident.draft.draft_id
    done = resident.press("submit")
    assert "R2026-000001" in done[0].text
    return draft_id


def test_other_residents_submit_hides_receipt(alice, bob, flow):
    bob_id = submitted_draft_id(bob)
    reach(alice, "photo")
    before = alice.draft

    replies = alice.press("submit", bob_id)

    assert replies[0].text == texts.REPORT_STALE_BUTTON
    assert "R2026-000001" not in "".join(reply.text for reply in replies)
    assert alice.draft == before
    assert len(flow.store.list()) == 1


def test_resubmit_keeps_next_draft(alice, flow):
    old_id = submitted_draft_id(alice)
    reach(alice, "confirm")
    before = alice.draft

    replies = alice.press("submit", old_id)

    assert replies[0].text.startswith("通報を送信しました。受付番号は R2026-000001")
    assert alice.draft == before
    assert len(flow.store.list()) == 1
    assert len(replies) == 2


# Through the app ------------------------------------------------------------------


def button_data(messages: list[dict], label: str) -> str:
    """Return the postback data of the quick reply ``label`` in the last message."""
    for item in messages[-1]["quickReply"]["items"]:
        if item["action"].get("label") == label:
            return item["action"]["data"]
    raise AssertionError(f"no quick reply {label!r} in {messages[-1]}")


def test_stale_cancel_through_the_app(tmp_path, classifier):
    reply_path = "/v2/bot/message/reply"
    with FakeLineApi() as fake:
        settings = loopback_settings(tmp_path / "data", fake.base_url)
        engine = create_db_engine(settings.app_database_url)
        line_client = LineClient(settings, backoff_base_s=0.01)
        flow = ReportFlow(
            settings, engine, line_client.get_content, classifier=classifier
        )
        app = create_app(
            settings,
            answerer=RecordingAnswerer(),
            engine=engine,
            flows=[flow],
            line_client=line_client,
        )
        sent = 0

        def send(client: TestClient, event: dict) -> list[dict]:
            nonlocal sent
            body = webhook_body([event])
            response = client.post(
                "/callback",
                content=body,
                headers=signed_headers(body, TEST_CHANNEL_SECRET),
            )
            assert response.status_code == 200
            sent += 1
            return fake.wait_for(reply_path, sent)[sent - 1].json["messages"]

        with TestClient(app) as client:
            first = send(client, text_event(ALICE, "通報"))
            stale_cancel = button_data(first, texts.REPORT_BUTTON_CANCEL)
            send(client, postback_event(ALICE, stale_cancel))
            second = send(client, text_event(ALICE, "通報"))
            road = button_data(second, texts.REPORT_CATEGORY_LABELS["road"])
            send(client, postback_event(ALICE, road))

            replies = send(client, postback_event(ALICE, stale_cancel))

        draft = flow.store.load_draft(flow.store.hash_user(ALICE))
        engine.dispose()

    assert replies[0]["text"] == texts.REPORT_STALE_BUTTON
    assert draft is not None
    assert draft.category == "road"
    assert draft.step == "photo"
