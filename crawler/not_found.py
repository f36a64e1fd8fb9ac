"""Titles of "page not found" notices that a site serves with status 200.

Many city CMSs redirect a deleted page to one notice page
(お探しのページが見つかりません) that returns 200, while unknown URLs still get a
real 404. The soft 404 probe of ``crawler.start_page`` cannot see that notice,
so the crawl reads the page's titles too. A page whose h1 reads as such a
notice is handled as not found, wherever it was served. So is one whose
``<title>`` does under a short generic h1 (エラー).
"""

from __future__ import annotations

import re
import unicodedata

# A title is cut into segments at these marks and at parentheses. A notice is a
# title of which one segment is a notice as a whole and the others only name
# the site or an error code (〇〇市 | ページが見つかりません (エラーコード:404)).
# So a real page whose longer title contains a notice phrase
# (ページが見つからないときの検索方法), quotes one in 「」, or sits beside a topic
# (電子申請: ファイルが見つかりません) stays a page.
_SEGMENTS = re.compile(r"[|｜│:：/／\-－–—【】\[\]()]+")

# A segment is cut into sentences at these marks (after NFKC, so 。 and .).
# Each sentence must be a notice phrase or an apology:
# 申し訳ございません。お探しのページは見つかりません.
_SENTENCES = re.compile(r"[。.!、,]+")

# Notice phrases in Japanese, matched against a sentence without spaces.
_NOTICE_JA = re.compile(
    r"(?:お探しの|ご指定の|ご指定いただいた|指定された|お求めの|アクセスされた"
    r"|アクセスしようとした|ご覧になろうとしている|この)?"
    r"(?:ページ|ファイル|url)(?:(?:または|もしくは|や|・)(?:ページ|ファイル|url))?"
    r"(?:は|が)?"
    r"(?:見つかりません|見つかりませんでした|見つからない|存在しません"
    r"|存在しませんでした|ありません|削除されました|削除しました"
    r"|移動しました|移動されました|削除されたか移動した可能性があります|削除されたか"
    r"|公開を終了しました|公開を終了したか|公開を終了しています)"
)

# Notice phrases with a status code or in English, matched the same way.
_NOTICE_CODE = re.compile(
    r"(?:error|エラー)?404(?:error|エラー|notfound|pagenotfound|filenotfound)?"
    r"|(?:page|file)?notfound"
    # the (requested) page you requested could not be found, this page does not
    # exist
    r"|(?:but)?(?:the|this)?(?:requested)?(?:page|file|url)"
    r"(?:you(?:were|are)?(?:requested|lookingfor))?"
    r"(?:couldnotbefound|cannotbefound|can'tbefound|wasnotfound|doesnotexist"
    r"|doesn'texist|nolongerexists)"
)

# An error code or word that may stand beside a notice: 404 ページが見つかりません.
_ERROR_WORD = re.compile(
    r"error|エラー|エラーコード|errorcode|code|404|notfound|\d{3}error|(?:error)?code\d{3}"
)

# Sentences that go with a notice: an apology, or advice on what to do next
# (URLをご確認ください, 移動した可能性があります, check the URL).
_APOLOGY = re.compile(
    r"(?:大変)?(?:申し訳(?:ございません|ありません)(?:でした)?|すみません)が?"
    r"|(?:we(?:are|'re|re)?)?sorry"
    r"|.*(?:ご確認ください|お探しください|ご利用ください|可能性があります"
    r"|checktheurl|tryagain)"
)

# A site's name beside a notice (〇〇市 ページが見つかりません, ページが見つかりません
# | 〇〇市公式ホームページ): two or more characters, then a city's, an office's
# or a site's ending.
_SITE_NAME = re.compile(
    r".{2,}(?:市|町|村|区|都|府|県|役所|役場|ホームページ|サイト|portal|web"
    r"|city|town|village|ward|office|website|site|homepage)"
)


# An h1 this short (エラー, Error, お知らせ) is too generic to decide alone, so
# the ``<title>`` is read too. A longer h1 is the page's own title.
GENERIC_HEADING_CHARS = 8


def notice_title(title: str, head_title: str) -> str | None:
    """Return the title that makes a page a "page not found" notice, or None.

    ``title`` is the page's h1 (or its ``<title>`` without the site name) and
    ``head_title`` its whole ``<title>``, which counts only under an h1 of at
    most GENERIC_HEADING_CHARS characters.
    """
    if is_not_found_title(title):
        return title
    if len(_squeeze(title)) <= GENERIC_HEADING_CHARS and is_not_found_title(head_title):
        return head_title
    return None


def is_not_found_title(title: str) -> bool:
    """Tell whether ``title`` is the title of a "page not found" notice.

    True for お探しのページが見つかりません, 404 Not Found., Page not found,
    ページが見つかりません | 〇〇市 or 〇〇市 ページが見つかりません; False for
    a title that only mentions or quotes such words, puts them in a question
    (ページが見つかりません?), or names a topic before them.
    """
    text = unicodedata.normalize("NFKC", title).lower()
    segments = [part for part in _SEGMENTS.split(text) if part.strip()]
    notices = [_is_notice_segment(segment) for segment in segments]
    return any(notices) and all(
        notice or _names_site_or_error(segment)
        for notice, segment in zip(notices, segments, strict=True)
    )


def _is_notice_segment(segment: str) -> bool:
    """Tell whether a segment of a title is a notice as a whole."""
    if "?" in segment:
        return False  # a question about the notice, as in an FAQ
    sentences = [s for s in _SENTENCES.split(segment) if s.strip()]
    if not sentences:
        return False
    notices = [_is_notice_sentence(s) for s in sentences]
    if any(notices) and all(
        notice or _APOLOGY.fullmatch(_squeeze(sentence))
        for notice, sentence in zip(notices, sentences, strict=True)
    ):
        return True
    return len(sentences) == 1 and _is_words_and_notice(sentences[0])


def _is_notice_sentence(sentence: str) -> bool:
    squeezed = _squeeze(sentence)
    return bool(_NOTICE_JA.fullmatch(squeezed) or _NOTICE_CODE.fullmatch(squeezed))


def _is_words_and_notice(sentence: str) -> bool:
    """Tell whether ``sentence`` is a notice phrase set off by spaces beside a
    site's name or an error code (〇〇市 ページが見つかりません, 404 ページが
    見つかりません)."""
    words = sentence.split()
    if len(words) < 2:
        return False
    for notice, rest in ((words[-1], words[:-1]), (words[0], words[1:])):
        if _NOTICE_JA.fullmatch(notice) and all(
            _names_site_or_error(word) for word in rest
        ):
            return True
    return False


def _names_site_or_error(text: str) -> bool:
    """Tell whether a title segment or word only names a site or an error."""
    squeezed = _squeeze(text)
    return bool(_SITE_NAME.fullmatch(squeezed) or _ERROR_WORD.fullmatch(squeezed))


def _squeeze(text: str) -> str:
    """Return ``text`` without spaces."""
    return "".join(text.split())
