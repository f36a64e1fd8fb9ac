"""Which questions ask about a service of another office, and the services file."""

from __future__ import annotations

import pytest

from answerer.outside import (
    OutsideServiceError,
    find_service,
    matching_text,
    read_services,
)


@pytest.fixture(scope="module")
def services():
    return read_services()


def first_word(services, question: str) -> str | None:
    found = find_service(question, services)
    return None if found is None else found.service.words[0]


@pytest.mark.parametrize(
    ("question", "word"),
    [
        ("パスポートの申請はどこでできますか", "ぱすぽーと"),
        ("パスポートって市役所で作れる?", "ぱすぽーと"),
        ("ぱすぽーとをつくりたい", "ぱすぽーと"),
        ("ﾊﾟｽﾎﾟｰﾄの更新をしたい", "ぱすぽーと"),
        ("パスポ\u2212トの申請", "ぱすぽーと"),
        ("パスポート", "ぱすぽーと"),
        ("パスポート申請に必要なものは?", "ぱすぽーと"),
        ("娘のパスポートをなくしました", "ぱすぽーと"),
        ("運転免許証の更新はどこでできますか", "運転免許"),
        ("国際運転免許証を取りたい", "運転免許"),
        ("免許証の書き換えはどこでやっていますか", "運転免許"),
        ("運転免許センターの場所", "運転免許"),
        ("車庫証明はどこに申請しますか", "車庫証明"),
        ("失業手当はいつからもらえますか", "雇用保険"),
        ("遺失物の問い合わせ先を知りたい", "落とし物"),
        ("めんきょの更新はどこ", "運転免許"),
        ("自動車保管場所証明書はどこで申請するの", "車庫証明"),
        ("しゃこしょうめいのとりかた", "車庫証明"),
        ("パスポートの更新はどこでしたらいいですか", "ぱすぽーと"),
        ("パスポートを申請したいのですが", "ぱすぽーと"),
        ("パスポート 申請", "ぱすぽーと"),
        ("駅で財布を落としました。どこに連絡すれば", "財布"),
        ("家の鍵をなくしたのですが", "財布"),
        ("スマホ落とした", "財布"),
        ("落とし物をしました", "落とし物"),
        ("落とし物はどこに届いていますか", "落とし物"),
        ("運転免許証の自主返納", "運転免許"),
        ("免許証を返納したい", "運転免許"),
        ("パスポートセンターの電話番号は?", "ぱすぽーと"),
        ("免許の更新に行きたい", "免許"),
        ("免許を返納したい", "免許"),
        # A reason or condition given before asking about the service itself.
        ("パスポートをなくしたので再発行したい", "ぱすぽーと"),
        ("パスポートをなくしたので、再発行の手続きを教えて", "ぱすぽーと"),
        ("財布を落としたら、どこに届ければいいですか", "財布"),
    ],
)
def test_service_question_is_found(services, question, word):
    assert first_word(services, question) == word


@pytest.mark.parametrize(
    "question",
    [
        # The service word names a paper or a purpose of the city's own service.
        "本人確認は運転免許証でいいですか",
        "住民票の写しはパスポートで請求できますか",
        "パスポート申請用の住民票はどこで取れますか",
        "パスポートの申請に戸籍謄本は要りますか",
        "免許証の更新に必要な住民票はコンビニで取れますか",
        "車庫証明を取るのに住民票がいると言われました",
        # The service is background to another question.
        "失業保険をもらいながら保育園に申し込めますか",
        "失業手当の受給中でも児童手当はもらえますか",
        "雇用保険の手続きをしました。国保の加入はどうすれば",
        "免許証の住所変更をしたので、国保の住所も変えたい",
        "失業手当をもらい始めたら国保の手続きは必要ですか",
        "免許証の住所が古いままですが、マイナンバーカードは作れますか",
        "パスポートの更新で必要になったので、戸籍の附票がほしい",
        "失業手当をもらったら国保の保険料は下がりますか",
        "雇用保険の手続きをしたので、どこで国保に入れば",
        "パスポートをなくしたので住民票を取りたい",
        "免許を返納したので、どこで割引の申請を",
        # Things a resident carries, neither lost nor found.
        "傘はどこで捨てればいいですか",
        "財布の形のごみはどこに出す",
        # A paper the city reissues.
        "マイナンバーカードをなくしました",
        # Another licence.
        "保育士の免許を取りたい",
        "教員の免許の申請",
        # A longer word that ends in a service word.
        "軽自動車税の納付はどこでできますか",
        "調理師免許の申請",
    ],
)
def test_city_question_naming_a_service_is_not_found(services, question):
    assert find_service(question, services) is None


