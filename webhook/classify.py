"""Sort a text message that no flow took: receive settings, small talk or question.

Small talk is recognised only when the whole message is made of greeting, thanks or
help phrases (after removing punctuation, symbols and emoji), so that
「こんにちは、粗大ごみの出し方は？」 is still a question. Thanks is also
recognised in a longer text that tells of a repair (直ってました、ありがとう) and
neither asks anything nor gives evidence of a fault. A receive-settings request
is a short message that names the settings, such as 受信設定 or 配信を止めたい.
Fault reports are not recognised here: the reports flow takes them before the core
sees them, and without that flow they are answered as questions.
"""

from __future__ import annotations

import enum
import re
import unicodedata

from answerer.intent_cues import (
    EARLIER_TIME,
    GRATITUDE,
    QUESTION_END,
    TAKEN_BACK_WORD,
    THANKS_OR_REPAIRED,
    WHEN_WORD,
)
from answerer.intent_evidence import has_fault_evidence
from answerer.intent_text import normalize as intent_normalize
from answerer.intent_text import split_sentences
from index.normalize import fold_kana, visible_nfkc
from index.romaji import romaji_spelling
from webhook import texts
from webhook.broadcasts.categories import DEFAULT_CATEGORIES
from webhook.reports.models import fold_receipt_dashes


class TextKind(enum.Enum):
    """What a resident's text message is, as far as the core is concerned."""

    RECEIVE_SETTINGS = "receive_settings"
    GREETING = "greeting"
    FAREWELL = "farewell"
    CHAT = "chat"
    THANKS = "thanks"
    HELP = "help"
    CANCEL = "cancel"
    REPORT_STATUS = "report_status"
    REPORT_CHANGE = "report_change"
    QUESTION = "question"


MAX_SETTINGS_REQUEST_CHARS = 40
# A longer text that mentions an earlier report is more likely a new report.
MAX_STATUS_QUESTION_CHARS = 60

# Texts that start a fault report, as a whole message.
REPORT_START_WORDS = frozenset(
    {
        "通報",
        "通報する",
        "通報したい",
        "通報したいです",
        "通報したいのですが",
        "通報したいんですが",
        "通報をしたい",
        "通報をしたいです",
        "通報します",
        "通報お願いします",
        "通報をお願いします",
        "通報させてください",
        "つうほう",
        "つうほうしたい",
        "つうほうしたいです",
        "不具合の通報",
        "不具合の報告",
        "不具合を報告したい",
        "不具合を報告したいです",
        "不具合を報告したいのですが",
    }
)
# Texts that cancel a fault report under way, as a whole message.
REPORT_CANCEL_WORDS = frozenset(
    {
        "やめる",
        "キャンセル",
        "中止",
        "取り消し",
        "取消",
        "やめます",
        "止める",
        "止めます",
        "やめて",
    }
)

# Everyday ways of calling a report off, as a whole message: キャンセルで,
# やめておきます, やっぱりいいです、すみません, 通報を取り消してください,
# Sorry, my mistake. Please cancel. いいです or 大丈夫 alone may mean yes, so
# they count only after やっぱり. The whole message must be the phrase, so a
# request in a fault report (水が止まらないのでやめてほしい) is no cancel.
CANCEL_PHRASE = re.compile(
    r"((すみません|すいません|ごめんなさい|sorry)[、,。.!！]*(mymistake[、,。.!！]*)?)?"
    r"((やっぱり|やっぱ|やはり)(もう)?(いいです|いい|大丈夫です|大丈夫|結構です|けっこうです)"
    r"|(やっぱり|やっぱ|やはり)?(この|今の|いまの)?(通報|報告)?(を|は)?"
    r"((キャンセル|中止)(で|します|して|してください|して下さい|でお願いします"
    r"|お願いします|をお願いします|したい|したいです)?"
    r"|(取り消|取消)(し|す|します|しで|しでお願いします|しをお願いします|してください"
    r"|して下さい|して|したい|したいです)?"
    r"|やめ(る|ます|ておきます|とく|ときます|ました|た|たい|たいです|て|てください"
    r"|て下さい|させてください|にします)"
    r"|止め(る|ます))"
    r"|(please)?cancel(please|it|this|thereport)?)"
    r"[、,。.!！]*(すみません|すいません|ごめんなさい)?[。.!！]*$"
)

