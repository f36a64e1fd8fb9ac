"""Whether a resident's text, as the intent classifier read it, is a report.

The report flow starts a report only for a confident report of a kind it
takes; the rest goes to the core as a question.
"""

from __future__ import annotations

from typing import Protocol

from answerer.intent_text import content_char_count
from index.normalize import visible_nfkc
from index.romaji import romaji_spelling
from webhook.emergency import is_emergency, rules_out_report
from webhook.reports.resident_text import (
    is_neighbour_trouble,
    names_poor_light_or_sight,
    tells_of_a_suspicious_person,
)

# The categories that this account takes reports of; "other" is not one.
MAIN_CATEGORIES = frozenset({"road", "streetlight", "tree", "park", "sewer"})
# A text starts a report when the classifier is this sure, or when it is unsure but
# the text has at least this many letters and digits (see is_confident_report).
MIN_REPORT_CONFIDENCE = 0.9
MIN_UNSURE_REPORT_CHARS = 20


class IntentLike(Protocol):
    """The parts of the classifier's verdict on a text that the flow reads."""

    label: str
    category: str | None
    urgent: bool
    confidence: float


def may_start_report(text: str, intent: IntentLike | None) -> bool:
    """Tell whether a text the classifier read as ``intent`` may start a report.

    It must be a confident report (:func:`is_confident_report`). It must also be
    no emergency that rules a report out, such as a crime (不審者 in a park too),
    a fire or someone hurt with no fault named. Another emergency outside the
    facility categories is for 110/119 too, which the core gives. Neither
    neighbours nor a suspicious person heard of (不審者がいるらしい,
    公園のトイレに不審者がいるらしい) start one, unless the text says that a
    facility of the five kinds is dark or hard to see into (街灯が暗くて不審者が
    出そう), which a report can fix.
    """
    if not is_confident_report(intent, text):
        return False
    # The emergency rules spell romaji themselves, without the word spaces that
    # would part かじ from です, so they read the text as typed.
    if rules_out_report(text):
        return False
    # kouen ni fushinsha ga iru rashii: the rules below read Japanese, as the
    # classifier read it.
    text = romaji_spelling(visible_nfkc(text)) or text
    if rules_out_report(text) or is_neighbour_trouble(text):
        return False
    if tells_of_a_suspicious_person(text) and not (
        intent.category in MAIN_CATEGORIES and names_poor_light_or_sight(text)
    ):
        return False
    return intent.category in MAIN_CATEGORIES or not is_emergency(text)


def is_report(intent: IntentLike | None) -> bool:
    return intent is not None and intent.label == "report"


def is_confident_report(intent: IntentLike | None, text: str) -> bool:
    """Return True when ``intent`` is a report sure enough to start the flow.

    Short texts that the classifier is unsure of (about 0.8) are mostly chatter,
    while real reports are either surer or longer. Length is counted in letters
    and digits, so spaces, punctuation and emoji do not make a short text long.
    """
    if intent is None or intent.label != "report":
        return False
    if intent.confidence >= MIN_REPORT_CONFIDENCE:
        return True
    return content_char_count(text) >= MIN_UNSURE_REPORT_CHARS
