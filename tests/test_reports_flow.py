"""Tests of the report conversation, driven with IncomingEvent objects."""

from __future__ import annotations

import io
import itertools
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from cityline.db import create_db_engine
from cityline.settings import Settings
from webhook import texts
from webhook.contact_route import contact_text
from webhook.flow import ContentTooLarge, IncomingEvent, Preface
from webhook.reports import flow as report_flow
from webhook.reports.comments import MAX_COMMENT_CHARS
from webhook.reports.contact import has_contact_details
from webhook.reports.flow import MAX_REPORTS_PER_DAY, ReportFlow
from webhook.reports.models import Draft, StoredPhoto
from webhook.reports.photos import MAX_PHOTO_BYTES
from webhook.reports.store import new_draft_id

OUTSIDE_CITY = texts.REPORT_OUTSIDE_CITY.format(city_name="武蔵野市")
OUTSIDE_CITY_SENT = texts.REPORT_OUTSIDE_CITY_SENT.format(city_name="武蔵野市")

CITY_HALL_LINE = contact_text(texts.REPORT_URGENT_CITY_HALL, Settings())
SUBMITTED_ROUTE = contact_text(texts.REPORT_SUBMITTED_URGENT_ROUTE, Settings())
IDLE_NOTE = texts.REPORT_IDLE_NOTE.format(idle="30分", complete_idle="24時間")
# The category prompt as the reply that starts a draft ends with it.
ASK_CATEGORY_AT_START = f"{texts.REPORT_ASK_CATEGORY}\n{IDLE_NOTE}"

# Friday 4 December 2026, 10:00 in Japan: inside office hours.
OFFICE_HOURS = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)
# Friday 4 December 2026, 20:00 in Japan: after closing.
EVENING = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)
KICHIJOJI = (35.7031, 139.5798)
# Just over the eastern boundary, in Suginami; Kyoto is far outside.
NEAR_OUTSIDE = (35.7050, 139.6030)
KYOTO = (35.0116, 135.7681)


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
        fields.setdefault("timestamp_ms", 0)
        event = IncomingEvent(
            event_id=f"e{next(_ids)}",
            user_id=self.user_id,
            reply_token=f"r{next(_ids)}",
            **fields,
        )
        self.last_event = event
        return self.flow.handle(event)

    def resend(self) -> list | None:
        """Handle the last event again, as after a restart before its reply."""
        return self.flow.handle(self.last_event)

    def text(self, text: str) -> list | None:
        return self._send(message_type="text", text=text)

    def image(
        self,
        data: bytes | None = None,
        message_id: str | None = None,
        image_set: dict | None = None,
    ):
        message_id = message_id or f"m{next(_ids)}"
        self.contents.data[message_id] = jpeg_bytes() if data is None else data
        raw = {} if image_set is None else {"message": {"imageSet": image_set}}
        return self._send(message_type="image", message_id=message_id, raw=raw)

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
    assert labels == ["送信", "種類を変える", "場所を変える", "やめる"]

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


def test_category_can_be_changed_at_confirmation(alice, flow):
    alice.text("街灯が消えています")
    alice.image()
    alice.press("photos_done")
    alice.location(*KICHIJOJI, address="東京都武蔵野市吉祥寺本町1丁目")
    alice.press("skip_comment")
    [prompt] = alice.press("change_category")
    assert alice.draft.step == "category"
    [confirmation] = alice.press("category", value="park")
    assert "種類：公園" in confirmation.text
    alice.press("submit")
    [report] = flow.store.list()
    assert (report.category, report.department) == ("park", "緑のまち推進課")
    assert len(report.photos) == 1


def test_text_tsuhou_asks_for_category(alice):
    replies = alice.text("通報")
    assert replies[0].text == ASK_CATEGORY_AT_START
    labels = [item.action.label for item in replies[0].quick_reply.items]
    assert labels == [*texts.REPORT_CATEGORY_LABELS.values(), "やめる"]
    chosen = alice.press("category", value="sewer")
    assert "下水道" in chosen[0].text
    assert alice.draft.category == "sewer"


def test_start_postback_and_typed_category(alice):
    replies = alice.postback("flow=report&action=start")
    assert replies[0].text == ASK_CATEGORY_AT_START
    alice.text("公園")
    assert alice.draft.category == "park"
    assert alice.draft.step == "photo"


def test_unclear_category_text_asks_again(alice):
    alice.text("通報")
    replies = alice.text("えーと")
    assert replies[0].text == texts.REPORT_ASK_CATEGORY_AGAIN
    assert alice.draft.step == "category"


def test_questions_are_not_taken(alice):
    route = alice.text("マンホールが壊れているときはどうすれば?")
    assert "このLINEで通報できます" in texts_of(route)[0]
    assert alice.text("こんにちは") is None
    assert alice.text("粗大ごみの出し方は？") is None
    assert alice.draft is None


def test_garbage_question_is_left_to_pages(alice):
    assert alice.text("割れたコップとか電球って何ごみの日に出せばいいの") is None
    assert alice.draft is None


@pytest.mark.parametrize(
    "text",
    [
        "街灯の下に止めていた自転車が盗まれました",
        "ふたりの男に財布を盗まれました",
        "空き巣に入られました",
        "公園で不審者を見ました",
        "公園で泥棒を見ました",
        "公園でひったくりにあいました",
        "公園で自転車を盗まれました",
        "公園で喧嘩をしていて危ないです",
        "何か燃えているにおいがする、火事です",
    ],
)
def test_crime_or_fire_starts_no_report(alice, text):
    assert alice.text(text) is None
    assert alice.draft is None


SUSPICIOUS_PERSON_HEARSAY = [
    "不審者がいるらしい",
    "変な人がうろついていると聞いた",
    "最近このあたりで不審者が多いと聞きました",
    # A park named as the place is no fault of the park.
    "公園のトイレに不審者がいるらしい",
    "公園に不審者がいそうで怖い",
    # Dusk as a time of day is no dark place.
    "公園に不審者がいるらしいので、暗くなる前に子どもを帰らせます",
    # 電話が切れた is no light that is out.
    "公園のベンチで不審な男がずっと寝てる、電話が切れた",
]


@pytest.mark.parametrize("text", SUSPICIOUS_PERSON_HEARSAY)
def test_suspicious_person_hearsay_gets_police_routes(alice, text):
    [reply] = alice.text(text)
    assert "110番" in reply.text
    assert "#9110" in reply.text
    assert "「防災・安全」" in reply.text
    assert quick_labels(reply) == [texts.QUICK_SETTINGS]
    assert alice.draft is None


def test_suspicious_person_in_romaji_starts_no_report(alice):
    alice.text("kouen ni fushinsha ga iru rashii")
    assert alice.draft is None


def test_place_typed_in_romaji_is_taken(alice):
    alice.text("道路に穴があいてます")
    alice.image()
    alice.press("photos_done")
    alice.text("nakacho 1-chome 5")
    assert alice.draft.address == "中町1丁目5番"
    assert alice.draft.step == "comment"


def test_crowd_is_no_suspicious_person(alice):
    # 大変な人気 contains 変な人.
    question = "井の頭公園のボートは大変な人気ですが、予約はできますか"
    assert alice.text(question) is None
    replies = alice.text("駅前の広場はたいへんな人出で、放置自転車が邪魔です")
    assert "#9110" not in joined(replies)


def test_suspicious_person_note_names_safety_category(alice, settings):
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    catalog = {"categories": [{"key": "bosai", "name": "安全・安心"}]}
    (settings.data_dir / "receive_categories.json").write_text(
        json.dumps(catalog, ensure_ascii=False), encoding="utf-8"
    )
    [reply] = alice.text("不審者がいるらしい")
    assert "「安全・安心」" in reply.text


def test_suspicious_person_sighting_is_for_the_core(alice):
    assert alice.text("不審者がいます") is None
    assert alice.draft is None


@pytest.mark.parametrize(
    "text",
    [
        "街灯が消えていて、不審者がよく出るので早く直してください",
        "街灯が暗くて不審者が出そうで怖い",
    ],
)
def test_light_that_draws_suspicious_people_is_reported(alice, text):
    alice.text(text)
    assert alice.draft.category == "streetlight"


def test_overgrown_park_that_hides_suspicious_people_is_reported(alice):
    # 隠れられそう is a conjecture: its られ is no passive of a crime.
    alice.text("公園の植え込みが伸び放題で見通しが悪く、不審者が隠れられそう")
    assert alice.draft.category in ("park", "tree")


def test_fault_with_accident_starts_report(alice):
    assert alice.text("道路の穴で交通事故が起きそうです") is not None
    assert alice.draft is not None


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
    assert alice.text("やめる") is None


def test_photo_without_a_report_starts_one(alice, flow):
    replies = alice.image()
    assert replies[0].text == texts.REPORT_STARTED_BY_PHOTO.format(
        count=1, max_photos=3
    )
    assert replies[1].text == ASK_CATEGORY_AT_START
    assert "やめる" in quick_labels(replies[1])
    draft = alice.draft
    assert draft.step == "category"
    assert len(draft.photos) == 1
    # The photo is there, so the place comes next; more photos are still taken.
    alice.press("category", value="park")
    assert alice.draft.step == "location"


def test_later_photo_omits_next_button(alice):
    alice.image()
    assert alice.draft.step == "category"
    replies = alice.image()
    assert replies[0].text == texts.REPORT_PHOTO_RECEIVED_LAST.format(
        count=2, max_photos=3
    )
    assert all("次へ" not in reply.text for reply in replies)


@pytest.mark.parametrize(
    ("message_type", "reply"),
    [
        ("video", texts.REPORT_VIDEO_NOT_PHOTO),
        ("file", texts.REPORT_FILE_NOT_PHOTO),
        ("sticker", texts.REPORT_UNSUPPORTED_MESSAGE),
    ],
)
def test_video_at_photo_step_is_not_a_photo(alice, message_type, reply):
    alice.text("通報")
    alice.press("category", value="road")
    assert alice.draft.step == "photo"
    replies = alice._send(message_type=message_type, message_id="m-other")
    assert replies[0].text == reply
    assert alice.draft.step == "photo"
    assert alice.draft.photos == []


def test_location_outside_city_starts_report_lead_first(alice):
    replies = alice.location(*NEAR_OUTSIDE)
    assert replies[0].text == texts.REPORT_STARTED_BY_LOCATION
    assert replies[1].text == OUTSIDE_CITY
    assert alice.draft.outside_city


def test_location_without_a_report_starts_one(alice):
    replies = alice.location(*KICHIJOJI)
    assert replies[0].text == texts.REPORT_STARTED_BY_LOCATION
    assert replies[1].text == ASK_CATEGORY_AT_START
    assert alice.draft.has_location
    assert not alice.draft.outside_city


def test_photo_start_that_is_cancelled_keeps_nothing(alice, flow):
    alice.image()
    alice.text("やめる")
    assert alice.draft is None
    assert flow.store.list() == []


def test_first_text_address_skips_location(alice, flow):
    replies = alice.text("吉祥寺本町2丁目4番の前の道路に穴があいています")
    assert texts.REPORT_LOCATION_RECEIVED_EARLY in [r.text for r in replies]
    draft = alice.draft
    assert draft.address == "吉祥寺本町2丁目4番の前"
    assert draft.description == "吉祥寺本町2丁目4番の前の道路に穴があいています"
    assert draft.location_source == "text"
    alice.image()
    replies = alice.press("photos_done")
    assert alice.draft.step == "comment"


def test_place_typed_alone_is_kept_whole(alice):
    alice.text("通報")
    alice.press("category", value="road")
    alice.image()
    alice.press("photos_done")
    alice.text("中町1丁目3番の前、コンビニの向かいの歩道")
    assert alice.draft.address == "中町1丁目3番の前、コンビニの向かいの歩道"


@pytest.mark.parametrize(
    "step", ["category", "photo", "location", "comment", "confirm"]
)
@pytest.mark.parametrize(
    "word",
    [
        "やめる",
        "キャンセル",
        "キャンセルで",
        "やっぱりいいです、すみません",
        "ヤメル",
        "止める",
        "キャンセルしたい",
        "やめます🙇",
    ],
)
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


@pytest.mark.parametrize("text", ["いいです", "大丈夫です"])
def test_bare_yes_or_no_word_does_not_cancel(alice, text):
    alice.text("通報")
    alice.press("category", value="road")
    alice.text(text)
    assert alice.draft is not None


@pytest.mark.parametrize("text", ["通報したいです", "通報をお願いします"])
def test_polite_report_request_starts_a_report(alice, text):
    alice.text(text)
    assert alice.draft is not None
    assert alice.draft.step == "category"


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
    assert replies[0].text == texts.REPORT_EXPIRED.format(idle="30分")
    assert alice.draft is None
    assert not photo_path.exists()


def ready_to_send(resident: Resident) -> None:
    """Fill a streetlight report up to the confirmation."""
    resident.text("街灯が消えています")
    resident.image()
    resident.press("photos_done")
    resident.location(*KICHIJOJI, address="東京都武蔵野市吉祥寺本町1丁目")
    resident.press("skip_comment")


def tap_send_sent_minutes_ago(resident: Resident, minutes: int):
    """Deliver the resident's 送信 tap as LINE does after an outage: its
    timestamp is ``minutes`` before now."""
    tapped_ms = int((time.time() - minutes * 60) * 1000)
    data = f"flow=report&action=submit&draft={resident.draft.draft_id}"
    return resident._send(
        event_type="postback", postback_data=data, timestamp_ms=tapped_ms
    )