GREETINGS = frozenset(
    {
        "こんにちは",
        "こんにちわ",
        "こんばんは",
        "こんばんわ",
        "おはよう",
        "おはようございます",
        "はじめまして",
        "初めまして",
        "よろしく",
        "よろしくお願いします",
        "よろしくおねがいします",
        "宜しくお願いします",
        "どうも",
        "やあ",
        "hello",
        "hi",
        "hey",
        "おはよ",
    }
)
THANKS = frozenset(
    {
        "ありがとう",
        "ありがとうございます",
        "ありがとうございました",
        "どうもありがとう",
        "どうもありがとうございます",
        "どうもありがとうございました",
        "有難うございます",
        "有り難うございます",
        "助かりました",
        "助かります",
        "了解しました",
        "了解です",
        "了解",
        "りょうかい",
        "りょうかいです",
        "承知です",
        "わかりました",
        "わかった",
        "ok",
        "okです",
        "オッケー",
        "分かりました",
        "承知しました",
        "thanks",
        "thankyou",
        "サンキュー",
    }
)
# Good night and goodbye, which close a chat and ask nothing.
FAREWELLS = frozenset(
    {
        "おやすみ",
        "おやすみなさい",
        "さようなら",
        "さよなら",
        "またね",
        "じゃあね",
        "ばいばい",
        "バイバイ",
        "失礼します",
        "では失礼します",
        "bye",
        "byebye",
        "goodbye",
        "goodnight",
    }
)
# A whole phrase of chat that asks nothing: encouragement (がんばってください),
# a word of praise (いつも助かってます), a nod (なるほど), the weather
# (今日は寒いですね). The answerer would find a page on a shared character
# (がん検診 for がんばって) or the fallback, neither of which fits.
CHAT = re.compile(
    r"(?:いつも|毎日|今日|きょう|本日|今朝|けさ|最近|さいきん)?(?:は|も)?"
    r"(?:とても|すごく|めっちゃ|本当に|ほんとに|ほんとうに)?"
    r"(?:お疲れ(?:さま|様)|おつかれ(?:さま)?|ご苦労(?:さま|様)|ごくろうさま"
    r"|がんばって|頑張って|ガンバって|がんばれ|頑張れ|応援して|助かって|たすかって"
    r"|便利|べんり|すごい|すばらしい|素晴らしい|いいですね|いいね"
    r"|はい|うん|ええ|なるほど|そうですか|そうなんですね|そうなんだ|へえ|へー|ふーん"
    r"|(?:暑|寒|あつ|さむ|涼し|すずし|暖か|あたたか|あったか)い"
    r"|いい(?:天気|お天気)|良い(?:天気|お天気))"
    r"(?:です|でした|ます|います|いる|ください|下さい|ね|ねえ|よ|な|だね|だな"
    r"|ですね|ですよね|ますね|ております|おります|る)*"
)

