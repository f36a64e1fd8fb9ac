"""Staff texts that are published with reports carry no personal data: notes are
rejected with the part that matched, stored notes with it stay out of public
views, and department names in the routing file are checked too."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cityline.errors import ConfigError
from cityline.settings import Settings
from tests.console import run_console
from webhook import texts
from webhook.reports.cli import open_store
from webhook.reports.models import Draft, StoredPhoto
from webhook.reports.open311 import build_open311_router
from webhook.reports.personal_data import (
    ADDRESS_KIND,
    FLAT_KIND,
    NAME_KIND,
    find_personal_detail,
    find_personal_details,
)
from webhook.reports.routing import ROUTING_FILE_NAME, load_routing
from webhook.reports.store import ReportStore, new_draft_id

CITY_HALL_PHONE = "0422-51-5131"


@pytest.mark.parametrize(
    ("note", "kind", "part"),
    [
        # Named people and their homes.
        ("鈴木一郎様のご自宅前", NAME_KIND, "鈴木一郎様"),
        ("通報者の山田花子さんから", NAME_KIND, "山田花子さん"),
        ("田中邸の前", NAME_KIND, "田中邸"),
        ("山田太郎方の前", NAME_KIND, "山田太郎方"),
        ("鈴木さんちの前", NAME_KIND, "鈴木さん"),
        ("小林宅前の側溝", NAME_KIND, "小林宅"),
        ("佐々木氏より連絡", NAME_KIND, "佐々木氏"),
        ("けんたくんが転倒", NAME_KIND, "けんたくん"),
        ("ハナコちゃんの自転車", NAME_KIND, "ハナコちゃん"),
        ("ワタナベさんから", NAME_KIND, "ワタナベさん"),
        ("鈴木 様から", NAME_KIND, "鈴木 様"),
        ("斎藤様方の前", NAME_KIND, "斎藤様方"),
        ("山田花子から連絡", NAME_KIND, "山田花子"),
        ("佐藤の家の前", NAME_KIND, "佐藤の家"),
        ("通報者様宅の前", NAME_KIND, "通報者様宅"),
        # House-level addresses: public output shows only the town.
        ("中町1丁目5番地", ADDRESS_KIND, "1丁目5番地"),
        ("吉祥寺本町2丁目11番地の前", ADDRESS_KIND, "2丁目11番地"),
        ("中町一丁目五番地", ADDRESS_KIND, "一丁目五番地"),
        ("中町1丁目5-3付近", ADDRESS_KIND, "1丁目5-3"),
        ("中町1丁目5の3", ADDRESS_KIND, "1丁目5の3"),
        ("中町1-5-3", ADDRESS_KIND, "中町1-5-3"),
        ("中町１－５－３", ADDRESS_KIND, "中町1-5-3"),
        ("中町1ー5ー3", ADDRESS_KIND, "中町1ー5ー3"),
        ("境2-3の前", ADDRESS_KIND, "境2-3"),
        ("5番3号の前", ADDRESS_KIND, "5番3号"),
        ("12番地の角", ADDRESS_KIND, "12番地"),
        # Flats.
        ("グランドメゾン武蔵野203号室", FLAT_KIND, "グランドメゾン武蔵野203号室"),
        ("メゾン吉祥寺203号の前", FLAT_KIND, "メゾン吉祥寺203号"),
        # Contact details, postal codes and exact points.
        ("連絡は090-1234-5678へ", "a phone number", "090-1234-5678"),
        ("taro@example.jp から", "an e-mail address", "taro@example.jp"),
        ("〒180-0004の近く", "a postal code", "〒180-0004"),
        ("緯度35.7031の地点", "an exact point", "35.7031"),
        ("北緯35度42分11秒の地点", "an exact point", "北緯35度42分"),
        # Forms written without the usual marks.
        ("通報者の田中が立ち会い", NAME_KIND, "通報者の田中"),
        ("近隣の鈴木から苦情あり", NAME_KIND, "近隣の鈴木"),
        (
            "連絡先は〇九〇・一二三四・五六七八",
            "a phone number",
            "〇九〇・一二三四・五六七八",
        ),
        ("吉祥寺本町2の5の3の前", ADDRESS_KIND, "吉祥寺本町2の5の3"),
        ("吉祥寺本町二丁目五の角", ADDRESS_KIND, "二丁目五"),
        ("Mr. Suzuki reported it", NAME_KIND, "Mr. Suzuki"),
        ("Tanaka-san に連絡", NAME_KIND, "Tanaka-san"),
        ("@yamada123 さんの投稿", NAME_KIND, "@yamada123"),
        # A LINE id pasted from a log, names after a role, flats without 号.
        (
            "U4af4980629a1b2c3d4e5f60718293a4b から通報",
            "a LINE user id",
            "U4af4980629a1b2c3d4e5f60718293a4b",
        ),
        ("通報者 田中が立ち会い", NAME_KIND, "通報者 田中"),
        ("通報者：田中", NAME_KIND, "通報者:田中"),
        ("通報者（田中）より", NAME_KIND, "通報者(田中"),
        ("中町ハイツ203の前", FLAT_KIND, "ハイツ203"),
        ("コーポ武蔵野105", FLAT_KIND, "コーポ武蔵野105"),
        ("中町1丁目2番3の前", ADDRESS_KIND, "1丁目2番3"),
        # A zero-width space inside a name does not hide it.
        ("鈴木\u200b様から", NAME_KIND, "鈴木様"),
        # Other ways staff name a resident.
        ("通報者は太田、前回と同じ方", NAME_KIND, "通報者は太田"),
        ("通報者・西村と現地確認", NAME_KIND, "通報者・西村"),
        ("通報者【原田】に連絡済み", NAME_KIND, "通報者【原田"),
        ("申出人 松田に回答", NAME_KIND, "申出人 松田"),
        ("竹内(通報者)立ち会いのもと", NAME_KIND, "竹内(通報者)"),
        ("通報者 Kobayashi に回答", NAME_KIND, "通報者 Kobayashi"),
        ("遠藤と名乗る方から電話", NAME_KIND, "遠藤と名乗"),
        ("LINEの表示名「ゆうき」さん", NAME_KIND, "表示名「ゆうき」"),
        # Flats with a wing or a floor, other spellings of contacts.
        ("都営関前住宅3号棟204の方", FLAT_KIND, "住宅3号棟204"),
        ("グリーンハイツB-203の前", FLAT_KIND, "ハイツB-203"),
        ("メゾン吉祥寺 201 の住人", FLAT_KIND, "メゾン吉祥寺 201"),
        ("携帯 090 - 2213 - 7745 に連絡", "a phone number", "090 - 2213 - 7745"),
        ("携帯 090-22137745 に連絡", "a phone number", "090-22137745"),
        (
            "メールは taro.k at example.jp です",
            "an e-mail address",
            "taro.k at example.jp",
        ),
        ("LINE ID hanako_0312 に連絡", "a LINE user id", "LINE ID hanako_0312"),
        ("吉祥寺南町2ノ5ノ3の前", ADDRESS_KIND, "吉祥寺南町2ノ5ノ3"),
        ("向台町5-7の方から", ADDRESS_KIND, "向台町5-7"),
        ("多摩 500 さ 12 34 の車", "a number plate", "多摩 500 さ 12 34"),
        ("結果はtaro@example.jp宛て", "an e-mail address", "taro@example.jp"),
        ("T.Nakamura 様に連絡", NAME_KIND, "T.Nakamura 様"),
    ],
)
def test_personal_detail_is_found(note, kind, part):
    detail = find_personal_detail(note, CITY_HALL_PHONE)

    assert detail is not None, note
    assert detail.kind == kind
    assert detail.text == part


@pytest.mark.parametrize(
    "note",
    [
        "道路管理課で補修しました",
        "業者に発注済み",
        "現地確認のうえ対応予定",
        "中町1丁目付近の街路灯を交換",
        "公園の遊具を修理しました",
        "担当: 道路管理課",
        "業者さんが修理しました",
        "水道局様に連絡済み",
        "住民の方から連絡がありました",
        "通報者の方に連絡済み",
        "事務方で確認",
        "当方で対応済み",
        "自治会長さんと立ち会い",
        "東京ガスさんの工事と調整",
        "山田造園さんに発注",
        "約10平方メートルを舗装",
        "中町1-2丁目の街路灯",
        "関前5丁目の公園",
        "境南町2丁目",
        "国道20号の交差点",
        "都道113号のため東京都に連絡",
        "110番通報あり",
        "R2026-000001と同じ場所",
        "2026-12-06に補修",
        "1番目の街路灯",
        "30-40cmの穴を補修",
        "問い合わせは0422-51-5131まで",
        "<b>補修</b>しました",
        "中町2丁目で3か所補修",
        "中町1丁目2本の街路樹を剪定",
        "中町2丁目5m区間を舗装",
        "近隣の住民の方から連絡",
        "通報者の協力に感謝します",
        "令和八年十二月一日に補修",
        "お問い合わせは市役所(0422)51-5131へ",
        "問い合わせは0422 51 5131まで",
        "1丁目2番付近で補修",
        "マンション管理組合 3000",
        "団地 1200円",
        "団地内道路約150メートルを舗装",
        "ウッドテラス床板120枚を交換",
        "近隣の皆様方にお知らせを配布",
        "近隣(西久保地区)でも同様の通報あり",
        "中町2丁目 10:00から作業",
        "問い合わせは0422.51.5131まで",
        "住民の森公園の遊具を修理",
        "住宅地 120区画の街路灯",
        "「みどりの日」さんぽ道の清掃",
        "「市報むさしの」さんが取材",
        "東京ガスさんと調整",
        "近所の森から枝が越境",
        "近隣住民から苦情",
        "所有者不明の自転車を撤去",
        "Panasonicさんの照明器具に交換",
    ],
)
def test_ordinary_staff_note_passes(note):
    assert find_personal_detail(note, CITY_HALL_PHONE) is None


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def store(settings) -> ReportStore:
    return open_store(settings)


@pytest.fixture
def receipt_no(store) -> str:
    """Submit one road report, accepted by staff; return its receipt number."""
    photo = StoredPhoto(
        path="ab/p.jpg", sha256="0" * 64, width=4, height=3, size_bytes=9
    )
    draft = Draft(
        draft_id=new_draft_id(),
        step="confirm",
        category="road",
        photos=[photo],
        latitude=35.70312,
        longitude=139.57987,
        address="中町1丁目",
        description="道路に穴があいています",
    )
    report, _ = store.submit(store.hash_user("Utest"), draft, "道路管理課")
    store.set_status(report.receipt_no, "accepted", changed_by="t", note="確認")
    return report.receipt_no


def run_reports(monkeypatch, capsys, settings: Settings, *args: str):
    argv = ["cityline", "--data-dir", str(settings.data_dir), "reports", *args]
    monkeypatch.delenv("CITYLINE_DATABASE_URL", raising=False)
    return run_console(argv, monkeypatch, capsys)


@pytest.mark.parametrize(
    ("note", "part", "fix"),
    [
        ("鈴木一郎様のご自宅前", "'鈴木一郎様'", "leave out the name"),
        (
            "吉祥寺本町2丁目11番地の前",
            "'2丁目11番地'",
            "write the place at block level",
        ),
        (
            "グランドメゾン武蔵野203号室",
            "'グランドメゾン武蔵野203号室'",
            "write the block",
        ),
    ],
)
def test_rejected_note_quotes_part_and_fix(
    monkeypatch, capsys, settings, store, receipt_no, note, part, fix
):
    before = store.get(receipt_no)

    result = run_reports(
        monkeypatch,
        capsys,
        settings,
        "set-status",
        receipt_no,
        "resolved",
        "--note",
        note,
    )

    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2
    assert len(lines) == 1, result.stderr
    assert "contains personal data" in lines[0]
    assert part in lines[0]
    assert fix in lines[0]
    assert "published with the report" in lines[0]
    after = store.get(receipt_no)
    assert after.status == before.status
    assert after.history == before.history


def test_rejected_reason_is_not_called_published(
    monkeypatch, capsys, settings, store, receipt_no
):
    result = run_reports(
        monkeypatch, capsys, settings, "remove", receipt_no, "--reason", "田中邸の写真"
    )

    assert result.returncode == 2
    assert "kept in the history of the report" in result.stderr
    assert store.get(receipt_no).status == "accepted"


def stored_note_with_name(store: ReportStore, receipt_no: str) -> str:
    """Store a resolved note that the checks of set-status would reject, as a
    note stored by an older version; return it."""
    note = "鈴木一郎様のご自宅前の穴を補修"
    store.set_status(receipt_no, "resolved", changed_by="t", note=note)
    return note


def test_publish_omits_note_with_name(
    monkeypatch, capsys, settings, store, receipt_no, tmp_path
):
    note = stored_note_with_name(store, receipt_no)
    out = tmp_path / "public"

    result = run_reports(monkeypatch, capsys, settings, "publish", "--out", str(out))

    assert result.returncode == 0, result.stderr
    for name in ("index.html", "reports.csv", "reports.json"):
        text = (out / name).read_text(encoding="utf-8-sig")
        assert "鈴木" not in text, name
    [record] = json.loads((out / "reports.json").read_text())["reports"]
    assert record["result_note"] == ""
    [row] = list(
        csv.DictReader(io.StringIO((out / "reports.csv").read_text("utf-8-sig")))
    )
    assert receipt_no in row.values()
    assert f"{receipt_no}: its note was left out of the public files" in result.stderr
    # The withheld words stay out of the output, which may go to a log.
    assert "鈴木" not in result.stderr
    assert store.get(receipt_no).result_note == note


def test_open311_omits_note_with_name(settings, store, receipt_no):
    stored_note_with_name(store, receipt_no)
    app = FastAPI()
    app.include_router(build_open311_router(settings, store.engine))
    client = TestClient(app)

    [listed] = client.get("/open311/v2/requests.json").json()
    [single] = client.get(f"/open311/v2/requests/{receipt_no}.json").json()

    status_name = texts.REPORT_STATUS_LABELS["resolved"]
    assert listed["status_notes"] == status_name
    assert single["status_notes"] == status_name


def test_publish_keeps_city_hall_phone_in_note(
    monkeypatch, capsys, settings, store, receipt_no, tmp_path
):
    note = f"詳しくは{CITY_HALL_PHONE}へ"
    result = run_reports(
        monkeypatch,
        capsys,
        settings,
        "set-status",
        receipt_no,
        "resolved",
        "--note",
        note,
    )
    assert result.returncode == 0, result.stderr
    out = tmp_path / "public"

    run_reports(monkeypatch, capsys, settings, "publish", "--out", str(out))

    [record] = json.loads((out / "reports.json").read_text())["reports"]
    assert record["result_note"] == note


def write_routing(data_dir: Path, routing: dict) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / ROUTING_FILE_NAME).write_text(
        json.dumps(routing, ensure_ascii=False), encoding="utf-8"
    )


def test_routing_rejects_department_with_name(tmp_path):
    write_routing(tmp_path, {"other": "担当 鈴木一郎様"})

    with pytest.raises(ConfigError) as raised:
        load_routing(tmp_path)

    message = str(raised.value)
    assert ROUTING_FILE_NAME in message
    assert "'鈴木一郎様'" in message
    assert "name the section alone" in message


def test_routing_accepts_section_names(tmp_path):
    write_routing(tmp_path, {"other": "市民活動推進課", "park": "緑のまち推進課"})

    routing = load_routing(tmp_path)

    assert routing["other"] == "市民活動推進課"
    assert routing["park"] == "緑のまち推進課"


@pytest.mark.parametrize(
    "note", ["三鷹市さんと協議のうえ対応します", "東京都さんの管理のため対応できません"]
)
def test_public_body_addressed_politely_is_no_person(note):
    assert find_personal_detail(note) is None


def test_every_personal_detail_is_found_at_once():
    details = find_personal_details("鈴木様から連絡あり 090-1234-5678", CITY_HALL_PHONE)
    assert [detail.kind for detail in details] == ["a phone number", NAME_KIND]
    assert [detail.text for detail in details] == ["090-1234-5678", "鈴木様"]


@pytest.mark.parametrize(
    ("note", "part"),
    [
        ("品川 500 さ 77-01 の車の所有者に連絡し補修しました", "品川 500 さ 77-01"),
        ("所有者（練馬300あ1234）に連絡", "練馬300あ1234"),
        ("なにわ 300 あ 12-34 の車", "なにわ 300 あ 12-34"),
        ("住人の鈴木に確認", "住人の鈴木"),
    ],
)
def test_plate_and_resident_name_are_found(note, part):
    assert [detail.text for detail in find_personal_details(note)] == [part]


@pytest.mark.parametrize(
    "note",
    [
        "街路灯3基を交換しました",
        "市道123号線の舗装を補修",
        "ガードレール2か所を直しました",
        "街灯12と13を交換しました",
        "電柱105と106の間",
        "防犯灯25も3月に交換予定",
        "街灯12と1234番の電柱の間",
    ],
)
def test_counts_in_notes_are_no_plate(note):
    assert find_personal_details(note) == []