def test_tap_delivered_late_after_an_outage_still_sends(alice, clock, settings):
    ready_to_send(alice)
    photo_path = settings.photos_dir / alice.draft.photos[0].path
    # The resident taps 送信 15 minutes after the last step; the server is down,
    # and LINE delivers the tap 40 minutes later.
    clock.now += timedelta(minutes=55)
    replies = tap_send_sent_minutes_ago(alice, 40)
    assert texts.REPORT_EXPIRED.format(idle="30分") not in texts_of(replies)
    assert alice.draft is None
    [report] = alice.flow.store.list()
    assert report.photos
    assert photo_path.exists()


def test_late_tap_after_another_resident_purges(alice, bob, clock, settings):
    ready_to_send(alice)
    photo_path = settings.photos_dir / alice.draft.photos[0].path
    clock.now += timedelta(minutes=55)
    # Back after the outage, the first live event comes from another resident
    # and runs the purge before LINE delivers Alice's tap.
    bob.text("粗大ごみの出し方を教えてください")
    tap_send_sent_minutes_ago(alice, 40)
    [report] = alice.flow.store.list()
    assert report.photos
    assert photo_path.exists()


def test_expired_draft_button_gets_notice_alone(alice, clock):
    alice.text("街灯が消えています")
    draft_id = alice.draft.draft_id
    clock.now += timedelta(minutes=31)
    replies = alice.postback(f"flow=report&action=photos_done&draft={draft_id}")
    assert texts_of(replies) == [texts.REPORT_EXPIRED.format(idle="30分")]
    assert alice.draft is None


def test_expired_draft_then_new_report(alice, clock):
    alice.text("通報")
    clock.now += timedelta(hours=1)
    replies = alice.text("公園のブランコが壊れている")
    assert replies[0].text == texts.REPORT_EXPIRED_NEW_DRAFT.format(idle="30分")
    assert "公園" in replies[1].text
    assert alice.draft.category == "park"


@pytest.mark.parametrize(
    "start",
    [
        lambda resident: resident.text("通報"),
        lambda resident: resident.text("街灯が消えています"),
        lambda resident: resident.postback("flow=report&action=start"),
        lambda resident: resident.image(),
        lambda resident: resident.location(*KICHIJOJI),
    ],
)
def test_start_states_the_idle_limit(alice, start):
    replies = start(alice)
    assert texts_of(replies)[-1].endswith(IDLE_NOTE)


def test_idle_note_follows_the_limits(alice, monkeypatch):
    monkeypatch.setattr(report_flow, "DRAFT_IDLE", timedelta(minutes=90))
    monkeypatch.setattr(report_flow, "COMPLETE_IDLE", timedelta(hours=12))
    replies = alice.text("通報")
    note = texts.REPORT_IDLE_NOTE.format(idle="1時間30分", complete_idle="12時間")
    assert texts_of(replies)[-1].endswith(note)


def test_next_step_has_no_idle_note(alice):
    alice.text("街灯が消えています")
    replies = alice.image()
    assert IDLE_NOTE not in joined(replies)


def test_expiry_notice_says_not_sent(alice, clock):
    alice.text("街灯が消えています")
    alice.image()
    clock.now += timedelta(minutes=31)
    [notice] = texts_of(alice.text("吉祥寺本町1丁目"))
    assert "送信されない" in notice
    assert alice.flow.store.list() == []


def test_expiry_notice_comes_once(alice, clock):
    alice.text("通報")
    clock.now += timedelta(hours=1)
    first = alice.text("粗大ごみの出し方を教えてください")
    second = alice.text("粗大ごみの出し方を教えてください")
    assert texts_of(first) == [texts.REPORT_EXPIRED.format(idle="30分")]
    assert second is None


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
    replies = alice.location(*NEAR_OUTSIDE, address="東京都杉並区善福寺1丁目")
    assert replies[0].text == OUTSIDE_CITY
    alice.press("skip_comment")
    done = alice.press("submit")
    assert OUTSIDE_CITY_SENT in done[0].text
    assert "場所を変える" not in done[0].text
    [report] = flow.store.list()
    assert report.outside_city
    assert report.status == "submitted"


def test_city_address_outweighs_the_boundary(alice):
    at_location_step(alice, "road")
    replies = alice.location(*NEAR_OUTSIDE, address="東京都武蔵野市吉祥寺南町1丁目")
    assert OUTSIDE_CITY not in texts_of(replies)
    assert not alice.draft.outside_city


def test_other_city_station_gets_note(alice):
    at_location_step(alice, "road")
    replies = alice.text("新宿駅の東口です")
    assert replies[0].text == OUTSIDE_CITY
    assert alice.draft.address == "新宿駅の東口"
    assert alice.draft.outside_city


def test_typed_address_in_neighbouring_city_is_noted(alice, flow):
    alice.text("街灯が消えています")
    alice.image()
    alice.press("photos_done")
    replies = alice.text("三鷹市下連雀3丁目")
    assert replies[0].text == OUTSIDE_CITY
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


@pytest.mark.parametrize(
    "detail",
    [
        "穴は深さ10cmくらいです",
        "夜になると真っ暗で歩くのが怖いです",
        "ありがとうございます。ふたが割れて少し浮いています",
    ],
)
def test_fault_detail_at_place_step_is_kept(alice, detail):
    alice.text("道路に穴があいています")
    alice.image()
    alice.press("photos_done")
    replies = alice.text(detail)
    # A deep hole may first get the phone routes of an urgent case.
    assert texts_of(replies)[-2:] == [
        texts.REPORT_DETAIL_KEPT,
        texts.REPORT_ASK_LOCATION,
    ]
    assert alice.draft.step == "location"
    assert detail.split("。")[-1] in (alice.draft.comment or "")
    alice.text("八幡町2丁目")
    assert alice.draft.address == "八幡町2丁目"
    assert alice.draft.step == "comment"


def test_town_alone_asks_for_a_block_or_landmark(alice):
    alice.text("街灯が消えています")
    alice.image()
    alice.press("photos_done")
    replies = alice.text("中町")
    assert replies[0].text == texts.REPORT_ASK_LOCATION_DETAIL
    assert alice.draft.step == "location"
    alice.text("中町3丁目")
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


def test_download_stopped_as_too_large_says_so(alice):
    def too_large(message_id: str) -> bytes:
        raise ContentTooLarge("content is over 10485760 bytes; download stopped")

    alice.flow._fetch_content = too_large
    alice.text("街灯が消えています")
    replies = alice.image()
    assert "10 MB" in replies[0].text
    assert alice.draft.photos == []


def test_too_many_pixels_text(alice):
    buffer = io.BytesIO()
    Image.new("1", (8000, 8000)).save(buffer, format="PNG")
    alice.text("街灯が消えています")
    replies = alice.image(data=buffer.getvalue())
    assert replies[0].text == texts.REPORT_PHOTO_TOO_MANY_PIXELS
    assert alice.draft.photos == []


def test_at_most_three_photos(alice):
    alice.text("街灯が消えています")
    alice.image()
    alice.image()
    third = alice.image()
    assert third[0].text == "写真を受け取りました（3/3枚）。"
    assert third[1].text == texts.REPORT_ASK_LOCATION
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


@pytest.mark.parametrize("remark", ["穴は30-40cmくらいです", "近くの公園の前です"])
def test_remark_before_photo_is_not_the_place(alice, remark):
    alice.text("道路に穴があいています")
    replies = alice.text(remark)
    assert replies[0].text != texts.REPORT_LOCATION_RECEIVED_EARLY
    assert alice.draft.address is None
    alice.image()
    assert alice.press("photos_done")[0].text == texts.REPORT_ASK_LOCATION


@pytest.mark.parametrize("source", ["group", "room"])
def test_group_messages_neither_start_nor_continue_a_report(alice, flow, source):
    def group_text(text: str):
        raw = {"source": {"type": source, f"{source}Id": "C1", "userId": alice.user_id}}
        event = IncomingEvent(
            event_id=f"e{next(_ids)}",
            event_type="message",
            user_id=alice.user_id,
            reply_token=f"r{next(_ids)}",
            timestamp_ms=0,
            message_type="text",
            text=text,
            raw=raw,
        )
        return flow.handle(event)

    assert group_text("道路に穴があいています") is None
    assert alice.draft is None
    alice.text("道路に穴があいています")
    assert group_text("キャンセル") is None
    assert alice.draft is not None


def test_second_submit_gives_one_report(alice, flow):
    send_complete_report(alice)
    draft_id = flow.store.list()[0].draft_id
    again = alice.postback(f"flow=report&action=submit&draft={draft_id}")
    # The first auto-reply may never have arrived, so it comes again in full.
    assert again[0].text.startswith(
        "通報を送信しました。受付番号は R2026-000001 です。"
    )
    assert "0422-51-5131" in again[0].text
    assert len(flow.store.list()) == 1


def test_resubmit_after_staff_gives_receipt(alice, flow):
    send_complete_report(alice)
    report = flow.store.list()[0]
    flow.store.set_status(
        report.receipt_no, "accepted", changed_by="staff", note="受付"
    )
    again = alice.postback(f"flow=report&action=submit&draft={report.draft_id}")
    assert again[0].text == texts.REPORT_ALREADY_SUBMITTED.format(
        receipt_no=report.receipt_no
    )


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
    assert replies[0].text == texts.REPORT_STALE_BUTTON
    assert alice.draft.category is None


def test_urgent_report_gets_phone_at_once(alice, flow):
    replies = alice.text("道路が陥没して水が噴き出している")
    lines = replies[0].text.splitlines()
    assert lines[0] == texts.REPORT_URGENT_EMERGENCY_CALL
    assert CITY_HALL_LINE in lines
    assert texts.REPORT_URGENT_STAFF_DURING_HOURS in lines
    assert texts.REPORT_URGENT_GAS not in lines
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
    assert replies[0].text.startswith(texts.REPORT_URGENT_EMERGENCY_CALL)
    assert "0422-51-5131" in replies[0].text
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
    assert f"24時間に{MAX_REPORTS_PER_DAY}件まで" in replies[0].text
    assert alice.draft is None

    urgent = alice.text("道路が陥没しています")
    assert urgent[0].text.startswith(texts.REPORT_URGENT_EMERGENCY_CALL)
    assert texts.REPORT_URGENT_CONTINUE not in urgent[0].text
    assert f"24時間に{MAX_REPORTS_PER_DAY}件まで" in urgent[-1].text
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


# Urgent replies ---------------------------------------------------------------------

# Wednesday 30 December 2026, 10:00 in Japan: the year-end closure.
YEAR_END = datetime(2026, 12, 30, 1, 0, tzinfo=UTC)


def test_urgent_after_hours_gives_staff_time(alice, clock):
    clock.now = EVENING
    replies = alice.text("道路が大きく陥没していて車が落ちそうです")
    lines = replies[0].text.splitlines()
    assert lines[0] == texts.REPORT_URGENT_EMERGENCY_CALL
    assert CITY_HALL_LINE in lines
    staff = texts.REPORT_URGENT_STAFF_AFTER_HOURS.format(when="12月7日（月）8:30")
    assert staff in lines
    assert texts.REPORT_URGENT_STAFF_DURING_HOURS not in lines
    assert lines[-1] == texts.REPORT_URGENT_CONTINUE
    assert alice.draft.step == "photo"


def test_urgent_in_year_end_closure(alice, clock):
    clock.now = YEAR_END
    replies = alice.text("道路が陥没して水が噴き出している")
    assert "1月4日（月）8:30 以降" in replies[0].text


def test_gas_smell_names_gas_company(alice, clock):
    clock.now = EVENING
    replies = alice.text("歩道でガス臭いにおいがしています")
    lines = replies[0].text.splitlines()
    assert lines[0] == texts.REPORT_URGENT_EMERGENCY_CALL
    assert lines[1] == texts.REPORT_URGENT_GAS
    assert lines[2] == CITY_HALL_LINE
    # No number is given for the gas company, only the route.
    assert "ガス会社" in lines[1]
    assert not any(char.isdigit() for char in lines[1])


def test_urgent_reply_is_short(alice, clock):
    clock.now = EVENING
    replies = alice.text("歩道でガス臭いにおいがしています")
    text = replies[0].text
    assert len(text.splitlines()) <= 5
    assert len(text) <= 200


def test_urgent_comment_after_hours_gives_staff_time(alice, clock):
    clock.now = EVENING
    alice.text("通報")
    alice.press("category", value="tree")
    alice.image()
    alice.press("photos_done")
    alice.location(*KICHIJOJI)
    replies = alice.text("木が倒れて道をふさいでいます")
    assert replies[0].text.startswith(texts.REPORT_URGENT_EMERGENCY_CALL)
    assert "12月7日（月）8:30" in replies[0].text
    assert texts.REPORT_CONFIRM.split("\n")[0] in replies[1].text


def at_location_step(alice, category: str) -> None:
    """Start a report of ``category`` with one photo, up to the location step."""
    alice.text("通報")
    alice.press("category", value=category)
    alice.image()
    alice.press("photos_done")
    assert alice.draft.step == "location"


def at_comment_step(alice):
    at_location_step(alice, "road")
    alice.location(*KICHIJOJI)
    assert alice.draft.step == "comment"


def test_urgent_text_at_location_step(alice, clock):
    clock.now = EVENING
    at_location_step(alice, "tree")
    assert alice.draft.step == "location"
    replies = alice.text("木が倒れて道をふさいでいます")
    assert replies[0].text.startswith(texts.REPORT_URGENT_EMERGENCY_CALL)
    assert alice.draft.step == "location"
    assert alice.draft.urgent


def test_gas_smell_after_urgent_reply_gets_gas_line(alice, clock):
    clock.now = EVENING
    at_location_step(alice, "road")
    first = alice.text("道路が陥没しています")
    assert texts.REPORT_URGENT_GAS not in first[0].text
    again = alice.text("ガスくさいです")
    assert texts.REPORT_URGENT_GAS in again[0].text.splitlines()


