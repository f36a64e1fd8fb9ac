"""Titles of "page not found" notices that a site serves with status 200.

Many city CMSs redirect a deleted page to one notice page
(お探しのページが見つかりません) that returns 200, while unknown URLs still get a
real 404. The soft 404 probe of ``crawler.start_page`` cannot see that notice,
so the crawl reads the page's title too: a page titled as such a notice is
handled as not found, wherever it was served.
"""

from __future__ import annotations

import re
import unicodedata

# A title is cut into parts at these marks and at brackets. A notice is a title
# of which one part is a whole notice phrase. So a real page whose longer title
# contains the phrase (ページが見つからないときの検索方法) stays a page.
_PARTS = re.compile(r"[|｜│:：/／\-－–—【】\[\]「」()]+")

# Notice phrases, matched against a part of a title after NFKC, lowercasing
# and removing spaces and sentence marks.
_NOTICE = re.compile(
    r"(?:error|エラー)?404(?:error|エラー|notfound|pagenotfound|filenotfound)?"
    r"|(?:page|file)?notfound"
    r"|(?:お探しの|ご指定の|ご指定いただいた|指定された|お求めの|アクセスされた"
    r"|アクセスしようとした|ご覧になろうとしている|この)?"
    r"(?:ページ|ファイル|url)(?:は|が)?"
    r"(?:見つかりません|見つかりませんでした|見つからない|存在しません"
    r"|存在しませんでした|ありません|削除されました|削除しました"
    r"|移動しました|移動されました|削除されたか移動した可能性があります)"
)

# Characters dropped before matching: spaces and the marks that end a sentence.
_DROPPED = re.compile(r"[\s。．.!！]+")


def is_not_found_title(title: str) -> bool:
    """Tell whether ``title`` is the title of a "page not found" notice.

    True for お探しのページが見つかりません, 404 Not Found or
    ページが見つかりません | 〇〇市; False for a title that only mentions
    such words among others.
    """
    text = unicodedata.normalize("NFKC", title).lower()
    for part in _PARTS.split(text):
        part = _DROPPED.sub("", part)
        if part and _NOTICE.fullmatch(part):
            return True
    return False
