"""Term keys that join spelling and kana variants of one word.

Method: **kana fold over Sudachi's normalized form, with compounds rebuilt from their
short units.**

- Sudachi's normalized form already joins okurigana and kanji variants: 申込 and
  申し込み both become 申し込み, 子ども becomes 子供, 障がい becomes 障害.
- It does not join scripts: ごみ stays ごみ and ゴミ stays ゴミ. Folding katakana into
  hiragana afterwards joins them, and ｺﾞﾐ reaches the same key because NFKC has
  already made it ゴミ.
- For compounds the normalized form of the long unit can differ from its parts
  (粗大ごみ and 粗大ゴミ both become 粗大塵, while ごみ alone stays ごみ). The long
  unit keeps that key, which joins the two spellings of the compound, and its short
  units are indexed as well (粗大, ごみ), so a question about ごみ still reaches it.

Sudachi's synonym group ids do not replace the key: the core dictionary gives ids
to only part of the vocabulary (障害 has none), and a group can join words that are
related but not the same. Each group a word belongs to is added as an extra term
instead (``syn:<id>``), which joins 原付 and 原動機付自転車 or 国保 and
国民健康保険 without merging their own keys.
"""

from __future__ import annotations

from sudachipy import Morpheme

from index.normalize import fold_kana, lower_ascii

# Prefix of the terms that stand for a Sudachi synonym group. No word contains ':'
# after normalisation, because NFKC keeps ':' and Sudachi tags it as a symbol.
SYNONYM_PREFIX = "syn:"

# Parts of speech (first level of Sudachi's tag) whose words become terms.
CONTENT_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞", "接尾辞"})
# Second levels dropped within those: suffixes that only inflect, numbers' counters
# are kept because 歳, 円 and 枚 carry meaning in city questions.
DROPPED_SUBPOS = frozenset({("接尾辞", "動詞的"), ("接尾辞", "形容詞的")})

# Light verbs, auxiliaries-like adjectives and formal nouns: they appear in almost
# every question (〜できますか, 〜してほしい, 〜こと) and carry no topic. Keys are
# normalized forms after the kana fold.
STOP_TERMS = frozenset(
    {
        "する",
        "為る",
        "ある",
        "有る",
        "在る",
        "いる",
        "居る",
        "なる",
        "成る",
        "できる",
        "出来る",
        "おる",
        "れる",
        "られる",
        "せる",
        "いう",
        "言う",
        "くださる",
        "下さる",
        "いただく",
        "頂く",
        "ほしい",
        "欲しい",
        "よい",
        "良い",
        "いい",
        "事",
        "こと",
        "物",
        "もの",
        "為",
        "ため",
        "様",
        "よう",
        "方",
        "思う",
        "教える",
        "ども",
        "達",
        "等",
    }
)


# lower_ascii and fold_kana in one table: A-Z and the katakana with a hiragana
# twin (U+30A1..U+30F6) are disjoint and neither maps into the other.
_KEY_TABLE = str.maketrans(
    {
        **{chr(code): lower_ascii(chr(code)) for code in range(ord("A"), ord("Z") + 1)},
        **{chr(code): fold_kana(chr(code)) for code in range(0x30A1, 0x30F7)},
    }
)


def term_key(morpheme: Morpheme) -> str:
    """Return the variant-joined key of one morpheme: its folded normalized form.

    ASCII is lowercased again because Sudachi's normalized form capitalises some
    Latin words (abc becomes ABC). The result is
    ``fold_kana(lower_ascii(form))``.
    """
    return key_of_form(morpheme.normalized_form() or morpheme.surface())


def key_of_form(form: str) -> str:
    """Return the key of a normalized form: ``fold_kana(lower_ascii(form))``."""
    return form.translate(_KEY_TABLE)


def is_content_pos(pos: tuple[str, ...]) -> bool:
    """Tell whether words of the Sudachi part of speech ``pos`` may become terms.

    :func:`is_content_word` is False for every word whose part of speech fails
    this test; for the others it also looks at the word itself.
    """
    return pos[0] in CONTENT_POS and (pos[0], pos[1]) not in DROPPED_SUBPOS


def is_content_word(morpheme: Morpheme) -> bool:
    """Tell whether ``morpheme`` is a content word that should become a term.

    Particles, auxiliaries, symbols, prefixes, pronouns, interjections and light
    verbs are dropped. Single-character nouns such as 犬 and 税 are kept.
    """
    return content_key(morpheme) is not None


def content_key(morpheme: Morpheme) -> str | None:
    """Return :func:`term_key` of a content word, None when it gives no term.

    The same test as :func:`is_content_word`, computing the key only once.
    """
    pos = morpheme.part_of_speech()
    if not is_content_pos(pos):
        return None
    key = term_key(morpheme)
    if pos[1] == "数詞" and not morpheme.surface().isdigit():
        return key
    return None if key in STOP_TERMS else key


def synonym_terms(morpheme: Morpheme) -> list[str]:
    """Return one term per Sudachi synonym group of ``morpheme``, such as ``syn:1092``.

    Words of one group share the term: 原付 and 原動機付自転車, 国保 and
    国民健康保険, 保育園 and 保育所, 引っ越し and 転居.
    """
    groups = morpheme.synonym_group_ids()
    if not groups:  # most words; skips building a comprehension
        return []
    return [f"{SYNONYM_PREFIX}{group}" for group in groups]
