"""Whether a text gives evidence of a fault now, asks how to act, or is urgent.

These rules decide before any model: a question about how to act and a text
with no evidence of a fault are questions, whatever the models would say.
"""

from __future__ import annotations

import re
import unicodedata

from sudachipy import Morpheme

from answerer.intent_cues import (
    ASSERTED_STATE,
    CITY_RESPONSIBILITY,
    CONDITIONAL_PROCEDURE,
    ELLIPTICAL_CONDITION,
    ENGLISH_HOW_TO,
    FAULT_STATE,
    FEELING,
    FIRE,
    FLOOD,
    FOLLOW_UP,
    GIVING_WAY,
    HABITUAL_OR_PAST,
    HYPOTHETICAL,
    ICE,
    INFO_REQUEST,
    LOOSE_PART,
    OTHER_MATTER,
    OWN_RESPONSIBILITY,
    PERSON_DOWN,
    PREDICATE_POS,
    PREDICATE_SUFFIX_POS,
    PROCEDURE,
    PROPOSAL,
    QUESTION_END,
    QUESTION_MARK,
    QUESTION_WORD,
    QUOTED_MESSAGE,
    REPAIRED_OR_TAKEN_BACK,
    REPORTING_WORDS,
    REQUEST,
    RESPONSIBILITY,
    SET_PHRASE,
    TAKEN_BACK_WORD,
    THANKS_OR_REPAIRED,
    TOPIC_SHIFT,
    TRAILING_POS,
    UNCHANGED_STATE,
    URGENT_PATTERNS,
    WHEN_FIXED,
    WHERE_TO_ACT,
)
from answerer.intent_owners import names_object_term
from answerer.intent_text import split_sentences
from index.normalize import fold_kana
from index.tokenize import morphemes


def asserts_fault(text: str) -> bool:
    """Return True when a normalized text states that something is faulty now."""
    for match in FAULT_STATE.finditer(text):
        following = text[match.end() : match.end() + 12]
        if ASSERTED_STATE.search(following) and not HYPOTHETICAL.search(following):
            return True
    return False


# A sentence that only gives a reason, ending in its connective: 日当たりの問題で.
AFTERTHOUGHT_REASON = re.compile(r"(ので|から|ため|ためです|問題で|理由で)[。.!！\s]*$")
# A short remark on the writer's situation after a question, ending in けど or
# が: じいちゃん家なんだけど, 一人暮らしなんですが.
AFTERTHOUGHT_CONTEXT = re.compile(
    r"[^。!?]{0,10}(なん|なの)(だ|です)?(けど|けれど|けども|が)[。.!！\s]*"
)
# A short sentence of worry after a question: 今年も心配です.
AFTERTHOUGHT_FEELING = re.compile(
    r"^[^。!?]{0,8}(心配|不安|困って(い)?ます|困ります)(です|でした)?[。.!！]*$"
)


