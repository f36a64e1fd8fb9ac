"""Titles of "page not found" notices that a site serves with status 200.

Many city CMSs redirect a deleted page to one notice page
(お探しのページが見つかりません) that returns 200, while unknown URLs still get a
real 404. The soft 404 probe of ``crawler.start_page`` cannot see that notice,
so the crawl reads the page's titles too: a page whose h1 or ``<title>`` reads
as such a notice is handled as not found, wherever it was served.
"""

from __future__ import annotations

import re
import unicodedata

# A title is cut into segments at these marks and at parentheses. A notice is
# a title of which one segment is a notice as a whole. So a real page whose
# longer title contains a notice phrase (ページが見つからないときの検索方法), or
# quotes one in 「」, stays a page.
_SEGMENTS = re.compile(r"[|｜│:：/／\-－–—【】\[\]()]+")

# A segment is cut into sentences at these marks. Each sentence must be a
# notice phrase or an apology: 申し訳ございません。お探しのページは見つかりません.
_SENTENCES = re.compile(r"[。．!！?？]+")

# Notice phrases in Japanese, matched against a sentence without spaces.
_NOTICE_JA = re.compile(
    r"(?:お探しの|ご指定の|ご指定いただいた|指定された|お求めの|アクセスされた"
    r"|アクセスしようとした|ご覧になろうとしている|この)?"
    r"(?:ページ|ファイル|url)(?:は|が)?"
    r"(?:見つかりません|見つかりませんでした|見つからない|存在しません"
    r"|存在しませんでした|ありません|削除されました|削除しました"
    r"|移動しました|移動されました|削除されたか移動した可能性があります)"
)

# Notice phrases with a status code or in English, matched the same way.
_NOTICE_CODE = re.compile(
    r"(?:error|エラー)?404(?:error|エラー|notfound|pagenotfound|filenotfound)?"
    r"|(?:page|file)?notfound"
)

_APOLOGY = re.compile(
    r"(?:大変)?(?:申し訳(?:ございません|ありません)(?:でした)?|すみません)"
)

# A word set off by spaces beside a notice phrase that names a site, as in
# ``〇〇市 ページが見つかりません``: it ends as a city, an office or a site does.
_SITE_NAME = re.compile(
    r".*(?:市|町|村|区|都|道|府|県|役所|役場|ホームページ|サイト|hp)"
)


def is_not_found_title(title: str) -> bool:
    """Tell whether ``title`` is the title of a "page not found" notice.

    True for お探しのページが見つかりません, 404 Not Found,
    ページが見つかりません | 〇〇市 or 〇〇市 ページが見つかりません; False for
    a title that only mentions or quotes such words among others.
    """
    text = unicodedata.normalize("NFKC", title).lower()
    return any(_is_notice_segment(segment) for segment in _SEGMENTS.split(text))


def _is_notice_segment(segment: str) -> bool:
    """Tell whether a segment of a title is a notice as a whole."""
    sentences = [s for s in _SENTENCES.split(segment) if s.strip()]
    if not sentences:
        return False
    notices = [_is_notice_sentence(s) for s in sentences]
    if any(notices) and all(
        notice or _APOLOGY.fullmatch(_squeeze(sentence))
        for notice, sentence in zip(notices, sentences, strict=True)
    ):
        return True
    return len(sentences) == 1 and _is_site_and_notice(sentences[0])


def _is_notice_sentence(sentence: str) -> bool:
    squeezed = _squeeze(sentence)
    return bool(_NOTICE_JA.fullmatch(squeezed) or _NOTICE_CODE.fullmatch(squeezed))


def _is_site_and_notice(sentence: str) -> bool:
    """Tell whether ``sentence`` is a site's name and a notice set off by spaces."""
    words = sentence.split()
    if len(words) < 2:
        return False
    for notice, rest in ((words[-1], words[:-1]), (words[0], words[1:])):
        if _NOTICE_JA.fullmatch(notice) and all(
            _SITE_NAME.fullmatch(word) for word in rest
        ):
            return True
    return False


def _squeeze(text: str) -> str:
    """Return ``text`` without spaces."""
    return "".join(text.split())
