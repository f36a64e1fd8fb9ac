"""Romaji typed in place of Japanese is spelled in hiragana; English is not."""

import pytest

from index.romaji import romaji_spelling


@pytest.mark.parametrize(
    ("text", "kana"),
    [
        ("gaitou ga kiete imasu", "がいとう が きえて います"),
        ("gaitou ga kiete imasu.", "がいとう が きえて います."),
        # Kunrei spellings read as Hepburn ones do.
        ("sinbun", "しんぶん"),
        ("tukue", "つくえ"),
        ("hune", "ふね"),
        ("zyuumin", "じゅうみん"),
        ("juuminhyou", "じゅうみんひょう"),
        ("chotto", "ちょっと"),
        ("fukusi", "ふくし"),
    ],
)
def test_spelling_of_words(text, kana):
    assert romaji_spelling(text) == kana


@pytest.mark.parametrize(
    ("text", "kana"),
    [
        ("konnichiwa", "こんにちわ"),
        ("minna", "みんな"),
        ("kon'ya", "こんや"),
        ("sen'en", "せんえん"),
        ("kinenbi", "きねんび"),
        ("shimbun", "しんぶん"),
        ("honbako", "ほんばこ"),
    ],
)
def test_n_before_vowels_consonants_and_apostrophes(text, kana):
    assert romaji_spelling(text) == kana


@pytest.mark.parametrize(
    ("text", "kana"),
    [("kitte", "きって"), ("matcha", "まっちゃ"), ("zasshi", "ざっし")],
)
def test_doubled_consonant_is_small_tsu(text, kana):
    assert romaji_spelling(text) == kana


def test_long_vowel_marks_are_spelled_out():
    assert romaji_spelling("kōen") == "こうえん"
    assert romaji_spelling("kôen") == "こうえん"
    assert romaji_spelling("ōkii") == "おうきい"


def test_particles_alone_are_spelled_as_written():
    spelled = romaji_spelling("kouen wa doko e ikeba ii")
    assert spelled == "こうえん は どこ へ いけば いい"
    assert romaji_spelling("gomi o dasu") == "ごみ を だす"


@pytest.mark.parametrize(
    "text",
    [
        "the street light is out",
        "I am here",
        "are you there",
        "pothole",
        "thanks",
        # Every word reads as romaji, but nothing in them is Japanese.
        "I hate rain",
        "one more time",
        "are you ready",
    ],
)
def test_english_is_not_spelled(text):
    assert romaji_spelling(text) is None


@pytest.mark.parametrize("text", ["hi", "ok", "gomi 出し方", "ごみ", "", "1234", "!!"])
def test_short_or_japanese_text_is_not_spelled(text):
    assert romaji_spelling(text) is None


def test_two_words_need_a_sign_of_japanese():
    assert romaji_spelling("jidou teate") == "じどう てあて"
    assert romaji_spelling("kore wa nan desu ka") == "これ は なん です か"
    assert romaji_spelling("sodai gomi") is None
