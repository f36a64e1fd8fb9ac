"""Tests of the report conversation, driven with IncomingEvent objects."""

from __future__ import annotations

import io
import itertools
import json
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from answerer.intents import IntentClassifier
from cityline.db import create_db_engine
from cityline.settings import Settings
from webhook import texts
from webhook.flow import IncomingEvent
from webhook.reports.flow import MAX_REPORTS_PER_DAY, ReportFlow
from webhook.reports.models import Draft, StoredPhoto
from webhook.reports.photos import MAX_PHOTO_BYTES
from webhook.reports.store import new_draft_id

# Friday 4 December 2026, 10:00 in Japan: inside office hours.
OFFICE_HOURS = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)
# Friday 4 December 2026, 20:00 in Japan: after closing.
EVENING = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)
KICHIJOJI = (35.7031, 139.5798)
SHINJUKU = (35.6900, 139.7000)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def jpeg_bytes(color="red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), color).save(buffer, format="JPEG")
    return buffer.getvalue()


class Contents:
    """A fetch_content stand-in that serves bytes by message id."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self.calls: list[str] = []

    def __call__(self, message_id: str) -> bytes:
        self.calls.append(message_id)
        return self.data[message_id]


_ids = itertools.count()


class Resident:
    """Sends events from one LINE user to the flow and keeps the replies."""

    def __init__(self, flow: ReportFlow, contents: Contents, user_id: str) -> None:
        self.flow = flow
        self.contents = contents
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

    def image(self, data: bytes | None = None, message_id: str | None = None):
        message_id = message_id or f"m{next(_ids)}"
        self.contents.data[message_id] = jpeg_bytes() if data is None else data
        return self._send(message_type="image", message_id=message_id)

    def location(self, latitude, longitude, address=None):
        return self._send(
            message_type="location",
            message_id=f"m{next(_ids)}",
            latitude=latitude,
            longitude=longitude,
            address=address,
        )

    def postback(self, data: str):
        return self._send(event_type="postback", postback_data=data)

    @property
    def draft(self) -> Draft | None:
        return self.flow.store.load_draft(self.flow.store.hash_user(self.user_id))

    def press(self, action: str, **extra: str):
        """Press a draft button, as the quick reply would send it."""
        params = "".join(f"&{key}={value}" for key, value in extra.items())
        return self.postback(
            f"flow=report&action={action}&draft={self.draft.draft_id}{params}"
        )


def texts_of(replies) -> list[str]:
    return [message.text for message in replies]


def joined(replies) -> str:
    return "\n".join(texts_of(replies))


def action_types(message) -> list[str]:
    return [item.action.type for item in message.quick_reply.items]


@pytest.fixture(scope="module")
def classifier():
    return IntentClassifier.load()


@pytest.fixture
def clock() -> Clock:
    return Clock(OFFICE_HOURS)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def contents() -> Contents:
    return Contents()


@pytest.fixture
def make_flow(settings, contents, classifier, clock):
    def make() -> ReportFlow:
        engine = create_db_engine(settings.app_database_url)
        return ReportFlow(
            settings, engine, contents, classifier=classifier, clock=clock
        )

    return make


@pytest.fixture
def flow(make_flow) -> ReportFlow:
    return make_flow()


@pytest.fixture
def alice(flow, contents) -> Resident:
    return Resident(flow, contents, "Ualice0000000000000000000000000001")


@pytest.fixture
def bob(flow, contents) -> Resident:
    return Resident(flow, contents, "Ubob00000000000000000000000000002")


def send_complete_report(resident: Resident, text="街灯が消えています"):
    resident.text(text)
    resident.image()
    resident.press("photos_done")
    resident.location(*KICHIJOJI, address="東京都武蔵野市吉祥寺本町1丁目")
    resident.press("skip_comment")
    return resident.press("submit")


def test_free_text_report_skips_category(alice):
    replies = alice.text("街灯が消えています")
    assert len(replies) == 1
    assert "街路灯" in replies[0].text
    assert action_types(replies[0]) == ["camera", "cameraRoll", "postback"]
    assert alice.draft.step == "photo"
    assert alice.draft.category == "streetlight"


def test_whole_flow_stores_a_report(alice, flow, settings):
    alice.text("街灯が消えています")
    received = alice.image()
    assert "1/3" in received[0].text
    assert "postback" in action_types(received[0])
    location_prompt = alice.press("photos_done")
    assert action_types(location_prompt[0]) == ["location", "postback"]
    comment_prompt = alice.location(*KICHIJOJI, address="東京都武蔵野市吉祥寺本町1丁目")
    assert texts_of(comment_prompt) == [texts.REPORT_ASK_COMMENT]
    confirmation = alice.text("夜は真っ暗で危ないです")
    assert "種類：街路灯" in confirmation[0].text
    assert "写真：1枚" in confirmation[0].text
    assert "吉祥寺本町1丁目" in confirmation[0].text
    assert "夜は真っ暗で危ないです" in confirmation[0].text
    labels = [item.action.label for item in confirmation[0].quick_reply.items]
    assert labels == ["送信", "やめる"]

    done = alice.press("submit")
    reply = joined(done)
    assert "R2026-000001" in reply
    assert "道路管理課" in reply
    assert "8:30〜17:15" in reply
    assert texts.REPORT_NO_INDIVIDUAL_REPLY in reply
    assert "0422-51-5131" in reply
    # Sent during office hours: no "next confirmation" time.
    assert "次の確認" not in reply
    assert alice.draft is None

    [report] = flow.store.list()
    assert report.status == "submitted"
    assert report.category == "streetlight"
    assert report.latitude == KICHIJOJI[0]
    assert report.comment == "夜は真っ暗で危ないです"
    assert report.description == "街灯が消えています"
    assert report.user_hash == flow.store.hash_user(alice.user_id)
    assert (settings.photos_dir / report.photos[0].path).is_file()
    assert not report.outside_city


def test_text_tsuhou_asks_for_category(alice):
    replies = alice.text("通報")
    assert replies[0].text == texts.REPORT_ASK_CATEGORY
    labels = [item.action.label for item in replies[0].quick_reply.items]
    assert labels == [*texts.REPORT_CATEGORY_LABELS.values(), "やめる"]
    chosen = alice.press("category", value="sewer")
    assert "下水道" in chosen[0].text
    assert alice.draft.category == "sewer"


def test_start_postback_and_typed_category(alice):
    replies = alice.postback("flow=report&action=start")
    assert replies[0].text == texts.REPORT_ASK_CATEGORY
    alice.text("公園")
    assert alice.draft.category == "park"
    assert alice.draft.step == "photo"


def test_unclear_category_text_asks_again(alice):
    alice.text("通報")
    replies = alice.text("えーと")
    assert replies[0].text == texts.REPORT_ASK_CATEGORY_AGAIN
    assert alice.draft.step == "category"


def test_questions_are_not_taken(alice):
    assert alice.text("マンホールが壊れているときはどうすれば?") is None
    assert alice.text("こんにちは") is None
    assert alice.text("粗大ごみの出し方は？") is None
    assert alice.draft is None


@pytest.mark.parametrize("text", ["はい", "了解", "テスト", "ありがとう", "受信設定"])
def test_short_chatter_is_not_taken(alice, text):
    assert alice.text(text) is None
    assert alice.draft is None


def test_other_events_are_not_taken(alice, flow):
    assert alice.postback("flow=settings&action=show") is None
    follow = IncomingEvent(
        event_id="f1",
        event_type="follow",
        user_id=alice.user_id,
        reply_token="r",
        timestamp_ms=0,
    )
    assert flow.handle(follow) is None
    assert alice.image() is None
    assert alice.text("やめる") is None


@pytest.mark.parametrize(
    "step", ["category", "photo", "location", "comment", "confirm"]
)
@pytest.mark.parametrize("word", ["やめる", "キャンセル"])
def test_cancel_at_any_step(alice, settings, step, word):
    alice.text("通報")
    if step != "category":
        alice.press("category", value="road")
    photo_path = None
    if step not in ("category", "photo"):
        alice.image()
        photo_path = settings.photos_dir / alice.draft.photos[0].path
        alice.press("photos_done")
    if step in ("comment", "confirm"):
        alice.text("中町1丁目3番")
    if step == "confirm":
        alice.press("skip_comment")
    assert alice.draft.step == step

    replies = alice.text(word)
    assert replies[0].text == texts.REPORT_CANCELLED
    assert alice.draft is None
    if photo_path is not None:
        assert not photo_path.exists()


def test_cancel_button(alice, flow):
    alice.text("通報")
    replies = alice.press("cancel")
    assert replies[0].text == texts.REPORT_CANCELLED
    assert alice.draft is None
    again = alice.postback("flow=report&action=cancel&draft=old")
    assert again[0].text == texts.REPORT_NOTHING_TO_CANCEL
    assert flow.store.list() == []


def test_draft_expires_after_30_minutes(alice, clock, settings):
    alice.text("街灯が消えています")
    alice.image()
    photo_path = settings.photos_dir / alice.draft.photos[0].path
    clock.now += timedelta(minutes=29)
    assert alice.press("photos_done")[0].text == texts.REPORT_ASK_LOCATION

    clock.now += timedelta(minutes=31)
    replies = alice.text("吉祥寺本町1丁目")
    assert replies[0].text == texts.REPORT_EXPIRED
    assert alice.draft is None
    assert not photo_path.exists()


def test_expired_draft_then_new_report(alice, clock):
    alice.text("通報")
    clock.now += timedelta(hours=1)
    replies = alice.text("公園のブランコが壊れている")
    assert replies[0].text == texts.REPORT_EXPIRED
    assert "公園" in replies[1].text
    assert alice.draft.category == "park"


def test_restart_mid_flow_keeps_the_draft(alice, make_flow, contents):
    alice.text("街灯が消えています")
    alice.image()
    restarted = Resident(make_flow(), contents, alice.user_id)
    restarted.press("photos_done")
    restarted.location(*KICHIJOJI)
    restarted.press("skip_comment")
    done = restarted.press("submit")
    assert "R2026-000001" in done[0].text
    [report] = restarted.flow.store.list()
    assert len(report.photos) == 1


def test_location_outside_city_is_noted_and_stored(alice, flow):
    alice.text("街灯が消えています")
    alice.image()
    alice.press("photos_done")
    replies = alice.location(*SHINJUKU, address="東京都新宿区西新宿2丁目")
    assert replies[0].text == texts.REPORT_OUTSIDE_CITY
    alice.press("skip_comment")
    done = alice.press("submit")
    assert texts.REPORT_OUTSIDE_CITY in done[0].text
    [report] = flow.store.list()
    assert report.outside_city
    assert report.status == "submitted"


def test_typed_address_in_neighbouring_city_is_noted(alice, flow):
    alice.text("街灯が消えています")
    alice.image()
    alice.press("photos_done")
    replies = alice.text("三鷹市下連雀3丁目")
    assert replies[0].text == texts.REPORT_OUTSIDE_CITY
    assert alice.draft.outside_city


def test_text_that_is_no_place_asks_again(alice):
    alice.text("街灯が消えています")
    alice.image()
    alice.press("photos_done")
    replies = alice.text("家の近く")
    assert replies[0].text == texts.REPORT_ASK_LOCATION_AGAIN
    assert alice.draft.step == "location"
    alice.text("八幡町2丁目")
    assert alice.draft.address == "八幡町2丁目"
    assert alice.draft.location_source == "text"
    assert alice.draft.step == "comment"


def test_file_that_is_not_an_image_is_rejected(alice, settings):
    alice.text("街灯が消えています")
    replies = alice.image(data=b"GIF89a but really just text")
    assert replies[0].text == texts.REPORT_PHOTO_INVALID
    assert alice.draft.photos == []
    assert alice.draft.step == "photo"
    assert not settings.photos_dir.exists() or not any(
        settings.photos_dir.rglob("*.jpg")
    )


def test_oversized_photo_is_rejected(alice):
    alice.text("街灯が消えています")
    replies = alice.image(data=b"\xff\xd8" + b"\0" * MAX_PHOTO_BYTES)
    assert "10 MB" in replies[0].text
    assert alice.draft.photos == []


def test_failed_download_asks_again(alice, contents):
    from cityline.errors import CitylineError

    def failing(message_id: str) -> bytes:
        raise CitylineError("LINE API get_content failed with status 500")

    alice.flow._fetch_content = failing
    alice.text("街灯が消えています")
    replies = alice.image()
    assert replies[0].text == texts.REPORT_PHOTO_FAILED


def test_at_most_three_photos(alice):
    alice.text("街灯が消えています")
    alice.image()
    alice.image()
    third = alice.image()
    assert third[0].text == texts.REPORT_ASK_LOCATION
    fourth = alice.image()
    assert "3枚まで" in fourth[0].text
    assert len(alice.draft.photos) == 3


def test_same_image_message_is_added_once(alice, contents):
    alice.text("街灯が消えています")
    alice.image(message_id="same")
    alice.image(message_id="same")
    assert len(alice.draft.photos) == 1
    assert contents.calls == ["same"]


def test_photo_needed_before_next(alice):
    alice.text("街灯が消えています")
    replies = alice.text("次へ")
    assert replies[0].text == texts.REPORT_ASK_PHOTO_AGAIN
    assert alice.press("photos_done")[0].text == texts.REPORT_ASK_PHOTO_AGAIN


def test_location_sent_before_photo_is_kept(alice):
    alice.text("街灯が消えています")
    replies = alice.location(*KICHIJOJI)
    assert replies[0].text == texts.REPORT_LOCATION_RECEIVED_EARLY
    assert alice.draft.step == "photo"
    alice.image()
    after = alice.press("photos_done")
    assert after[0].text == texts.REPORT_ASK_COMMENT


def test_address_typed_before_photo_is_kept(alice):
    alice.text("街灯が消えています")
    replies = alice.text("緑町2丁目4番")
    assert replies[0].text == texts.REPORT_LOCATION_RECEIVED_EARLY
    assert alice.draft.address == "緑町2丁目4番"
    alice.image()
    assert alice.press("photos_done")[0].text == texts.REPORT_ASK_COMMENT


def test_second_submit_gives_one_report(alice, flow):
    send_complete_report(alice)
    draft_id = flow.store.list()[0].draft_id
    again = alice.postback(f"flow=report&action=submit&draft={draft_id}")
    assert again[0].text == texts.REPORT_ALREADY_SUBMITTED.format(
        receipt_no="R2026-000001"
    )
    assert len(flow.store.list()) == 1


def test_submit_before_complete_asks_for_missing(alice, flow):
    alice.text("街灯が消えています")
    replies = alice.press("submit")
    assert "写真" in replies[0].text
    assert alice.draft.step == "photo"
    assert flow.store.list() == []


def test_typed_submit_word(alice, flow):
    alice.text("街灯が消えています")
    alice.image()
    alice.press("photos_done")
    alice.location(*KICHIJOJI)
    alice.text("スキップ")
    done = alice.text("送信")
    assert "R2026-000001" in done[0].text
    assert len(flow.store.list()) == 1


def test_two_residents_keep_separate_drafts(alice, bob, flow):
    alice.text("街灯が消えています")
    bob.text("公園のブランコが壊れている")
    alice.image()
    bob.image()
    bob.image()
    alice.press("photos_done")
    bob.press("photos_done")
    bob.location(35.7178, 139.5661)
    alice.location(*KICHIJOJI)
    assert alice.draft.category == "streetlight"
    assert bob.draft.category == "park"
    alice.press("skip_comment")
    bob.text("鎖が切れています")
    alice_done = alice.press("submit")
    bob_done = bob.press("submit")
    assert "道路管理課" in alice_done[0].text
    assert "緑のまち推進課" in bob_done[0].text
    reports = {report.category: report for report in flow.store.list()}
    assert len(reports["streetlight"].photos) == 1
    assert len(reports["park"].photos) == 2
    assert reports["park"].comment == "鎖が切れています"
    assert reports["park"].user_hash != reports["streetlight"].user_hash


def test_button_of_another_draft_is_refused(alice):
    alice.text("通報")
    old_id = alice.draft.draft_id
    alice.press("cancel")
    alice.text("通報")
    replies = alice.postback(f"flow=report&action=category&draft={old_id}&value=road")
    assert replies[0].text == texts.REPORT_DRAFT_NOT_FOUND
    assert alice.draft.category is None


def test_urgent_report_gets_phone_at_once(alice, flow):
    replies = alice.text("道路が陥没して水が噴き出している")
    assert replies[0].text == texts.REPORT_URGENT.format(phone="0422-51-5131")
    assert alice.draft.urgent
    alice.image()
    alice.press("photos_done")
    alice.location(*KICHIJOJI)
    alice.press("skip_comment")
    alice.press("submit")
    [report] = flow.store.list()
    assert report.urgent


def test_urgent_comment_gets_phone(alice):
    alice.text("通報")
    alice.press("category", value="tree")
    alice.image()
    alice.press("photos_done")
    alice.location(*KICHIJOJI)
    replies = alice.text("木が倒れて道をふさいでいます")
    assert replies[0].text == texts.REPORT_URGENT.format(phone="0422-51-5131")
    assert alice.draft.urgent


def test_reply_after_hours_gives_next_confirmation(alice, clock):
    clock.now = EVENING
    done = send_complete_report(alice)
    assert "次の確認は 12月7日（月）8:30 以降になります。" in done[0].text


def test_nearby_report_gets_duplicate_note(alice, bob, flow):
    send_complete_report(alice)
    done = send_complete_report(bob, "街灯がついていない")
    assert texts.REPORT_DUPLICATE_NOTE in done[0].text
    second = flow.store.list()[0]
    assert second.duplicate_of == "R2026-000001"


def test_rate_limit_stops_new_reports(alice, flow):
    user_hash = flow.store.hash_user(alice.user_id)
    photo = StoredPhoto(path="x.jpg", sha256="0" * 64, width=1, height=1, size_bytes=1)
    for number in range(MAX_REPORTS_PER_DAY):
        draft = Draft(
            draft_id=new_draft_id(),
            step="confirm",
            category="road",
            photos=[photo],
            address=f"中町1丁目{number}番",
        )
        flow.store.submit(user_hash, draft, "道路管理課")
    replies = alice.text("通報")
    assert "0422-51-5131" in replies[0].text
    assert alice.draft is None


def test_forget_user_deletes_draft_and_unlinks(alice, bob, flow, settings):
    send_complete_report(alice)
    alice.text("通報")
    alice.press("category", value="road")
    alice.image()
    draft_photo = settings.photos_dir / alice.draft.photos[0].path
    send_complete_report(bob)
    flow.forget_user(alice.user_id)
    assert alice.draft is None
    assert not draft_photo.exists()
    hashes = [report.user_hash for report in flow.store.list()]
    assert flow.store.hash_user(alice.user_id) not in hashes
    assert flow.store.hash_user(bob.user_id) in hashes
    # The report itself stays for the city, with its photo.
    assert len(flow.store.list()) == 2


def test_routing_file_overrides_department(settings, contents, classifier, clock):
    settings.data_dir.mkdir(parents=True)
    routing = {"streetlight": "街路灯係"}
    (settings.data_dir / "report_routing.json").write_text(
        json.dumps(routing, ensure_ascii=False), encoding="utf-8"
    )
    engine = create_db_engine(settings.app_database_url)
    flow = ReportFlow(settings, engine, contents, classifier=classifier, clock=clock)
    resident = Resident(flow, contents, "Ucarol")
    done = send_complete_report(resident)
    assert "担当：街路灯係" in done[0].text


def test_bad_routing_file_names_the_category(settings, contents, classifier):
    from cityline.errors import ConfigError

    settings.data_dir.mkdir(parents=True)
    (settings.data_dir / "report_routing.json").write_text('{"bridge": "x"}')
    engine = create_db_engine(settings.app_database_url)
    with pytest.raises(ConfigError, match="'bridge'"):
        ReportFlow(settings, engine, contents, classifier=classifier)


def test_replies_stay_within_line_limits(alice):
    long_comment = "穴" * 3000
    alice.text("通報")
    alice.press("category", value="road")
    alice.image()
    alice.press("photos_done")
    alice.text("中町1丁目")
    confirmation = alice.text(long_comment)
    assert len(confirmation[0].text) < 1000
    assert len(alice.draft.comment) <= 1000