HELP = frozenset(
    {
        "使い方",
        "つかいかた",
        "使いかた",
        "使い方を教えて",
        "使い方を教えてください",
        "ヘルプ",
        "help",
        "メニュー",
        "menu",
        "何ができる",
        "何ができますか",
        "なにができますか",
        "できること",
        "?",
    }
)
# A short question on how to use the account's features: 通報の仕方を教えて,
# 通報はどうやるの, 受信設定のやり方. The help text covers it, and the city's
# pages do not.
HOW_TO_USE = re.compile(
    r"^(lineで|ラインで)?(通報|つうほう|受信設定|このアカウント|このライン|このline)"
    r"(の|は|って)?"
    r"(仕方|しかた|方法|やり方|やりかた|使い方|つかいかた|手順"
    r"|どう(やって|やる|すれば|したら|するの))"
    # What blocking the account does, which the help text explains.
    r"|^((この|lineの)?(アカウント|line|ライン)を?)?ブロック(したら|すると|しても"
    r"|する(と|のは))"
)
# Words of news that has not come: 返事がない, 連絡がありません, 何の連絡もない.
# 返信ありがとうございます thanks for a reply.
_NO_NEWS = (
    r"(返事|返信|へんじ|へんしん)(?!(を)?(ありがと|有難|感謝))"
    r"|連絡(が|も)(な|ありません|来|こな)|何の連絡も"
)
# A question about a report already sent: its receipt number, or a report
# followed by a wait for news (通報したのに返事がない, この前通報した穴まだ直って
# ない). Staff reply to no single report, so the reply names where results are
# published. A receipt number without its R counts after 受付番号 or alone.
REPORT_STATUS = re.compile(
    r"r\d{4}-\d{6}|受付番号(は|:)?\d{4}-\d{6}|^\d{4}-\d{6}$"
    r"|(通報|つうほう)(した(?!い)|しました|したのに|したけど|した件|の件(?!数)|済み"
    r"|させていただいた|させて頂いた)"
    r".{0,20}(どうな[っりる]|状況|進捗|その後|"
    + _NO_NEWS
    + r"|直って(い)?な|直らな|対応され)"
    # A message named as sent without 通報 (先週LINEで送った件、どうなってますか)
    # needs a word of news: 送った街灯がまだ消えています is a new report.
    # 送った写真が今の状況です describes the fault, so 状況 and その後 do not
    # count here.
    r"|(送った|送信した|お送りした|お伝えした)(?!ら)(件|もの|通報)?.{0,20}"
    r"(どうな[っりる]|進捗|" + _NO_NEWS + r")"
    # さっきの通報いつ直りますか, この通報は今日中に見てもらえますか.
    r"|^(返事|返信|回答)(は|が)?(まだ|来ない|こない|ない)(です|ですか|でしょうか|の|かな)?"
    r"[?？。!！]*$"
)
# Looser forms, which count only in a question that states no fault:
# さっきの通報いつ直りますか, この通報は今日中に見てもらえますか,
# 通報の結果はどこで見られますか, 通報したらいつ見てもらえますか. Not
# この前通報して直った街灯がまた消えています, a new report.
REPORT_STATUS_QUESTION = re.compile(
    r"(さっき|先ほど|さきほど|前|この前|昨日|先日|この|その|私|わたし)の?"
    r"(通報|つうほう)(?!機能|窓口|サービス|システム|の仕方|方法)(は|って|の)?.{0,12}"
    r"(いつ|今日|どうなっ|見て|確認|対応|直)"
    r"|(通報|つうほう)の?(結果|その後|進み具合)"
    r"|(通報|つうほう)(したら|すると|してから).{0,12}(いつ|何日|どのくらい|すぐ)"
)
# The question forms that REPORT_STATUS_QUESTION needs beside it. いつも,
# いつか and いつの間に ask nothing, but いつから does.
_ASKS_ABOUT_STATUS = re.compile(
    r"[?？]|か[。.]?$|の[。.]?$|" + WHEN_WORD + r"|どこで|どうなっ|まだ"
)
# A request to call a report off is no question about its progress.
_CALL_OFF = re.compile(r"取り?消|キャンセル|やめ")
# Notices that do not arrive (通知が来ない). A word of a default broadcast
# category name (防災の, 子育ての) or of this account (lineの) before it keeps it
# about this account's notices. Another topic (特定健診のお知らせが来ない) makes
# it about a letter from the city, so it stays a question.
_NOTICE_MISSING = re.compile(
    r"(?:(?P<topic>[^\s、。]{0,20})の)?(通知|お知らせ|配信)が(来ない|こない|届かない|とどかない)"
)
_ACCOUNT_WORDS = ("line", "ライン", "アカウント")
_CATEGORY_WORDS = tuple(
    {part for choice in DEFAULT_CATEGORIES for part in choice.name.split("・")}
)
RECEIVE_SETTINGS = re.compile(
    r"(受信|配信|通知|お知らせ|おしらせ)(の)?(設定|停止|変更|解除)"
    r"|(配信|通知|お知らせ|おしらせ)を(止め|とめ|停止|やめ|受け取|選)"
    # 通知はもういらない, 通知多すぎ, ごみのお知らせも欲しい.
    r"|(配信|通知|お知らせ|おしらせ)(は|が|も)?(もう)?(いらない|要らない|不要|多すぎ"
    r"|うるさい|止めたい|とめたい|やめたい|停止|欲しい|ほしい|受け取りたい)"
    r"|情報(も|を)?(受け取りたい|うけとりたい|届けてほしい|配信してほしい)"
    # 防災の情報だけにしたい.
    r"|(情報|お知らせ|通知|配信)(だけ|のみ)(に|を)?(したい|して|受け取りたい)"
)
# More ways of asking about this account's notices and optional answers. They
# count only in a text that names no other service of the city or others
# (OTHER_SERVICE): メールマガジンの配信を解除したい is not about this account.
ACCOUNT_SETTINGS = re.compile(
    # 防災のお知らせだけ止めたい, 配信を解除したい, イベント情報はいらないです,
    # メッセージが多いので減らしたい.
    r"(情報|お知らせ|おしらせ|通知|配信|メッセージ)(だけ|のみ)?(は|を|も)?"
    r"(止め|とめ|停止|やめ|解除|減ら|へら|いらない|要らない|不要)"
    r"|メッセージ(が|は)?(多|うるさ)"
    # The optional answers of the settings: 性別の回答を取り消したい,
    # 年齢を登録したい, 住んでいる地域を変更したい. 住所 is a city procedure, and
    # so is the answer of another record (住民票の性別).
    r"|(^|私の|わたしの|自分の|僕の|ぼくの|lineの|住んでいる|住んでる|ので|から|、)"
    r"(性別|年齢|年代|地域)(の回答|の登録|の設定)?(を|は|が)?"
    r"(登録|変更|変え|取り消|取消|削除|消し|訂正|選び直|答え直|回答し)"
    # What was given to this account: 登録した情報を削除してください.
    r"|(登録|回答)した(情報|内容|こと)(を|は)?(削除|消|取り消|確認|見)"
    # Leaving the account as a whole message: 退会したい, 配信解除の方法.
    r"|^(退会|配信解除|登録解除)(したい|します|する|したいです|方法|の方法|の仕方"
    r"|はどうすれば(いい)?)?[。.!！?？]*$"
    # Not wanting to give one, as the whole message: 性別を答えたくありません,
    # 年齢は答えなくてもいいですか. Another person's answer or a procedure
    # (子どもの年齢を答えなくても申請できますか) is no such message.
    r"|^(私は|わたしは|自分は)?(性別|年齢|年代|地域)(は|を|も)?"
    r"(答え|こたえ|回答し|入力し|登録し|選ば)"
    r"(たくない|たくありません|なくても(いい|大丈夫|平気)|なければ(いけない|いけません"
    r"|ならない|なりません)|ないといけない|ないとだめ|なきゃ(だめ|いけない))"
    r"(か|です|ですか|でしょうか|の|んですか)?[。.!！?？]*$"
    # How the answers are used: 私の性別や年齢の情報はどう使われますか.
    r"|(性別|年齢|年代|受信設定|回答)[^。]{0,12}(どう使|何に使|なにに使|どのように使"
    r"|使われ|利用され)"
)
OTHER_SERVICE = re.compile(
    r"メールマガジン|メルマガ|メール|アンケート|調査|国勢|年金|手当|税|保険|郵便|新聞"
    r"|広報|図書館|アプリ|サイト|ホームページ|マイナ"
)