# A request that closes a text: 対応お願いします, 見てください. 教えてください asks
# for information, so it is no such close.
CLOSING_REQUEST = re.compile(
    r"(お願い(します|いたします|致します)?|おねがい(します)?|(?<!教えて)(ください|下さい))"
    r"[。.!！\s]*$"
)
# Who pays, or what help there is: 消す費用は所有者の負担ですか, 撤去に使える
# 補助制度はありますか.
COST_OR_SUBSIDY = re.compile(
    r"費用|負担|補助|助成|給付|支給|制度|料金|お金|有料|無料|補償|賠償|弁償|治療費"
    r"|修理代|修理費"
)
# Whether something is allowed at a time or place: 何時から工事していいんですか.
# Not a complaint of a fault left alone (いつまで放置していいんですか), nor a
# reason that leaves the time or place to the city (いつでもいいので見に来て
# もらえますか).
PERMISSION_QUESTION = re.compile(
    r"(何時|いつ|どこ)(?![^。!?]{0,15}(放置|ほった|このまま|そのまま))[^。!?]{0,15}"
    r"(て|で)(も)?\s?(いい|よい|良い|構わない|かまわない)(?!ので|から|んで(?!す))"
)
# Asking for advice on what to do: 穴あけたほうがいい?, 写真も送ったほうが
# いいですか.
ADVICE_QUESTION = re.compile(
    r"(た|る|ない)(ほう|方)が(いい|よい|良い)(ん|の)?(です|でしょう)?か?\s?[?？]"
    r"|(た|る|ない)(ほう|方)が(いい|よい|良い)(んですか|のですか|ですか|でしょうか)"
)
# Disposal questions: 壊れた傘は何ごみ?, 割れた鏡の捨て方, 蛍光灯は有害ごみ
# ですか.
DISPOSAL = re.compile(
    r"(何|なに)(ごみ|ゴミ)|(捨て|すて|出し|だし)方|(捨て|出せ)ば(いい|よい)"
    r"|(有害|粗大|不燃|可燃|資源|危険|燃える|燃えない|燃やせる|燃やせない|小型家電)"
    r"(ごみ|ゴミ)(です|でしょう|に(なり|出せ|出し)|で(いい|よい|大丈夫)|として)"
)


def asks_how_to_act(text: str) -> bool:
    """Return True when a normalized text asks how to report, whom to call, who is
    responsible or pays, for information or how to throw something away, and
    ends as a question.

    Such a text is a question even when it names a fault: a fault told before
    asking whom to tell (穴があいているんですが、どこに連絡すれば?) gets the report
    route in the chat, and city FAQ pages word general questions that way.
    """
    if fault_before_another_matter(text) is not None:
        return False
    if ENGLISH_HOW_TO.search(text):
        return True
    sentences = split_sentences(text)
    written = len(sentences)
    # A reason added after the question (…受け付けてもらえるんでしょうか。
    # 日当たりの問題で) leaves the question as the last sentence that counts.
    while len(sentences) > 1 and (
        AFTERTHOUGHT_REASON.search(sentences[-1])
        or AFTERTHOUGHT_FEELING.search(sentences[-1])
        or AFTERTHOUGHT_CONTEXT.fullmatch(sentences[-1])
    ):
        sentences = sentences[:-1]
    last = sentences[-1] if sentences else ""
    # A procedure word inside a text that closes with a request (どこに言えば
    # いいかわからなくて送りました、お願いします) asks nothing at its end.
    ends_as_question = bool(
        QUESTION_END.search(last)
        or QUESTION_MARK.search(last)
        or (PROCEDURE.search(last) and not CLOSING_REQUEST.search(last))
    )
    about_acting = bool(
        CONDITIONAL_PROCEDURE.search(text)
        or ELLIPTICAL_CONDITION.search(last)
        or REPORTING_WORDS.search(text)
        or OWN_RESPONSIBILITY.search(last)
        or (
            CITY_RESPONSIBILITY.search(last)
            and not _letter_of_a_fault(sentences, written)
        )
        or (RESPONSIBILITY.search(text) and not RESPONSIBILITY.search(last))
        or INFO_REQUEST.search(text)
        or WHERE_TO_ACT.search(last)
        or DISPOSAL.search(last)
        or COST_OR_SUBSIDY.search(last)
        or PERMISSION_QUESTION.search(last)
        # After a fault stated now, advice on sending it (写真も送った方が
        # いいですか) asks nothing else.
        or (ADVICE_QUESTION.search(last) and not asserts_fault(text))
    )
    return ends_as_question and about_acting


def follows_up_on_a_fault(text: str) -> bool:
    """Tell whether a normalized text follows up on a fault that is still there
    (歩道の穴、まだそのままです。いつ直りますか): a follow-up word with a fault
    or a state left as it is. The caller has found that the text asks nothing
    of how to act (:func:`asks_how_to_act`)."""
    if not (FOLLOW_UP.search(text) or WHEN_FIXED.search(text)):
        return False
    return asserts_fault(text) or UNCHANGED_STATE.search(text) is not None