def test_match_span_covers_service_and_asking_word(services):
    found = find_service("娘のパスポートの申請はどこ", services)
    assert found is not None
    start, end = found.span
    assert matching_text("娘のパスポートの申請はどこ")[start:end] == "ぱすぽーとの申請"


def test_word_after_kanji_does_not_count(tmp_path):
    path = tmp_path / "services.txt"
    path.write_text("自動車税 = 自動車税は都税事務所が受け持っています。\n", "utf-8")
    services = read_services(path)
    assert find_service("軽自動車税はどこで払えますか", services) is None
    assert find_service("自動車税はどこで払えますか", services) is not None


def test_slash_words_replace_asking_words(tmp_path):
    path = tmp_path / "services.txt"
    path.write_text("財布 ／ 落とし 拾 = 警察署へ。\n", "utf-8")
    services = read_services(path)
    assert find_service("財布を拾いました", services) is not None
    assert find_service("財布はどこで買えますか", services) is None


def test_hash_inside_a_sentence_is_kept(tmp_path):
    path = tmp_path / "services.txt"
    path.write_text("# comment\n落とし物 = 警察相談は #9110 へ\n", "utf-8")
    [service] = read_services(path)
    assert service.sentence == "警察相談は #9110 へ。"


def test_fullwidth_equals_and_sentence_kept_as_written(tmp_path):
    path = tmp_path / "services.txt"
    path.write_text("パスポート ＝ 東京都（旅券課）が受け付けます。\n", "utf-8")
    [service] = read_services(path)
    assert service.words == ("ぱすぽーと",)
    assert service.sentence == "東京都（旅券課）が受け付けます。"


def test_line_separator_keeps_one_line(tmp_path):
    path = tmp_path / "services.txt"
    path.write_text("パスポート = 東京都\u2028が受け付けます。\n", "utf-8")
    assert len(read_services(path)) == 1


def test_empty_file_has_no_services(tmp_path):
    path = tmp_path / "services.txt"
    path.write_text("\ufeff# none here\n\n", "utf-8")
    assert read_services(path) == ()
    assert find_service("パスポートの申請", ()) is None


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("パスポート 旅券\n", "line 1: 'パスポート 旅券' needs words, '='"),
        ("# x\n = 文だけ\n", "line 2"),
        ("パスポート = \n", "line 1"),
        ("\u200b = 見えない語\n", "line 1"),
        ("財布 / = 警察署へ。\n", "asking words after a '/'"),
    ],
    ids=["no equals", "no words", "no sentence", "invisible word", "empty slash"],
)
def test_bad_line_named_with_file(tmp_path, content, expected):
    path = tmp_path / "services.txt"
    path.write_text(content, "utf-8")
    with pytest.raises(OutsideServiceError, match=expected) as caught:
        read_services(path)
    assert str(path) in str(caught.value)
    assert "CITYLINE_OUTSIDE_SERVICES_FILE" in str(caught.value)


def test_file_not_utf8_says_to_save_as_utf8(tmp_path):
    path = tmp_path / "services.txt"
    path.write_bytes("パスポート = 東京都".encode("utf-16"))
    with pytest.raises(OutsideServiceError, match="save it as UTF-8"):
        read_services(path)


def test_unreadable_file_names_the_setting(tmp_path):
    with pytest.raises(OutsideServiceError, match="CITYLINE_OUTSIDE_SERVICES_FILE"):
        read_services(tmp_path / "missing.txt")