def test_long_comment_is_cut_with_note(alice):
    at_comment_step(alice)
    replies = alice.text("道路の舗装がひび割れています。" * 80)
    cut = texts.REPORT_COMMENT_CUT.format(limit=MAX_COMMENT_CHARS)
    assert cut in [reply.text for reply in replies]
    assert alice.draft.comment.endswith("…")


@pytest.mark.parametrize(
    "comment", ["山田さんの家の前です。電話090-1234-5678", "連絡はa.b@example.jpへ"]
)
def test_comment_with_contact_details_gets_note(alice, comment):
    at_comment_step(alice)
    replies = alice.text(comment)
    assert texts.REPORT_COMMENT_CONTACT_DETAILS in [reply.text for reply in replies]
    assert alice.draft.comment == comment


def test_first_text_with_phone_gets_note(alice):
    replies = alice.text(
        "道路に穴があいています。隣の田中さん090-1234-5678も見ています"
    )
    assert texts.REPORT_COMMENT_CONTACT_DETAILS in [reply.text for reply in replies]


@pytest.mark.parametrize(
    "comment", ["街灯の管理番号は0123-4567です", "場所は35.7031234,139.5797812です"]
)
def test_lamp_number_or_coordinates_get_no_note(alice, comment):
    at_comment_step(alice)
    replies = alice.text(comment)
    assert texts.REPORT_COMMENT_CONTACT_DETAILS not in [r.text for r in replies]


def test_short_comment_has_no_cut_note(alice):
    at_comment_step(alice)
    replies = alice.text("道路の舗装がひび割れています。")
    cut = texts.REPORT_COMMENT_CUT.format(limit=MAX_COMMENT_CHARS)
    assert cut not in [reply.text for reply in replies]


def test_gas_line_is_sent_once(alice, clock):
    clock.now = EVENING
    at_location_step(alice, "road")
    first = alice.text("ガス臭いです")
    assert texts.REPORT_URGENT_GAS in first[0].text.splitlines()
    again = alice.text("ガスくさいです、場所はよくわかりません")
    assert all(texts.REPORT_URGENT_GAS not in reply.text for reply in again)


@pytest.mark.parametrize(
    "text",
    [
        "歩道でガスのにおいが消えない",
        "ガスの匂いで眠れない",
    ],
)
def test_lasting_gas_smell_is_urgent(alice, clock, text):
    clock.now = EVENING
    at_location_step(alice, "road")
    replies = alice.text(text)
    assert texts.REPORT_URGENT_GAS in replies[0].text.splitlines()


def test_gas_in_first_text_is_not_repeated(alice, clock):
    clock.now = EVENING
    first = alice.text("歩道でガス臭いにおいがしています")
    assert texts.REPORT_URGENT_GAS in first[0].text.splitlines()
    assert alice.draft.gas_warned


def test_gas_smell_at_category_step_gets_gas_line(alice, clock):
    clock.now = EVENING
    alice.image()
    replies = alice.text("ガス臭いです")
    assert texts.REPORT_URGENT_GAS in replies[0].text.splitlines()
    assert alice.draft.gas_warned
    assert alice.draft.step == "category"


def test_fault_text_at_category_step_is_kept(alice):
    alice.text("通報")
    alice.text("ごみ集積所の看板が壊れてる")
    assert alice.draft.description == "ごみ集積所の看板が壊れてる"


def test_denied_gas_smell_is_not_urgent(alice, clock):
    clock.now = EVENING
    at_location_step(alice, "road")
    replies = alice.text("ガスのにおいはしません")
    assert all(texts.REPORT_URGENT_GAS not in reply.text for reply in replies)
    assert not alice.draft.urgent


def test_address_with_danger_gets_urgent_reply(alice, clock):
    clock.now = EVENING
    at_location_step(alice, "tree")
    replies = alice.text("吉祥寺本町1丁目2番の前で木が倒れて道をふさいでいます")
    assert replies[0].text.startswith(texts.REPORT_URGENT_EMERGENCY_CALL)
    assert alice.draft.address is not None
    assert alice.draft.step == "comment"


def test_submitted_reply_names_emergency_route(alice, clock):
    clock.now = EVENING
    done = send_complete_report(alice)
    route = SUBMITTED_ROUTE
    assert done[0].text.splitlines()[-1] == route
    assert "110番" in route
    assert "119番" in route


# A question typed at the comment step -------------------------------------------------


def reach_comment_step(resident: Resident, text="街灯が消えています"):
    resident.text(text)
    resident.image()
    resident.press("photos_done")
    return resident.location(*KICHIJOJI, address="東京都武蔵野市吉祥寺本町1丁目")


def quick_labels(message) -> list[str]:
    return [item.action.label for item in message.quick_reply.items]


def test_question_at_comment_step_asks_first(alice):
    reach_comment_step(alice)
    replies = alice.text("市役所の開庁時間は？")
    assert len(replies) == 1
    assert "市役所の開庁時間は？" in replies[0].text
    assert quick_labels(replies[0]) == ["補足にする", "質問として送る"]
    assert action_types(replies[0]) == ["postback", "message"]
    assert replies[0].quick_reply.items[1].action.text == "市役所の開庁時間は？"
    draft = alice.draft
    assert draft.step == "comment"
    assert draft.comment is None
    assert draft.pending_comment == "市役所の開庁時間は？"


def test_question_sent_on_is_left_to_core(alice):
    reach_comment_step(alice)
    alice.text("市役所の開庁時間は？")
    # 質問として送る sends the same text again, and the core replies to it.
    assert alice.text("市役所の開庁時間は？") is None
    draft = alice.draft
    assert draft.step == "comment"
    assert draft.pending_comment is None
    assert draft.comment is None
    confirmation = alice.text("夜は真っ暗で危ないです")
    assert "夜は真っ暗で危ないです" in confirmation[0].text
    assert alice.draft.comment == "夜は真っ暗で危ないです"


def test_question_used_as_comment(alice, flow):
    reach_comment_step(alice)
    alice.text("ここは市の道路ですか？")
    confirmation = alice.press("use_comment")
    assert "ここは市の道路ですか？" in confirmation[0].text
    assert alice.draft.step == "confirm"
    alice.press("submit")
    [report] = flow.store.list()
    assert report.comment == "ここは市の道路ですか？"


def test_question_then_skip_drops_it(alice):
    reach_comment_step(alice)
    alice.text("市役所の開庁時間は？")
    confirmation = alice.press("skip_comment")
    assert alice.draft.step == "confirm"
    assert alice.draft.comment is None
    assert alice.draft.pending_comment is None
    assert "市役所" not in confirmation[0].text


def test_question_then_other_text_is_comment(alice):
    reach_comment_step(alice)
    alice.text("市役所の開庁時間は？")
    confirmation = alice.text("電球が切れているみたい")
    assert alice.draft.comment == "電球が切れているみたい"
    assert alice.draft.pending_comment is None
    assert "電球が切れているみたい" in confirmation[0].text


def test_question_survives_restart(alice, make_flow, contents):
    reach_comment_step(alice)
    alice.text("市役所の開庁時間は？")
    restarted = Resident(make_flow(), contents, alice.user_id)
    assert restarted.text("市役所の開庁時間は？") is None
    assert restarted.draft.step == "comment"


@pytest.mark.parametrize(
    "text",
    [
        "市役所の開庁時間は？",
        "市役所の開庁時間は?",
        "図書館は何時まで開いていますか",
        "粗大ごみの出し方を教えてください",
    ],
)
def test_clear_questions_are_caught(alice, text):
    reach_comment_step(alice)
    replies = alice.text(text)
    assert quick_labels(replies[0]) == ["補足にする", "質問として送る"]
    assert alice.draft.comment is None


@pytest.mark.parametrize(
    "text",
    [
        "昨日の夜から",
        "夜は真っ暗で危ないです",
        "危ないので早く直してもらえませんか？",
        "子どもが通学で通る道です",
    ],
)
def test_comments_are_not_taken_for_questions(alice, text):
    reach_comment_step(alice)
    confirmation = alice.text(text)
    assert alice.draft.step == "confirm"
    assert alice.draft.comment == text
    labels = quick_labels(confirmation[0])
    assert labels == ["送信", "種類を変える", "場所を変える", "やめる"]


def test_urgent_question_gets_urgent_reply_first(alice):
    reach_comment_step(alice)
    replies = alice.text("ガスのにおいがするときはどこに連絡すればいいですか？")
    assert replies[0].text.startswith(texts.REPORT_URGENT_EMERGENCY_CALL)
    assert texts.REPORT_URGENT_GAS in replies[0].text
    assert quick_labels(replies[1]) == ["補足にする", "質問として送る"]
    assert alice.draft.urgent


def test_question_too_long_to_resend_is_comment(alice):
    reach_comment_step(alice)
    text = "穴" * 320 + "ですか？"
    alice.text(text)
    assert alice.draft.step == "confirm"
    assert alice.draft.comment == text


# Reports that name no object ---------------------------------------------------------


def reach_other_comment_step(resident: Resident):
    resident.text("通報")
    resident.press("category", value="other")
    resident.image()
    resident.press("photos_done")
    return resident.location(*KICHIJOJI)


def test_other_report_asks_for_description(alice):
    prompt = reach_other_comment_step(alice)
    assert prompt[0].text == texts.REPORT_ASK_DESCRIPTION
    assert quick_labels(prompt[0]) == ["やめる"]


@pytest.mark.parametrize("word", ["スキップ", "なし"])
def test_other_report_cannot_skip_by_text(alice, word):
    reach_other_comment_step(alice)
    replies = alice.text(word)
    assert replies[0].text == texts.REPORT_DESCRIPTION_REQUIRED
    assert quick_labels(replies[0]) == ["やめる"]
    assert alice.draft.step == "comment"
    assert not alice.draft.comment_done


def test_other_report_cannot_skip_by_button(alice, flow):
    reach_other_comment_step(alice)
    # A スキップ button pressed on an older prompt of the same draft.
    replies = alice.press("skip_comment")
    assert replies[0].text == texts.REPORT_DESCRIPTION_REQUIRED
    replies = alice.press("submit")
    assert replies[0].text == texts.REPORT_ASK_DESCRIPTION
    assert flow.store.list() == []


def test_other_report_with_description_is_sent(alice, flow):
    reach_other_comment_step(alice)
    confirmation = alice.text("看板が倒れそうです")
    assert "種類：その他" in confirmation[0].text
    assert "補足：看板が倒れそうです" in confirmation[0].text
    alice.press("submit")
    [report] = flow.store.list()
    assert report.category == "other"
    assert report.comment == "看板が倒れそうです"


def test_stored_skip_of_other_draft_is_reopened(alice, flow):
    # A draft saved by a version of the flow that let その他 skip the comment.
    reach_other_comment_step(alice)
    user_hash = flow.store.hash_user(alice.user_id)
    draft = alice.draft
    draft.comment_done = True
    draft.step = "confirm"
    flow.store.save_draft(user_hash, draft)
    replies = alice.press("submit")
    assert replies[0].text == texts.REPORT_ASK_DESCRIPTION
    assert flow.store.list() == []


def test_other_report_naming_object_may_skip(alice, flow):
    alice.text("公園の壁に落書きがあります")
    alice.press("category", value="other")
    alice.image()
    alice.press("photos_done")
    prompt = alice.location(*KICHIJOJI)
    assert prompt[0].text == texts.REPORT_ASK_COMMENT
    alice.press("skip_comment")
    alice.press("submit")
    [report] = flow.store.list()
    assert report.description == "公園の壁に落書きがあります"
    assert report.comment is None


def test_managed_category_comment_stays_optional(alice, flow):
    alice.text("通報")
    alice.press("category", value="road")
    alice.image()
    alice.press("photos_done")
    prompt = alice.location(*KICHIJOJI)
    assert prompt[0].text == texts.REPORT_ASK_COMMENT
    assert quick_labels(prompt[0]) == ["スキップ", "やめる"]
    alice.press("skip_comment")
    alice.press("submit")
    assert len(flow.store.list()) == 1


# Invalid locations -------------------------------------------------------------------

INVALID_POINTS = [
    (999.0, 999.0),
    (90.5, 139.5),
    (-91.0, 139.5),
    (35.7, 180.5),
    (35.7, -181.0),
    (float("nan"), 139.5),
    (35.7, float("inf")),
    (None, 139.5),
]


@pytest.mark.parametrize(("latitude", "longitude"), INVALID_POINTS)
def test_invalid_location_is_rejected(alice, latitude, longitude):
    alice.text("街灯が消えています")
    alice.image()
    alice.press("photos_done")
    replies = alice.location(latitude, longitude)
    assert len(replies) == 1
    assert replies[0].text == texts.REPORT_LOCATION_INVALID
    assert action_types(replies[0]) == ["location", "postback"]
    draft = alice.draft
    assert draft.step == "location"
    assert draft.latitude is None
    assert draft.longitude is None
    assert not draft.outside_city
    assert len(draft.photos) == 1


def test_invalid_location_before_photo_keeps_step(alice):
    alice.text("街灯が消えています")
    replies = alice.location(999.0, 999.0)
    assert texts_of(replies)[0] == texts.REPORT_LOCATION_INVALID
    assert "街路灯" in replies[1].text
    assert alice.draft.step == "photo"
    assert not alice.draft.has_location


def test_invalid_location_keeps_earlier_place(alice):
    reach_comment_step(alice)
    replies = alice.location(999.0, 999.0)
    assert replies[0].text == texts.REPORT_LOCATION_INVALID
    assert replies[1].text == texts.REPORT_ASK_COMMENT
    draft = alice.draft
    assert draft.latitude == KICHIJOJI[0]
    assert draft.address == "東京都武蔵野市吉祥寺本町1丁目"