def fault_before_another_matter(text: str) -> str | None:
    """Return the part of a normalized text before a sentence that opens
    another matter, when that part states a fault of a thing the lexicon names
    (…角です。あと、粗大ごみの申し込みって…, …つきっぱなしです。それと、…
    聞きたいんですが); None for any other text. The fault is the message's
    report, and the question after it is not about the fault. A worry that
    names no such thing (予防接種が心配です。あと、…) is no fault, so the
    question after it stays in the text."""
    sentences = split_sentences(text)
    for index, sentence in enumerate(sentences):
        if index and TOPIC_SHIFT.match(sentence):
            before = "".join(sentences[:index])
            if names_object_term(before):
                return before if _states_fault_words(before) else None
            # A fault of a thing the lexicon lacks (ごみ置き場のネットが破れて
            # ます) counts, but not a worry or a fall of the writer's own.
            without_worry = _WORRY_OR_FALL.sub(" ", before)
            return before if _states_fault_words(without_worry) else None
    return None


def fault_after_another_matter(text: str) -> str | None:
    """Return the part of a normalized text from a sentence that opens another
    matter, when the part before states no fault and the part after states a
    fault of a thing the lexicon names (住民票の写しってコンビニで取れますか?
    あと全然関係ないんですが、…歩道がへこんでて…); None for any other text.
    The fault is the message's report, and the question before it is not
    about the fault."""
    sentences = split_sentences(text)
    for index, sentence in enumerate(sentences):
        if index and TOPIC_SHIFT.match(sentence):
            before = "".join(sentences[:index])
            after = "".join(sentences[index:])
            if _states_fault_words(before) or not names_object_term(after):
                return None
            return after if _states_fault_words(after) else None
    return None


# Feelings and a fall of the writer's own, which name no fault of a thing.
_WORRY_OR_FALL = re.compile(FEELING.pattern + r"|つまず|躓|転ん|ころん")


def _states_fault_words(text: str) -> bool:
    """Tell whether ``text`` has a fault word or a state left as it is that no
    condition follows (曲がってて, つきっぱなし, but not 消えてたら)."""
    return any(
        not HYPOTHETICAL.search(text[match.end() : match.end() + 12])
        for pattern in (*_FAULT_WORDS_NOW, UNCHANGED_STATE)
        for match in pattern.finditer(text)
    )


def _letter_of_a_fault(sentences: list[str], written: int) -> bool:
    """Tell whether the sentences before the last name a fault, in a text of
    at least LETTER_SENTENCES ``written`` sentences, afterthoughts included: a
    letter that describes its fault and then asks the city to see to it
    (…市で補修していただけるものでしょうか。困っています)."""
    if written < LETTER_SENTENCES:
        return False
    return any(
        pattern.search(sentence)
        for sentence in sentences[:-1]
        for pattern in _FAULT_WORDS_NOW
    )


# Sentences of a letter that asks the city to act on the fault it describes.
# FAQ pages ask who repairs things in one or two (歩道に穴があいています。
# 市で直してもらえますか).
LETTER_SENTENCES = 3


# The words of a fault state, which a sentence may also state after looking
# back on a repair: 直してもらった街灯がまた消えています.
_FAULT_WORDS_NOW = (FAULT_STATE, LOOSE_PART, ICE, GIVING_WAY)
# Every pattern whose match is evidence of a fault.
FAULT_CUES = (*_FAULT_WORDS_NOW, REQUEST, PROPOSAL, FOLLOW_UP, UNCHANGED_STATE)
# The patterns of a sentence that states a fault or asks for work.
_FAULT_SENTENCE_CUES = (*_FAULT_WORDS_NOW, REQUEST, UNCHANGED_STATE)
# A thing named as the subject or object of a short text: ガラスが, 釘を.
NAMED_SUBJECT = re.compile(r"[^\sはがをもに]\s*[がを]")