# Separators between phrases: whitespace, punctuation and symbols (emoji included).
_SEPARATOR_CATEGORIES = ("Z", "P", "S", "C", "M")


# A question mark, a question ending, or a question word (not いつも, いつか
# or いつの間に, while いつから is one).
_ASKS = re.compile(
    r"[?？]|(?:ですか|ますか|でしょうか|のか|かな|すか|れるの|えるの|きるの)[。．!！\s]*$"
    r"|どこ|" + WHEN_WORD + r"|どうすれば|どうしたら|どうやって|どうやったら|どうする"
    r"|どうなる|どの"
    r"|どんな|誰(?!か)|だれ(?!か)|何時|何日|何曜|何を|何が|何で|なに|いくら|教えて|知りたい|相談"
    r"|窓口"
)


def asks_something(text: str) -> bool:
    """Tell whether ``text`` is phrased as a question, not only as a statement."""
    return bool(_ASKS.search(visible_nfkc(text).strip()))


def greeting_word(text: str) -> str:
    """Return the greeting that matches ``text``: morning, evening or daytime."""
    normalized = _as_kana(visible_nfkc(text).lower())
    if "おはよ" in normalized:
        return texts.GREETING_MORNING
    if "こんばん" in normalized:
        return texts.GREETING_EVENING
    return texts.GREETING_DAYTIME


def _as_kana(normalized: str) -> str:
    """Return a text typed in romaji (ohayou gozaimasu) spelled in hiragana, so
    that the kana greetings, thanks and farewells match it; any other text as
    it is."""
    return romaji_spelling(normalized) or normalized


# The punctuation that CANCEL_PHRASE reads itself.
_KEPT_PUNCTUATION = frozenset("、,。.!！_")


def _strip_trailing_symbols(text: str) -> str:
    """Return ``text`` without the emoji and symbols that end it, other than
    _KEPT_PUNCTUATION. A loop, because a regular expression anchored at the
    end rescans a long run of blanks from every position in it."""
    end = len(text)
    while end and not (text[end - 1].isalnum() or text[end - 1] in _KEPT_PUNCTUATION):
        end -= 1
    return text[:end]