@pytest.mark.parametrize(("latitude", "longitude"), [(90.0, 180.0), (-90.0, -180.0)])
def test_edge_coordinates_are_read_as_far_outside(alice, latitude, longitude):
    alice.text("街灯が消えています")
    alice.image()
    alice.press("photos_done")
    replies = alice.location(latitude, longitude)
    far = texts.REPORT_FAR_OUTSIDE.format(city_name="武蔵野市")
    assert texts_of(replies)[0] == far
    assert alice.draft.step == "location"


def test_question_at_category_step_goes_to_the_core(alice):
    alice.text("通報")
    before = alice.draft
    preface = alice.text("ごみの日はいつですか？")
    assert isinstance(preface, Preface)
    assert [message.text for message in preface] == [texts.REPORT_DRAFT_KEPT]
    assert alice.draft == before
    assert alice.draft.step == "category"


def test_question_at_photo_step_goes_to_the_core(alice):
    alice.text("街灯が消えています")
    assert alice.draft.step == "photo"
    before = alice.draft
    preface = alice.text("粗大ごみの出し方を教えてください")
    assert isinstance(preface, Preface)
    assert alice.draft == before


CASUAL_QUESTIONS = [
    "あ、ところで粗大ごみってどう出すんでしたっけ",
    "あと、図書館って何時までだっけ",
    "粗大ごみの出し方も知りたいんだけど",
    "図書館の開館時間を教えて",
]


@pytest.mark.parametrize("step", ["category", "photo", "location"])
@pytest.mark.parametrize("text", CASUAL_QUESTIONS)
def test_casual_question_keeps_the_draft(alice, step, text):
    alice.text("公園の水飲み場の水が止まりません")
    if step == "category":
        alice.press("change_category")
    if step == "location":
        alice.image()
        alice.press("photos_done")
    before = alice.draft
    preface = alice.text(text)
    assert isinstance(preface, Preface)
    assert texts_of(preface) == [texts.REPORT_DRAFT_KEPT]
    assert alice.draft == before


@pytest.mark.parametrize("text", CASUAL_QUESTIONS)
def test_casual_question_at_comment_step_asks_first(alice, text):
    at_step(alice, "comment")
    replies = alice.text(text)
    assert quick_labels(replies[-1]) == ["補足にする", "質問として送る"]
    assert alice.draft.pending_comment == text
    assert alice.draft.comment is None


@pytest.mark.parametrize(
    "text", ["この穴いつからあったっけ", "ところで、この穴かなり深いです"]
)
def test_detail_with_casual_ending_is_kept(alice, text):
    at_step(alice, "comment")
    alice.text(text)
    assert alice.draft.step == "confirm"
    assert text in alice.draft.comment


def test_follow_up_in_a_draft_keeps_it(alice, flow):
    at_step(alice, "location")
    before = alice.draft
    replies = alice.text("先週送った街灯の件どうなりました?")
    status = contact_text(texts.REPORT_STATUS_TEMPLATE, flow.settings)
    assert texts_of(replies) == [
        status,
        texts.REPORT_DRAFT_OPEN,
        texts.REPORT_ASK_LOCATION,
    ]
    assert alice.draft == before


RECEIPT_TEXTS = [
    "R2026-000001",
    "R2026-000001の状況を教えてください",
    "受付番号 2026-000001 はどうなりましたか",
    "2026-000001",
]


@pytest.mark.parametrize(
    "step", ["category", "photo", "location", "comment", "confirm"]
)
@pytest.mark.parametrize("text", RECEIPT_TEXTS)
def test_receipt_in_a_draft_keeps_it(alice, flow, step, text):
    at_step(alice, step)
    before = alice.draft
    replies = alice.text(text)
    status = contact_text(texts.REPORT_STATUS_TEMPLATE, flow.settings)
    assert texts_of(replies)[0] == status
    assert texts_of(replies)[1].startswith(texts.REPORT_DRAFT_OPEN)
    assert "やめる" in quick_labels(replies[-1])
    assert alice.draft == before


def test_address_at_photo_step_is_not_a_question(alice):
    alice.text("街灯が消えています")
    replies = alice.text("吉祥寺本町1丁目2番ですか？")
    assert replies is not None
    assert alice.draft.address


def test_question_after_expiry_is_left_to_the_core(alice, clock):
    alice.text("通報")
    clock.now += timedelta(hours=1)
    replies = alice.text("粗大ごみの出し方を教えてください")
    assert isinstance(replies, Preface)
    assert [reply.text for reply in replies] == [
        texts.REPORT_EXPIRED.format(idle="30分")
    ]
    assert alice.draft is None


def test_stolen_manhole_cover_is_still_a_report(alice):
    assert alice.text("マンホールのふたが盗まれています") is not None
    assert alice.draft is not None


def test_fire_at_the_comment_step_is_no_comment(alice):
    alice.text("街灯が消えています")
    alice.image()
    alice.press("photos_done")
    alice.location(*KICHIJOJI, address="東京都武蔵野市吉祥寺本町1丁目")
    [prompt] = alice.text("火事です")
    assert texts.REPORT_ASK_COMMENT in prompt.text
    assert alice.draft.step == "comment"
    assert alice.draft.comment is None


@pytest.mark.parametrize(
    "text",
    [
        "街灯が切れていて夜道が暗く、痴漢やひったくりが心配です",
        "公園の木にハチの巣があって子どもが刺されました",
        "公園の水飲み場の蛇口が盗まれました",
    ],
)
def test_fault_with_crime_word_starts_report(alice, text):
    assert alice.text(text) is not None
    assert alice.draft is not None


@pytest.mark.parametrize(
    "text",
    [
        "交差点の信号機が消えていて危ないです",
        "駅前の信号がずっと点滅しています",
        "交差点の信号の電球が切れている",
        "信号機が傾いていて倒れそうです",
    ],
)
def test_faulty_traffic_signal_points_to_the_police(alice, text):
    replies = alice.text(text)
    assert [reply.text for reply in replies] == [texts.REPORT_SIGNAL_IS_POLICE]
    assert "110番" in replies[0].text
    assert alice.draft is None


def test_signal_named_as_a_landmark_still_reports(alice):
    alice.text("信号の手前の歩道に大きな穴があいています")
    assert alice.draft is not None


def test_change_place_asks_again_and_keeps_the_rest(alice, flow):
    reach_other_comment_step(alice)
    alice.text("看板が倒れそうです")
    replies = alice.press("change_place")
    assert replies[0].text == texts.REPORT_ASK_NEW_LOCATION
    assert action_types(replies[0]) == ["location", "postback"]
    draft = alice.draft
    assert draft.step == "location"
    assert not draft.has_location
    assert not draft.outside_city
    assert draft.comment == "看板が倒れそうです"
    assert len(draft.photos) == 1


def test_changed_place_replaces_an_outside_point(alice, flow):
    alice.text("通報")
    alice.press("category", value="road")
    alice.image()
    alice.press("photos_done")
    alice.location(*NEAR_OUTSIDE)
    assert alice.draft.outside_city
    alice.press("skip_comment")
    alice.press("change_place")
    confirmation = alice.text("境南町2丁目3番の前")
    assert "場所：境南町2丁目3番の前" in confirmation[0].text
    alice.press("submit")
    [report] = flow.store.list()
    assert report.address == "境南町2丁目3番の前"
    assert report.latitude is None
    assert not report.outside_city


def test_first_text_landmark_keeps_location(alice):
    alice.text("児童公園のブランコが壊れています")
    assert alice.draft is not None
    assert not alice.draft.has_location


def test_change_place_after_sending_names_the_receipt(alice, flow):
    reach_other_comment_step(alice)
    alice.text("看板が倒れそうです")
    sent_draft = alice.draft.draft_id
    alice.press("submit")
    [report] = flow.store.list()
    replies = alice.postback(f"flow=report&action=change_place&draft={sent_draft}")
    assert report.receipt_no in replies[0].text
    assert "0422-51-5131" in replies[0].text
    assert alice.draft is None


def test_photo_then_address_keeps_both(alice):
    alice.image()
    alice.text("中町1丁目5番の前の道路に穴があいています")
    draft = alice.draft
    assert draft.category == "road"
    assert draft.address == "中町1丁目5番の前"
    assert draft.description == "中町1丁目5番の前の道路に穴があいています"
    assert draft.step == "comment"


def test_photo_then_signal_points_to_police(alice):
    alice.image()
    replies = alice.text("交差点の信号機が消えています")
    assert replies[0].text == texts.REPORT_SIGNAL_IS_POLICE
    assert alice.draft.category is None


def test_idle_draft_photo_deleted_first(alice, flow, contents, clock, settings):
    alice.image()
    photo_path = settings.photos_dir / alice.draft.photos[0].path
    clock.now += timedelta(hours=4)
    # Another resident's message runs the periodic clean-up, once the draft
    # has been idle past the grace for late deliveries.
    Resident(flow, contents, "U" + "b" * 32).text("こんにちは")
    assert not photo_path.exists()
    state = flow.store.load_draft(flow.store.hash_user(alice.user_id))
    assert state is not None
    assert state.photos == []
    assert alice.text("こんにちは") is not None


def test_crisis_mid_report_has_no_prompt(alice):
    alice.text("通報")
    alice.press("category", value="road")
    assert alice.text("もう死にたい") == []
    assert alice.draft.step == "photo"


def test_crisis_with_thanks_mid_report_has_no_prompt(alice):
    alice.text("通報")
    alice.press("category", value="road")
    assert alice.text("ありがとう。もう死にたい") == []
    assert alice.draft.step == "photo"


def test_crisis_with_sent_report_change_has_no_prompt(alice):
    alice.text("道路に穴があいてます")
    assert alice.text("さっき送った通報は取り消したい。もう死にたい") == []
    assert alice.draft.step == "photo"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("電話090-1234-5678", True),
        ("0422(60)1800", True),
        ("+81 90 1234 5678", True),
        ("090.1234.5678", True),
        ("隣の田中さん（090-1234-5678）12時ごろ見ました", True),
        ("a.b@example.jp", True),
        ("街灯の管理番号は0123-4567です", False),
        ("2026年12月5日（20261205）から消えています", False),
        ("場所は35.7031234,139.5797812です", False),
    ],
)
def test_contact_details_found_by_digits(text, found):
    assert has_contact_details(text) is found


def test_national_road_report_gets_owner_note(alice):
    replies = alice.text("国道20号の路面に大きな穴があります")
    assert alice.draft is not None
    assert texts.REPORT_OTHER_OWNER in [reply.text for reply in replies]


def test_owner_named_as_a_landmark_gets_no_note(alice):
    replies = alice.text("マンションの前の道路に大きな穴があります")
    assert alice.draft is not None
    assert texts.REPORT_OTHER_OWNER not in [reply.text for reply in replies]


def test_detail_after_photo_is_kept_and_photos_counted(alice):
    alice.text("通報")
    alice.press("category", value="road")
    alice.image()
    replies = alice.text("穴は手のひらくらいの大きさです")
    assert texts_of(replies) == [
        texts.REPORT_DETAIL_KEPT,
        texts.REPORT_PHOTO_STEP_MORE.format(count=1),
    ]
    assert alice.draft.step == "photo"
    assert alice.draft.description == "穴は手のひらくらいの大きさです"


def test_same_fault_detail_gets_no_note(alice):
    alice.text("公園のベンチが壊れています")
    replies = alice.text("座面の板が割れています")
    assert texts.REPORT_ONE_FAULT_EACH not in texts_of(replies)
    assert "座面の板が割れています" in alice.draft.comment


def test_detail_at_photo_step_survives_the_comment(alice):
    alice.text("公園のベンチが壊れています")
    alice.text("座面の板が割れています")
    alice.image()
    alice.press("photos_done")
    alice.location(*KICHIJOJI)
    alice.text("子どもが座ると危ないです")
    assert alice.draft.step == "confirm"
    assert alice.draft.comment == "座面の板が割れています\n子どもが座ると危ないです"


def test_other_text_after_photo_counts_photos(alice):
    alice.text("通報")
    alice.press("category", value="road")
    alice.image()
    replies = alice.text("わかりました")
    assert replies[0].text == texts.REPORT_PHOTO_STEP_TEXT.format(count=1)
    assert alice.draft.step == "photo"


def test_second_fault_at_confirmation_not_added(alice):
    at_confirm_step(alice)
    before = alice.draft.comment
    replies = alice.text("あと、近くの公園の街灯も消えてます")
    assert texts.REPORT_ONE_FAULT_EACH in texts_of(replies)
    assert alice.draft.comment == before


def test_point_in_other_ward_noted(alice):
    alice.text("街灯が消えています")
    alice.image()
    alice.press("photos_done")
    replies = alice.location(*KICHIJOJI, address="東京都練馬区関町北1丁目")
    assert replies[0].text == OUTSIDE_CITY
    assert alice.draft.outside_city


def test_point_in_city_not_noted(alice):
    alice.text("街灯が消えています")
    alice.image()
    alice.press("photos_done")
    alice.location(*KICHIJOJI, address="東京都武蔵野市吉祥寺本町1丁目")
    assert not alice.draft.outside_city


@pytest.mark.parametrize(
    "text", ["つうほうしたいです", "不具合を報告したいのですが", "通\u200b報したいです"]
)
def test_other_report_requests_start_a_report(alice, text):
    alice.text(text)
    assert alice.draft is not None


def test_gas_at_photo_step_gets_gas_line(alice, clock):
    clock.now = EVENING
    alice.text("通報")
    alice.press("category", value="road")
    replies = alice.text("ガスクサイ")
    assert texts.REPORT_URGENT_GAS in replies[0].text.splitlines()
    assert alice.draft.step == "photo"
    assert alice.draft.gas_warned