def has_fault_evidence(text: str) -> bool:
    """Return True when a normalized text gives any evidence of a fault.

    Evidence is a fault-state word (FAULT_STATE), a request (REQUEST), a proposal
    of city work (PROPOSAL), a follow-up on a fault (FOLLOW_UP), a state that has
    lasted (UNCHANGED_STATE) or an urgent case. A statement counts too: a sentence
    or space-separated part that ends in a predicate and contains no QUESTION_WORD.
    A text with none of these only names things ("公園", "ベンチのある公園") or asks
    where or when ("公園はどこ", "街灯は何時に点く"), so it is never a report.
    After a sentence that reports a repair or takes a message back
    (REPAIRED_OR_TAKEN_BACK), a statement counts only when it names a city object
    or follows a change of topic (TOPIC_SHIFT). A message the writer quotes and
    phrases about other matters (OTHER_MATTER) are left out of every text, set
    phrases of greeting or closing (SET_PHRASE) only of a text that names no
    city object.
    """
    text = OTHER_MATTER.sub(" ", QUOTED_MESSAGE.sub("", text))
    if SET_PHRASE.search(text) and not names_object_term(text):
        text = SET_PHRASE.sub("", text)
    sentences = split_sentences(text)
    retracted_later = _retracted_later(sentences)
    rests = [_after_looking_back(sentence) for sentence in sentences]
    # The fault words of a message that a later sentence takes back
    # (さっきの穴の件、…。勘違いでした) are about that message, not a fault now.
    words_now = [
        "" if retracted else rest
        for rest, retracted in zip(rests, retracted_later, strict=True)
    ]
    joined = " ".join(words_now)
    # Katakana typed for kana words (キエテル, often half-width) is read as
    # hiragana too, since the cues spell those words in hiragana.
    for form in (joined, fold_kana(joined)):
        if any(pattern.search(form) for pattern in FAULT_CUES) or is_urgent(form):
            return True
    # NOTE: any statement counts, because many reports name no fault word
    # ("路面が盛り上がったまま"). So a text that states no fault ("桜が咲いている")
    # still reaches the label model, which takes most such texts for reports.
    # A question word anywhere in a sentence makes all of it a question, so the
    # parts of "じゅうみんひょう どこで とれる" are no statements.
    after_repair = False
    for index, (sentence, rest) in enumerate(zip(sentences, rests, strict=True)):
        if TOPIC_SHIFT.match(sentence):
            after_repair = False
        if rest and not QUESTION_WORD.search(rest):
            for part in _statement_parts(rest):
                # After a repair or a retraction (もう直ってました。ちゃんと点いて
                # ます), and before a retraction (今見たら点いていました。
                # 見間違いでした), a statement describes how things are now unless
                # it names a city object.
                looking_back = after_repair or retracted_later[index]
                if looking_back and not names_object_term(part):
                    continue
                if states_something(part):
                    return True
        if REPAIRED_OR_TAKEN_BACK.search(sentence):
            after_repair = True
    return False


def takes_message_back(text: str) -> bool:
    """Tell whether a normalized text takes a message back (見間違いでした,
    さっきのは取り消して), not only tells of a repair (もう直ってました)."""
    return any(
        TAKEN_BACK_WORD.search(match.group()) is not None
        for match in REPAIRED_OR_TAKEN_BACK.finditer(text)
    )


def _retracted_later(sentences: list[str]) -> list[bool]:
    """Return, per sentence, whether a later sentence takes the message back
    (見間違いでした, さっきのは取り消して) with no change of topic between."""
    flags = [False] * len(sentences)
    retracted = False
    for index in range(len(sentences) - 1, -1, -1):
        flags[index] = retracted
        sentence = sentences[index]
        if takes_message_back(sentence):
            retracted = True
        if TOPIC_SHIFT.match(sentence):
            retracted = False
    return flags


