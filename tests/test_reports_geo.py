"""Tests of the city boundary, distances and typed addresses."""

from __future__ import annotations

import pytest

from webhook.reports import geo


@pytest.mark.parametrize(
    ("name", "latitude", "longitude"),
    [
        ("Kichijoji station", 35.7031, 139.5798),
        ("city hall", 35.7178, 139.5661),
        ("Musashi-Sakai station", 35.7023, 139.5434),
    ],
)
def test_points_inside_city(name, latitude, longitude):
    assert geo.is_inside_city(latitude, longitude), name


@pytest.mark.parametrize(
    ("name", "latitude", "longitude"),
    [
        ("Shinjuku", 35.6900, 139.7000),
        ("Mitaka city hall", 35.6833, 139.5595),
        ("Tachikawa", 35.6980, 139.4130),
    ],
)
def test_points_outside_city(name, latitude, longitude):
    assert not geo.is_inside_city(latitude, longitude), name


def test_haversine_distance():
    # 0.0003 degree of latitude is about 33 m.
    distance = geo.haversine_m(35.7, 139.57, 35.7003, 139.57)
    assert 32 < distance < 35
    assert geo.haversine_m(35.7, 139.57, 35.7, 139.57) == 0


@pytest.mark.parametrize(
    "text",
    [
        "吉祥寺本町1丁目",
        "中町２丁目５番",
        "境2-3",
        "桜堤3-1-2付近",
        "緑町12番地の前",
        "境1丁目",
        "吉祥寺駅北口のロータリー",
        "三鷹市下連雀3丁目",
        "武蔵野市役所の前",
        "成蹊大学の正門前",
        "武蔵野赤十字病院の前",
        "グリーンパーク遊歩道",
        "五日市街道の交差点",
        "中町1-2-3 (電話 0422-51-5131)",
        "中町郵便局の前",
        "井の頭公園の池のそば",
        "井ノ頭通りの歩道",
    ],
)
def test_text_that_pins_a_place(text):
    assert geo.looks_like_address(text)


@pytest.mark.parametrize(
    "text",
    [
        "こんにちは",
        "家の前",
        "環境が悪い",
        "あそこ",
        "公園",
        "わかりません",
        "090-1234-5678",
        "一番奥のところ",
        "10-15分前から",
        "穴は30-40cmくらいです",
        "うちの近くの公園",
        "近くの公園の前です",
        "いつもの通り",
        "1丁目",
        "中町",
        "境南町のあたり",
        "1-2",
        "12番地の前",
        "吉祥寺本町",
        "吉祥寺東町のあたり",
        "境",
        "中町 3番目の電柱",
        "中町 3番めの電柱",
        "家の前の大通り",
        "北の市役所",
        "井の頭",
        "池の頭公園",
    ],
)
def test_text_that_does_not_pin_a_place(text):
    assert not geo.looks_like_address(text)


def test_find_town():
    assert geo.find_town("東京都武蔵野市吉祥寺本町1丁目2-3") == "吉祥寺本町"
    assert geo.find_town("境南町２丁目") == "境南町"
    assert geo.find_town("境1丁目") == "境"
    assert geo.find_town("環境センター") is None


def test_neighbouring_city_address_is_outside():
    assert geo.address_is_outside_city("三鷹市下連雀3丁目")
    assert not geo.address_is_outside_city("武蔵野市中町1丁目")
    assert not geo.address_is_outside_city("中町1丁目")
    assert geo.address_is_outside_city("小金井市緑町3丁目")
    assert geo.address_is_outside_city("西東京市中町2-1")
    assert not geo.address_is_outside_city("武蔵野市緑町2丁目 (三鷹市寄り)")
    assert geo.address_is_outside_city("新宿区西新宿2丁目")
    assert geo.address_is_outside_city("横浜市中区山下町1")
    assert geo.address_is_outside_city("神奈川県相模原市")
    assert not geo.address_is_outside_city("吉祥寺地区3番")
    assert not geo.address_is_outside_city("吉祥寺本町1-2 市道の歩道")