def test_cancel_phrase_with_an_invisible_character_cancels(alice):
    alice.text("通報")
    alice.text("キャン\u200bセルで")
    assert alice.draft is None


def test_second_fault_gets_one_fault_note(alice):
    alice.text("公園の水飲み場が壊れて水が出っぱなし")
    assert alice.draft.category == "park"
    replies = alice.text("あと、公園の入口の街灯も消えてます")
    assert texts.REPORT_ONE_FAULT_EACH in texts_of(replies)
    assert alice.draft.step == "photo"


@pytest.mark.parametrize(
    ("first", "more"),
    [
        ("道路に穴があいています", "穴が深くて危ないです"),
        ("街灯が消えています", "あと、夜は真っ暗で歩くのが怖いです"),
        ("街灯が消えています", "先週も消えてました"),
    ],
)
def test_same_fault_at_photo_step_gets_no_note(alice, first, more):
    alice.text(first)
    replies = alice.text(more)
    assert texts.REPORT_ONE_FAULT_EACH not in texts_of(replies)


@pytest.mark.parametrize("text", ["受信設定", "使い方"])
def test_settings_or_help_mid_report_keeps_draft(alice, text):
    alice.text("通報")
    alice.press("category", value="road")
    replies = alice.text(text)
    assert texts_of(replies) == [texts.REPORT_DRAFT_KEPT]
    assert alice.draft.step == "photo"


def photo_set(set_id: str, index: int, total: int) -> dict:
    return {"id": set_id, "index": index, "total": total}


def test_photos_sent_together_get_one_reply(alice):
    first = alice.image(image_set=photo_set("s1", 1, 3))
    second = alice.image(image_set=photo_set("s1", 2, 3))
    last = alice.image(image_set=photo_set("s1", 3, 3))
    assert first == []
    assert second == []
    assert texts_of(last)[0] == texts.REPORT_STARTED_BY_PHOTO.format(
        count=3, max_photos=3
    )
    assert texts.REPORT_ASK_CATEGORY in joined(last)
    assert len(alice.draft.photos) == 3
    assert alice.draft.photo_set is None


def test_full_photo_set_skips_errors(alice):
    replies = [
        alice.image(
            data=b"not a picture" if index == 2 else None,
            image_set=photo_set("s9", index, 5),
        )
        for index in range(1, 6)
    ]
    last = texts_of(replies[4])
    assert len(alice.draft.photos) == 3
    assert texts.REPORT_PHOTO_SET_LIMIT.format(max_photos=3, kept=3) in last
    assert texts.REPORT_PHOTO_INVALID not in last


def test_photo_set_in_any_order(alice):
    assert alice.image(image_set=photo_set("s3", 3, 3)) == []
    assert alice.image(image_set=photo_set("s3", 1, 3)) == []
    last = alice.image(image_set=photo_set("s3", 2, 3))
    assert "（3/3枚）" in texts_of(last)[0]


def test_photo_set_over_the_limit(alice):
    replies = [alice.image(image_set=photo_set("s4", i, 5)) for i in range(1, 6)]
    assert replies[:4] == [[], [], [], []]
    last = texts_of(replies[4])
    assert last[0] == texts.REPORT_STARTED_BY_PHOTO.format(count=3, max_photos=3)
    assert last.count(texts.REPORT_PHOTO_SET_LIMIT.format(max_photos=3, kept=3)) == 1
    assert texts.REPORT_PHOTO_LIMIT.format(max_photos=3) not in last
    assert len(alice.draft.photos) == 3


def test_unfinished_photo_set_counted_later(alice):
    alice.image(image_set=photo_set("s5", 1, 3))
    alice.image(image_set=photo_set("s5", 2, 3))
    replies = alice.press("category", value="road")
    assert texts_of(replies)[0] == texts.REPORT_STARTED_BY_PHOTO.format(
        count=2, max_photos=3
    )
    assert alice.draft.category == "road"
    assert alice.draft.photo_set is None


def test_question_after_unfinished_photo_set(alice):
    alice.image(image_set=photo_set("s6", 1, 2))
    replies = alice.text("粗大ごみの出し方を教えてください")
    assert isinstance(replies, Preface)
    assert "（1/3枚）" in texts_of(replies)[0]
    assert alice.draft.photo_set is None


def test_photo_set_at_photo_step(alice):
    alice.text("通報")
    alice.press("category", value="road")
    assert alice.image(image_set=photo_set("s7", 1, 2)) == []
    last = alice.image(image_set=photo_set("s7", 2, 2))
    assert texts_of(last) == [texts.REPORT_PHOTO_RECEIVED.format(count=2, max_photos=3)]
    assert alice.draft.step == "photo"


def test_rejected_photo_in_a_set_still_says_why(alice):
    alice.image(image_set=photo_set("s2", 1, 3))
    assert alice.image(b"not a photo", image_set=photo_set("s2", 2, 3)) == []
    replies = alice.image(image_set=photo_set("s2", 3, 3))
    assert texts.REPORT_PHOTO_INVALID in texts_of(replies)
    assert "（2/3枚）" in texts_of(replies)[0]


def test_invalid_image_set_is_one_photo(alice):
    replies = alice.image(image_set=photo_set("s8", 4, 2))
    assert texts.REPORT_ASK_CATEGORY in joined(replies)


@pytest.mark.parametrize("word", ["もういいです", "大丈夫です", "特にないです"])
def test_nothing_more_at_comment_step_skips(alice, word):
    at_comment_step(alice)
    alice.text(word)
    assert alice.draft is not None
    assert alice.draft.step == "confirm"
    assert alice.draft.comment is None


def test_enough_photos_moves_on(alice):
    alice.text("通報")
    alice.press("category", value="road")
    alice.image()
    alice.text("もういいです")
    assert alice.draft.step == "location"


def test_fault_typed_as_place_keeps_address(alice):
    at_location_step(alice, "road")
    replies = alice.text("中町1丁目5番の前の街灯が切れてる")
    assert alice.draft.address == "中町1丁目5番の前"
    assert texts.REPORT_ONE_FAULT_EACH in texts_of(replies)


def at_confirm_step(alice):
    at_comment_step(alice)
    alice.text("夜は真っ暗で危ないです")
    assert alice.draft.step == "confirm"


def test_detail_at_confirmation_joins_comment(alice):
    at_confirm_step(alice)
    replies = alice.text("深さ10cmくらいで自転車が危ない")
    assert replies[-1].text.startswith(texts.REPORT_COMMENT_ADDED)
    assert (
        alice.draft.comment == "夜は真っ暗で危ないです\n深さ10cmくらいで自転車が危ない"
    )
    assert alice.draft.step == "confirm"


def test_symbols_at_confirmation_show_it_again(alice):
    at_confirm_step(alice)
    replies = alice.text("👍")
    assert replies[-1].text.startswith(texts.REPORT_CONFIRM_AGAIN)
    assert alice.draft.comment == "夜は真っ暗で危ないです"


def test_question_at_confirmation_keeps_draft(alice):
    at_confirm_step(alice)
    replies = alice.text("粗大ごみの出し方を教えてください")
    assert texts_of(replies) == [texts.REPORT_DRAFT_KEPT]
    assert alice.draft.step == "confirm"


@pytest.mark.parametrize("word", ["はい", "お願いします", "送ってください"])
def test_yes_at_confirmation_submits(alice, flow, word):
    at_confirm_step(alice)
    alice.text(word)
    assert alice.draft is None
    assert len(flow.store.list()) == 1


@pytest.mark.parametrize(
    "text",
    [
        "はい、お願いします",
        "はい お願いします。",
        "これで送ってください",
        "うん、送信",
        "これでいいです",
        "これで大丈夫です",
        "ええ、お願い",
        "はい、大丈夫です",
        "OKです",
    ],
)
def test_yes_in_a_few_words_at_confirmation_sends(alice, text):
    at_confirm_step(alice)
    replies = alice.text(text)
    assert alice.draft is None
    assert "受付番号" in joined(replies)


@pytest.mark.parametrize(
    "text",
    ["ハイ", "はーい", "オッケー👌", "了解です", "Yes", "よろしくお願いいたします。"],
)
def test_yes_in_katakana_or_other_words_sends(alice, text):
    at_confirm_step(alice)
    replies = alice.text(text)
    assert alice.draft is None
    assert "受付番号" in joined(replies)


@pytest.mark.parametrize(
    "text",
    [
        "いいえ",
        "送らないで",
        "いいえ、送らないでください",
        "ダメ",
        "違う",
        "NO",
        "ちょっと待ってね",
    ],
)
def test_no_at_confirmation_sends_nothing_and_adds_nothing(alice, text):
    at_confirm_step(alice)
    before = alice.draft.comment
    replies = alice.text(text)
    assert texts_of(replies)[0].startswith(texts.REPORT_NOT_SENT_YET)
    assert alice.draft.step == "confirm"
    assert alice.draft.comment == before
    assert alice.flow.store.list() == []


def test_no_with_detail_joins_comment(alice):
    at_confirm_step(alice)
    alice.text("いいえ、深さは10cmくらいです")
    assert "深さは10cm" in alice.draft.comment


@pytest.mark.parametrize("text", ["やっぱりやめた", "中止して", "やめた"])
def test_everyday_stop_phrases_cancel(alice, text):
    alice.text("通報")
    replies = alice.text(text)
    assert texts_of(replies)[0] == texts.REPORT_CANCELLED
    assert alice.draft is None


def at_step(alice, step: str) -> None:
    """Start a road report by text and take it up to ``step``."""
    alice.text("道路に穴があいてます")
    if step == "category":
        alice.press("change_category")
    if step not in ("category", "photo"):
        alice.image()
        alice.press("photos_done")
    if step in ("comment", "confirm"):
        alice.location(*KICHIJOJI)
    if step == "confirm":
        alice.press("skip_comment")
    assert alice.draft.step == step


@pytest.mark.parametrize(
    "step", ["category", "photo", "location", "comment", "confirm"]
)
@pytest.mark.parametrize(
    "text",
    [
        "取り消してください",
        "取り消します",
        "やっぱり取り消して",
        "やっぱり取り消してください",
        "通報をやめます",
        "やめます",
        "やめてください",
        "cancel",
        "Please cancel",
    ],
)
def test_cancel_wording_at_any_step(alice, settings, step, text):
    at_step(alice, step)
    photos = [settings.photos_dir / photo.path for photo in alice.draft.photos]
    replies = alice.text(text)
    assert texts_of(replies) == [texts.REPORT_CANCELLED]
    assert alice.draft is None
    assert not any(path.exists() for path in photos)
    assert alice.flow.store.list() == []


@pytest.mark.parametrize("step", ["photo", "location", "comment"])
@pytest.mark.parametrize("text", ["送らないでください", "送信しないでください"])
def test_do_not_send_before_confirmation_offers_cancel(alice, step, text):
    at_step(alice, step)
    replies = alice.text(text)
    assert texts_of(replies)[0] == texts.REPORT_ASK_CANCEL
    assert "やめる" in [item.action.label for item in replies[-1].quick_reply.items]
    assert alice.draft.step == step
    assert alice.draft.comment is None


@pytest.mark.parametrize("text", ["送らないでください", "送信しないでください"])
def test_do_not_send_at_confirmation_keeps_draft(alice, text):
    at_step(alice, "confirm")
    replies = alice.text(text)
    assert texts_of(replies)[0].startswith(texts.REPORT_NOT_SENT_YET)
    assert alice.draft.step == "confirm"
    assert alice.draft.comment is None


@pytest.mark.parametrize(
    "text",
    [
        "水が止まらないのでやめてほしい",
        "看板の文字が取り消し線のように消えています",
        "夜中に騒ぐのをやめてほしいです",
    ],
)
def test_cancel_word_inside_a_detail_is_a_comment(alice, text):
    at_step(alice, "comment")
    alice.text(text)
    assert alice.draft is not None
    assert alice.draft.step == "confirm"
    assert text in alice.draft.comment


def test_cancel_right_after_sending_gives_change_route(alice, flow):
    send_complete_report(alice)
    replies = alice.text("取り消してください")
    [reply] = texts_of(replies)
    assert "R2026-000001" in reply
    assert contact_text(texts.REPORT_CHANGE_ROUTE, flow.settings) in reply
    [report] = flow.store.list()
    assert report.status == "submitted"


@pytest.mark.parametrize(
    "text",
    ["R2026-000001を取り消したい", "受付番号R2026-000001の通報を取り下げたいです"],
)
def test_sent_report_change_mid_draft_prompts(alice, flow, text):
    alice.text("道路に穴があいてます")
    replies = texts_of(alice.text(text))
    assert replies[0] == contact_text(texts.REPORT_CHANGE_ROUTE, flow.settings)
    assert "写真を送ってください" in replies[-1]
    assert alice.draft.step == "photo"


def test_cancel_long_after_sending_is_for_the_core(alice, clock):
    send_complete_report(alice)
    clock.now += timedelta(hours=1)
    assert alice.text("取り消してください") is None


RETRACTIONS = ["見間違いでした", "勘違いでした", "さっきのは間違いです"]


@pytest.mark.parametrize("text", RETRACTIONS)
def test_retraction_without_report_needs_no_undo(alice, flow, text):
    replies = alice.text(text)
    nothing = contact_text(
        texts.REPORT_NOTHING_TO_TAKE_BACK, flow.settings, within="24時間"
    )
    assert texts_of(replies) == [nothing]
    assert alice.draft is None
    assert alice.flow.store.list() == []


@pytest.mark.parametrize("text", RETRACTIONS)
def test_retraction_after_sending_gives_change_route(alice, clock, flow, text):
    send_complete_report(alice)
    clock.now += timedelta(hours=5)
    [reply] = texts_of(alice.text(text))
    assert "R2026-000001" in reply
    assert contact_text(texts.REPORT_CHANGE_ROUTE, flow.settings) in reply
    [report] = flow.store.list()
    assert report.status == "submitted"