def _after_looking_back(sentence: str) -> str:
    """Return what a sentence states beyond thanks or a repaired fault.

    Thanks and a repair (THANKS_OR_REPAIRED) are no evidence of a fault now, so
    such a sentence counts only for the fault words after its last such phrase:
    "" for 直ってました, ありがとう, and 街灯が今夜からまた消えています for
    直してもらった街灯が今夜からまた消えています.
    """
    matches = list(THANKS_OR_REPAIRED.finditer(sentence))
    if not matches:
        return sentence
    rest = sentence[matches[-1].end() :]
    if any(pattern.search(rest) for pattern in _FAULT_WORDS_NOW):
        return rest
    return ""


# A sentence that ends in a wish of the writer ("公園で遊びたい", "ベンチが欲しい")
# states no fault. A request to fix something ("直してほしい") is caught earlier,
# by REQUEST.
WISH_FORMS = frozenset({"たい", "欲しい", "ほしい"})


def _statement_parts(sentence: str) -> list[str]:
    """Return the parts of a sentence that may each state something.

    不法投棄されてる、冷蔵庫が道端に states a fault before its comma. A
    sentence that ends in a question mark is split at spaces alone, since its
    clauses lead up to the question (イベントやってたけど、あれ何?).
    """
    asks = QUESTION_MARK.search(sentence.rstrip()[-1:]) is not None
    return [
        part for part in (str.split if asks else CLAUSE_BREAK.split)(sentence) if part
    ]


# The marks that cut a sentence into clauses: commas and spaces.
CLAUSE_BREAK = re.compile(r"[、,\s]+")


# A statement of what the writer heard or read: 〜と聞きました. (〜そうです
# may be hearsay or a look: 滑りそうです.)
HEARSAY_END = re.compile(
    r"(と|って)(聞き|きき|聞い|きい|伺い|読み)[^。!?]{0,6}[。.!！]*$"
)
POLITE_QUESTION_END = re.compile(
    r"(ですか|ますか|ませんか|ましたか|でしたか|でしょうか|のか)[。.]*$"
)
# Idioms of つく that tell of no fault: 区別がつきません, 連絡がつかない.
IDIOM_OF_TSUKU = re.compile(
    r"(区別|見当|見通し|連絡|判断|決心|想像|見分け|整理)が?\s?(つき|付き|つか|付か)"
)
# Praise of a place or the weather (桜がきれいでした, いい天気ですね) states no
# fault. Only a sentence's end counts, with any emoji after it, so
# きれいに直っていた is no praise. A run of endings has one reading (ですね is
# です then ね): overlapping alternatives let a long run backtrack
# exponentially.
PRAISE_END = re.compile(
    r"(きれい|綺麗|キレイ|いい天気|良い天気|楽しかった|楽しい|気持ち(いい|良い|よかった)"
    r"|素敵|すてき|最高|おいしかった|美味しかった|うれしい|嬉しい|満開|咲いて(い)?(ます|る|ました)"
    r"|(楽しみ|たのしみ)にして(い)?(ます|る)"
    # Small talk about the weather, which ends in ね: 寒いですね. Not after
    # a clause that gives the cause (屋根がなくなってて暑いですね), which
    # tells of a fault.
    r"|(?<![てで])(?<!から)(寒|暑|さむ|あつ|涼し|すずし|暖か|あたたか)い(です)?ね)"
    r"(です|でした|だ|だった|や|やった|ね|よ|な|わ)*\W*$"
)
# A request for information (ルールを教えてください) states no fault.
INFO_ASK_END = re.compile(
    r"(教えて|おしえて)(ください|下さい|ほしい|欲しい|くれ|ちょうだい"
    r"|(もらえ|いただけ)(ますか|ませんか|ないでしょうか))?[。.!！]*$"
)
# A search for a place or a thing states nothing wrong: 遊べる広い公園を
# 探しています, 落とした鍵を探してる.
SEEKING_END = re.compile(r"(探|さが)して(い|お)?(ます|る|ります)[。.!！]*$")


def _without_trailing_symbols(text: str) -> str:
    """Return ``text`` without the emoji, symbols and spaces after its last word
    or question mark. A loop, because a pattern anchored at the end rescans a
    long run of emoji from every position in it."""
    end = len(text)
    while end and not (text[end - 1].isalnum() or text[end - 1] in "?？_"):
        end -= 1
    return text[:end]