@pytest.mark.parametrize(
    "text",
    ["新宿駅の東口", "立川駅の南口のところ", "三鷹台駅の近く", "東伏見駅前の道路"],
)
def test_station_of_another_city_is_outside(text):
    assert geo.address_is_outside_city(text)
    # A station's name may be mistyped, so it is never refused as far.
    assert not geo.names_far_place(text)


@pytest.mark.parametrize(
    "text",
    [
        "吉祥寺駅北口",
        "JR三鷹駅北口の歩道",
        "京王井の頭線吉祥寺駅",
        "武蔵境駅南口",
        "中町1丁目、西荻窪駅方面",
        "最寄り駅の前",
    ],
)
def test_city_station_is_inside(text):
    assert not geo.address_is_outside_city(text)


@pytest.mark.parametrize(
    "text", ["下連雀3-2", "西荻北3丁目の街灯", "東伏見2丁目", "井の頭3丁目"]
)
def test_neighbouring_town_without_its_city_is_outside(text):
    assert geo.address_is_outside_city(text)
    assert not geo.names_far_place(text)


def test_inokashira_road_is_inside():
    assert not geo.address_is_outside_city("井の頭通りの歩道")


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("中町1丁目5番の前です🙏", "中町1丁目5番の前"),
        ("中町3丁目2番の前です 090-1234-5678", "中町3丁目2番の前"),
        ("中町1丁目 電話は09012345678です", "中町1丁目"),
        ("境2丁目 ☎ 0422 11 2222", "境2丁目"),
        ("中町1丁目 連絡先 taro@example.com", "中町1丁目"),
        ("郵便局の前です📮 よろしくです😊", "郵便局の前"),
        (
            "さっき書いたとおり、吉祥寺駅北口のバス停の横です",
            "吉祥寺駅北口のバス停の横",
        ),
        ("中町1丁目～2丁目の間", "中町1丁目~2丁目の間"),
    ],
)
def test_tidy_place_drops_contact_and_emoji(text, place):
    assert geo.tidy_place(text) == place


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("中町2丁目の番地は分からないけど、郵便局の前", "中町2丁目の郵便局の前"),
        ("中町1丁目で番地は分からないです、ローソンの前", "中町1丁目、ローソンの前"),
        (
            "住所はわかりませんが、吉祥寺駅北口のバス停の横です",
            "吉祥寺駅北口のバス停の横",
        ),
    ],
)
def test_tidy_place_keeps_a_town_before_unknown(text, place):
    assert geo.tidy_place(text) == place


@pytest.mark.parametrize(
    "text",
    [
        "中町1丁目の道路が割れていて車の横が危ない",
        "中町1丁目の街灯が切れてて近くが暗い",
    ],
)
def test_fault_clause_stays_out_of_the_address(text):
    assert geo.street_address_phrase(text) == "中町1丁目"


@pytest.mark.parametrize("text", ["最寄駅の前の道路です", "地下鉄駅の出口"])
def test_word_before_eki_that_names_no_station(text):
    assert not geo.address_is_outside_city(text)


def test_station_check_can_be_off():
    assert not geo.address_is_outside_city("新宿駅", stations=False)


@pytest.mark.parametrize("text", ["中町", "境", "吉祥寺本町", "中町 3番目の電柱"])
def test_bare_town_recognised(text):
    assert geo.names_only_a_town(text)


@pytest.mark.parametrize(
    "text", ["家の近く", "中町2-3", "吉祥寺駅", "市境の道路", "境内"]
)
def test_other_places_are_not_a_bare_town(text):
    assert not geo.names_only_a_town(text)


def test_street_address_needs_numbers_or_a_block():
    assert geo.names_street_address("中町1丁目5番の前の道路に穴")
    assert geo.names_street_address("下連雀3丁目の道路が陥没")
    assert not geo.names_street_address("児童公園のブランコが壊れています")
    assert not geo.names_street_address("中町の交差点で事故があって110番しました")


