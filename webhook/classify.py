"""Sort a text message that no flow took: receive settings, small talk or question.

Small talk is recognised only when the whole message is made of greeting, thanks or
help phrases (after removing punctuation, symbols and emoji), so that
「こんにちは、粗大ごみの出し方は？」 is still a question. A receive-settings request
is a short message that names the settings, such as 受信設定 or 配信を止めたい.
Fault reports are not recognised here: the reports flow takes them before the core
sees them, and without that flow they are answered as questions.
"""

from __future__ import annotations

import enum
import re
import unicodedata

from webhook import texts


class TextKind(enum.Enum):
    """What a resident's text message is, as far as the core is concerned."""

    RECEIVE_SETTINGS = "receive_settings"
    GREETING = "greeting"
    THANKS = "thanks"
    HELP = "help"
    QUESTION = "question"


MAX_SETTINGS_REQUEST_CHARS = 40

# Texts that start a fault report, as a whole message.
REPORT_START_WORDS = frozenset(
    {"通報", "通報する", "通報したい", "通報します", "不具合の通報"}
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
RECEIVE_SETTINGS = re.compile(
    r"(受信|配信|通知|お知らせ|おしらせ)(の)?(設定|停止|変更|解除)"
    r"|(配信|通知|お知らせ|おしらせ)を(止め|とめ|停止|やめ|受け取|選)"
)

# Separators between phrases: whitespace, punctuation and symbols (emoji included).
_SEPARATOR_CATEGORIES = ("Z", "P", "S", "C", "M")


# Words of a danger to life or safety that the city cannot handle through LINE: a
# fire, a medical emergency, an accident or a crime (see CRIME). Such a message
# still gets the usual reply, after a first message that gives 119 and 110.
_PERSON = (
    r"(人|子ども|子供|こども|高齢者|老人|男性|女性|男の人|女の人|おじいさん|おばあさん"
    r"|おじいちゃん|おばあちゃん|お年寄り|男の子|女の子|赤ちゃん|友達|友だち|父|母"
    r"|おじさん|おばさん|運転手|息子|娘|夫|妻)"
)
# Fragments shared by EMERGENCY and _NO_FAULT: a fire, someone drowning, and
# someone unconscious or unable to breathe.
_FIRE = (
    r"火事|かじです|燃え(てい|てる|てま|とる|とん|てん)|火が(出|くすぶ|つい)|炎が|ボヤ"
    r"|ぼや騒ぎ|(煙|けむり)が?.{0,4}(出|上が|充満)"
)
_DROWNING = (
    r"溺れ(?!かけ)|おぼれ"
    rf"|(プール|川|海|池|{_PERSON}).{{0,8}}(沈んで|浮いてこない|上がってこない)"
    rf"|(川|海|水路|用水|{_PERSON}).{{0,10}}流され"
)
_UNCONSCIOUS = (
    r"息を?して(い)?(ない|ません)|意識(が)?(ない|無い|ありません|なくし|もうろう)"
    r"|のどに?つまら|つまらせ|返事(が)?(しない|ない)"
    rf"|{_PERSON}.{{0,10}}(動かない|動きません|ぐったり|反応が?(ない|ありません))"
)
EMERGENCY = re.compile(
    rf"{_FIRE}|(煙|けむり)が?.{{0,4}}(すご|やば)|{_DROWNING}|{_UNCONSCIOUS}"
    r"|救急車|急病|熱中症|(助けて|たすけて)(?!くれ|もら|いただ)"
    rf"|{_PERSON}.{{0,6}}(倒れ|落ち)(?!そう|かけ|ない)|{_PERSON}.{{0,10}}動けない"
    r"|血が(出|止まら)|血を?なが|けが人|怪我人|(けが|怪我)を?(した|して|しました|しちゃ)"
    r"|交通事故(です|が(起き|あ)(?!そう|る前)|に(遭|あ)(?!わ)|を起こ(?!したら))"
    r"|(?<!交通)事故(です|が起き(?!そう|る前)|に遭|にあ(?!わ)|を起こ(?!したら))"
    r"|(車|自転車|バイク).{0,8}(ぶつか(った|り(?!そう))|突っ込|つっこ|はね)"
    r"|110番|119番"
)
# After an emergency word, a sign that it is general or did not happen: a time
# or a condition (火事の時, 倒れたとき, 事故を起こしたら), a precaution, training or
# news (防災訓練で煙が出る体験).
_NOT_HAPPENING = re.compile(
    r"[^。．！!？?、]{0,6}?(とき|時|場合|たら|ほど|ないよう|ないため|ないか|ならない"
    r"|ならん|前に|る前|の?ニュース|訓練|講習|体験|搬送|対策|情報|被害の相談|でもあ"
    r"|のサイレン|かな(?=[\s。？?!！、]|$)|かも(?=しれ|ね|[\s。？?!！、]|$))"
)
# Words that make a whole text hearsay or settled (火事らしい, 見つかってよかった).
_SETTLED = re.compile(
    r"そうです|らしい|と聞|って聞|って話|という話|よかった|見つかった|去年|昨年|この前"
    r"|以前"
)
# Before an emergency word, a sign that it is a story, not an event here and now.
_STORY_BEFORE = re.compile(r"ニュース|訓練|ドラマ|映画")
# Crimes: a matter for the police, never a fault of a city facility, wherever
# they happen (公園で不審者を見ました is no park report).
CRIME = re.compile(
    r"不審者|強盗|空き巣|泥棒|襲われ|刺され|殴られ|暴行|暴力を|痴漢|ひったく|盗撮"
    r"|喧嘩|けんか|ストーカー|つきまと|脅され|(後|あと|まで)をつけられ|までつけられ"
    r"|詐欺|誘拐|当て逃げ|ひき逃げ|蹴られ|追いかけられ|ついてくる|刃物|なぐられ"
    r"|パクられ|すられ|車上荒らし|荒らされ"
)
# A crime word followed, before any sign that something happened, by a worry or
# a precaution (痴漢が心配, 盗難防止, 不審者情報) speaks of no crime that happened.
_WORRY = re.compile(
    r"心配|不安|怖|こわ|出そう|防止|対策|注意|恐れ|おそれ|よく出|出るので|多い|多くて"
    r"|情報|気をつけ|の相談|たら|とき|場合|っぽい|かな(?=[\s。？?!！、]|$)"
    r"|かも(?=しれ|ね|[\s。？?!！、]|$)"
)
# Signs that something happened or is happening: a past or passive form, a
# presence (いて, います) or a sentence end.
_HAPPENED = re.compile(
    r"ました|でした|[っい]た(?!く)|られ|され|いて|いる|います|[。！!]"
)
# A guess right after a passive crime word (盗まれたのかも).
_GUESS = re.compile(r"[^。、！!？?]{0,4}?(かも|かな)")
# 刺され after an insect is a sting, unless a person or a blade is named.
_INSECT = re.compile(r"蜂|ハチ|虫|蚊|ムカデ|毛虫")
_ATTACKER = re.compile(r"男|女|人に|者|刃物|ナイフ|包丁|犯人")
# A fight among animals (野良猫がけんか) is no crime.
_ANIMAL = re.compile(r"猫|ねこ|ネコ|犬|いぬ|イヌ|カラス|ハト|鳩|野鳥|小鳥")
# A theft is a crime, unless what was stolen is part of a facility (a manhole
# cover, a grating, a tap), which is a fault to report. The part must be what
# the theft verb speaks of (ふたが盗まれ), not a place nearby (街灯の下の自転車),
# nor a part of a bicycle or a car (自転車のチェーン).
_THEFT = re.compile(r"盗まれ|盗難|盗られ|盗んで")
_FACILITY_PART = (
    r"ふた|蓋|グレーチング|マンホール|柵|フェンス|標識|看板|ベンチ|遊具|街灯|街路灯"
    r"|照明|電球|ケーブル|銅線|ガードレール|ミラー|金網|手すり|車止め|蛇口|鎖|くさり"
    r"|チェーン|ブランコ|滑り台|すべり台|ポール|プレート|銘板"
)
_PART_STOLEN = re.compile(
    rf"(?<!自転車の)(?<!バイクの)(?<!車の)(?:{_FACILITY_PART})"
    rf"(?:が|も|は|を|の)?(?:{_THEFT.pattern})"
)
# Emergencies that are not a fault of a facility either: a fire, someone drowning
# or unconscious. An accident or an injury may come from a fault (a hole in the
# road) and stays a possible report.
_NO_FAULT = re.compile(f"{_FIRE}|{_DROWNING}|{_UNCONSCIOUS}")


def is_crime(text: str) -> bool:
    """Tell whether ``text`` speaks of a crime that happened, a matter for the
    police: not a worry about one (痴漢が心配), hearsay, an insect's sting or a
    fight of animals."""
    normalized = unicodedata.normalize("NFKC", text)
    if _INSECT.search(normalized) and not _ATTACKER.search(normalized):
        normalized = normalized.replace("刺され", " ")
    if _ANIMAL.search(normalized):
        normalized = re.sub("喧嘩|けんか", " ", normalized)
    if _SETTLED.search(normalized):
        return False
    for pattern in (CRIME, _THEFT):
        for match in pattern.finditer(normalized):
            # A passive form (襲われ, つけられ) means it happened, unless a guess
            # follows at once (盗まれたのかも).
            passive = match.group().endswith("れ") and not _GUESS.match(
                normalized, match.end()
            )
            if not passive and _only_a_worry(normalized, match.end()):
                continue
            if pattern is _THEFT and _PART_STOLEN.search(normalized):
                continue
            return True
    return False


def _only_a_worry(text: str, start: int) -> bool:
    """Tell whether a worry word follows ``start`` closely, before any sign that
    something happened (痴漢が心配, but not 痴漢にあいました。怖かった)."""
    worry = _WORRY.search(text, start, start + 12)
    if worry is None:
        return False
    return _HAPPENED.search(text, start, worry.start()) is None


def is_emergency(text: str) -> bool:
    """Tell whether ``text`` speaks of a danger to life or safety happening now:
    EMERGENCY or a crime (see :func:`is_crime`), not hearsay, a settled matter or
    a general or conditional mention (火事の時は, 倒れたとき)."""
    normalized = unicodedata.normalize("NFKC", text)
    return _happening(EMERGENCY, normalized) or is_crime(normalized)


def rules_out_report(text: str) -> bool:
    """Tell whether ``text`` is an emergency that no fault report fits: a crime,
    a fire, someone drowning or unconscious. 119/110 is the only reply that fits."""
    normalized = unicodedata.normalize("NFKC", text)
    return is_crime(normalized) or _happening(_NO_FAULT, normalized)


def _happening(pattern: re.Pattern, text: str) -> bool:
    """Tell whether ``pattern`` finds an event that happens now in ``text``."""
    if _SETTLED.search(text):
        return False
    return any(
        not _NOT_HAPPENING.match(text, match.end())
        and not _STORY_BEFORE.search(text, max(0, match.start() - 12), match.start())
        for match in pattern.finditer(text)
    )


# A question mark, a question ending, or a question word.
_ASKS = re.compile(
    r"[?？]|(?:ですか|ますか|でしょうか|のか|かな|すか|れるの|えるの|きるの)[。．!！\s]*$"
    r"|どこ|いつ|どうすれば|どうしたら|どうやって|どうやったら|どうする|どうなる|どの"
    r"|どんな|誰|だれ|何時|何日|何曜|何を|何が|何で|なに|いくら|教えて|知りたい|相談"
    r"|窓口"
)


def asks_something(text: str) -> bool:
    """Tell whether ``text`` is phrased as a question, not only as a statement."""
    return bool(_ASKS.search(unicodedata.normalize("NFKC", text).strip()))


def greeting_word(text: str) -> str:
    """Return the greeting that matches ``text``: morning, evening or daytime."""
    normalized = unicodedata.normalize("NFKC", text)
    if "おはよう" in normalized:
        return texts.GREETING_MORNING
    if "こんばん" in normalized:
        return texts.GREETING_EVENING
    return texts.GREETING_DAYTIME


def classify_text(text: str) -> TextKind:
    """Return the kind of ``text``; anything not recognised is a QUESTION."""
    normalized = unicodedata.normalize("NFKC", text).strip().lower()
    compact = "".join(normalized.split())
    if compact and len(compact) <= MAX_SETTINGS_REQUEST_CHARS:
        if RECEIVE_SETTINGS.search(compact):
            return TextKind.RECEIVE_SETTINGS
    if normalized in HELP:
        return TextKind.HELP
    phrases = _phrases(normalized)
    if not phrases:
        return TextKind.QUESTION
    joined = _small_talk_kind("".join(phrases))
    if joined is not None:
        return joined
    kinds = set()
    for phrase in phrases:
        kind = _small_talk_kind(phrase)
        if kind is None:
            return TextKind.QUESTION
        kinds.add(kind)
    for kind in (TextKind.HELP, TextKind.THANKS, TextKind.GREETING):
        if kind in kinds:
            return kind
    return TextKind.QUESTION


def _small_talk_kind(phrase: str) -> TextKind | None:
    phrase = phrase.rstrip("ーぁぃぅぇぉっ~")
    if phrase in HELP:
        return TextKind.HELP
    if phrase in THANKS:
        return TextKind.THANKS
    if phrase in GREETINGS:
        return TextKind.GREETING
    return None


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
