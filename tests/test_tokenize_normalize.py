"""Normalisation and term extraction: each case the index depends on."""

from __future__ import annotations

import pytest

from index import normalize
from index.fields import passages
from index.normalize import fold_kana, normalize_text, replace_surrogates
from index.sudachi import MAX_CHUNK_BYTES, split_for_sudachi
from index.tokenize import terms

# SudachiPy 0.7 rejects inputs above this many UTF-8 bytes.
SUDACHI_INPUT_LIMIT = 49_149


def test_nfkc_turns_fullwidth_ascii_into_ascii():
    assert normalize_text("ＡＢＣ１２３") == "abc123"


def test_nfkc_turns_halfwidth_kana_into_fullwidth():
    assert normalize_text("ｺﾞﾐ") == "ゴミ"


def test_wave_dash_and_fullwidth_tilde_become_one_form():
    assert normalize_text("9時〜17時") == normalize_text("9時～17時")


def test_ascii_tilde_between_japanese_becomes_wave_dash():
    assert normalize_text("9時~17時") == normalize_text("9時〜17時")


def test_ascii_tilde_inside_ascii_is_kept():
    assert normalize_text("~/docs") == "~/docs"
    assert normalize_text("a~b") == "a~b"


@pytest.mark.parametrize("text", ["9:00～17:00", "9:00~17:00", "１０～１２"])
def test_tilde_between_digits_becomes_wave_dash(text):
    expected = text.replace("～", "〜").replace("~", "〜")
    assert normalize_text(text) == normalize_text(expected)
    assert "〜" in normalize_text(text)


@pytest.mark.parametrize(
    "dash", ["\u2010", "\u2012", "\u2013", "\u2014", "\u2212", "\uff0d"]
)
def test_dash_variants_become_hyphen(dash):
    assert normalize_text(f"0422{dash}51{dash}5131") == "0422-51-5131"


def test_prolonged_sound_mark_is_not_a_dash():
    assert normalize_text("カード") == "カード"


def test_ascii_is_lowercased():
    assert normalize_text("LINE QR") == "line qr"


def test_voiced_marks_are_not_stripped():
    assert normalize_text("ごみ") == "ごみ"
    assert normalize_text("ご\u3099") != "こ"


@pytest.mark.parametrize(
    "mark",
    ["\u200b", "\u2060", "\u00ad", "\u200e", "\u202e", "\ufeff", "\ufe0f"],
)
def test_invisible_characters_are_dropped(mark):
    assert normalize_text(f"粗大{mark}ごみ") == "粗大ごみ"
    assert terms(f"粗大{mark}ごみ") == terms("粗大ごみ")


def test_kanji_variation_selector_is_dropped():
    assert normalize_text("葛\U000e0100飾") == "葛飾"


def test_passages_drop_invisible_characters_and_keep_lengths():
    (passage,) = passages("児童\u200b手当は\u2060毎月")
    assert passage == "児童手当は毎月"
    assert len(normalize_text(passage)) == len(passage)


def test_fold_kana_turns_katakana_into_hiragana():
    assert fold_kana("ゴミ") == "ごみ"
    assert fold_kana("カード") == "かーど"


def test_gomi_spellings_share_a_term():
    assert terms("ごみ") == terms("ゴミ") == terms("ｺﾞﾐ")


def test_moushikomi_okurigana_variants_share_a_term():
    assert set(terms("申込")) & set(terms("申し込み"))
    assert terms("申込")[0] == terms("申し込み")[0]


def test_kodomo_spellings_share_a_term():
    assert terms("子ども")[0] == terms("子供")[0]


def test_shougai_spellings_share_a_term():
    assert terms("障がい")[0] == terms("障害")[0]
    assert terms("障がい者")[0] == terms("障害者")[0]


def test_sodai_gomi_spellings_share_the_compound_term():
    assert terms("粗大ごみ")[0] == terms("粗大ゴミ")[0]


def test_sodai_gomi_also_yields_its_parts():
    assert "粗大" in terms("粗大ごみ")
    assert "ごみ" in terms("粗大ごみ")
    assert "ごみ" in terms("粗大ゴミ")


@pytest.mark.parametrize("word", ["ごみ袋", "ゴミ袋", "生ゴミ", "ゴミ出し", "ごみ箱"])
def test_one_unit_gomi_compound_yields_gomi(word):
    # Sudachi keeps these as one short unit (ごみ袋 is 塵袋).
    found = terms(word)
    assert found[0] != "ごみ"
    assert "ごみ" in found


@pytest.mark.parametrize(
    ("word", "stray"),
    [("わき水", "脇"), ("れい子", "零"), ("くみ取り", "くみ")],
)
def test_kana_read_as_another_word_gives_no_part(word, stray):
    # Sudachi reads わき as 脇, れい as a numeral and くみ as a name.
    assert stray not in terms(word)


