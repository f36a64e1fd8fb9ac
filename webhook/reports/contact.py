"""Contact details (phone numbers, e-mail addresses) in free text.

Residents' texts and staff notes may not carry someone's personal data: a
report's texts are read by staff, and staff notes are published with it
(:mod:`webhook.reports.personal_data` checks those for more).
"""

from __future__ import annotations

import re
import unicodedata

# A phone number or an e-mail address: someone's personal data, which the city's
# rules do not allow in a report. A phone number is 10
# or 11 digits from a leading 0 (or +81 for the 0), in groups of digits
# joined by one dash, dot, space or bracket, or written without them. A lamp
# post's number (0123-4567) has too few digits, and digits after a bracket
# (…5678）12時) are not part of it.
_PHONE_SHAPES = (
    # 090-1234-5678, 090 - 1234 - 5678, (0422)51-5131
    re.compile(r"(?<![\d.])0\d{1,4}(?:[-‐−ー.\s(（)）]{1,3}\d{1,4}){1,2}(?![\d.])"),
    # 090-12345678: the area code set off, the rest in one group
    re.compile(r"(?<![\d.])0\d{1,4}[-‐−ー]\d{5,8}(?![\d.])"),
    re.compile(r"(?<![\d.])0\d{9,10}(?![\d.])"),
    re.compile(r"\+81[\s-]?\d{1,4}(?:[-\s]\d{1,4}){1,2}(?![\d.])"),
)
# taro@example.jp, and the same written to dodge mail harvesters: taro at
# example.jp, taro[at]example.jp.
_EMAIL = re.compile(
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.-]*[A-Za-z]"
    r"|[A-Za-z0-9._%+-]+\s*(?:\bat\b|\[at\]|\(at\))\s*"
    # a mail domain, so that English (the light at the station) stays text
    r"(?:[A-Za-z0-9-]+\.)+(?:jp|com|net|org|info|biz)\b"
)


def has_contact_details(text: str) -> bool:
    """Tell whether ``text`` contains a phone number or an e-mail address."""
    return find_contact_detail(unicodedata.normalize("NFKC", text)) is not None


def find_contact_detail(text: str) -> str | None:
    """Return the first e-mail address or phone number in ``text``, or None.

    ``text`` must be NFKC-normalised already, so that the part returned is a
    slice of it.
    """
    email = _EMAIL.search(text)
    if email is not None:
        return email.group().strip()
    for shape in _PHONE_SHAPES:
        for match in shape.finditer(text):
            if _is_phone_number(match.group()):
                return match.group().strip()
    return None


def without_contact_details(text: str) -> str:
    """Return ``text`` with each e-mail address and phone number replaced by a
    space. ``text`` must be NFKC-normalised already."""
    text = _EMAIL.sub(" ", text)
    for shape in _PHONE_SHAPES:
        text = shape.sub(
            lambda match: " " if _is_phone_number(match.group()) else match.group(),
            text,
        )
    return text


def _is_phone_number(part: str) -> bool:
    """Tell whether a match of a phone shape has the 10 or 11 digits of a
    Japanese phone number (+81 counting as the leading 0)."""
    digits = re.sub(r"\D", "", part)
    if digits.startswith("81"):
        digits = "0" + digits[2:]
    return len(digits) in (10, 11)
