"""Contact details (phone numbers, e-mail addresses) in free text.

Residents' texts and staff notes may not carry someone's personal data: a
report's texts are read by staff, and staff notes are published with it.
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
    re.compile(r"(?<![\d.])0\d{1,4}(?:[-‐−ー.\s(（)）]{1,2}\d{1,4}){1,2}(?![\d.])"),
    re.compile(r"(?<![\d.])0\d{9,10}(?![\d.])"),
    re.compile(r"\+81[\s-]?\d{1,4}(?:[-\s]\d{1,4}){1,2}(?![\d.])"),
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def has_contact_details(text: str) -> bool:
    """Tell whether ``text`` contains a phone number or an e-mail address."""
    text = unicodedata.normalize("NFKC", text)
    if _EMAIL.search(text):
        return True
    for shape in _PHONE_SHAPES:
        for match in shape.finditer(text):
            digits = re.sub(r"\D", "", match.group())
            if digits.startswith("81"):
                digits = "0" + digits[2:]
            if len(digits) in (10, 11):
                return True
    return False


# Details that pin a person or a home, which a published note must not carry,
# because the published place is the town and points are rounded. They are a
# named person's home (山田様宅, 田中さんの家), a postal code, a house number
# (1-2-3, 5番3号) and a coordinate with four or more decimals. A name alone is
# not checked: 業者さん or 水道局様 in a note is no one's private data.
_PERSONAL_PLACE = re.compile(
    r"[\u3041-\u3096\u4e00-\u9fff\u30a1-\u30fa]{1,6}(様|さま|さん|氏)"
    r"(宅|方|の家|のお宅|の自宅|のお家)"
    r"|〒|(?<!\d)\d{3}-\d{4}(?!\d)"
    r"|(?<![\d.])\d{1,3}-\d{1,4}-\d{1,4}(?![\d.])|\d+\s*番(地)?\s*\d+\s*号"
    r"|(?<!\d)\d{2,3}\.\d{4,}"
)


def has_personal_details(text: str, allowed_phone: str | None = None) -> bool:
    """Tell whether a note for publishing names a person, a home or an exact
    point: contact details (has_contact_details) or _PERSONAL_PLACE.

    ``allowed_phone`` is a number that may appear, such as the city hall's.
    """
    text = unicodedata.normalize("NFKC", text)
    if allowed_phone:
        text = text.replace(unicodedata.normalize("NFKC", allowed_phone), " ")
    return has_contact_details(text) or _PERSONAL_PLACE.search(text) is not None