def test_retraction_a_day_after_sending_gives_phone_route(alice, clock, flow):
    send_complete_report(alice)
    clock.now += timedelta(days=1, minutes=1)
    [reply] = texts_of(alice.text("見間違いでした"))
    assert "24時間以内" in reply
    assert flow.settings.city_hall_phone in reply


def test_another_residents_report_is_not_named(alice, bob):
    send_complete_report(bob)
    [reply] = texts_of(alice.text("見間違いでした"))
    assert "R2026-000001" not in reply


def test_repair_thanks_without_draft_is_for_the_core(alice):
    assert alice.text("直ってました、ありがとう") is None


def test_retraction_in_a_draft_offers_cancel(alice):
    at_step(alice, "comment")
    replies = alice.text("さっきのは間違いです")
    assert texts_of(replies)[0] == texts.REPORT_TAKEN_BACK
    assert alice.draft.comment is None


@pytest.mark.parametrize(
    "step", ["category", "photo", "location", "comment", "confirm"]
)
@pytest.mark.parametrize(
    "text",
    [
        "すみません、見間違いでした",
        "あ、今見たらもう直ってました",
        "もう直ってたので大丈夫です",
        "送らないでください、見間違いでした",
    ],
)
def test_fault_taken_back_offers_cancel(alice, step, text):
    at_step(alice, step)
    before = alice.draft.comment
    replies = alice.text(text)
    assert texts_of(replies)[0].startswith(texts.REPORT_TAKEN_BACK)
    labels = [item.action.label for item in replies[-1].quick_reply.items]
    assert "やめる" in labels
    assert alice.draft.step == step
    assert alice.draft.comment == before
    assert alice.flow.store.list() == []


@pytest.mark.parametrize(
    "text",
    [
        "直してもらった街灯がまた消えています",
        "夜は安心して歩けません",
        "前に直ってましたが、また穴があいています",
        "まだ直ってないです",
    ],
)
def test_fault_still_there_is_a_comment(alice, text):
    at_step(alice, "comment")
    alice.text(text)
    assert alice.draft.step == "confirm"
    assert text in alice.draft.comment


@pytest.mark.parametrize("text", ["Next", "next", "NEXT"])
def test_english_next_ends_photo_step(alice, text):
    at_step(alice, "photo")
    alice.image()
    alice.text(text)
    assert alice.draft.step == "location"


@pytest.mark.parametrize("text", ["Next", "Skip"])
def test_english_next_skips_comment(alice, text):
    at_step(alice, "comment")
    alice.text(text)
    assert alice.draft.step == "confirm"
    assert alice.draft.comment is None


@pytest.mark.parametrize("text", ["Send", "send", "SEND"])
def test_english_send_sends(alice, flow, text):
    at_step(alice, "confirm")
    replies = alice.text(text)
    assert "R2026-000001" in joined(replies)
    assert alice.draft is None
    assert len(flow.store.list()) == 1


@pytest.mark.parametrize("step", ["photo", "comment", "confirm"])
@pytest.mark.parametrize(
    "text", ["Cancel", "CANCEL", "Sorry, my mistake. Please cancel."]
)
def test_english_cancel_cancels(alice, step, text):
    at_step(alice, step)
    replies = alice.text(text)
    assert texts_of(replies) == [texts.REPORT_CANCELLED]
    assert alice.draft is None


def test_time_question_at_location_step(alice):
    at_location_step(alice, "road")
    replies = alice.text("吉祥寺駅の近くの図書館は何時まで開いていますか")
    assert isinstance(replies, Preface)
    assert alice.draft.step == "location"
    assert not alice.draft.address


def test_old_skip_button_changes_nothing(alice):
    alice.text("通報")
    replies = alice.press("skip_comment")
    assert texts_of(replies)[0] == texts.REPORT_OLD_STEP_BUTTON
    assert alice.draft.step == "category"
    alice.press("category", value="road")
    alice.image()
    alice.press("photos_done")
    alice.location(*KICHIJOJI, address="東京都武蔵野市吉祥寺本町1丁目")
    assert alice.draft.step == "comment"


def test_place_corrected_at_comment_step_replaces_the_point(alice):
    at_comment_step(alice)
    replies = alice.text("場所はやっぱり中町2丁目3番の前です")
    assert texts_of(replies)[0] == texts.REPORT_PLACE_CHANGED.format(
        place="中町2丁目3番の前"
    )
    draft = alice.draft
    assert draft.address == "中町2丁目3番の前"
    assert draft.latitude is None
    assert draft.step == "comment"
    assert not draft.comment


def test_place_corrected_at_confirmation_shows_the_new_place(alice):
    at_confirm_step(alice)
    replies = alice.text("住所が違いました。吉祥寺本町2-3です")
    assert "吉祥寺本町2-3" in texts_of(replies)[-1]
    assert alice.draft.step == "confirm"


def test_other_city_address_at_location_step(alice):
    at_location_step(alice, "road")
    replies = alice.text("三鷹市下連雀3-1")
    assert OUTSIDE_CITY in texts_of(replies)
    assert alice.draft.address
    assert alice.draft.outside_city


def test_bare_approval_at_confirmation_asks_for_the_button(alice):
    at_confirm_step(alice)
    before = alice.draft.comment
    replies = alice.text("大丈夫です")
    assert texts_of(replies)[0].startswith(texts.REPORT_CONFIRM_AGAIN)
    assert alice.draft.comment == before
    assert alice.draft.step == "confirm"


def test_place_described_at_comment_step_is_a_comment(alice):
    at_comment_step(alice)
    alice.text("場所は吉祥寺本町1丁目5番の歩道で、穴の深さは10cmくらいです")
    assert alice.draft.latitude is not None
    assert "穴の深さ" in alice.draft.comment


def test_street_address_with_time_question_is_the_place(alice):
    at_location_step(alice, "road")
    alice.text("中町1丁目5番の前の道路はいつ直りますか")
    assert alice.draft.address


def test_other_city_with_a_count_is_no_address(alice):
    at_location_step(alice, "streetlight")
    alice.text("調布市で3日前から消えています")
    assert alice.draft.step == "location"
    assert not alice.draft.address


def test_photo_set_limit_counts_this_set_only(alice):
    alice.text("通報")
    alice.press("category", value="road")
    alice.image()
    alice.image()
    replies = [alice.image(image_set=photo_set("s9", i, 3)) for i in (1, 2, 3)]
    notes = texts_of(replies[2])
    assert texts.REPORT_PHOTO_SET_LIMIT.format(max_photos=3, kept=1) in notes
    assert len(alice.draft.photos) == 3


def test_photo_set_over_a_full_draft_keeps_none(alice):
    alice.text("通報")
    alice.press("category", value="road")
    for _ in range(3):
        alice.image()
    replies = [alice.image(image_set=photo_set("s10", i, 2)) for i in (1, 2)]
    assert texts.REPORT_PHOTO_SET_NONE_KEPT.format(max_photos=3) in texts_of(replies[1])


def test_late_photo_of_a_closed_set_is_answered(alice):
    alice.text("通報")
    alice.press("category", value="road")
    alice.image(image_set=photo_set("s11", 1, 2))
    alice.press("photos_done")
    late = alice.image(image_set=photo_set("s11", 2, 2))
    assert late
    assert len(alice.draft.photos) == 2


def test_cancel_after_unfinished_set_gets_no_count(alice):
    alice.image(image_set=photo_set("s12", 1, 3))
    replies = alice.text("やめます")
    assert texts_of(replies) == [texts.REPORT_CANCELLED]


def test_crisis_after_unfinished_set_gets_no_count(alice):
    alice.image(image_set=photo_set("s13", 1, 3))
    assert alice.text("もう死にたい") == []


@pytest.mark.parametrize("text", ["ｶﾞｲﾄｳｶﾞｷｴﾃｲﾏｽ", "ガイトウガキエテイマス"])
def test_fault_typed_in_katakana_starts_a_report(alice, text):
    alice.text(text)
    assert alice.draft is not None
    assert alice.draft.category == "streetlight"


@pytest.mark.parametrize(
    "text", ["中町2丁目3番でした", "場所はやっぱり三鷹市下連雀3-1です"]
)
def test_bare_or_outside_place_at_confirmation_replaces_it(alice, text):
    at_confirm_step(alice)
    alice.text(text)
    assert alice.draft.latitude is None
    assert alice.draft.address
    assert alice.draft.step == "confirm"


def test_wrong_place_at_confirmation_asks_for_it_again(alice):
    at_confirm_step(alice)
    replies = alice.text("いいえ、場所が違います")
    assert alice.draft.step == "location"
    assert not alice.draft.has_location
    assert texts_of(replies)[0] == texts.REPORT_ASK_NEW_LOCATION


@pytest.mark.parametrize("text", ["いや", "ちょっと待って"])
def test_wait_at_confirmation_adds_nothing(alice, text):
    at_confirm_step(alice)
    before = alice.draft.comment
    replies = alice.text(text)
    assert texts_of(replies)[0].startswith(texts.REPORT_NOT_SENT_YET)
    assert alice.draft.comment == before


@pytest.mark.parametrize(
    "text", ["穴の横の街灯の下です", "街路樹の根で舗装が盛り上がっています"]
)
def test_other_object_as_landmark_is_a_detail(alice, text):
    at_confirm_step(alice)
    replies = alice.text(text)
    assert texts.REPORT_ONE_FAULT_EACH not in texts_of(replies)
    assert text in alice.draft.comment


def test_size_at_photo_step_is_kept(alice):
    alice.text("通報")
    alice.press("category", value="road")
    alice.image()
    alice.text("深さ10cmくらいです")
    assert alice.draft.description == "深さ10cmくらいです"


def test_set_photo_after_cancel_gets_a_reply(alice):
    alice.image(image_set=photo_set("s14", 1, 3))
    alice.text("やめます")
    replies = alice.image(image_set=photo_set("s14", 2, 3))
    assert texts_of(replies) == [texts.REPORT_LATE_SET_PHOTO]
    assert alice.draft is None


@pytest.mark.parametrize(
    "text", ["すみません、道路じゃなくて公園でした", "種類は公園です", "公園です"]
)
def test_category_corrected_in_words_at_confirmation(alice, text):
    at_confirm_step(alice)
    replies = alice.text(text)
    assert texts_of(replies)[0] == texts.REPORT_CATEGORY_CHANGED.format(category="公園")
    assert alice.draft.category == "park"
    assert alice.draft.step == "confirm"
    assert "公園" not in (alice.draft.comment or "")


@pytest.mark.parametrize("text", ["これはいつ頃直りますか？", "返事はもらえますか"])
def test_question_on_after_sending_at_confirmation(alice, text):
    at_confirm_step(alice)
    before = alice.draft.comment
    replies = alice.text(text)
    assert texts_of(replies)[0] == contact_text(texts.REPORT_AFTER_SENDING, Settings())
    assert alice.draft.comment == before
    assert alice.draft.step == "confirm"


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("ちがう、中町2丁目3番", "中町2丁目3番"),
        ("場所ちゃうわ、中町2丁目や", "中町2丁目"),
        ("すみません、住所は中町2丁目3番の間違いでした", "中町2丁目3番"),
    ],
)
def test_no_then_the_right_place_corrects_it(alice, text, address):
    at_confirm_step(alice)
    alice.text(text)
    assert alice.draft.address == address


def test_no_then_the_right_category_corrects_it(alice):
    at_confirm_step(alice)
    alice.text("違います、公園です")
    assert alice.draft.category == "park"


@pytest.mark.parametrize("text", ["ええよ", "たのむわ"])
def test_kansai_yes_sends(alice, text):
    at_confirm_step(alice)
    replies = alice.text(text)
    assert alice.draft is None
    assert "受付番号" in joined(replies)


@pytest.mark.parametrize("text", ["いや、やめとく", "送らんでええ", "あかん"])
def test_kansai_no_sends_nothing(alice, text):
    at_confirm_step(alice)
    before = alice.draft.comment
    alice.text(text)
    assert alice.draft.comment == before
    assert alice.flow.store.list() == []


def test_vaguer_place_refines_a_typed_block(alice):
    at_location_step(alice, "road")
    alice.text("吉祥寺南町1丁目1番")
    alice.text("場所は吉祥寺駅の南口の交番の先です")
    assert alice.draft.address == "吉祥寺南町1丁目1番"


def test_detail_after_the_typed_place_is_kept(alice):
    at_location_step(alice, "streetlight")
    alice.text("中町1丁目5番。夜は真っ暗です")
    assert alice.draft.address == "中町1丁目5番"
    assert "夜は真っ暗です" in alice.draft.description


@pytest.mark.parametrize("step", ["comment", "confirm"])
def test_photo_count_question_at_later_steps(alice, step):
    at_comment_step(alice) if step == "comment" else at_confirm_step(alice)
    replies = alice.text("写真は何枚まで送れますか")
    assert texts.REPORT_PHOTO_COUNT.format(max_photos=3) in texts_of(replies)
    assert alice.draft.step == step


def test_photo_count_question_at_photo_step(alice):
    alice.text("街灯が消えています")
    replies = alice.text("写真は何枚まで送れますか？")
    assert texts.REPORT_PHOTO_COUNT.format(max_photos=3) in texts_of(replies)
    assert alice.draft.step == "photo"


def test_basho_wa_replaces_typed_landmark(alice):
    at_location_step(alice, "road")
    alice.text("吉祥寺駅北口のバス停の横")
    alice.press("skip_comment")
    alice.text("場所は吉祥寺駅の南口です")
    assert alice.draft.address == "吉祥寺駅の南口"


