"""The app without a usable index, and with an Answerer that fails at run time."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from cityline.fake_line_api import FakeLineApi
from webhook import texts
from webhook.app import create_app
from webhook.contact_route import contact_text
from webhook.testing import (
    TEST_CHANNEL_SECRET,
    loopback_settings,
    signed_headers,
    text_event,
    webhook_body,
)

REPLY = "/v2/bot/message/reply"
ALICE = "U" + "a" * 32
BASE = "http://city.test"


class Chat:
    """Posts signed events to the app and returns the replies they caused."""

    def __init__(self, client: TestClient, fake: FakeLineApi) -> None:
        self.client = client
        self.fake = fake
        self.replies_seen = 0

    def send(self, event: dict) -> list[dict]:
        body = webhook_body([event])
        response = self.client.post(
            "/callback", content=body, headers=signed_headers(body, TEST_CHANNEL_SECRET)
        )
        assert response.status_code == 200
        self.replies_seen += 1
        found = self.fake.wait_for(REPLY, self.replies_seen)
        return found[self.replies_seen - 1].json["messages"]


@pytest.fixture
def fake():
    with FakeLineApi() as server:
        yield server


def write_pages(settings) -> None:
    from crawler.records import StoredPage, utc_now
    from crawler.store import PageStore

    now = utc_now()
    store = PageStore.open(settings.pages_db_path)
    try:
        run_id = store.start_run(BASE + "/")
        for path, title, text in [
            ("/gomi.html", "粗大ごみの出し方", "粗大ごみは電話で申し込んでください。"),
            ("/tosho.html", "図書館の開館時間", "図書館は午前9時から開館します。"),
        ]:
            page = StoredPage(
                url=BASE + path,
                canonical_url=BASE + path,
                title=title,
                breadcrumbs=["くらし"],
                text=text,
                page_number=None,
                updated="2026-11-01",
                encoding="utf-8",
                status=200,
                content_hash=hashlib.sha256((title + text).encode()).hexdigest(),
                fetched_at=now,
                changed_at=now,
            )
            store.record_outcome(run_id, page.url, "done", page=page)
        store.finish_run(run_id, 0.1)
    finally:
        store.close()


def truncate_term_matrix(settings) -> None:
    from index.artifact import BUILDS_DIR, current_build

    build_id = current_build(settings.index_dir)
    path = settings.index_dir / BUILDS_DIR / build_id / "term_matrix.npz"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def test_truncated_index_starts_degraded(tmp_path, fake):
    build = pytest.importorskip("index.build")
    settings = loopback_settings(tmp_path / "data", fake.base_url)
    write_pages(settings)
    build.build_index(settings)
    truncate_term_matrix(settings)

    with TestClient(create_app(settings)) as client:
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.json()["index_loaded"] is False
        assert health.json()["database_writable"] is True
        chat = Chat(client, fake)

        question = chat.send(text_event(ALICE, "粗大ごみの出し方を教えてください"))
        unavailable = contact_text(texts.ANSWERER_UNAVAILABLE_TEMPLATE, settings)
        assert question[0]["text"] == unavailable

        report = chat.send(text_event(ALICE, "歩道の街灯が消えています"))
        assert "街路灯" in report[0]["text"]
        # Cancel the draft, so the report flow does not take the next text.
        cancelled = chat.send(text_event(ALICE, "キャンセル"))
        assert cancelled[0]["text"] != unavailable

        receive_settings = chat.send(text_event(ALICE, "受信設定"))
        assert receive_settings[0].get("text") != texts.RECEIVE_SETTINGS_UNAVAILABLE
        assert receive_settings[0].get("text") != unavailable


class SwitchableAnswerer:
    """Raises on every question while ``failing`` is set, else gives no answer."""

    def __init__(self) -> None:
        self.failing = True

    def ask(self, question: str, top_k: int = 3):
        if self.failing:
            raise RuntimeError("term matrix went missing")
        from types import SimpleNamespace

        return SimpleNamespace(answers=[], fallback=True, fallback_text="FALLBACK")


def test_answer_failure_shown_on_healthz(tmp_path, fake, caplog):
    settings = loopback_settings(tmp_path / "data", fake.base_url)
    answerer = SwitchableAnswerer()
    app = create_app(settings, answerer=answerer, flows=[])
    event = text_event(ALICE, "図書館は何時からですか")

    with TestClient(app) as client:
        assert client.get("/healthz").json()["answers"] == "ok"
        chat = Chat(client, fake)
        with caplog.at_level(logging.ERROR, logger="webhook.answering"):
            apology = chat.send(event)
        unavailable = contact_text(texts.ANSWERER_UNAVAILABLE_TEMPLATE, settings)
        assert apology[0]["text"] == unavailable

        failing = client.get("/healthz")
        assert failing.status_code == 503
        assert failing.json()["status"] == "unhealthy"
        assert failing.json()["index_loaded"] is True
        assert failing.json()["answers"] == "failing"
        failed_at = datetime.fromisoformat(failing.json()["answers_failed_at"])
        assert failed_at.tzinfo is not None

        answerer.failing = False
        answered = chat.send(text_event(ALICE, "図書館は何時からですか"))
        assert answered[0]["text"] == "FALLBACK"
        recovered = client.get("/healthz")
        assert recovered.status_code == 200
        assert recovered.json()["answers"] == "ok"
        assert "answers_failed_at" not in recovered.json()

    failures = [r for r in caplog.records if r.name == "webhook.answering"]
    assert len(failures) == 1
    assert event["webhookEventId"] in failures[0].getMessage()
    assert failures[0].exc_info is not None


def test_failed_delivery_shown_on_healthz(tmp_path, fake):
    settings = loopback_settings(tmp_path / "data", fake.base_url)
    answerer = SwitchableAnswerer()
    answerer.failing = False
    app = create_app(settings, answerer=answerer, flows=[])
    push = "/v2/bot/message/push"

    with TestClient(app) as client:
        assert client.get("/healthz").json()["replies"] == "none yet"
        fake.fail_next(REPLY, 400)
        fake.fail_next(push, 403, message="bad token")
        body = webhook_body([text_event(ALICE, "図書館は何時からですか")])
        client.post(
            "/callback", content=body, headers=signed_headers(body, TEST_CHANNEL_SECRET)
        )
        fake.wait_for(push, 1, accepted_only=False)
        app.state.service.worker.wait_idle(10)

        failing = client.get("/healthz")
        assert failing.status_code == 503
        assert failing.json()["replies"] == "failing"
        assert "status 403" in failing.json()["reply_error"]

        answered = Chat(client, fake).send(text_event(ALICE, "図書館は何時から"))
        assert answered[0]["text"] == "FALLBACK"
        # The worker records the delivery after the fake has recorded the reply.
        app.state.service.worker.wait_idle(10)
        recovered = client.get("/healthz")
        assert recovered.status_code == 200
        assert recovered.json()["replies"] == "ok"
        assert "reply_error" not in recovered.json()


def test_deleted_database_is_unhealthy(tmp_path, fake):
    settings = loopback_settings(tmp_path / "data", fake.base_url)
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").json()["database_writable"] is True
        (settings.data_dir / "cityline.db").unlink()
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.json()["database_writable"] is False


def test_one_resident_failure_leaves_replies_ok(monkeypatch):
    from webhook import sending
    from webhook.line_client import LineApiError

    sender = sending.ReplySender(line_client=None)
    sender._record(None)
    sender._record(LineApiError("push", 400, "r1", "blocked"))
    assert sender.delivery_health() == {"replies": "ok"}

    sender._record(LineApiError("push", 401, "r2", "bad token"))
    assert sender.delivery_health()["replies"] == "failing"

    monkeypatch.setattr(sending, "FAILURE_WINDOW_S", 0)
    assert sender.delivery_health() == {"replies": "ok"}
