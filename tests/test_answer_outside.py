"""Questions about services that another office handles, such as passports."""

from __future__ import annotations

import pytest

from answerer.answer import Answerer
from answerer.outside import (
    OutsideServiceError,
    find_service,
    read_services,
)
from cityline.settings import Settings
from index.build import build_from_records
from index.fields import PageRecord

PASSPORT = (
    "パスポート（旅券）の申請と受け取りは、"
    "東京都のパスポートセンターが受け付けています。"
)

# Pages that name passports and licences only as identity papers.
PAGES = [
    PageRecord(
        url="https://city.example/mynumber/uketori.html",
        title="マイナンバーカードの受け取り",
        text=(
            "マイナンバーカードは市民課の窓口で受け取れます。\n"
            "本人確認書類として運転免許証、パスポートなどをお持ちください。\n"
            "申請から受け取りまで1か月ほどかかります。"
        ),
    ),
    PageRecord(
        url="https://city.example/koseki/seikyu.html",
        title="戸籍謄本の請求",
        text=(
            "戸籍謄本は市民課の窓口と郵送で請求できます。\n"
            "パスポートの申請に使う戸籍謄本も同じ窓口で取れます。"
        ),
    ),
    PageRecord(
        url="https://city.example/gomi/sodai.html",
        title="粗大ごみの申込方法",
        text="粗大ごみは事前の申込制です。\n電話かインターネットで申し込めます。",
    ),
]


@pytest.fixture(scope="module")
def answerer(tmp_path_factory) -> Answerer:
    settings = Settings(data_dir=tmp_path_factory.mktemp("outside"))
    build_from_records(PAGES, settings.index_dir)
    return Answerer.load(settings)


@pytest.mark.parametrize(
    "question",
    [
        "パスポートの申請はどこでできますか",
        "パスポートって市役所で作れる?",
        "ﾊﾟｽﾎﾟｰﾄの更新をしたい",
    ],
)
def test_passport_question_names_office(answerer, question):
    result = answerer.ask(question)
    assert result.fallback is True
    assert result.answers == []
    assert result.fallback_text.startswith(PASSPORT)
    assert "0422-51-5131" in result.fallback_text


def test_licence_change_names_police(answerer):
    result = answerer.ask("引っ越したので運転免許証の住所を変えたい")
    assert result.fallback is True
    assert "警察署" in result.fallback_text


def test_service_as_paper_is_answered(answerer):
    result = answerer.ask("マイナンバーカードの受け取りにパスポートは使えますか")
    assert result.fallback is False
    assert result.answers[0].url == "https://city.example/mynumber/uketori.html"


def test_own_city_topic_is_answered(answerer):
    result = answerer.ask("パスポートの申請に使う戸籍謄本はどこで取れますか")
    assert result.fallback is False
    assert result.answers[0].url == "https://city.example/koseki/seikyu.html"


def test_site_page_on_service_wins(tmp_path):
    pages = [
        *PAGES,
        PageRecord(
            url="https://city.example/passport/index.html",
            title="パスポートの申請",
            text="市民課のパスポート窓口で申請できます。受け取りは申請の10日後からです。",
        ),
    ]
    settings = Settings(data_dir=tmp_path)
    build_from_records(pages, settings.index_dir)
    result = Answerer.load(settings).ask("パスポートの申請はどこでできますか")
    assert result.fallback is False
    assert result.answers[0].url == "https://city.example/passport/index.html"


def test_word_inside_compound_ignored(tmp_path):
    path = tmp_path / "services.txt"
    path.write_text("自動車税 = 自動車税は都税事務所が受け持っています。\n", "utf-8")
    services = read_services(path)
    assert find_service("軽自動車税の納付はどこでできますか", services) is None
    assert find_service("自動車税の納付はどこでできますか", services) is services[0]


def test_word_without_asking_ignored():
    services = read_services()
    assert find_service("運転免許証は本人確認に必要ですか", services) is None
    assert find_service("運転免許証を返したあとの暮らしが心配", services) is None


def test_empty_file_turns_the_services_off(tmp_path):
    path = tmp_path / "services.txt"
    path.write_text("# none here\n", "utf-8")
    settings = Settings(data_dir=tmp_path / "data", outside_services_path=path)
    build_from_records(PAGES, settings.index_dir)
    result = Answerer.load(settings).ask("パスポートの申請はどこでできますか")
    assert not result.fallback_text or PASSPORT not in result.fallback_text


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("パスポート 旅券\n", "line 1: 'パスポート 旅券' needs words, ' = '"),
        ("# x\n = 文だけ\n", "line 2"),
        ("パスポート = \n", "line 1"),
    ],
    ids=["no equals", "no words", "no sentence"],
)
def test_bad_line_named_with_file(tmp_path, content, expected):
    path = tmp_path / "services.txt"
    path.write_text(content, "utf-8")
    with pytest.raises(OutsideServiceError, match=expected) as caught:
        read_services(path)
    assert str(path) in str(caught.value)


def test_unreadable_file_names_the_setting(tmp_path):
    with pytest.raises(OutsideServiceError, match="CITYLINE_OUTSIDE_SERVICES_FILE"):
        read_services(tmp_path / "missing.txt")


def test_setting_comes_from_the_environment(tmp_path):
    path = tmp_path / "services.txt"
    settings = Settings.from_env({"CITYLINE_OUTSIDE_SERVICES_FILE": str(path)})
    assert settings.outside_services_path == path


def test_ask_bad_file_one_error_line(invoke, monkeypatch, tmp_path):
    path = tmp_path / "services.txt"
    path.write_bytes(b"\xff\xfe\x00bad")
    data_dir = tmp_path / "data"
    build_from_records(PAGES, Settings(data_dir=data_dir).index_dir)
    monkeypatch.setenv("CITYLINE_OUTSIDE_SERVICES_FILE", str(path))
    result = invoke(data_dir, "ask", "犬")
    assert result.returncode != 0
    [line] = [x for x in result.stderr.splitlines() if " INFO " not in x]
    assert str(path) in line
    assert "CITYLINE_OUTSIDE_SERVICES_FILE" in line