def test_basho_wa_keeps_map_point(alice):
    at_confirm_step(alice)
    alice.text("場所は送った地図の通り吉祥寺駅の南口です")
    assert alice.draft.latitude is not None
    assert "吉祥寺駅の南口" in alice.draft.comment


@pytest.mark.parametrize(
    "text", ["場所を変えたいです", "場所まちがえました、すみません"]
)
def test_wish_to_change_the_place_asks_for_it(alice, text):
    at_confirm_step(alice)
    alice.text(text)
    assert alice.draft.step == "location"


def test_comment_deleted_at_confirmation(alice):
    at_confirm_step(alice)
    replies = alice.text("補足を消してください")
    assert texts.REPORT_COMMENT_DELETED in texts_of(replies)
    assert alice.draft.comment is None
    assert alice.draft.description is None
    assert alice.draft.step == "comment"


@pytest.mark.parametrize(
    "text", ["ないです🙏", "大丈夫でーす", "いえ、ありません", "No"]
)
def test_nothing_to_add_at_comment_step_skips(alice, text):
    at_comment_step(alice)
    alice.text(text)
    assert alice.draft.step == "confirm"
    assert alice.draft.comment is None


def test_place_and_fault_at_location_step_keep_both(alice):
    at_location_step(alice, "road")
    alice.text("ファミマの前の中町2丁目の歩道が陥没してて危ないです")
    assert alice.draft.address == "ファミマの前の中町2丁目"
    assert "陥没" in alice.draft.description


def test_category_named_after_yappari_changes_it(alice):
    at_comment_step(alice)
    replies = alice.text("やっぱり公園")
    assert alice.draft.category == "park"
    assert texts.REPORT_CATEGORY_CHANGED.format(category="公園") in texts_of(replies)


def test_same_category_named_again_is_no_comment(alice):
    at_confirm_step(alice)
    before = alice.draft.comment
    replies = alice.text("種類は道路です")
    assert texts.REPORT_CATEGORY_SAME.format(category="道路") in texts_of(replies)
    assert alice.draft.comment == before


def test_place_alone_gets_no_note(alice):
    at_location_step(alice, "streetlight")
    replies = alice.text("吉祥寺駅北口を出てすぐのところです")
    assert texts.REPORT_ONE_FAULT_EACH not in texts_of(replies)


def test_road_as_lid_place_gets_no_note(alice):
    at_location_step(alice, "sewer")
    replies = alice.text("中町1丁目のローソンの前の道路で、ふたが浮いてます")
    assert texts.REPORT_ONE_FAULT_EACH not in texts_of(replies)
    assert alice.draft.address == "中町1丁目のローソンの前"


def test_wrong_category_in_words_asks_for_it_again(alice):
    at_comment_step(alice)
    alice.text("種類が違います")
    assert alice.draft.step == "category"
    assert alice.draft.category is None


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("すみません、場所はやっぱり中町2丁目3番の前です", "中町2丁目3番の前"),
        ("場所は中町2丁目3番の前です", "中町2丁目3番の前"),
        ("すみません場所まちがえました。武蔵境駅の北口です", "武蔵境駅の北口"),
        ("住所が違ってました、吉祥寺本町1丁目2番です", "吉祥寺本町1丁目2番"),
    ],
)
def test_place_corrections_in_natural_words(alice, text, address):
    at_confirm_step(alice)
    alice.text(text)
    assert alice.draft.address == address
    assert alice.draft.latitude is None


def test_place_corrected_at_photo_step(alice):
    alice.text("街灯が消えています")
    alice.location(*KICHIJOJI)
    alice.text("中町2丁目5番です")
    assert alice.draft.address == "中町2丁目5番"
    assert alice.draft.latitude is None


@pytest.mark.parametrize(
    "text",
    ["はい、それで", "それでお願いします", "送信お願いします", "おくってください"],
)
def test_more_ways_to_say_send(alice, text):
    at_confirm_step(alice)
    alice.text(text)
    assert alice.draft is None
    assert len(alice.flow.store.list()) == 1


def test_send_word_at_comment_step_moves_to_confirmation(alice):
    at_comment_step(alice)
    alice.text("送信")
    assert alice.draft.step == "confirm"
    assert alice.draft.comment is None


def test_location_after_photos_moves_past_the_photo_step(alice):
    alice.text("街灯が消えています")
    alice.image()
    alice.location(*KICHIJOJI)
    assert alice.draft.step == "comment"


@pytest.mark.parametrize("text", ["はい", "送信", "いいえ"])
def test_yes_or_no_after_expiry(alice, clock, text):
    at_confirm_step(alice)
    clock.now += timedelta(hours=25)
    replies = alice.text(text)
    assert not isinstance(replies, Preface)
    assert texts_of(replies) == [texts.REPORT_EXPIRED.format(idle="24時間")]


def test_unknown_block_at_location_step_is_not_taken(alice):
    at_location_step(alice, "road")
    replies = alice.text("中町9丁目5番の前です")
    no_block = texts.REPORT_NO_SUCH_BLOCK.format(town="中町", block=9, last=3)
    assert texts_of(replies)[0] == no_block
    assert alice.draft.step == "location"
    assert not alice.draft.address


def test_unknown_block_at_confirmation_keeps_the_place(alice):
    at_confirm_step(alice)
    before = (alice.draft.address, alice.draft.latitude, alice.draft.comment)
    replies = alice.text("場所はやっぱり境7丁目でした")
    no_block = texts.REPORT_NO_SUCH_BLOCK.format(town="境", block=7, last=5)
    assert texts_of(replies)[0] == no_block
    after = (alice.draft.address, alice.draft.latitude, alice.draft.comment)
    assert after == before
    assert alice.draft.step == "confirm"


def test_unknown_block_in_first_message_noted(alice):
    replies = alice.text("中町9丁目の道路に穴があいてます")
    no_block = texts.REPORT_NO_SUCH_BLOCK.format(town="中町", block=9, last=3)
    assert no_block in texts_of(replies)
    assert alice.draft.address is None


def test_late_set_photo_after_restart(alice, make_flow, contents):
    alice.image(image_set=photo_set("s15", 1, 3))
    alice.text("やめます")
    restarted = Resident(make_flow(), contents, alice.user_id)
    replies = restarted.image(image_set=photo_set("s15", 2, 3))
    assert texts_of(replies) == [texts.REPORT_LATE_SET_PHOTO]
    assert (
        restarted.flow.store.load_draft(restarted.flow.store.hash_user(alice.user_id))
        is None
    )


def test_closed_set_is_forgotten_with_the_resident(alice, flow):
    alice.image(image_set=photo_set("s16", 1, 2))
    alice.text("やめます")
    user_hash = flow.store.hash_user(alice.user_id)
    assert flow.store.closed_set(user_hash) == "s16"
    flow.forget_user(alice.user_id)
    assert flow.store.closed_set(user_hash) is None


def test_closed_set_is_forgotten_after_a_day(alice, flow, clock):
    alice.image(image_set=photo_set("s17", 1, 2))
    alice.text("やめます")
    user_hash = flow.store.hash_user(alice.user_id)
    clock.now += timedelta(days=1, minutes=1)
    assert flow.store.purge_closed_sets(clock.now - timedelta(days=1)) == 1
    assert flow.store.closed_set(user_hash) is None


@pytest.mark.parametrize(
    "text",
    [
        "歩道に穴があいているんですが、どこに連絡すればいいですか？",
        "公園のブランコが壊れていたらどうすればいいですか",
        "街路灯が消えてるのってLINEで通報できますか？",
        "下水のマンホールのふたがガタガタしてるけど、どこに言えばいいの",
        "道路に穴があいてるんだけど、これって市に言えばいいの？",
        "うちの前の街灯が点いたり消えたりしておりまして、どちらにご連絡すればよろしいでしょうか",
    ],
)
def test_where_to_report_gets_route(alice, text):
    replies = alice.text(text)
    assert texts_of(replies)[0].startswith(
        "道路・街路灯・街路樹・公園・下水道の不具合は"
    )
    assert "0422-51-5131" in texts_of(replies)[0]
    assert alice.draft is None


@pytest.mark.parametrize(
    "text",
    [
        "街路灯を増やしてほしいという要望はどこに出せばいいですか",
        "粗大ごみはどこに出せばいいですか",
        "下水道料金が高くて困ってるんですが、どこに相談すればいいですか",
        "家の排水管が詰まったときはどこに頼めばいいですか",
        "道路の穴でタイヤがパンクしました。修理代の補償はどこに請求すればいいですか",
    ],
)
def test_other_where_questions_get_pages(alice, text):
    assert alice.text(text) is None


def test_where_to_report_signal_gets_police(alice):
    replies = texts_of(alice.text("信号機が壊れていたらどこに連絡すればいいですか"))
    assert replies == [texts.REPORT_SIGNAL_IS_POLICE]


def test_where_to_report_urgent_fault(alice):
    replies = texts_of(alice.text("道路の陥没を見つけたらどこに連絡すればいいですか"))
    assert "110" in replies[0]
    assert replies[1].startswith("道路・街路灯・街路樹・公園・下水道の不具合は")
    assert alice.draft is None


@pytest.mark.parametrize(
    "text",
    [
        "公園で夜中に若者が騒いでてうるさいんですが、どこに相談すればいいですか",
        "野良猫が公園に住み着いて困っています。どこに相談すればいいですか？",
    ],
)
def test_where_to_go_with_neighbour_trouble(alice, text):
    replies = alice.text(text)
    assert isinstance(replies, Preface)
    [note] = [message.text for message in replies]
    assert note.startswith("LINEの通報は、市が管理する")


@pytest.mark.parametrize(
    "text",
    [
        "家の前の街灯が一晩中点滅してて、隣の犬がそれに吠えてうるさい",
        "公園の前に車が停めっぱなしで、ガードレールがへこんでます",
        "公園で子どもたちが騒いでて、ブランコの鎖がぐらぐらしてて危ない",
    ],
)
def test_fault_beside_neighbour_trouble_is_a_report(alice, text):
    alice.text(text)
    assert alice.draft is not None


@pytest.mark.parametrize(
    "text",
    ["みちに あなが あいてる", "ほどうに だんさが できてる", "みちが ぼこぼこです"],
)
def test_short_fault_in_kana_starts_a_report(alice, text):
    alice.text(text)
    assert alice.draft is not None
    assert alice.draft.category == "road"


@pytest.mark.parametrize(
    "text",
    [
        "公園で夜遅くまで騒いでる若い人たちがいます",
        "隣の家の犬が一日中吠えていてうるさい",
        "のらねこがうちの庭にたくさん来て困ってます",
        "家の前に迷惑駐車の車がずっといる",
    ],
)
def test_neighbour_trouble_gets_the_contact_route_before_answers(alice, text):
    replies = alice.text(text)
    assert isinstance(replies, Preface)
    [note] = [message.text for message in replies]
    assert note.startswith("LINEの通報は、市が管理する")
    assert "0422-51-5131" in note
    assert alice.draft is None


def test_neighbour_trouble_with_broken_thing(alice):
    alice.text("公園で騒ぐ人たちがいて、ベンチの板が割れています")
    assert alice.draft is not None
    assert alice.draft.category == "park"


@pytest.mark.parametrize(
    "text",
    [
        "写真が撮れません",
        "写真はないです",
        "電話で説明したいです",
        "撮影は無理です",
        "写メないです",
    ],
)
def test_resident_without_a_photo_gets_the_phone_route(alice, text):
    alice.text("通報")
    alice.press("category", value="road")
    replies = texts_of(alice.text(text))
    assert replies[0] == contact_text(texts.REPORT_NO_PHOTO_ROUTE, Settings())
    assert alice.draft.step == "photo"
    assert not alice.draft.description


@pytest.mark.parametrize(
    "text",
    [
        "場所はよくわかりません",
        "地図の送り方がわからない",
        "わかりません",
        "位置情報ってどうやって送るの?",
        "GPSがオフで地図が出ません",
    ],
)
def test_resident_who_cannot_give_the_place_gets_help(alice, text):
    at_location_step(alice, "road")
    replies = texts_of(alice.text(text))
    assert replies == [contact_text(texts.REPORT_PLACE_HELP, Settings())]
    assert alice.draft.step == "location"
    assert not alice.draft.address


def test_other_owner_place_at_location_step(alice):
    at_location_step(alice, "park")
    replies = texts_of(alice.text("井の頭恩賜公園の池のそばです"))
    assert texts.REPORT_OTHER_OWNER in replies
    assert alice.draft.address


@pytest.mark.parametrize(
    "text",
    [
        "三鷹駅のホームの屋根から雨漏りしています",
        "吉祥寺駅の構内のエスカレーターが止まっています",
    ],
)
def test_station_or_railway_gets_owner_note(alice, text):
    replies = texts_of(alice.text(text))
    assert texts.REPORT_OTHER_OWNER in replies
    assert "鉄道会社" in texts.REPORT_OTHER_OWNER


@pytest.mark.parametrize(
    "text",
    [
        "吉祥寺駅の駐輪場の屋根が破れています",
        # Station gates and passages are mostly landmarks.
        "武蔵境駅の改札を出てすぐの歩道に穴があいています",
    ],
)
def test_station_landmark_gets_no_owner_note(alice, text):
    replies = texts_of(alice.text(text))
    assert texts.REPORT_OTHER_OWNER not in replies


def test_owner_note_is_not_given_twice(alice):
    first = texts_of(alice.text("五日市街道の歩道に穴があいています"))
    assert texts.REPORT_OTHER_OWNER in first
    alice.press("category", value="road")
    alice.image()
    alice.press("photos_done")
    assert alice.draft.step == "location"
    replies = texts_of(alice.text("五日市街道の歩道、成蹊大学の前あたり"))
    assert texts.REPORT_OTHER_OWNER not in replies


