"""Services that residents ask the city about but another office handles.

Residents often ask the city's account about passports, driving licences or
unemployment benefit. A city site that does not handle them still names them,
for example in lists of identity papers, so such a question reaches an
unrelated page through that word. ``outside_services.txt`` beside this module
lists such services with the sentence that says who handles each, and
:func:`find_service` tells whether a question asks about one of them.

A line of the file holds the service's words, `` = `` and the sentence. Text
from ``#`` to the end of a line is a comment, and blank lines are skipped.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from cityline.errors import CitylineError
from index.normalize import normalize_text

logger = logging.getLogger(__name__)

SERVICES_PATH = Path(__file__).with_name("outside_services.txt")

# Words that ask about doing something with a service: パスポートの申請,
# 免許証の住所変更, 車庫証明はどこで, 失業保険をもらう. Up to MAX_GAP characters
# may come between the service word and one of them, within one clause, so that
# パスポートって市役所で作れる? counts but 免許証は必要ですか does not.
_ASKING = (
    "申請|申し込|申込|更新|作|取|手続|住所|変更|発行|交付|届|受け取|受給|もら|どこ|窓口"
)
MAX_GAP = 8
_GAP = rf"[^、。,.!?！？\n]{{0,{MAX_GAP}}}?"
# A service word counts only at the start of a word: 自動車税 is not found in
# 軽自動車税, nor 免許 in 運転免許 (which is a service word of its own).
_WORD_START = r"(?<![\u3005\u4e00-\u9fff\u30a1-\u30fa\u30fc])"


class OutsideServiceError(CitylineError, ValueError):
    """Raised when the outside services file cannot be read or a line is invalid."""


@dataclass(frozen=True)
class OutsideService:
    """A service another office handles: the words that name it and the
    sentence that says who handles it."""

    words: tuple[str, ...]
    sentence: str
    pattern: re.Pattern[str]

    def named_in(self, text: str) -> bool:
        """Tell whether ``text`` (any form) contains one of the words."""
        normalized = normalize_text(text)
        return any(word in normalized for word in self.words)


def read_services(path: Path | None = None) -> tuple[OutsideService, ...]:
    """Read the services of ``path`` (default SERVICES_PATH).

    Raises OutsideServiceError naming the file, and the line where one is
    invalid: unreadable or not UTF-8, no `` = ``, no word or no sentence.
    """
    path = SERVICES_PATH if path is None else path
    try:
        content = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise OutsideServiceError(
            f"outside services file {str(path)!r} cannot be read ({exc}); "
            "check CITYLINE_OUTSIDE_SERVICES_FILE"
        ) from exc
    services = []
    for number, line in enumerate(content.splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if text:
            services.append(_parse_line(text, path, number))
    return tuple(services)


def _parse_line(text: str, path: Path, number: int) -> OutsideService:
    words_part, equals, sentence = text.partition("=")
    words = tuple(normalize_text(word) for word in words_part.split())
    sentence = sentence.strip()
    if not equals or not words or not sentence:
        raise OutsideServiceError(
            f"{str(path)!r} line {number}: {text!r} needs words, ' = ' and a "
            "sentence, as in 'パスポート 旅券 = パスポートは東京都が受け付けています。'"
        )
    alternatives = "|".join(re.escape(word) for word in words)
    pattern = re.compile(rf"{_WORD_START}(?:{alternatives}){_GAP}(?:{_ASKING})")
    return OutsideService(words=words, sentence=sentence, pattern=pattern)


def find_service(
    question: str,
    services: tuple[OutsideService, ...],
    normalized: str | None = None,
) -> OutsideService | None:
    """Return the first service that ``question`` asks about, or None.

    A question asks about a service when one of its words is followed, within
    one clause, by a word of asking or doing (申請, 更新, どこ, 手続き, もらう).
    ``normalized`` is ``normalize_text(question)``, whitespace runs as one
    space allowed, when the caller has it already.
    """
    if not services:
        return None
    text = normalize_text(question) if normalized is None else normalized
    for service in services:
        if service.pattern.search(text):
            return service
    return None