def states_something(part: str) -> bool:
    """Return True when a normalized sentence ends in a predicate and asks nothing.

    A sentence containing a QUESTION_WORD or ending in a question mark is a
    question, and one that ends in a wish (WISH_FORMS) or a search (SEEKING_END)
    states nothing about the place. The last word is found with
    Sudachi, skipping particles, symbols and auxiliaries, so "壊れてるよ" ends in a
    verb and "公園はどこですか" in a pronoun.
    """
    # Emoji and symbols after the end do not change it: もう咲いてますか🌸.
    part = _without_trailing_symbols(part) or part
    # "アプリで見れる?" ends in a verb, but its question mark makes it a question.
    if QUESTION_WORD.search(part) or QUESTION_MARK.search(part[-1:]):
        return False
    # What the writer heard (管理者が違うと聞きました) states no fault seen,
    # and a polite question (どう違うのですか) needs no question mark.
    if HEARSAY_END.search(part) or POLITE_QUESTION_END.search(part):
        return False
    if INFO_ASK_END.search(part) or IDIOM_OF_TSUKU.search(part):
        return False
    if SEEKING_END.search(part):
        return False
    if PRAISE_END.search(part):
        return False
    words = list(morphemes(part))
    while words and is_trailing(words[-1]):
        if words[-1].dictionary_form() in WISH_FORMS:
            return False
        words.pop()
    if words and words[-1].dictionary_form() in WISH_FORMS:
        return False
    return bool(words) and is_predicate(words[-1])


def is_trailing(word: Morpheme) -> bool:
    """Tell whether a word is skipped to find a sentence's last word: a
    particle, an auxiliary, a symbol, a space, or an emoji that Sudachi tags as
    a noun (⚠ is one)."""
    if word.part_of_speech()[0] in TRAILING_POS:
        return True
    return all(unicodedata.category(char)[0] in "SMC" for char in word.surface())


def is_predicate(word: Morpheme) -> bool:
    pos = word.part_of_speech()
    if pos[0] == "接尾辞":
        return pos[1] in PREDICATE_SUFFIX_POS
    return pos[0] in PREDICATE_POS


def tells_only_of_an_emergency(text: str) -> bool:
    """Return True when a normalized text tells of a person down or unable to
    move (PERSON_DOWN) or of a fire (FIRE) and, with those words left out,
    gives no evidence of a fault (人が道で倒れてて動かない, 火事です!向かいの
    家から煙が出てる). Such a text is an emergency for 119, not a fault to
    repair; one that also tells of a fault (木が倒れて人が下敷きに) is a
    report."""
    if not (PERSON_DOWN.search(text) or FIRE.search(text)):
        return False
    rest = FIRE.sub("、", PERSON_DOWN.sub("、", text))
    # Only fault words count here: what is left of 人が道で倒れてて動かない
    # (てて動かない) would pass for a statement.
    return not any(
        pattern.search(form)
        for form in (rest, fold_kana(rest))
        for pattern in FAULT_CUES
    ) and not is_urgent(rest)


def is_urgent(text: str) -> bool:
    """Return True when a normalized text describes a case that needs a phone call.

    A flood counts only when it is happening now, not at every heavy rain or last
    year (HABITUAL_OR_PAST).
    """
    if any(pattern.search(text) for pattern in URGENT_PATTERNS):
        return True
    return bool(FLOOD.search(text)) and not HABITUAL_OR_PAST.search(text)


def fault_sentences(text: str) -> str:
    """Return the sentences of a normalized text that state a fault or ask for
    work (FAULT_STATE, LOOSE_PART, GIVING_WAY, REQUEST, UNCHANGED_STATE), joined by
    spaces; "" if none."""
    return " ".join(
        sentence
        for sentence in split_sentences(text)
        if any(pattern.search(sentence) for pattern in _FAULT_SENTENCE_CUES)
    )
