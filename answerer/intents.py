"""Tell a resident's fault report from a question and guess the report's category.

The classifier combines hand-written cues with trained models:

- regular expressions for question endings, procedure words, fault-state
  predicates and requests, plus a weighted object lexicon per category
  (``intent_data/lexicon.json``);
- two scikit-learn logistic regressions over TF-IDF character n-grams, trained at
  load time on the sentences in ``intent_data/train.jsonl`` (written for this
  project, under 500 lines, so training takes well under a second).

Three rules decide before any model. A question about how to act ("〜ときはどうすれば?")
is a question, and so is a text with no evidence of a fault (``has_fault_evidence``),
such as a bare object name or "公園はどこ", and a short text that names no object
of the lexicon, such as "こわい". Otherwise the label model takes the cue
counts as extra features, so the cues and the n-grams are weighed together. For a
report, ownership rules come first (dumping and graffiti, then anything inside a
park, then things of other owners such as national roads and private trees).
Otherwise the category is the lexicon score plus the model's probability.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sudachipy import Morpheme

from index.normalize import fold_kana, is_katakana_only, visible_nfkc
from index.tokenize import morphemes

logger = logging.getLogger(__name__)

CATEGORIES = ("road", "streetlight", "tree", "park", "sewer", "other")
LABELS = ("report", "question")

DATA_DIR = Path(__file__).with_name("intent_data")
TRAIN_PATH = DATA_DIR / "train.jsonl"
LEXICON_PATH = DATA_DIR / "lexicon.json"

# Longer texts are cut before classification, so one huge message costs bounded time.
MAX_CHARS = 4000

# A text with fewer letters and digits than this, whose only fault cue is a
# feeling (FEELING) and that names no object of the lexicon, is no report. The
# shortest report among the labelled texts that names no lexicon object has 18.
BARE_FEELING_CHARS = 12
# Words of fear, worry or trouble, which FAULT_STATE counts as fault cues because
# reports use them (暗くて怖い), but which alone name no fault.
FEELING = re.compile(r"こわい|こわ|怖|困って|困る|困った|心配|不安")

QUESTION_END = re.compile(
    r"(ですか|ますか|ませんか|でしょうか|のですか|んですか|か|かな|の|は"
    r"|たいのですが|たいんですが)\s*[?？。.!]*\s*$"
)
QUESTION_MARK = re.compile(r"[?？]")
PROCEDURE = re.compile(
    r"どうすれば|どうしたら|どのように|どうやって|どこで|どこに|どこへ|どこから|誰に"
    r"|だれに|いつ|何曜|何日|何時|いくら|方法|手続|申請|申し込|申込|届出|届け出"
    r"|必要です|必要でしょう|教えて|知りたい|できますか|いいですか|よいですか"
    r"|ありますか|もらえますか|でしょうか|本当ですか|可能|何が|何を|どれ|どの"
    r"|[ぁ-ん]方(は|を)?\s*[?。]*$|しかた|仕方を|やり方|わかりません|分かりません"
    r"|わからない|について(知りたい|教えて|伺いたい|質問)"
)
# "〇〇のときは?" and "〜場合、どこに連絡" ask how to act, even about a fault.
CONDITIONAL_PROCEDURE = re.compile(
    r"(とき|時|場合|たら|れば)(は|には|、)?[^。!?]{0,30}"
    r"(どうすれば|どうしたら|どうする|どこ|誰|だれ|連絡|通報|相談|知らせ|頼め|申請"
    r"|受け付け|受付|送れば|送ったら|送って(も)?(いい|よい)|電話)"
)
# A condition left open before a question mark is a request for what to do then:
# "陥没を見つけたら?", "街灯が消えていたときは?".
ELLIPTICAL_CONDITION = re.compile(r"(たら|れば|とき|時|場合)(は|には)?[?？]+$")
REPORTING_WORDS = re.compile(
    r"通報|連絡先|報告でき|LINEで|写真は必要|(連絡|知らせ|相談|報告)して(も)?(いい|よい)"
    # Whether the city takes requests at all: 〜という要望は受け付けていますか.
    r"|(要望|意見|苦情|相談)(は|を|って).{0,6}(受け付け|受付|受けつけ|聞いて"
    r"|出せ|出して(も)?(いい|よい)|送れ)"
    r"|\breport(ing)?\b"
)
# "市で直してもらえますか" and "自分で切らないといけないのか" ask who is responsible
# rather than report a fault: the city (CITY_RESPONSIBILITY) or the writer
# (OWN_RESPONSIBILITY).
CITY_RESPONSIBILITY = re.compile(
    r"(市|役所|行政)(で|に|が|は|として|の方で|の[一-龥]{1,6}(課|係)に).{0,15}"
    r"(もらえますか|くれますか|いいんですか|いいですか|よいですか|できますか"
    r"|しますか|ですか|のですか|んですか|でしょうか|(いい|よい)の(?!で))"
)
OWN_RESPONSIBILITY = re.compile(
    r"(自分で|こちらで|うちで|私が|勝手に).{0,15}"
    r"(ないといけな|なければ|べき|いいのですか|いいですか|のでしょうか"
    # 埋めてもらえませんか asks the city to act, whoever the sentence opens with.
    r"|んですか|(?<!もらえ)(?<!くれ)(?<!いただけ)(?<!頂け)ませんか)"
)
RESPONSIBILITY = re.compile(
    f"{CITY_RESPONSIBILITY.pattern}|{OWN_RESPONSIBILITY.pattern}"
)
# Asking when a reported fault will be fixed ("いつ直るのですか") is a report.
# Asking only how things stand (その後どうなりましたか) is not: it names no fault
# still there.
FOLLOW_UP = re.compile(
    r"いつ直|まだ直|直らな|まだそのまま"
    # A complaint about a fault left alone: いつまで放置するんですか,
    # 何回言えば掃除してもらえるんですか.
    r"|いつまで(放置|このまま|そのまま|ほったらかし|ほっとく)"
    r"|何(回|度)(言え|言っ|連絡し|通報し|お願いし|頼ん|電話し)"
)
# Work done for the writer: 直してもらえました, 修理していただき、…. Not a
# wish or a condition (していただきたい, していただきますよう, してもらえたら,
# してくれたことがない), nor work followed by "but" (止めてもらったけど).
_DONE_FOR_ME = (
    r"(もらった|もらいました|もらえた|もらえました|いただいた|いただきました"
    r"|いただき(?=[、,。\s]|ありがと|誠に|感謝)|くれた|くれました|くださった|くださいました)"
    r"(?!ら|こと|けど|けれど|のに|が、|のですが|んですが)"
)
# A fault reported as repaired ("直ってました", "安心して歩けます") or a message
# taken back ("見間違いでした", "さっきのは取り消して"). Such a sentence looks back
# on work done, so it is no evidence of a fault now.
REPAIRED_OR_TAKEN_BACK = re.compile(
    r"安心して(歩け|通れ|使え|遊べ|渡れ|眠れ|暮らせ)(ます|ました|るようになり)"
    r"|もう大丈夫(?!では|じゃ|な)"
    r"|直りました|直って(い)?(ました|ます|た)|直ってる(?!の|か)"
    r"|直ってて(?!ほし|欲し)"
    # A hole that has been filled: 穴、きれいにふさがってました. One stopped up
    # with leaves, earth or litter (排水口の穴が落ち葉でふさがっています) is a
    # fault.
    r"|穴(?![^。!?]{0,8}(落ち葉|枯れ葉|葉っぱ|土|泥|砂|ゴミ|ごみ)で)"
    r"[^。!?]{0,8}(ふさが|塞が|埋ま)って(い)?(ました|ます|た|る)"
    # Asking whether a repair one heard of is true: 直ったって聞いたけど本当?
    r"|直った(って|と)(聞|きい)[^。!?]*(本当|ほんと)"
    r"|(片付け|片づけ|かたづけ)て(くれて(い)?ました|くれた|くれました|もらった|もらいました)"
    r"|(片付|片づ|かたづ)い(て(い)?(ました|ます)|た)(?!のに|けど|が)"
    r"|(止め|埋め|取り除い|掃除し|清掃し)て"
    + _DONE_FOR_ME
    + r"|(直|修理|補修|修繕|交換|撤去|剪定|対応)し(て)?"
    + _DONE_FOR_ME
    # Not やすくなった or 広くなった: 滑りやすくなりました and 穴が広くなりました
    # tell of a fault that got worse.
    + r"|(明る|きれいに|綺麗に)くなり(まし)?た|すっきりし(まし)?た"
    r"|(間違|まちが)(え|っ)て(送|おく)|誤送信|送り間違"
    # A fault the writer saw wrongly: 見間違いでした, 勘違いでした.
    r"|(見間違|見まちが|勘違|かんちが)い(でした|だった|です)(?!と|ら|が)"
    r"|気のせい(でした|だった)(?!ら)"
    # Taking an earlier message back: さっきのは取り消してください.
    # 前の starts its clause, so 家の前の落書きを削除して is no retraction.
    r"|(さっき|先ほど|さきほど|(?<![^、。\s])前)の(は|を|通報|投稿|写真|メッセージ)?"
    r"[^。!?]{0,6}(取り消|取消|キャンセル|削除|なかったことに)"
    r"|(さっき|先ほど|さきほど)の(通報|投稿|メッセージ|件)(は|を)?(なし|無し)で"
    # Calling an earlier message a mistake: さっきのは間違いです.
    r"|(さっき|先ほど|さきほど)の(通報|投稿|写真|メッセージ|件)?は"
    r"(間違|まちが)い(です|でした|だった)"
    # A fault that has gone: 点くようになっていました, 通れるようになった.
    # ちらつく and がたつく end in つく but are faults.
    # A light that comes on by day (昼間でも点くようになった) is a fault.
    r"|(?<!昼も)(?<!昼でも)(?<!昼間も)(?<!間でも)(?<!日中も)(?<!中でも)"
    r"(点く|(?<![らた])つく|直る|流れる|通れる|使える|開く|閉まる)"
    r"ように(なって(い)?(ました|ます|た|る)|なった|なりました)"
)
# Thanks itself: ありがとう, 御礼申し上げます, お疲れさまです.
GRATITUDE = re.compile(
    r"ありがと|有難[うく]|有り難[うく]|感謝|御礼|お礼(を)?申し上げ|助かりました|安堵"
    r"|\bthank(s|\s+you)\b"
    r"|お疲れ様|お疲れさま|おつかれさま|ご苦労様|ご苦労さま"
)
# Thanks, a promise to write again, a repair or a retraction. Thanks alone often
# opens a report (いつもありがとうございます), so only the sentence that contains
# it looks back.
THANKS_OR_REPAIRED = re.compile(
    GRATITUDE.pattern
    # A promise to write again if something happens: また何かあったら連絡します.
    + r"|(何か|なにか)あ(ったら|れば)[^。!?]{0,8}(連絡|報告|通報|送)"
    + r"|"
    + REPAIRED_OR_TAKEN_BACK.pattern
)
# The words of a REPAIRED_OR_TAKEN_BACK match that take a message back
# (見間違いでした, さっきの通報なしで) rather than tell of a repair.
TAKEN_BACK_WORD = re.compile(
    r"間違|まちが|勘違|かんちが|気のせい|誤送信|取り?消|キャンセル|削除|なし|無し"
)
# Words that place a repair in a fault's past (以前埋めてもらったところです,
# 去年も補修してもらいました): history, not a repair now.
EARLIER_TIME = re.compile(r"以前|前に|前回|去年|昨年|先月|先週|昔|何年か前")
# An earlier message quoted by its writer: 「水が止まらない」と送った者です.
QUOTED_MESSAGE = re.compile(r"「[^」]*」(と|って)(送|連絡|書|報告|通報|投稿|伝え|言)")
# Phrases whose fault words tell of no fault to see to here. Each is cut out of
# a text before it is searched for evidence:
# - what the writer saw in the news (ニュースで道路の陥没を見ましたが,
#   テレビでやってた橋のひび割れ、);
# - a worry that something may happen (冠水しないか心配です), while the clause
#   before it still counts (暗くて事故が起きないか心配 keeps 暗くて, and
#   木が傾いていて倒れないか心配 keeps 傾いていて: the cut starts after a
#   particle or a て or で that ends a clause);
# - waiting for the city's reply (まだ返事がないんですけど);
# - the account's own messages (LINEの通知がうるさい);
# - a letter from the city that has not come (接種券が届いてない).
# Every part is bounded, so the work stays linear in the text's length.
OTHER_MATTER = re.compile(
    # テレビの and 新聞の count only before ニュース, 記事, 報道, 番組 or 特集,
    # since 新聞の配達員さんが穴で転ぶのを見ました tells of a fault seen.
    r"((ニュース|報道)(で|の)|(テレビ|新聞)(で|の(ニュース|記事|報道|番組|特集)))"
    r"[^。!?]{0,30}?(見|知|聞|読|やっ|流れ)"
    r"[^。!?、,]{0,6}?(ました|た)((が|けど|けれど)|[^、。!?\s]{1,15}?(って|は|、|,))?"
    r"|[^、。!?\sがをはもてで]{1,8}(ない|ません)か(と|が)?(心配|不安|気に|こわ|怖)"
    r"|(まだ)?\s?(返事|返信|回答|音沙汰)(が|は|も)?\s?(まだ)?\s?"
    r"(ない|無い|ありません|こない|来ない|きません|来ません)"
    r"|(通知|配信|プッシュ)(が|は|も)?[^。!?、,]{0,6}"
    r"(うるさ|多すぎ|多い|邪魔|じゃま|いらない|要らない|不要)[^。!?、,\s]{0,4}"
    r"|(案内|通知|書類|郵便|はがき|ハガキ|封筒|接種券|受診券|納付書|証)(が|は|も)?\s?"
    r"(まだ)?\s?(届いて(い)?(ない|ません)|届かない|届きません|来て(い)?ない|来ない|こない)"
)
# Set phrases that greet, acknowledge or close a letter (はじめまして, 承知しました,
# 今後ともよろしくお願いいたします). They are left out only of a text that names
# no city object, because 〇〇公園のトイレの件、よろしくお願いします asks for work.
# Each part is bounded, so that a long run of spaces costs linear time.
SET_PHRASE = re.compile(
    r"(どうぞ|何卒|なにとぞ|今後とも|引き続き|ご確認|ご検討)?\s?(よろしく|宜しく)\s?"
    r"(お願い|おねがい)(いた|致)?(します|申し上げます)?"
    r"|はじめまして|初めまして|(わか|分か|了解し|承知し|かしこまり)(りました|ました)"
    r"|(友だち|友達|ともだち)(追加|登録)(しました|させていただきました)"
    r"|お世話になって(おります|います)|お世話になります|こんにちは|こんばんは"
    r"|おはようございます|失礼(いた|致)?します"
)
# Words that open another matter after thanks: ところで, 別件ですが.
TOPIC_SHIFT = re.compile(
    r"^\s*(ところで|別件|それと|あと[、,]|また[、,]|今度は|ほかにも|他にも)"
)
INFO_REQUEST = re.compile(r"について(知りたい|教えて|伺いたい|質問)")
# Where or from whom the writer can do something: "どこに取りに行けばいい?",
# "誰に頼めますか". With a question ending, such a text asks how to act.
WHERE_TO_ACT = re.compile(
    r"(どこ|誰|だれ|どちら)[^。!?]{0,20}"
    r"(ば(いい|よい|良い|よろしい|OK)|でき(る|ます)|(ら|け)れ(る|ます)|行け|いけ"
    r"|たら(ええ|えぇ|いい|よい|よろしい))"
    r"|どう(すれば|したら)(いい|よい|良い|よろしい)"
)
# A city action followed by a feasibility question ("設置してもらえないでしょうか",
# "広げることはできないものでしょうか") proposes work, so it counts as a report cue.
PROPOSAL = re.compile(
    r"(設置|増設|新設|付け|つけ|取り付け|広げ|拡幅|増や|狭め|減ら|改良|改善|補修|修理"
    r"|修繕|直し|直す|切っ|切る|刈|伐採|撤去|移設|塗り直|明るく|整備|交換|取り替え"
    r"|取替|清掃|掃除|片付け|除去|回収|点検|対策|対処)"
    r"[^。?]{0,12}(でき|無理|難し|可能|ないもの|もらえ|いただけ|くれな)"
)
ADMIN_TOPIC = re.compile(
    r"申請|手続|届|証明|住民票|戸籍|印鑑|マイナンバー|保険|年金|税|納付|手当|助成"
    r"|補助|保育|学童|入所|入園|介護|妊娠|出産|出生|予防接種|予診|健診|検診|投票"
    r"|選挙|転入|転出|住所|図書館|予約|窓口|市役所|登録|ごみの|ごみは|捨て|出し方"
    r"|分別|収集|手数料|料金|請求|許可|本籍|再発行"
)
FAULT_STATE = re.compile(
    r"壊れ|こわれ|破損|欠け|割れ|消え|点かな|つかな|点いて(い)?な|ついて(い)?な"
    r"|点いて(い)?ません|点きません"
    r"|(明かり|あかり|電気|ライト|灯り|照明)が?つ(いて(い)?ません|きません)"
    r"|点灯して(い)?ません"
    r"|点灯して(い)?な|切れ|穴|陥没|沈|倒れ|折れ|詰ま|臭|くさい|におい|あふれ|溢れ"
    r"|はがれ|剥がれ|めくれ|ひび|亀裂|危な|危険|放置|傾い|ぐらぐら|ぐらつ|外れ"
    r"|ずれ|曲が|さび|錆|はみ出|伸び|ふさ|塞|暗|こわい|怖|困って|困る|汚|段差"
    r"|でこぼこ|デコボコ|ボコボコ|噴き出|吹き出|吹き上|漏れ|垂れ|ぶら下が|浮い"
    r"|捨てられ|落書き|止まらな|うるさ|騒音|心配|不安|冠水|浸水|水浸し|水びたし|水たまり"
    r"|ぬかる|点滅|ちらつ|チカチカ|ちかちか|破れ|やぶれ|へこ|凹|落下物|障害物|じゃま|邪魔"
    r"|故障|不具合|損傷|匂|溜ま|たまって|たまってる"
    # Damage done by someone: 壊された, 荒らされてる.
    r"|壊され|こわされ|荒らされ|あらされ"
    # Kana spellings typed without conversion: 折れ, 倒れ, 危な, ぶら下が, 割れ, 傾,
    # 消え, 切れ.
    r"|おれて|おれた|おれそう|たおれ|あぶな|ぶらさが|われて|われた|かたむ"
    r"|きえて|きえた|きれて|きれた|まがって|まがった|だんさ|ぼこぼこ"
    r"|あなが?\s*(?:あい|あき)"
    # The official word for a light that is out, and illegal dumping.
    r"|不点|投棄|ふほうとうき|捨てていっ|捨てていき|らくがき"
    # The Kansai negative (ついてへん, 動かへん): not working.
    r"|(?:つい|点い)てへん|(?:つか|点か|動か|流れ|開か|閉まら|止まら)へん"
    # Soiling: droppings and litter that someone has to clear away, and a dead
    # animal.
    r"|フン|糞|吐しゃ|嘔吐|散らか|だらけ|死骸|死がい|死んで(い|る|ま)"
    # Something lying where it should not: 道路にタイヤが落ちてます.
    r"|落ちて(い|る|ま|た)"
    # Droppings typed in kana: ねこのふん (ふん alone is also minutes, 5ふん).
    r"|(ねこ|猫|いぬ|犬|とり|鳥|はと|鳩|からす|カラス)の\s?ふん"
    # Residents who write in English.
    r"|\bbroken\b|not working|\b(is|are|been|went|goes) off\b|out of order"
    r"|damaged|pothole|flicker|fallen|\bblocked\b|overflow"
    r"|\b(light|lamp|streetlight)s?\b[^.!?]{0,40}?"
    r"\b(is|are|was|were|has been|have been|went|goes)\s+out\b"
    r"|\b(light|lamp|streetlight)s?\s+out\b"
    r"|\bleaning\b|\brattl|\bslippery\b|\bpiled up\b"
    r"|\bstuck\b|\bcrack|\bloose\b|collapsed|caved in|flooded|\bmissing\b"
    r"|\bdark\b|\bhanging\b|\bsmell|\bstink|\bodou?rs?\b|\bdumped\b|\bdumping\b"
    r"|\bbent\b|\bbroke\b|\bleak|\bclogged\b|\brust|\btilt"
    r"|\b(backed|backing|coming|comes|came) (up|out|down)\b|\bfell\b"
    r"|\blying (across|on|in)\b|\bflash(es|ing)\b|\bblink"
)
# A loose part that rattles (ふたがガタガタしている). Evidence of a fault, but
# not one of the model's cue counts: training texts use it for other things.
LOOSE_PART = re.compile(r"ガタガタ|がたがた|ガタつ|がたつ")

REQUEST = re.compile(
    r"てほしい|て欲しい"
    # Not 教えてください (information) nor 取り消してください (a message taken
    # back).
    r"|(?<!教え)(?<!取り消し)(?<!取消し)(?<!キャンセルし)(?<!削除し)(てください|て下さい)"
    # よろしくお願いします closes a letter and asks for nothing in particular.
    r"|(?<!よろしく)(?<!宜しく)(?<!ヨロシク)お願い"
    r"|もらえませんか|もらえないでしょうか|ていただきたい|て頂きたい|てもらいたい"
    # Work asked for with the closing formula: 対応よろしくお願いします.
    r"|(対応|修理|補修|修繕|処理|撤去|剪定|清掃|点検)\s?を?\s?(よろしく|宜しく)"
    r"|もらえないか|くれないか|ならないか|ならないでしょうか|なりませんか|なんとか|何とか|どうにか|改善"
    r"|検討|直して|直る|直ら|直っ|対応して|見に来て|見てもらえ|見ていただけ|撤去|設置|増や|切って|刈って|早く(?!て)|至急|すぐ"
    # Work asked of the city as a question: 止めてもらえますか, 片づけていただけますか.
    r"|(?:止め|片づけ|片付け|かたづけ|取り除い|掃除し)て(?:もらえ|いただけ)"
)

# A fault predicate followed by a present or past state ("消えています", "割れたまま")
# asserts a fault. Followed by "とき" or "場合" it only sets up a question.
ASSERTED_STATE = re.compile(
    r"^.{0,3}(ています|ていて|ている|てる|てます|とる|とった|ままで|まま|ました|ません"
    r"|る(ん|の)です(けど|が))"
)
HYPOTHETICAL = re.compile(r"^.{0,8}(とき|時は|場合|なら|たら|のを見つけ|を見つけ)")
# A wall or bank that gives way (ブロックが崩れてる). Evidence of a fault, but
# not one of the model's cue counts, because counting it as one made ordinary
# questions about walls look like reports.
GIVING_WAY = re.compile(r"崩れ|くずれ|崩落")
# "落ちたまま", "そのままです" and "出しっぱなし" say that a state has lasted.
UNCHANGED_STATE = re.compile(r"まま|っぱなし|っ放し")
# A sentence containing one of these asks for a place, time or list, so even if it
# ends in a verb ("街灯は何時に点く") it states no fault. いつも, いつか and
# いつの間に are not questions.
QUESTION_WORD = re.compile(
    r"どこ|どちら|何時|何曜|何日|いつ(?!も|か|の間|までも)|一覧|予約|どうしよう|どうしたら"
    r"|どうすれば|(?i:\bhow (do|can|to|should)\b)"
)
# Sudachi parts of speech that end a statement ("壊れてる", "危ない", "ボロボロ",
# "通りにくい"). A sentence ending in a noun or pronoun ("公園の場所", "公園はどこ")
# only names something.
PREDICATE_POS = frozenset({"動詞", "形容詞", "形状詞", "副詞"})
PREDICATE_SUFFIX_POS = frozenset({"形容詞的", "形状詞的", "動詞的"})
# Trailing morphemes skipped to find a sentence's last word: particles, symbols,
# spaces and auxiliaries. An auxiliary follows a noun too: the copula in "公園です"
# and, as Sudachi splits it, ます in "雨水ます".
TRAILING_POS = frozenset({"助詞", "助動詞", "補助記号", "記号", "空白"})

# A gas smell or leak (ガスクサイ and がすくさい too), unless denied right after
# it (ガスのにおいはしません). A later verb (においが消えない) or a question
# (においがしませんか) is no denial. Hiragana がす must be followed by the smell
# at once, because 雨がすごくて臭い names no gas.
GAS_SMELL = re.compile(
    r"(ガス.{0,6}(臭|くさ|クサ|におい|ニオイ|匂い|漏れ|もれ|モレ)"
    r"|がす(臭|くさ|の?(におい|臭い|匂い)|漏れ|もれ))"
    r"(?!く?[はがも]?(しない|しません|しなかった|ない|ありません|ません)(?!か))"
)

URGENT_PATTERNS = (
    re.compile(r"陥没"),
    re.compile(r"(水|汚水|下水).{0,6}(噴き出|吹き出|噴出|吹き上|湧き出)"),
    re.compile(r"(マンホール|下水|汚水).{0,8}(あふれ|溢れ)"),
    GAS_SMELL,
    re.compile(r"(木|樹|枝|倒木).{0,30}(ふさ|塞|通行止|通れな|通行でき)"),
    # An open manhole, and a hole whose depth the writer measured.
    re.compile(r"(ふた|蓋)が(なくな|無くな|外れ|ずれて穴)"),
    re.compile(r"深さ\s*([1-9]\d+\s*(センチ|cm)|\d+(\.\d+)?\s*(メートル|m(?![a-z])))"),
    re.compile(r"(ふさ|塞|通れな|通行でき).{0,10}(倒木|枝)"),
    re.compile(r"倒木"),
    # Something lying on a road that the writer calls dangerous or urgent.
    re.compile(r"(落下物|落ちて|散乱).{0,40}(危険|危な|至急|事故)"),
    re.compile(
        r"人が(倒れ|落ち|はさま|挟ま|閉じ込め|流さ)|けが人|怪我人|溺れ|救急車を"
    ),
    # A vehicle or a person caught in the fault now, or someone who fell.
    re.compile(
        r"(車|タイヤ|自転車|バイク|ベビーカー|車いす|車椅子)(が|の)?.{0,4}"
        r"(はまって(い|る|ま)|はまったまま|脱輪して(い|る|ま))"
    ),
    re.compile(
        r"(人|子ども|子供|お年寄り|高齢者|歩行者|自転車の人)(が|も)?.{0,4}"
        r"(転んだ|転びました|転んで(しま|い|け)|転倒した|転倒しました)"
    ),
)

# A flooded road or underpass, water coming in, a river overflowing; not a place
# that floods often (冠水しやすい場所) nor a plan against it.
FLOOD = re.compile(
    r"(冠水|浸水)(?!対策|想定|被害|区域|し(やす|がち)|する(とき|場所|箇所))"
    r"|水没|氾濫|決壊"
    r"|(川|河川|用水|水路).{0,6}(あふれ|溢れ)"
)
HABITUAL_OR_PAST = re.compile(
    r"(の|する)(たびに|度に)|毎回|毎年|いつも|去年|昨年|以前|前回|この前"
    # A flood after every rain (雨が降ると冠水します) or one supposed
    # (浸水したら、どこに相談すれば).
    r"|(降る|ふる)と|(降っ|ふっ)たら|(冠水|浸水)(したら|した場合|しても)"
)
# A "公園" followed by one of these is a landmark next to the place, not the place.
PARK_LANDMARK = re.compile(
    r"公園(の)?(前|横|脇|沿い|付近|近く|周り|周辺|裏|向かい|通り|駅)"
    r"|公園(に|へ)(行く|いく|向かう|むかう)(道|途中)|公園までの(道|歩道|途中|間)"
    # A road along the park: 公園の北側を通る道路, 公園の外周.
    r"|公園の?[東西南北]?側?を(通る|走る|抜ける)|公園の?(外周|外側)"
    # The road on one side of it: 公園の東側の道.
    r"|公園の?[東西南北]側の(道|道路|歩道|通り)"
)
# A traffic signal that is itself faulty. The police run traffic signals, so such
# a text is for them, not a city report. One hidden by a tree or named as a
# landmark is not the fault.
SIGNAL_FAULT = re.compile(
    r"(信号|しんごう|シンゴウ)(機|灯|き)?(の(電球|電気|ランプ|ライト|柱))?(が|は)?"
    r"(ずっと|まだ|また|完全に|全く|全然)?"
    r"(点滅|消え|きえ|つかな|点かな|故障|変わら|かわら|壊れ|こわれ|止ま|切れ|傾"
    r"|青にならな|赤のまま)"
    # A push button of a signal that changes nothing.
    r"|(押しボタン|信号)[^。!?]{0,15}(青にならな|赤のまま|変わらな|反応しな)"
)
# Problems that are "other" wherever they are, even inside a park.
OTHER_PROBLEM = re.compile(
    r"不法投棄|放置自転車"
    # Dogs that bark: their owner's matter, never the road, green or sewer
    # section. Birds that roost in street trees are the trees' (剪定), so
    # their cries are not listed.
    r"|吠え|ほえ(て|る)"
    # Things someone left behind: 誰かが布団を置いていった, 捨てていかれた. A
    # contractor's cones left behind are the contractor's road work.
    r"|捨てて(いっ|いか|行っ|いき)"
    # Not when the thrown-away thing causes another fault (誰かが捨てたゴミで
    # 側溝が詰まっています), which is that fault's.
    r"|(誰か|だれか|何者か)[^。!?]{0,20}(置いて(いっ|いか|行っ|いき)|捨て(た|て|ま))"
    r"(?![^。!?、\s]{0,6}(で|のせいで)(?!す|し))"
    r"|自転車.{0,10}(放置|置かれ|置きっぱなし|止められ|停められ|とめられ)"
    # A vehicle left behind, which the police or its owner removes.
    r"|(?<![自電駐歯])(車|自動車|バイク|原付|車両)(が|を|は|も).{0,15}"
    r"(放置|乗り捨て|止まったまま|停まったまま|止めたまま|置きっぱなし|止めっぱなし)"
    r"|ガス.{0,6}(臭|におい|匂い)"
    # The pavement, verge and gutter along a national or prefectural road are that
    # road's, so 沿い does not make the road a landmark here.
    r"|(国道|県道|都道|府道)(沿い)?の(歩道|路肩|側溝|植え込み|街路樹|街灯)"
    # A traffic signal that is itself faulty is the police's, wherever it is.
    r"|" + SIGNAL_FAULT.pattern
)
# Graffiti is "other" (the owner of the wall removes it) except in a city
# park, whose buildings and equipment the park's section looks after.
GRAFFITI = re.compile(r"落書き|いたずら書き|らくがき")
# Litter dropped in the street is "other" (the city's cleaning office, not the
# road section), but inside a park the park's section picks it up.
LITTER = re.compile(r"ポイ捨て|ぽい捨て|吸い殻|吸いがら|すいがら")
# Parks that the prefecture or the state runs: 都立〇〇公園, 〇〇恩賜公園, and by
# their usual names the metropolitan parks in and next to Musashino.
NON_CITY_PARK = re.compile(
    r"(都立|県立|府立|道立|国営|国立)[^。、\s]{0,12}公園|恩賜"
    r"|井の頭公園|井ノ頭公園|井之頭公園|いのかしら公園|武蔵野中央公園|小金井公園"
    r"|武蔵野公園|善福寺公園"
)
# Roads of the state or the prefecture. An old highway (五日市街道, 甲州街道) is
# a national or metropolitan road.
# 商店街道路 and 住宅街道路 are a 街 followed by 道路, no highway.
NON_CITY_ROAD = re.compile(
    r"国道|県道|都道|府道|高速道路|[〇○◯\u4e00-\u9fff]{1,4}街道(?!路)"
    # Tokyo's roads through the city that residents name without 都道.
    r"|井ノ頭通り|井の頭通り|吉祥寺通り"
)
# Owners and managers other than the city. Outside a park, their things are "other".
OTHER_OWNER = re.compile(
    NON_CITY_ROAD.pattern + r"|神社|お寺|私有地|私道|民間|空き家|隣の家|隣家"
    r"|隣(さん)?の(家|宅|庭)|(近所|よそ|他人)の(家|お宅|宅|庭)|民家|民有地|うちの庭|自宅"
    r"|マンション|アパート|共用"
    r"|住宅の(樹木|木|庭木)|庭木|生け垣|畑の|線路|鉄道|構内"
    r"|自動ドア|エレベーター|エスカレーター"
    # A station's platform is the railway company's. Its gates and passages are
    # mostly landmarks (改札を出てすぐの歩道), the bicycle parking at a station
    # is the city's, and a level crossing is mostly named as a landmark
    # (踏切の手前), so none of those is listed.
    r"|駅の?ホーム"
)
# A part of a building ("公民館の入口", "センターのエレベーター") is managed with the
# building, not by the road, green or sewer sections.
FACILITY_PART = re.compile(
    r"(館|センター|学校|庁舎|役所|保育園|幼稚園|駅(の?[東西南北中央]+口)?|店|スーパー"
    r"|コンビニ)"
    r"(の?[0-9一二三四五六七八九]+階)?の?(男子|女子|男性用?|女性用?|多目的|だれでも)?"
    r"(入口|入り口|玄関|自動ドア|ドア|扉|トイレ|窓|エレベーター|エスカレーター"
    r"|階段|屋根|壁|館内|ロビー|看板)"
)
# Words after an object that make it a landmark or part of a name: "バス停のとこ",
# "街灯の前の道路", "公園通り".
PLACE_AFTER = re.compile(
    r"の?(前|横|脇|そば|近く|付近|周辺|周り|あたり|辺り|とこ|ところ|向かい|裏|沿い"
    r"|[東西南北]側)"
    r"|通り|駅"
    # The way to a place: 井の頭公園に行く道, 駅までの歩道.
    r"|(に|へ)(行く|いく|向かう|むかう)(道|途中)|までの(道|路地|歩道|途中|間)"
    # A road past it: 公園の北側を通る道路.
    r"|の?[東西南北]?側?を(通る|走る|抜ける)"
    # A side street off it: 五日市街道から一本入った道.
    r"|から(一本|1本|少し|ちょっと)?(入った|入る|入って|外れた|曲がった)"
    # A private wall that a fault reaches: 隣の家の塀にもたれかかって.
    r"|(の(塀|壁|フェンス|生け垣|門))?(に|へ|まで)(もたれ|倒れかか|ぶつかって|当たって)"
)
PLACEHOLDER = re.compile(r"[〇○◯]+")
# A pasted link names a page, not a fault, and its letters look like no Japanese
# sentence, so the n-gram model may take it for anything. Links are cut out before
# classification. A link ends at whitespace, a quote, a bracket or 、。.
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'「」『』（）()、。]*", re.IGNORECASE)
# Repeated units longer than this are not searched for, to bound the work per text.
MAX_REPEAT_UNIT_CHARS = 50
MIN_REPEATS = 3


@dataclass(frozen=True)
class Intent:
    """Classification of one text.

    ``category`` is one of CATEGORIES for a report and None for a question.
    ``urgent`` is computed from the text for either label, because a question that
    mentions a cave-in or a gas smell also needs the city hall number at once.
    ``confidence`` is the model's probability (0..1) of ``label``.
    """

    label: str
    category: str | None
    urgent: bool
    confidence: float


def normalize(text: str) -> str:
    """Return ``text`` NFKC-normalized, lowercased, without invisible characters,
    with name placeholders as one 〇.

    A text in katakana alone (ｶﾞｲﾄｳｶﾞｷｴﾃｲﾏｽ, typed without conversion) is
    spelled in hiragana, as the lexicon spells kana words and as such texts are
    mostly typed.
    """
    text = _normalize_form(text)
    if is_katakana_only(text, MIN_KATAKANA_LETTERS):
        text = fold_kana(text)
    return text


def _normalize_form(text: str) -> str:
    """Return :func:`normalize` of ``text`` without the katakana spelling."""
    text = visible_nfkc(text).lower()
    return PLACEHOLDER.sub("〇", text)


# A text needs this many katakana letters, and no kanji or hiragana, to be read
# in hiragana: fewer are a loanword or two (ベンチ), which the lexicon spells in
# katakana.
MIN_KATAKANA_LETTERS = 6


def split_sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[。!?？!\n])", text)
    return [part.strip() for part in parts if part.strip()]


def cue_features(text: str) -> list[float]:
    """Return the hand-written cue counts of a normalized text, in a fixed order."""
    sentences = split_sentences(text) or [""]
    question_ends = sum(1 for s in sentences if QUESTION_END.search(s))
    has_fault = 1.0 if FAULT_STATE.search(text) else 0.0
    request = 1.0 if REQUEST.search(text) else 0.0
    procedure = len(PROCEDURE.findall(text))
    admin = len(ADMIN_TOPIC.findall(text))
    return [
        question_ends / len(sentences),
        1.0 if QUESTION_MARK.search(text) else 0.0,
        min(procedure, 3) / 3,
        1.0 if CONDITIONAL_PROCEDURE.search(text) else 0.0,
        1.0 if REPORTING_WORDS.search(text) else 0.0,
        1.0 if RESPONSIBILITY.search(text) else 0.0,
        min(admin, 3) / 3,
        min(len(FAULT_STATE.findall(text)), 3) / 3,
        request,
        has_fault * request,
        1.0 if asserts_fault(text) else 0.0,
        1.0 if PROPOSAL.search(text) else 0.0,
        1.0 if FOLLOW_UP.search(text) else 0.0,
    ]


def asserts_fault(text: str) -> bool:
    """Return True when a normalized text states that something is faulty now."""
    for match in FAULT_STATE.finditer(text):
        following = text[match.end() : match.end() + 12]
        if ASSERTED_STATE.search(following) and not HYPOTHETICAL.search(following):
            return True
    return False


# A sentence that only gives a reason, ending in its connective: 日当たりの問題で.
AFTERTHOUGHT_REASON = re.compile(r"(ので|から|ため|ためです|問題で|理由で)[。.!！\s]*$")
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
COST_OR_SUBSIDY = re.compile(r"費用|負担|補助|助成|制度|料金|お金|有料|無料")
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
# Disposal questions: 壊れた傘は何ごみ?, 割れた鏡の捨て方.
DISPOSAL = re.compile(
    r"(何|なに)(ごみ|ゴミ)|(捨て|すて|出し|だし)方|(捨て|出せ)ば(いい|よい)"
)


def asks_how_to_act(text: str) -> bool:
    """Return True when a normalized text asks how to report, whom to call, who is
    responsible or pays, for information or how to throw something away, and
    ends as a question.

    Such a text is a question even when it names a fault: a fault told before
    asking whom to tell (穴があいているんですが、どこに連絡すれば?) gets the report
    route in the chat, and city FAQ pages word general questions that way.
    """
    sentences = split_sentences(text)
    written = len(sentences)
    # A reason added after the question (…受け付けてもらえるんでしょうか。
    # 日当たりの問題で) leaves the question as the last sentence that counts.
    while len(sentences) > 1 and (
        AFTERTHOUGHT_REASON.search(sentences[-1])
        or AFTERTHOUGHT_FEELING.search(sentences[-1])
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
_FAULT_WORDS_NOW = (FAULT_STATE, LOOSE_PART, GIVING_WAY)
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
    rests = [_after_looking_back(sentence) for sentence in sentences]
    joined = " ".join(rests)
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
    retracted_later = _retracted_later(sentences)
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


def _retracted_later(sentences: list[str]) -> list[bool]:
    """Return, per sentence, whether a later sentence takes the message back
    (見間違いでした, さっきのは取り消して) with no change of topic between."""
    flags = [False] * len(sentences)
    retracted = False
    for index in range(len(sentences) - 1, -1, -1):
        flags[index] = retracted
        sentence = sentences[index]
        if any(
            TAKEN_BACK_WORD.search(match.group())
            for match in REPAIRED_OR_TAKEN_BACK.finditer(sentence)
        ):
            retracted = True
        if TOPIC_SHIFT.match(sentence):
            retracted = False
    return flags


def names_object_term(text: str) -> bool:
    """Tell whether a normalized text names a term of the shipped lexicon with a
    weight above 0, in its kana as typed or folded to hiragana."""
    object_terms = _object_terms()
    return any(
        term in form for form in (text, fold_kana(text)) for term in object_terms
    )


@functools.cache
def _object_terms() -> tuple[str, ...]:
    return tuple(
        sorted(
            {
                term
                for terms in load_lexicon().values()
                for term, weight in terms.items()
                if weight > 0
            }
        )
    )


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
    # Small talk about the weather, which ends in ね: 寒いですね.
    r"|(寒|暑|さむ|あつ|涼し|すずし|暖か|あたたか)い(です)?ね)"
    r"(です|でした|だ|だった|ね|よ|な)*\W*$"
)
# A request for information (ルールを教えてください) states no fault.
INFO_ASK_END = re.compile(
    r"(教えて|おしえて)(ください|下さい|ほしい|欲しい|くれ|ちょうだい"
    r"|(もらえ|いただけ)(ますか|ませんか|ないでしょうか))?[。.!！]*$"
)


def states_something(part: str) -> bool:
    """Return True when a normalized sentence ends in a predicate and asks nothing.

    A sentence containing a QUESTION_WORD or ending in a question mark is a
    question, and one that ends in a wish (WISH_FORMS) states nothing about the
    place. The last word is found with
    Sudachi, skipping particles, symbols and auxiliaries, so "壊れてるよ" ends in a
    verb and "公園はどこですか" in a pronoun.
    """
    # "アプリで見れる?" ends in a verb, but its question mark makes it a question.
    if QUESTION_WORD.search(part) or QUESTION_MARK.search(part[-1:]):
        return False
    # What the writer heard (管理者が違うと聞きました) states no fault seen,
    # and a polite question (どう違うのですか) needs no question mark.
    if HEARSAY_END.search(part) or POLITE_QUESTION_END.search(part):
        return False
    if INFO_ASK_END.search(part) or IDIOM_OF_TSUKU.search(part):
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


def is_urgent(text: str) -> bool:
    """Return True when a normalized text describes a case that needs a phone call.

    A flood counts only when it is happening now, not at every heavy rain or last
    year (HABITUAL_OR_PAST).
    """
    if any(pattern.search(text) for pattern in URGENT_PATTERNS):
        return True
    return bool(FLOOD.search(text)) and not HABITUAL_OR_PAST.search(text)


def load_jsonl(path: Path) -> list[dict]:
    """Read a JSON-lines file, raising ValueError that names the bad line."""
    rows = []
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                bad = raw[error.start : error.start + 1].hex()
                raise ValueError(
                    f"{path}:{number}: not valid UTF-8 (byte 0x{bad}); "
                    "save the file as UTF-8"
                ) from error
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(
                    f"{path}:{number}: invalid JSON at column {error.colno} "
                    f"({error.msg}); expected one object per line"
                ) from error
            if not isinstance(row, dict):
                raise ValueError(
                    f"{path}:{number}: a JSON {type(row).__name__}, not an object; "
                    "expected one object per line"
                )
            rows.append(row)
    return rows


ROW_KEYS = frozenset({"id", "text", "label", "category", "accept"})


def validate_row(row: dict, where: str) -> None:
    """Raise ValueError, naming ``where`` and the value, for a labelled row that
    lacks a non-empty text, a label, a report's category, or whose ``accept`` is
    not a list of categories. Keys outside ROW_KEYS are logged and ignored."""
    if "text" not in row:
        raise ValueError(f"{where}: missing key 'text'; add the message text")
    if not isinstance(row["text"], str) or not row["text"].strip():
        raise ValueError(
            f"{where}: 'text' must be a non-empty string, got {row['text']!r}"
        )
    unknown = sorted(set(row) - ROW_KEYS)
    if unknown:
        logger.warning(
            "%s: ignoring key(s) %s; the keys are %s",
            where,
            ", ".join(json.dumps(key, ensure_ascii=False) for key in unknown),
            ", ".join(sorted(ROW_KEYS)),
        )
    if row.get("label") not in LABELS:
        raise ValueError(
            f"{where}: 'label' must be one of {LABELS}, got {row.get('label')!r}"
        )
    category = row.get("category")
    if row["label"] == "report" and category not in CATEGORIES:
        raise ValueError(
            f"{where}: a report needs 'category' in {CATEGORIES}, got {category!r}"
        )
    accept = row.get("accept", [])
    if not isinstance(accept, list) or any(item not in CATEGORIES for item in accept):
        raise ValueError(
            f"{where}: 'accept' must be a list of categories from {CATEGORIES}, "
            f"got {json.dumps(accept, ensure_ascii=False)}"
        )
    if row["label"] == "question" and category is not None:
        raise ValueError(f"{where}: a question needs 'category' null, got {category!r}")


def load_lexicon(path: Path = LEXICON_PATH) -> dict[str, dict[str, float]]:
    """Read the category lexicon: category -> {normalized substring: weight}.

    A term of weight 0 adds nothing but keeps the shorter terms inside it from
    counting (see :func:`score_lexicon`).
    """
    lexicon = json.loads(path.read_text(encoding="utf-8"))
    unknown = set(lexicon) - set(CATEGORIES)
    if unknown:
        raise ValueError(
            f"{path}: unknown categories {sorted(unknown)!r}; use {CATEGORIES}"
        )
    # Terms keep their katakana (アスファルト): texts with kanji or hiragana
    # keep theirs too, and the file lists the hiragana of words that texts in
    # kana alone spell so (まんほーる).
    return {
        category: {
            _normalize_form(term): float(weight)
            for term, weight in lexicon.get(category, {}).items()
        }
        for category in CATEGORIES
    }


def score_lexicon(
    lexicon: dict[str, dict[str, float]], text: str, landmarks: bool = False
) -> dict[str, float]:
    """Return, per category, the sum of the weights of lexicon terms in ``text``.

    A term counts once, and only where no longer matched term covers it: 信号 in
    信号機 adds nothing to 信号機's weight. So a term of weight 0 blocks the
    shorter terms inside it (木材 keeps 木 from counting as a tree). With
    ``landmarks``, a term followed by a place word (バス停のとこ, 街灯の前) only
    gives the place of the fault and counts nothing.
    """
    spans = []
    for category, terms in lexicon.items():
        for term, weight in terms.items():
            for start in _term_starts(text, term):
                spans.append((start, start + len(term), category, term, weight))
    counted: dict[tuple[str, str], float] = {}
    for start, end, category, term, weight in spans:
        if (category, term) in counted or _covered(start, end, spans):
            continue
        if landmarks and PLACE_AFTER.match(text, end):
            continue
        counted[(category, term)] = weight
    scores = dict.fromkeys(lexicon, 0.0)
    for (category, _), weight in counted.items():
        scores[category] += weight
    return scores


# What may follow an English term inside its word: a plural (trees, branches).
_PLURAL_END = re.compile(r"(s|es)?(?![a-z])")


def _term_starts(text: str, term: str) -> list[int]:
    """Return where ``term`` occurs in ``text``.

    An English term counts only as a whole word or its plural, so tree finds
    trees but not street, and road not broad.
    """
    english = term.isascii() and term[:1].isalpha()
    starts = []
    start = text.find(term)
    while start >= 0:
        before = text[start - 1 : start]
        if not english or (
            not (before.isascii() and before.isalpha())
            and _PLURAL_END.match(text, start + len(term))
        ):
            starts.append(start)
        start = text.find(term, start + 1)
    return starts


def _covered(start: int, end: int, spans: list) -> bool:
    """Tell whether a longer span of ``spans`` contains ``start``..``end``."""
    return any(
        other_start <= start
        and end <= other_end
        and other_end - other_start > end - start
        for other_start, other_end, *_ in spans
    )


def fault_sentences(text: str) -> str:
    """Return the sentences of a normalized text that state a fault or ask for
    work (FAULT_STATE, LOOSE_PART, GIVING_WAY, REQUEST, UNCHANGED_STATE), joined by
    spaces; "" if none."""
    return " ".join(
        sentence
        for sentence in split_sentences(text)
        if any(pattern.search(sentence) for pattern in _FAULT_SENTENCE_CUES)
    )


def ownership_category(text: str) -> str | None:
    """Return the category that ownership fixes for a normalized report, if any.

    An owner named as a landmark (線路沿いの道, マンションの前) fixes nothing.
    """
    if OTHER_PROBLEM.search(text):
        return "other"
    if any(not PLACE_AFTER.match(text, m.end()) for m in NON_CITY_PARK.finditer(text)):
        return "other"
    if in_park(text):
        return "park"
    if GRAFFITI.search(text) or LITTER.search(text):
        return "other"
    owners = (
        match
        for match in OTHER_OWNER.finditer(text)
        if not PLACE_AFTER.match(text, match.end())
    )
    if next(owners, None) is not None or FACILITY_PART.search(text):
        return "other"
    return None


def names_other_owner(text: str) -> bool:
    """Tell whether ``text`` puts a fault on a place another owner manages: a
    national or metropolitan road or park, private land, a building's common
    parts (OTHER_OWNER, NON_CITY_PARK), not named only as a landmark
    (マンションの前の道路, 井の頭公園の前の道路)."""
    normalized = normalize(text)
    return any(
        not PLACE_AFTER.match(normalized, match.end())
        for pattern in (OTHER_OWNER, NON_CITY_PARK)
        for match in pattern.finditer(normalized)
    )


def in_park(text: str) -> bool:
    """Return True when a normalized text places the fault inside a park."""
    without_landmarks = PARK_LANDMARK.sub("", text)
    return "公園" in without_landmarks or "児童遊園" in without_landmarks


def has_content(text: str) -> bool:
    return any(unicodedata.category(char)[0] in "LN" for char in text)


def content_char_count(text: str) -> int:
    """Return the number of letters and digits (Unicode L* and N*) in ``text``."""
    return sum(1 for char in text if unicodedata.category(char)[0] in "LN")


def strip_urls(text: str) -> str:
    """Return ``text`` with every http(s) or www. link replaced by a space."""
    return URL.sub(" ", text)


def is_repetition(text: str) -> bool:
    """Return True when the letters and digits of ``text`` are one unit repeated.

    The unit must occur at least MIN_REPEATS times and be at most
    MAX_REPEAT_UNIT_CHARS long. A last, cut-off copy is allowed, so a repeated word
    cut at MAX_CHARS still counts.
    """
    compact = "".join(char for char in text if unicodedata.category(char)[0] in "LN")
    longest_unit = min(MAX_REPEAT_UNIT_CHARS, len(compact) // MIN_REPEATS)
    for size in range(1, longest_unit + 1):
        unit = compact[:size]
        copies = -(-len(compact) // size)
        if (unit * copies)[: len(compact)] == compact:
            return True
    return False


class IntentClassifier:
    """Report/question classifier with a category guess for reports.

    ``classify`` only reads the fitted models, so one instance may be shared by
    many threads.
    """

    # Weight of the category model's probability against the lexicon scores,
    # which are sums of per-term weights from 0.5 to 4.
    MODEL_WEIGHT = 2.0
    # Confidence reported when a rule decides, since no model is consulted.
    RULE_CONFIDENCE = 0.9

    def __init__(self, rows: list[dict], lexicon: dict[str, dict[str, float]]):
        if not rows:
            raise ValueError("training rows are empty; add sentences to train.jsonl")
        self.lexicon = lexicon
        texts = [normalize(row["text"]) for row in rows]
        labels = [row["label"] for row in rows]

        # Both models share one vocabulary, so classify transforms a text once.
        self.vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True
        )
        ngrams = self.vectorizer.fit_transform(texts)
        self.label_model = LogisticRegression(
            C=4.0, class_weight="balanced", solver="liblinear"
        )
        self.label_model.fit(self.label_features(ngrams, texts), labels)

        report_rows = [i for i, row in enumerate(rows) if row["label"] == "report"]
        report_categories = [rows[i]["category"] for i in report_rows]
        # liblinear fits in milliseconds but, in scikit-learn 1.9, rejects more than
        # two classes, hence one-vs-rest.
        self.category_model = OneVsRestClassifier(
            LogisticRegression(C=4.0, solver="liblinear")
        )
        self.category_model.fit(ngrams[report_rows], report_categories)
        logger.debug(
            "trained intent models on %d rows (%d reports)",
            len(rows),
            len(report_rows),
        )

    @classmethod
    def load(cls, train_path: Path = TRAIN_PATH, lexicon_path: Path = LEXICON_PATH):
        """Train the classifier from the packaged data files (no network)."""
        rows = load_jsonl(train_path)
        for number, row in enumerate(rows, start=1):
            validate_row(row, f"{train_path}:{number}")
        return cls(rows, load_lexicon(lexicon_path))

    def label_features(self, ngrams, texts: list[str]):
        """Append the cue features of ``texts`` to their n-gram rows."""
        cues = [cue_features(text) + [self.object_strength(text)] for text in texts]
        return hstack([ngrams, csr_matrix(np.array(cues))], format="csr")

    def object_strength(self, text: str) -> float:
        """Return 0..1: how strongly a text names a city-managed physical object."""
        best = max(self.lexicon_scores(text).values())
        return min(best, 6.0) / 6.0

    def lexicon_scores(self, text: str) -> dict[str, float]:
        return score_lexicon(self.lexicon, text)

    def names_object(self, text: str) -> bool:
        """Return True when a normalized text names a term of the lexicon.

        Katakana is read as hiragana too, since the lexicon spells kana words in
        hiragana (ｶﾞｲﾄｳ for がいとう).
        """
        return any(self.object_strength(form) > 0 for form in (text, fold_kana(text)))

    def is_bare_feeling(self, text: str) -> bool:
        """Return True for a short text that names no city object and states
        no fault: a feeling (こわい, 地震こわい) or a remark about oneself with no
        thing named as its subject (おなかすいた, 眠い).

        A short text that states a fault (ふたが外れてる, ミラーが割れてる) is
        neither, nor is a longer one (道の端が崩れていて、歩くと足元が危ない
        names no lexicon object), nor one that names a thing with が or を
        (ガラスが散らばってる), which may be a hazard the lexicon lacks.
        """
        if content_char_count(text) >= BARE_FEELING_CHARS:
            return False
        if not FEELING.search(text) and NAMED_SUBJECT.search(text):
            return False
        rest = FEELING.sub(" ", text)
        if any(pattern.search(rest) for pattern in FAULT_CUES) or is_urgent(rest):
            return False
        return not self.names_object(text)

    def object_category(self, text: str) -> str | None:
        """Return the category of the city object that a message names, if any.

        Unlike ``classify``, this needs no fault evidence: the report flow uses it
        when it has asked for the category and the resident types an object name
        ("街灯", "ベンチ"). Returns None when no lexicon term occurs in the text.
        """
        normalized = strip_urls(normalize(text[:MAX_CHARS]))
        if self.object_strength(normalized) == 0:
            return None
        return self.guess_category(normalized)

    def guess_category(self, text: str, ngrams=None) -> str:
        """Return the category of a normalized report text.

        ``ngrams`` is the text's row from ``self.vectorizer``, computed when omitted.
        """
        fixed = ownership_category(text)
        if fixed is not None:
            return fixed
        if ngrams is None:
            ngrams = self.vectorizer.transform([text])
        # The sentences that state the fault name its object; a later sentence
        # may name other things only to give details (電柱に貼ってある番号).
        scores = score_lexicon(self.lexicon, fault_sentences(text), landmarks=True)
        if not any(scores.values()):
            scores = score_lexicon(self.lexicon, text, landmarks=True)
        if not any(scores.values()):
            # The lexicon spells words typed in kana (がいとう) in hiragana.
            scores = score_lexicon(self.lexicon, fold_kana(text), landmarks=True)
        probabilities = self.category_model.predict_proba(ngrams)[0]
        for category, probability in zip(
            self.category_model.classes_, probabilities, strict=True
        ):
            scores[category] += self.MODEL_WEIGHT * probability
        return max(CATEGORIES, key=lambda category: scores[category])

    def classify(self, text: str) -> Intent:
        """Classify one message.

        Links are removed first (``strip_urls``). A text left empty or with only
        symbols, and a text that is one word repeated (``is_repetition``), is a
        question at confidence 0.5, because neither describes a fault. A question
        about how to act (``asks_how_to_act``) and a text without evidence of a
        fault (``has_fault_evidence``) are questions decided without the model, at
        RULE_CONFIDENCE, and so is a short text that names no city object
        (``is_bare_feeling``).
        """
        normalized = strip_urls(normalize(text[:MAX_CHARS]))
        if not has_content(normalized) or is_repetition(normalized):
            return Intent("question", None, False, 0.5)

        urgent = is_urgent(normalized)
        if asks_how_to_act(normalized) or not has_fault_evidence(normalized):
            return Intent("question", None, urgent, self.RULE_CONFIDENCE)
        if self.is_bare_feeling(normalized):
            return Intent("question", None, urgent, self.RULE_CONFIDENCE)

        ngrams = self.vectorizer.transform([normalized])
        probabilities = self.label_model.predict_proba(
            self.label_features(ngrams, [normalized])
        )[0]
        best = int(np.argmax(probabilities))
        label = str(self.label_model.classes_[best])
        category = None
        if label == "report":
            category = self.guess_category(normalized, ngrams)
        return Intent(
            label=label,
            category=category,
            urgent=urgent,
            confidence=float(probabilities[best]),
        )


class CueClassifier:
    """Regex-and-lexicon baseline with no trained model, kept for comparison.

    A text is a question when it asks how to act (``asks_how_to_act``), when it
    gives no evidence of a fault (``has_fault_evidence``), or when it ends like a
    question or names a procedure without naming a city object together with a
    fault or a request.
    """

    def __init__(self, lexicon: dict[str, dict[str, float]]):
        self.lexicon = lexicon

    @classmethod
    def load(cls, lexicon_path: Path = LEXICON_PATH) -> CueClassifier:
        return cls(load_lexicon(lexicon_path))

    def lexicon_scores(self, text: str) -> dict[str, float]:
        return score_lexicon(self.lexicon, text)

    def classify(self, text: str) -> Intent:
        normalized = strip_urls(normalize(text[:MAX_CHARS]))
        if not has_content(normalized) or is_repetition(normalized):
            return Intent("question", None, False, 0.5)
        scores = self.lexicon_scores(PARK_LANDMARK.sub("", normalized))
        asks = bool(
            QUESTION_END.search(normalized)
            or PROCEDURE.search(normalized)
            or CONDITIONAL_PROCEDURE.search(normalized)
        )
        describes_fault = max(scores.values()) >= 1.5 and bool(
            FAULT_STATE.search(normalized) or REQUEST.search(normalized)
        )
        if (
            asks_how_to_act(normalized)
            or (asks and not describes_fault)
            or not has_fault_evidence(normalized)
        ):
            return Intent("question", None, is_urgent(normalized), 1.0)
        category = ownership_category(normalized)
        if category is None and max(scores.values()) == 0:
            category = "other"
        elif category is None:
            category = max(CATEGORIES, key=lambda name: scores[name])
        return Intent("report", category, is_urgent(normalized), 1.0)


def evaluate_intents(path: Path, classifier: IntentClassifier | None = None) -> dict:
    """Score a classifier on a JSON-lines file of labelled texts.

    Each line is ``{"text", "label": "report"|"question", "category": ...|null,
    "accept": [...]}``, with ``accept`` optional. The returned dict contains:

    - ``intent_accuracy``: share of all texts with the right label;
    - ``category_accuracy``: over texts labelled report, share whose predicted
      category is ``category`` or in ``accept`` (a predicted question is wrong),
      or None when the file has no reports;
    - ``total``, ``reports``, ``questions`` and ``urgent_flagged``: counts;
    - ``per_category``: ``{category: {"total", "correct"}}`` over reports;
    - ``label_confusion`` and ``category_confusion``: ``{expected: {predicted:
      count}}``, where the predicted category ``"question"`` means the report was
      taken for a question;
    - ``errors``: line number, expected and predicted pair for each miss (no text).

    Raises ValueError for a file with no rows or with an invalid row.
    """
    path = Path(path)
    rows = load_jsonl(path)
    if not rows:
        raise ValueError(f"{path}: no labelled texts; expected JSON lines")
    for number, row in enumerate(rows, start=1):
        validate_row(row, f"{path}:{number}")
    classifier = classifier or IntentClassifier.load()

    label_confusion: dict[str, Counter] = {label: Counter() for label in LABELS}
    category_confusion: dict[str, Counter] = {name: Counter() for name in CATEGORIES}
    per_category = {name: {"total": 0, "correct": 0} for name in CATEGORIES}
    label_correct = category_correct = urgent_flagged = 0
    errors = []
    for number, row in enumerate(rows, start=1):
        intent = classifier.classify(row["text"])
        urgent_flagged += intent.urgent
        label_confusion[row["label"]][intent.label] += 1
        label_ok = intent.label == row["label"]
        label_correct += label_ok
        category_ok = True
        if row["label"] == "report":
            expected = row["category"]
            predicted = intent.category if intent.label == "report" else "question"
            category_confusion[expected][predicted] += 1
            category_ok = predicted == expected or predicted in row.get("accept", [])
            per_category[expected]["total"] += 1
            per_category[expected]["correct"] += category_ok
            category_correct += category_ok
        if not (label_ok and category_ok):
            errors.append(
                {
                    "line": number,
                    "expected": [row["label"], row.get("category")],
                    "predicted": [intent.label, intent.category],
                }
            )

    reports = sum(1 for row in rows if row["label"] == "report")
    return {
        "intent_accuracy": label_correct / len(rows),
        "category_accuracy": category_correct / reports if reports else None,
        "total": len(rows),
        "reports": reports,
        "questions": len(rows) - reports,
        "per_category": per_category,
        "label_confusion": {k: dict(v) for k, v in label_confusion.items()},
        "category_confusion": {k: dict(v) for k, v in category_confusion.items() if v},
        "urgent_flagged": urgent_flagged,
        "errors": errors,
    }


def main(argv: list[str] | None = None) -> int:
    """Print ``evaluate_intents`` figures for JSON-lines files (``python -m``)."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m answerer.intents",
        description="Score the intent classifier on labelled JSON-lines files.",
    )
    parser.add_argument("paths", nargs="+", type=Path, help="labelled JSON-lines file")
    parser.add_argument(
        "--baseline", action="store_true", help="score the cue-only classifier instead"
    )
    parser.add_argument("--json", action="store_true", help="print the full result")
    args = parser.parse_args(argv)

    classifier = CueClassifier.load() if args.baseline else IntentClassifier.load()
    for path in args.paths:
        result = evaluate_intents(path, classifier)
        if args.json:
            print(json.dumps({"path": str(path), **result}, ensure_ascii=False))
            continue
        category_accuracy = result["category_accuracy"]
        category_text = (
            "n/a" if category_accuracy is None else f"{category_accuracy:.3f}"
        )
        print(
            f"{path}: intent_accuracy={result['intent_accuracy']:.3f} "
            f"category_accuracy={category_text} "
            f"total={result['total']} reports={result['reports']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
