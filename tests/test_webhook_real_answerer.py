"""The webhook with the real Answerer over a small real index built in the test."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient

from cityline.fake_line_api import FakeLineApi
from webhook.app import create_app
from webhook.testing import (
    TEST_CHANNEL_SECRET,
    loopback_settings,
    signed_headers,
    text_event,
    webhook_body,
)

REPLY = "/v2/bot/message/reply"
BASE = "https://city.example.jp"

PAGES = [
    (
        "/kurashi/gomi/sodai.html",
        "粗大ごみの出し方",
        ["くらし", "ごみ・リサイクル"],
        "粗大ごみは電話またはインターネットで事前に申し込んでください。"
        "一辺が30センチメートルを超える家具や家電が粗大ごみです。"
        "申し込みの後、粗大ごみ処理券をコンビニエンスストアで購入し、"
        "品物に貼って収集日の朝8時までに出してください。",
    ),
    (
        "/kurashi/juminhyo/utsushi.html",
        "住民票の写しの請求",
        ["くらし", "届出・証明"],
        "住民票の写しは市民課の窓口、市政センター、コンビニ交付で請求できます。"
        "窓口では本人確認書類を持参してください。手数料は1通300円です。"
        "マイナンバーカードがあればコンビニのマルチコピー機で取得できます。",
    ),
    (
        "/kosodate/hoikuen/moushikomi.html",
        "保育園の入園申し込み",
        ["子育て", "保育園"],
        "認可保育園の入園は、希望する月の前月10日までに子ども育成課へ申し込みます。"
        "4月入園の一次募集は11月に受け付けます。就労証明書が必要です。",
    ),
    (
        "/kenko/yobosesshu/kodomo.html",
        "子どもの予防接種",
        ["健康・福祉", "予防接種"],
        "子どもの定期予防接種は、市内の協力医療機関で無料で受けられます。"
        "予診票は出生届の後に郵送します。接種の時期は母子健康手帳を確認してください。",
    ),
    (
        "/shisetsu/toshokan/jikan.html",
        "図書館の開館時間",
        ["施設", "図書館"],
        "中央図書館の開館時間は午前9時30分から午後8時までです。"
        "毎週水曜日と年末年始は休館します。本の予約はインターネットでもできます。",
    ),
    (
        "/bosai/hinanjo.html",
        "避難所の一覧",
        ["防災", "避難"],
        "地震などの災害時に開設する避難所は市立の小学校と中学校です。"
        "避難所には食料と毛布を備蓄しています。日頃から避難経路を確かめてください。",
    ),
]


def write_pages(settings) -> None:
    from crawler.records import StoredPage, utc_now
    from crawler.store import PageStore

    now = utc_now()
    store = PageStore.open(settings.pages_db_path)
    try:
        run_id = store.start_run(BASE + "/")
        for path, title, breadcrumbs, text in PAGES:
            page = StoredPage(
                url=BASE + path,
                canonical_url=BASE + path,
                title=title,
                breadcrumbs=breadcrumbs,
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


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    build = pytest.importorskip("index.build")
    fake = FakeLineApi()
    fake.start()
    settings = loopback_settings(tmp_path_factory.mktemp("data"), fake.base_url)
    write_pages(settings)
    build.build_index(settings)
    yield settings, fake
    fake.stop()


def test_real_answerer_links_right_page(indexed):
    settings, fake = indexed
    app = create_app(settings, flows=[])  # loads Answerer from settings.index_dir
    event = text_event("Ureal", "粗大ごみはどうやって出せばいいですか")
    body = webhook_body([event])
    with TestClient(app) as client:
        assert client.get("/healthz").json()["index_loaded"] is True
        response = client.post(
            "/callback", content=body, headers=signed_headers(body, TEST_CHANNEL_SECRET)
        )
        [request] = fake.wait_for(REPLY)
    assert response.status_code == 200
    [message] = request.json["messages"]
    assert message["type"] == "flex"
    first = message["contents"]["contents"][0]
    assert first["footer"]["contents"][0]["action"]["uri"] == (
        BASE + "/kurashi/gomi/sodai.html"
    )
    assert "粗大ごみの出し方" in message["altText"]


def test_real_answerer_fallback_for_emoji_only(indexed):
    settings, fake = indexed
    before = len(fake.requests_to(REPLY))
    app = create_app(settings, flows=[])
    body = webhook_body([text_event("Ureal", "！😀😀")])
    with TestClient(app) as client:
        client.post(
            "/callback", content=body, headers=signed_headers(body, TEST_CHANNEL_SECRET)
        )
        requests = fake.wait_for(REPLY, before + 1)
    [message] = requests[-1].json["messages"]
    assert message["type"] == "text"
    assert settings.city_hall_phone in message["text"]