@pytest.mark.parametrize(
    ("word", "stray"),
    [
        ("見積もり", "もり"),
        ("落とし物", "とし"),
        ("問い合わせ", "わせ"),
        ("預かり", "かり"),
    ],
)
def test_okurigana_is_not_read_as_a_word(word, stray):
    # As words of their own these would be 森, 年, 早生 and 狩り.
    found = terms(word)
    assert stray not in found
    assert terms(stray)[0] not in found


def test_compound_yields_long_unit_and_parts():
    found = terms("国民健康保険")
    assert found[0] == "国民健康保険"
    for part in ("国民", "健康", "保険"):
        assert part in found


def test_shorter_compound_shares_terms_with_longer_one():
    shared = set(terms("健康保険")) & set(terms("国民健康保険"))
    assert {"健康", "保険"} <= shared


def test_synonym_group_joins_gentsuki_and_full_name():
    groups = {t for t in terms("原付") if t.startswith("syn:")}
    assert groups
    assert groups & set(terms("原動機付自転車"))


def test_particles_and_auxiliaries_are_dropped():
    assert terms("のをにはがですます") == []


def test_symbols_and_emoji_give_no_terms():
    assert terms("！？・…「」😀🙏") == []


def test_single_character_nouns_are_kept():
    assert "犬" in terms("犬を飼う")
    assert "税" in terms("税の申告")


def test_light_verbs_are_dropped():
    assert terms("しています") == []


def test_empty_text_gives_no_terms():
    assert terms("") == []


def test_split_keeps_every_piece_under_the_limit():
    text = "市民税の申告について。" * 8000
    pieces = list(split_for_sudachi(text))
    assert len(pieces) > 1
    assert all(len(piece.encode("utf-8")) <= MAX_CHUNK_BYTES for piece in pieces)
    assert "".join(pieces) == text


def test_split_keeps_mark_after_break():
    text = "あ" * 14 + "、\u3099" + "い" * 30
    pieces = list(split_for_sudachi(text, max_bytes=64))
    assert "".join(pieces) == text
    assert all(not piece.startswith("\u3099") for piece in pieces)


def test_split_never_cuts_inside_a_combining_sequence():
    # No sentence marks, only characters that a mark or selector continues.
    unit = "か\u3099" + "葛\U000e0100" + "👍\U0001f3fb"
    text = unit * 12_000
    pieces = list(split_for_sudachi(text, max_bytes=1_000))
    assert "".join(pieces) == text
    for piece in pieces[1:]:
        assert piece[0] not in ("\u3099", "\U000e0100", "\U0001f3fb")


def test_split_never_cuts_a_keycap_from_its_digit():
    # The enclosing keycap mark has combining class 0, so only its category
    # (Me) tells that it belongs to the digit before it.
    assert normalize.joins_previous("\u20e3")
    unit = "1\ufe0f\u20e3"
    for lead in range(7):
        text = "a" * lead + unit * 20_000
        pieces = list(split_for_sudachi(text, max_bytes=1_000))
        assert "".join(pieces) == text
        assert all(piece[0] in "a1" for piece in pieces)


def test_split_of_four_byte_characters_is_exact():
    text = "𠮷" * 30_000
    pieces = list(split_for_sudachi(text))
    assert "".join(pieces) == text
    assert all(len(piece.encode("utf-8")) <= MAX_CHUNK_BYTES for piece in pieces)


def test_text_over_sudachi_limit_is_tokenized():
    text = "粗大ごみの申込方法を案内します。" * 4000
    assert len(text.encode("utf-8")) > SUDACHI_INPUT_LIMIT
    found = terms(text)
    assert found.count("粗大塵") == 4000


WAVES = "\u301c\u223c\u223e\u2053\uff5e"
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u2043"


def one_char_at_a_time(text: str) -> str:
    """Map each character by the normaliser's table, for comparison."""
    out = []
    for ch in text:
        if ch in WAVES:
            out.append("\u301c")
        elif ch in DASHES:
            out.append("-")
        elif "A" <= ch <= "Z":
            out.append(ch.lower())
        else:
            out.append(ch)
    return "".join(out)


@pytest.mark.parametrize(
    "text",
    [
        "ABC xyz",
        "Ａｂｃ〜ＸＹＺ",
        WAVES + DASHES,
        "KΩ ÀÉ İ ß",
        "粗大ゴミ ABC-1~2 あ~い",
        "",
    ],
    ids=["ascii", "fullwidth", "dashes", "non-ascii-letters", "mixed", "empty"],
)
def test_dash_and_case_mapping_matches_per_character(text):
    expected = normalize._fold_tilde(one_char_at_a_time(text))
    assert normalize.normalize_nfkc_text(text) == expected


def test_lone_surrogates_become_replacement_character():
    assert replace_surrogates("粗大\ud800ごみ\udcff") == "粗大\ufffdごみ\ufffd"


def test_surrogate_free_text_unchanged():
    assert replace_surrogates("粗大ごみ😀") == "粗大ごみ😀"
