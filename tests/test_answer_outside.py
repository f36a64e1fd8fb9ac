"""Questions about services that another office handles, such as passports."""

from __future__ import annotations

import pytest

from answerer.answer import MAX_QUESTION_CHARS, Answerer
from answerer.confidence import ConfidenceRule
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
    assert "このご質問に合うページが見つかりませんでした" in result.fallback_text
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
    # The service test finds パスポートの申請; the page's title names 戸籍謄本,
    # the other noun of the question.
    result = answerer.ask("パスポートの申請で戸籍謄本はどこで取れますか")
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


def test_long_message_is_read_by_its_asking_sentence(answerer):
    background = "先日は窓口でていねいに対応していただき、ありがとうございました。" * 14
    question = background + "ところで、パスポートの申請はどこでできますか。"
    assert len(question) > MAX_QUESTION_CHARS
    result = answerer.ask(question)
    assert result.fallback is True
    assert result.fallback_text.startswith(PASSPORT)


def test_empty_services_turn_the_test_off(tmp_path):
    path = tmp_path / "services.txt"
    path.write_text("# none here\n", "utf-8")
    settings = Settings(data_dir=tmp_path / "data", outside_services_path=path)
    build_from_records(PAGES, settings.index_dir)
    result = Answerer.load(settings).ask("パスポートの申請はどこでできますか")
    assert not result.fallback_text or PASSPORT not in result.fallback_text


def test_services_given_to_load_are_not_read_again(tmp_path):
    path = tmp_path / "services.txt"
    path.write_text("壊れた行\n", "utf-8")
    settings = Settings(data_dir=tmp_path / "data", outside_services_path=path)
    build_from_records(PAGES, settings.index_dir)
    answerer = Answerer.load(settings, outside_services=())
    assert answerer.outside_services == ()


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


def test_server_answers_on_when_the_file_breaks_later(tmp_path, caplog):
    from webhook.answering import AnswererSource

    path = tmp_path / "services.txt"
    path.write_text("パスポート = 東京都が受け付けます。\n", "utf-8")
    settings = Settings(data_dir=tmp_path / "data", outside_services_path=path)
    # The server starts before the first index exists, then the file breaks.
    source = AnswererSource(settings, reload_interval_s=0.0)
    assert source.get() is None
    path.write_text("壊れた行\n", "utf-8")
    build_from_records(PAGES, settings.index_dir)
    answerer = source.get()
    assert answerer is not None
    assert answerer.ask("粗大ごみの申込方法").answers
    assert answerer.ask("パスポートの申請はどこ").fallback_text.startswith("東京都")
    assert "outside services file unusable" not in caplog.text


def test_file_broken_at_the_start_is_left_out(tmp_path, caplog):
    from webhook.answering import AnswererSource

    path = tmp_path / "services.txt"
    path.write_text("壊れた行\n", "utf-8")
    settings = Settings(data_dir=tmp_path / "data", outside_services_path=path)
    build_from_records(PAGES, settings.index_dir)
    with caplog.at_level("ERROR"):
        answerer = AnswererSource(settings).get()
    assert answerer is not None
    assert answerer.ask("粗大ごみの申込方法").answers
    assert "outside services file unusable" in caplog.text


def test_weak_best_page_does_not_rescue(tmp_path):
    # The page's title names 戸籍謄本, but the page matches the question
    # weakly, so the question still gets the passport office.
    settings = Settings(data_dir=tmp_path)
    build_from_records(PAGES, settings.index_dir)
    rule = ConfidenceRule(sure_score=2.0)
    result = Answerer.load(settings, rule).ask(
        "パスポートの申請で戸籍謄本はどこで取れますか"
    )
    assert result.fallback is True
    assert result.fallback_text.startswith(PASSPORT)


def ask_with_many_pages(tmp_path, page: PageRecord, question: str):
    """Return the result of asking ``question`` over PAGES, ``page`` and
    fourteen park pages, so that words of PAGES such as 申請 are on few pages."""
    parks = [
        PageRecord(
            url=f"https://city.example/park/{number}.html",
            title=f"{name}公園",
            text=f"{name}公園には遊具と広場があります。",
        )
        for number, name in enumerate("東西南北春夏秋冬松竹梅桜森池")
    ]
    settings = Settings(data_dir=tmp_path)
    build_from_records([*PAGES, *parks, page], settings.index_dir)
    return Answerer.load(settings).ask(question)


def test_service_words_themselves_do_not_rescue(tmp_path):
    # 住所変更 is inside the matched words, so a page titled with it is no
    # reason to keep the question for the site.
    page = PageRecord(
        url="https://city.example/koseki/jusho.html",
        title="住所変更の届出",
        text="市内で引っ越したときは14日以内に住所変更の届出をしてください。",
    )
    result = ask_with_many_pages(tmp_path, page, "免許証の住所変更はどこですればいい")
    assert result.fallback is True
    assert "警察署" in result.fallback_text


def test_generic_title_noun_does_not_rescue(tmp_path):
    # 申請 is on few pages here, so only its being a generic word keeps the
    # funeral grant page from answering a garage certificate question.
    page = PageRecord(
        url="https://city.example/kokuho/sosaihi.html",
        title="葬祭費の支給申請",
        text="葬祭費の申請は市民課の窓口で受け付けます。",
    )
    result = ask_with_many_pages(tmp_path, page, "車庫証明はどこで申請するの?")
    assert result.fallback is True
    assert "警察署" in result.fallback_text


def test_thing_title_keeps_no_question(tmp_path):
    # スマホ in スマホ決済 names no service for a lost phone.
    page = PageRecord(
        url="https://city.example/zei/nofu.html",
        title="市税の納付方法（コンビニ・スマホ決済）",
        text="市税はコンビニやスマホ決済で納められます。スマホのアプリで支払えます。",
    )
    result = ask_with_many_pages(tmp_path, page, "スマホを落としました")
    assert result.fallback is True
    assert "交番" in result.fallback_text