def test_location_far_outside_starts_no_report(alice):
    replies = alice.location(*KYOTO)
    assert texts_of(replies) == [texts.REPORT_FAR_OUTSIDE.format(city_name="武蔵野市")]
    assert alice.draft is None


def test_far_location_at_location_step(alice):
    at_location_step(alice, "road")
    replies = texts_of(alice.location(*KYOTO))
    assert replies[0] == texts.REPORT_FAR_OUTSIDE.format(city_name="武蔵野市")
    assert alice.draft.step == "location"
    assert not alice.draft.has_location


def test_first_message_of_several_faults_asks_which_one(alice):
    replies = texts_of(
        alice.text("坂の街灯が消えています。あと、その先の歩道にも穴があいてます")
    )
    assert texts.REPORT_ONE_FAULT_EACH in replies
    assert alice.draft.category is None
    assert alice.draft.step == "category"


def test_fault_with_a_landmark_is_one_report(alice):
    replies = texts_of(alice.text("交差点のそばの街灯が消えていて、横断歩道が暗い"))
    assert texts.REPORT_ONE_FAULT_EACH not in replies
    assert alice.draft.category == "streetlight"


def test_draft_at_confirmation_waits_a_day(alice, clock, flow):
    at_confirm_step(alice)
    clock.now += timedelta(hours=3)
    flow._last_purge = None  # the next event runs the purge
    done = alice.press("submit")
    assert "R2026-000001" in done[0].text
    [report] = flow.store.list()
    assert len(report.photos) == 1


def test_early_step_draft_expires_in_30_minutes(alice, clock):
    at_location_step(alice, "road")
    clock.now += timedelta(minutes=31)
    replies = alice.location(*KICHIJOJI)
    assert texts_of(replies)[0] == texts.REPORT_EXPIRED_NEW_DRAFT.format(idle="30分")


def test_draft_waiting_for_its_comment_waits_a_day(alice, clock):
    at_comment_step(alice)
    clock.now += timedelta(hours=3)
    alice.press("skip_comment")
    assert alice.draft.step == "confirm"


def test_photo_soon_after_sending_noted(alice, clock):
    send_complete_report(alice)
    clock.now += timedelta(minutes=2)
    replies = texts_of(alice.image())
    assert replies[0] == texts.REPORT_PHOTO_AFTER_SENT.format(receipt_no="R2026-000001")
    assert alice.draft is not None


def test_photo_long_after_sending_starts_a_report_plainly(alice, clock):
    send_complete_report(alice)
    clock.now += timedelta(hours=1)
    replies = texts_of(alice.image())
    assert replies[0].startswith("写真を不具合の通報として受け取りました")


def test_place_given_beside_an_unknown_address_is_taken(alice):
    at_location_step(alice, "road")
    alice.text("正確な住所は分からないですが、境南町3丁目の郵便局の前です")
    assert alice.draft.address == "境南町3丁目の郵便局の前"
    assert alice.draft.step == "comment"


def test_place_typed_in_kana_is_taken_as_written(alice):
    at_location_step(alice, "road")
    alice.text("なかちょう1ちょうめ5ばん")
    assert alice.draft.address == "中町1丁目5番"
    assert alice.draft.step == "comment"


def test_place_sentence_keeps_place_only(alice):
    at_location_step(alice, "road")
    alice.text("場所は境南町2丁目10番の前です")
    assert alice.draft.address == "境南町2丁目10番の前"


@pytest.mark.parametrize(
    "text", ["立川市錦町1丁目の歩道です", "京都市中京区の河原町通り"]
)
def test_typed_place_far_outside_is_not_taken(alice, text):
    at_location_step(alice, "road")
    replies = texts_of(alice.text(text))
    assert replies[0] == texts.REPORT_FAR_OUTSIDE.format(city_name="武蔵野市")
    assert not alice.draft.address


@pytest.mark.parametrize(
    "text",
    [
        "道路に穴があいてて、マンホールのふたもガタガタしてます",
        "①街灯が消えている ②歩道に穴があいている",
        "街灯消えてる＆歩道陥没してる",
    ],
)
def test_several_faults_in_other_forms_get_the_note(alice, text):
    replies = texts_of(alice.text(text))
    assert texts.REPORT_ONE_FAULT_EACH in replies


def test_photo_set_soon_after_sending_noted(alice, clock):
    send_complete_report(alice)
    clock.now += timedelta(minutes=1)
    alice.image(image_set=photo_set("s20", 1, 2))
    replies = texts_of(alice.image(image_set=photo_set("s20", 2, 2)))
    assert replies[0] == texts.REPORT_PHOTO_AFTER_SENT.format(receipt_no="R2026-000001")


def test_second_fault_at_comment_step_is_no_comment(alice):
    at_comment_step(alice)
    replies = texts_of(alice.text("あと、近くの公園のベンチも壊れてます"))
    assert texts.REPORT_ONE_FAULT_EACH in replies
    assert not alice.draft.comment
    assert alice.draft.step == "comment"


@pytest.mark.parametrize("text", ["送信で", "お願いします🙏", "うん、それでいいよ"])
def test_more_ways_of_saying_send_send(alice, text):
    at_confirm_step(alice)
    replies = texts_of(alice.text(text))
    assert "R2026-000001" in replies[0]


def test_thanks_alone_at_confirmation_is_no_comment(alice):
    at_confirm_step(alice)
    before = alice.draft.comment
    alice.text("ありがとうございます")
    assert alice.draft.comment == before


THANKS_TEXTS = ["ありがとうございます", "助かります", "ありがとうございます🙇"]


@pytest.mark.parametrize(
    "step", ["category", "photo", "location", "comment", "confirm"]
)
@pytest.mark.parametrize("text", THANKS_TEXTS)
def test_thanks_in_a_draft_keeps_it(alice, step, text):
    at_step(alice, step)
    before = alice.draft
    replies = alice.text(text)
    assert texts_of(replies)[0].startswith(texts.REPORT_THANKS_IN_DRAFT)
    assert "やめる" in quick_labels(replies[-1])
    assert alice.draft == before


@pytest.mark.parametrize("step", ["photo", "comment", "confirm"])
def test_thanks_with_a_detail_is_kept(alice, step):
    at_step(alice, step)
    text = "ありがとうございます。穴は30cmくらいです"
    alice.text(text)
    assert text in alice.draft.comment


def test_yes_with_thanks_still_sends(alice):
    at_step(alice, "confirm")
    replies = alice.text("はい、ありがとうございます")
    assert "R2026-000001" in texts_of(replies)[0]
    assert alice.draft is None


@pytest.mark.parametrize("text", ["ないよ", "特にないっす", "🙇"])
def test_nothing_to_add_skips_the_comment(alice, text):
    at_comment_step(alice)
    alice.text(text)
    assert alice.draft.step == "confirm"
    assert not alice.draft.comment


def test_category_corrected_with_yappari_at_confirmation(alice):
    at_confirm_step(alice)
    alice.text("やっぱり公園でした")
    assert alice.draft.category == "park"


def test_far_city_in_first_message(alice):
    replies = texts_of(alice.text("横浜市中区山下町1丁目の歩道に穴があいています"))
    assert texts.REPORT_FAR_OUTSIDE.format(city_name="武蔵野市") in replies
    assert not alice.draft.address


def test_far_city_place_correction(alice):
    at_confirm_step(alice)
    before = alice.draft.address
    replies = texts_of(alice.text("場所はやっぱり新宿区西新宿2丁目8番です"))
    assert replies[0] == texts.REPORT_FAR_OUTSIDE.format(city_name="武蔵野市")
    assert alice.draft.address == before


@pytest.mark.parametrize(
    "text", ["写真なしでも通報できますか？", "通報するとき写真は必要ですか"]
)
def test_photo_needed_question(alice, text):
    replies = texts_of(alice.text(text))
    assert replies == [contact_text(texts.REPORT_PHOTO_NEEDED, Settings())]
    assert alice.draft is None


def test_first_message_without_photo(alice):
    replies = texts_of(
        alice.text("写真は撮れないんですが、家の前の道路に穴があいています")
    )
    route = contact_text(texts.REPORT_NO_PHOTO_ROUTE, Settings())
    assert route in replies
    assert alice.draft is not None


def test_push_button_signal_for_police(alice):
    replies = texts_of(alice.text("押しボタン式信号のボタンを押しても青にならない"))
    assert replies == [texts.REPORT_SIGNAL_IS_POLICE]
    assert alice.draft is None


def test_injury_at_comment_step_kept(alice):
    at_comment_step(alice)
    alice.text("さっきここで人が転んでけがをしました")
    assert "転んでけが" in alice.draft.comment
    assert alice.draft.step == "confirm"


def test_fire_told_at_comment_step_is_no_comment(alice):
    at_comment_step(alice)
    alice.text("火事です")
    assert not alice.draft.comment
    assert alice.draft.step == "comment"


def test_replayed_first_text_adds_no_comment(alice):
    alice.text("公園のベンチが壊れています")
    before = alice.draft
    replies = alice.resend()
    assert alice.draft.comment is None
    assert alice.draft.description == before.description
    assert alice.draft.step == before.step
    assert replies


def test_replayed_comment_is_kept_once(alice):
    alice.text("街灯が消えています")
    alice.image()
    alice.press("photos_done")
    alice.location(*KICHIJOJI, address="東京都武蔵野市吉祥寺本町1丁目")
    alice.text("深さ10cmくらいです")
    replies = alice.resend()
    assert alice.draft.comment == "深さ10cmくらいです"
    assert "深さ10cmくらいです" in replies[0].text
    alice.text("夜は真っ暗です")
    assert alice.draft.comment == "深さ10cmくらいです\n夜は真っ暗です"


@pytest.mark.parametrize(
    ("text", "step"),
    [
        # A step's detail named before なしで or 間違えました is no call-off.
        ("コメントなしでお願いします", "confirm"),
        ("場所間違えました", "location"),
        ("住所まちがえました", "location"),
    ],
)
def test_named_detail_is_no_call_off(alice, text, step):
    reach_comment_step(alice)
    replies = alice.text(text)
    assert texts.REPORT_TAKEN_BACK not in joined(replies)
    assert alice.draft.step == step


def test_photo_none_please_is_no_retraction(alice):
    alice.text("街灯が消えています")
    replies = alice.text("写真なしでお願いします")
    assert texts.REPORT_TAKEN_BACK not in joined(replies)
    assert alice.draft.step == "photo"


@pytest.mark.parametrize(
    "text",
    [
        "できれば早く直してもらって、子どもが通れるようにしたいです",
        "早めに撤去してもらって、すっきりさせたい",
    ],
)
def test_wish_for_work_is_no_retraction(alice, text):
    # てもらって followed by a wish requests work, and only thanks after it
    # looks back on work done.
    reach_comment_step(alice)
    replies = alice.text(text)
    assert texts.REPORT_TAKEN_BACK not in joined(replies)
    assert alice.draft.step == "confirm"


def test_category_corrected_in_words_at_photo_step(alice):
    alice.text("家の前の街灯が消えています")
    assert (alice.draft.category, alice.draft.step) == ("streetlight", "photo")
    replies = alice.text("すみません、街灯じゃなくて道路の穴でした")
    assert texts_of(replies)[0] == texts.REPORT_CATEGORY_CHANGED.format(category="道路")
    assert (alice.draft.category, alice.draft.step) == ("road", "photo")
    assert alice.draft.description == "家の前の街灯が消えています"
    assert alice.draft.comment == "すみません、街灯じゃなくて道路の穴でした"


@pytest.mark.parametrize(
    ("first", "later", "category"),
    [
        (
            "街路樹の枝が折れてぶら下がってる",
            "枝じゃなくて公園の木の幹が折れてます",
            "tree",
        ),
        (
            "道路に穴があいてる",
            "車道じゃなくて道路わきの歩道です。深さ10cmくらい",
            "road",
        ),
        ("道路に穴があいてる", "ガスくさい。道路じゃなくて下水です", "road"),
    ],
)
def test_description_at_photo_step_is_no_correction(alice, first, later, category):
    alice.text(first)
    replies = alice.text(later)
    assert alice.draft.category == category
    assert alice.draft.comment == later
    assert not any(text.startswith("種類を") for text in texts_of(replies)), texts_of(
        replies
    )


def test_question_beside_the_fault_gets_a_note(alice):
    replies = alice.text(
        "家の前の街灯が消えています。あと、粗大ごみの申し込みはLINEでできますか？"
    )
    assert texts.REPORT_OTHER_MATTER_LATER in texts_of(replies)
    assert alice.draft.category == "streetlight"


def test_fault_alone_gets_no_other_matter_note(alice):
    replies = alice.text("家の前の街灯が消えています")
    assert texts.REPORT_OTHER_MATTER_LATER not in texts_of(replies)


@pytest.mark.parametrize(
    ("text", "category", "step"),
    [
        ("種類が違います", None, "category"),
        ("やっぱり道路です", "road", "photo"),
        ("種類は道路です", "road", "photo"),
        ("防犯灯じゃなくて道路の穴でした", "road", "photo"),
        ("道路でした", "streetlight", "photo"),
    ],
)
def test_plain_category_words_at_photo_step(alice, text, category, step):
    alice.text("街灯が消えてます")
    alice.text(text)
    assert (alice.draft.category, alice.draft.step) == (category, step)


@pytest.mark.parametrize(
    "text",
    [
        "街灯が消えています。あと、場所は中町1丁目5番です",
        "街灯が消えています。あと、夜は真っ暗で怖いです",
    ],
)
def test_detail_after_fault_gets_no_note(alice, text):
    replies = alice.text(text)
    assert texts.REPORT_OTHER_MATTER_LATER not in texts_of(replies)
