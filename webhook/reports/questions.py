"""Tell a question from a comment at the report's comment step.

Residents sometimes type a question for the bot ("市役所の開庁時間は？") while the
draft waits for its comment. Instead of storing such a text, the flow replies with
a choice between using it as the comment and sending it as a question.
"""

from __future__ import annotations

import re
import unicodedata

from webhook.reports.report_intent import IntentLike

# Endings of a Japanese question, matched after NFKC (which turns ？ into ?) and
# after trailing punctuation and spaces are cut.
# Casual endings count too: 何時までだっけ, どう出すんでしたっけ,
# 出し方も知りたいんだけど, 教えてほしいです.
QUESTION_ENDING = re.compile(
    r"(\?|ですか|ますか|でしょうか|ませんか|っけ"
    r"|教えて(ください|下さい|ほしい|ほしいです|もらえる)?"
    r"|知りたい(んだけど|んですけど|んですが|のですが|です|けど)?)$"
)
# Words that open an aside (ところで粗大ごみってどう出すんでしたっけ). With a
# question ending, such a text is a question even when the classifier takes
# it for a report.
ASIDE_LEAD = re.compile(
    r"^((あ|あと|それと|すみません)[、,\s]*)?(ところで|ちなみに|話は変わりますが|別件ですが)"
)
_TRAILING = "。.!！ 　\n"
# The classifier gives rule-based questions (texts with no sign of a fault, such
# as "昨日の夜から") a confidence of 0.9. A short comment is often such a text, so
# only the model's surer verdicts count on their own.
MIN_QUESTION_CONFIDENCE = 0.95


def looks_like_question(text: str, intent: IntentLike | None) -> bool:
    """Return True when ``text`` is clearly a question and not a comment.

    The classifier must label it a question, and the text must either end like a
    question or be labelled with at least MIN_QUESTION_CONFIDENCE. A text that
    opens an aside (ASIDE_LEAD) and ends like a question needs no label. A request that
    ends in a question ("早く直してもらえませんか？") is labelled a report and so
    stays a comment. Without a classifier (``intent`` None) the ending decides.
    """
    normalized = unicodedata.normalize("NFKC", text).rstrip(_TRAILING)
    ends_like_question = bool(QUESTION_ENDING.search(normalized))
    if intent is None:
        return ends_like_question
    if ends_like_question and ASIDE_LEAD.match(normalized):
        return True
    if intent.label != "question":
        return False
    return ends_like_question or intent.confidence >= MIN_QUESTION_CONFIDENCE