@pytest.mark.parametrize(
    "text",
    [
        "中町の郵便局の前",
        "中町 セブンイレブンの前",
        "境南町のローソン",
        "市役所の前",
        "市役所の駐輪場",
        "市役所の西口",
        "市役所正面",
        "武蔵野市中町の郵便局の前",
        "市内中町の交番",
    ],
)
def test_town_with_place_or_city_hall_is_address(text):
    assert geo.looks_like_address(text)
    assert not geo.names_only_a_town(text)


@pytest.mark.parametrize(
    "text",
    [
        "中町の角",
        "近くのコンビニ",
        "役所の前",
        "中町の公園",
        "中町のコンビニ",
        "玄関前の公園",
        "市役所",
        "市役所の人に言われて写真を送りました",
        "市役所には連絡済みです",
        "武蔵野市役所の人に言われて写真を送りました",
        "武蔵野市役所に電話したらここで送るように言われました",
        "武蔵野赤十字病院の先生から聞きました",
        "吉祥寺駅の案内で聞いた",
    ],
)
def test_town_corner_or_unnamed_place_is_not_address(text):
    assert not geo.looks_like_address(text)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("中町1丁目5番の前の道路に穴", "中町1丁目5番の前"),
        ("下連雀3丁目の道路が陥没", "下連雀3丁目"),
        ("武蔵野市境2-3-4の街灯が切れてる", "武蔵野市境2-3-4"),
        ("西久保3丁目12番地先の歩道で段差があります", "西久保3丁目12番地先"),
        ("道路に穴 中町1-5", "中町1-5"),
        ("緑町2丁目 電話は0422-11-2222", "緑町2丁目"),
        ("中町の交差点で事故", None),
        ("中町1丁目2番3号の前の道路に穴", "中町1丁目2番3号の前"),
        ("中町一丁目二番三号の前の歩道", "中町一丁目二番三号の前"),
        ("中町1丁目の交差点から100mくらい先", None),
        ("ローソンの前、中町1丁目の道路に穴があいてます", "ローソンの前、中町1丁目"),
        (
            "中町1丁目のローソンの前の道路で、ふたが浮いてます",
            "中町1丁目のローソンの前",
        ),
        (
            "吉祥寺本町1丁目の東急百貨店の裏の道で枝が折れてます",
            "吉祥寺本町1丁目の東急百貨店の裏",
        ),
        (
            "吉祥寺北町に住む者です。吉祥寺北町3丁目8番付近の道路が沈んでいます",
            "吉祥寺北町3丁目8番付近",
        ),
    ],
)
def test_street_address_phrase(text, phrase):
    assert geo.street_address_phrase(text) == phrase


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("場所は境南町2丁目10番の前です", "境南町2丁目10番の前"),
        ("場所：関前5丁目10番", "関前5丁目10番"),
        ("えっと、場所は中町1丁目5番付近になります", "中町1丁目5番付近"),
        (
            "住所は分からないですが、境南町3丁目の郵便局の前です",
            "境南町3丁目の郵便局の前",
        ),
        ("住所はわからないけど吉祥寺駅北口のバス停の横", "吉祥寺駅北口のバス停の横"),
        (
            "中町2丁目の交差点、コンビニの向かい側です。",
            "中町2丁目の交差点、コンビニの向かい側",
        ),
        ("関前公園の入口のところ！", "関前公園の入口のところ"),
        ("武蔵境駅南口", "武蔵境駅南口"),
    ],
)
def test_tidy_place_keeps_the_place_alone(text, place):
    assert geo.tidy_place(text) == place