def is_cancel(text: str) -> bool:
    """Tell whether ``text`` as a whole calls a report off: a cancel word
    (REPORT_CANCEL_WORDS) or an everyday phrase for it (CANCEL_PHRASE)."""
    normalized = visible_nfkc(text).strip().lower()
    # A bow or a sorry face after the word (やめます🙇) changes nothing.
    normalized = _strip_trailing_symbols(normalized)
    # ヤメル typed in katakana reads as やめる.
    for form in (normalized, fold_kana(normalized)):
        if form.rstrip("。.!！") in REPORT_CANCEL_WORDS:
            return True
        if CANCEL_PHRASE.match("".join(form.split())) is not None:
            return True
    return False


def _asks_for_missing_notices(compact: str) -> bool:
    """Tell whether a text reports that this account's notices do not arrive."""
    match = _NOTICE_MISSING.search(compact)
    if match is None:
        return False
    topic = match.group("topic")
    if topic is None:
        return True
    return topic.endswith(_ACCOUNT_WORDS + _CATEGORY_WORDS)


def classify_text(text: str) -> TextKind:
    """Return the kind of ``text``; anything not recognised is a QUESTION."""
    normalized = visible_nfkc(text).strip().lower()
    compact = "".join(normalized.split())
    if compact and len(compact) <= MAX_SETTINGS_REQUEST_CHARS:
        if RECEIVE_SETTINGS.search(compact) or _asks_for_missing_notices(compact):
            return TextKind.RECEIVE_SETTINGS
        if ACCOUNT_SETTINGS.search(compact) and not OTHER_SERVICE.search(compact):
            return TextKind.RECEIVE_SETTINGS
    if normalized in HELP:
        return TextKind.HELP
    if len(compact) <= MAX_SETTINGS_REQUEST_CHARS and HOW_TO_USE.search(compact):
        return TextKind.HELP
    if len(compact) <= MAX_STATUS_QUESTION_CHARS and _changes_a_sent_report(compact):
        return TextKind.REPORT_CHANGE
    if (
        len(compact) <= MAX_STATUS_QUESTION_CHARS
        and _asks_about_a_sent_report(fold_receipt_dashes(compact))
        and not _CALL_OFF.search(compact)
    ):
        return TextKind.REPORT_STATUS
    if is_cancel(text):
        return TextKind.CANCEL
    phrases = _phrases(_as_kana(normalized))
    if not phrases:
        return _symbols_kind(normalized)
    joined = _small_talk_kind("".join(phrases))
    if joined is not None:
        return joined
    kinds = set()
    for phrase in phrases:
        kind = _small_talk_kind(phrase)
        if kind is None:
            return TextKind.THANKS if _only_thanks(text) else TextKind.QUESTION
        kinds.add(kind)
    for kind in _SMALL_TALK_ORDER:
        if kind in kinds:
            return kind
    return TextKind.QUESTION


# Which kind a message of several small-talk phrases gets: お疲れさまです、
# ありがとう is thanks, こんにちは、今日は暑いですね a greeting.
_SMALL_TALK_ORDER = (
    TextKind.HELP,
    TextKind.THANKS,
    TextKind.GREETING,
    TextKind.FAREWELL,
    TextKind.CHAT,
)


def _only_thanks(text: str) -> bool:
    """Tell whether ``text`` thanks or reports a repair (直ってました、ありがとう,
    対応ありがとうございました, a thank-you letter) and neither asks
    anything nor gives evidence of a fault (see has_fault_evidence)."""
    normalized = intent_normalize(text)
    # A retraction (見間違いでした) is no thanks, and どういたしまして would not
    # fit it.
    thanks = [
        match
        for match in THANKS_OR_REPAIRED.finditer(normalized)
        if TAKEN_BACK_WORD.search(match.group()) is None
    ]
    if not thanks:
        return False
    # A repair placed in the past with no thanks (以前埋めてもらったところです)
    # gives a fault's history, not thanks.
    if EARLIER_TIME.search(normalized) and not GRATITUDE.search(normalized):
        return False
    if asks_something(text) or _ends_as_question(normalized):
        return False
    return not has_fault_evidence(normalized)


# A laugh or emoji after a question: 開いてますか笑, 開いてますかw.
# Bounded, so that a long run of blanks before the last word costs little.
_TRAILING_LAUGH = re.compile(r"[笑w\W_]{1,20}$")


def _ends_as_question(normalized: str) -> bool:
    """Tell whether a sentence of a normalized text ends as a question, even
    with a laugh or an emoji after it."""
    return any(
        QUESTION_END.search(_TRAILING_LAUGH.sub("", sentence))
        for sentence in split_sentences(normalized)
    )


def _changes_a_sent_report(compact: str) -> bool:
    """Tell whether a compact text asks to cancel, correct or add to a report
    already sent (さっきの通報をキャンセルしたい, 送った通報の場所を間違えた)."""
    folded = fold_receipt_dashes(compact)
    names_a_report = "通報" in folded or "つうほう" in folded
    if not names_a_report and _RECEIPT.search(folded) is None:
        return False
    # 追加で報告します announces a new report (the fault came back), not an
    # addition to the one sent.
    folded = _NEW_REPORT_ANNOUNCED.sub("", folded)
    return _SENT_REPORT_CHANGE.search(folded) is not None


_NEW_REPORT_ANNOUNCED = re.compile(r"追加(で|の)?(報告|通報|連絡)")


_RECEIPT = re.compile(r"r\d{4}-\d{6}|受付番号(は|:)?\d{4}-\d{6}")


# A report named as sent, then a change to it within the same message.
_SENT_REPORT_CHANGE = re.compile(
    r"(r\d{4}-\d{6}|受付番号|さっき|先ほど|さきほど|送った|送信した|昨日|先日|前に|この前|通報した"
    r"|通報して|通報させて|通報済)"
    r".{0,20}(取り?消|とりけ|取り?下げ|とりさげ|撤回|キャンセル|間違|まちが|訂正|修正"
    r"|直したい|変更|追加|足したい)"
)


def _asks_about_a_sent_report(compact: str) -> bool:
    """Tell whether a compact text asks about a report already sent: a receipt
    number or a strict form (REPORT_STATUS), or a looser form in a question
    that states no fault (REPORT_STATUS_QUESTION)."""
    found = REPORT_STATUS.search(compact)
    if found is not None:
        # A fault stated with the follow-up (連絡もなく、まだ穴があいたまま) is a
        # report to receive, unless the follow-up is that it is not fixed yet
        # (通報した穴まだ直ってない) or names a receipt number.
        if "直" in found.group() or re.search(r"\d{4}-\d{6}", found.group()):
            return True
        return _FAULT_WORDS.search(compact) is None and "まま" not in compact
    if not REPORT_STATUS_QUESTION.search(compact):
        return False
    if not _ASKS_ABOUT_STATUS.search(compact):
        return False
    return _FAULT_WORDS.search(compact) is None


# Words that state a fault now: a text with one reports, even when it mentions
# an earlier report (前に通報した街灯がまた消えています).
_FAULT_WORDS = re.compile(
    r"壊れ|こわれ|消え|切れ|穴|割れ|倒れ|折れ|詰ま|陥没|剥がれ|はがれ|傾い|外れ|漏れ"
    r"|あふれ|溢れ|つかな|点かな|点滅"
)


def _small_talk_kind(phrase: str) -> TextKind | None:
    phrase = phrase.rstrip("ーぁぃぅぇぉっ~")
    if phrase in HELP:
        return TextKind.HELP
    if phrase in THANKS:
        return TextKind.THANKS
    if phrase in GREETINGS:
        return TextKind.GREETING
    if phrase in FAREWELLS:
        return TextKind.FAREWELL
    if CHAT.fullmatch(phrase):
        return TextKind.CHAT
    return None


def _symbols_kind(text: str) -> TextKind:
    """Return the kind of a text of symbols and emoji only: thanks for a thumbs
    up or a bow, help for question marks alone, else a question, which gets
    the fallback."""
    if any(char in _THANKS_SYMBOLS for char in text):
        return TextKind.THANKS
    if text and set(text) <= {"?", "？"}:
        return TextKind.HELP
    return TextKind.QUESTION


# Emoji that acknowledge a reply, as ありがとう or OK does. Other emoji alone get
# the answerer's fallback, as any text without words does.
_THANKS_SYMBOLS = frozenset("👍👌🙏🙇🆗")


def _phrases(text: str) -> list[str]:
    phrases: list[str] = []
    current: list[str] = []
    for char in text:
        if unicodedata.category(char)[0] in _SEPARATOR_CATEGORIES:
            if current:
                phrases.append("".join(current))
                current = []
        else:
            current.append(char)
    if current:
        phrases.append("".join(current))
    return phrases