def test_tidy_place_keeps_text_that_would_vanish():
    assert geo.tidy_place("場所はです") == "場所はです"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("中町9丁目の道路", ("中町", 9, 3)),
        ("中町 九丁目", ("中町", 9, 3)),
        ("中町9-3の前", ("中町", 9, 3)),
        ("武蔵野市境6-1", ("境", 6, 5)),
        ("御殿山3丁目", ("御殿山", 3, 2)),
        ("境南町6丁目", ("境南町", 6, 5)),
        ("中町十二丁目", ("中町", 12, 3)),
        ("中町0丁目", ("中町", 0, 3)),
    ],
)
def test_unknown_block_is_found(text, expected):
    assert geo.unknown_block(text) == expected
    assert not geo.looks_like_address(text)
    assert not geo.names_street_address(text)
    assert geo.street_address_phrase(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "中町3丁目",
        "中町三丁目5番",
        "中町3-9",
        "吉祥寺本町2-1-1",
        "境5丁目",
        "緑町12番地",
        # A neighbour's town of the same name has more blocks.
        "西東京市中町5丁目",
        "市境の道路",
    ],
)
def test_known_block_or_no_block_passes(text):
    assert geo.unknown_block(text) is None


@pytest.mark.parametrize("text", ["吉祥寺", "吉祥寺のあたり"])
def test_district_name_alone_is_no_place(text):
    assert not geo.looks_like_address(text)


@pytest.mark.parametrize("text", ["吉祥寺駅北口", "吉祥寺通りの交差点", "安養寺の前"])
def test_places_named_after_the_district_still_count(text):
    assert geo.looks_like_address(text)


@pytest.mark.parametrize(
    ("latitude", "longitude", "low", "high"),
    [
        (35.7031, 139.5798, 0, 0),  # Kichijoji station, inside
        (35.7050, 139.6030, 200, 500),  # just over the eastern boundary
        (35.0116, 135.7681, 300_000, 400_000),  # Kyoto
    ],
)
def test_metres_outside_the_city(latitude, longitude, low, high):
    assert low <= geo.metres_outside(latitude, longitude) <= high


@pytest.mark.parametrize(
    "text", ["中町の9丁目あたり", "吉祥寺 東町 5丁目", "中町 の 9 丁目"]
)
def test_unknown_block_behind_spaces_or_no_is_found(text):
    assert geo.unknown_block(text) is not None


def test_phone_number_is_no_block():
    assert geo.unknown_block("中町 0422-51-5131") is None


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("なかちょう1ちょうめ5ばん", "中町1丁目5番"),
        ("きちじょうじほんちょう2ちょうめ3ばんち", "吉祥寺本町2丁目3番地"),
        ("なかちょうの公園", "なかちょうの公園"),
        ("ナカチョウ1チョウメ5バン", "中町1丁目5番"),
        ("みちのさかい3mくらい", "みちのさかい3mくらい"),
    ],
)
def test_kana_address_as_written(text, written):
    assert geo.kana_address_as_written(text) == written


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("nakacho 1-chome 5", "中町1丁目5番"),
        ("Naka-cho 1-5", "中町1-5"),
        ("Nakacho 1-chome", "中町1丁目"),
        # Long vowels left out, or marked with a macron.
        ("Kichijoji Honcho 1-2", "吉祥寺本町1-2"),
        ("Kichijōji Minamichō 3-4", "吉祥寺南町3-4"),
        # Hepburn writes づ as zu: 桜堤 is sakurazutsumi.
        ("sakurazutsumi 2-3", "桜堤2-3"),
        ("Sakura-zutsumi 1-chome 4", "桜堤1丁目4番"),
        # One n before や, and the unit of the second number.
        ("gotenyama 1-2", "御殿山1-2"),
        ("naka cho 1 chome 5 ban", "中町1丁目5番"),
        # The words around the address stay, spelled in kana.
        ("kyonancho 2-3 no mae", "境南町2-3 の まえ"),
        ("sakai 2-3 no kouen", "境2-3 の こうえん"),
        ("konbini no mae, nakacho 1-chome 5", "こんびに の まえ, 中町1丁目5番"),
    ],
)
def test_romaji_address_as_written(text, written):
    assert geo.kana_address_as_written(text) == written


@pytest.mark.parametrize(
    "text",
    [
        "gomi wo dashitai",
        "Tokyo 1-2",
        "中町1-5",
        # A town starts a word, and a bare number after one is no address.
        "osakai 3 chome",
        "kono kousaten no sakai 2 kasho",
    ],
)
def test_romaji_without_a_town_is_no_address(text):
    assert geo.romaji_address_as_written(text) is None
