"""Regular expressions for the wording of residents' messages: question
endings and procedure words, faults and requests, repairs, thanks and
retractions, and urgent cases.
"""

from __future__ import annotations

import re

# Words of fear, worry or trouble, which FAULT_STATE counts as fault cues because
# reports use them (暗くて怖い), but which alone name no fault.
FEELING = re.compile(r"こわい|こわ|怖|困って|困る|困った|心配|不安")
# The fear and worry of FEELING, without 困る, which complains of something.
# Not こわれ, こわさ or こわし (壊れ, 壊さ, 壊し in kana) nor 不安定 (unsteady),
# which tell of a fault: 看板が不安定, 掲示板がこわされてた.
FEAR_OR_WORRY = re.compile(r"こわ(?![れさし])|怖|心配|不安(?!定)")

# A fire of anything, or smoke from a house or a car: for 119, not a fault of
# a city object.
FIRE = re.compile(
    r"火事|火災|燃えて(い|る|ま)|燃えそう|(から|が)火が(出|上が)"
    r"|(家|車|建物|部屋|アパート|マンション|倉庫)(から|が)煙"
)
# A person down or unable to move (人が倒れてる, おじいさんが座り込んで立て
# ない, 意識がない): an emergency for 119 rather than a fault, unless the text
# also describes one (木が倒れて人が下敷きに, 段差で転んで). The person must be
# the subject of the state: right before it (道に人倒れてる), or marked by が,
# も or は with no other subject between (お年寄りが公園の入口の前で倒れて
# います). 人が通る歩道に木が倒れてる and 老人ホーム前の街灯が倒れてる tell
# of a tree and a light.
PERSON_DOWN = re.compile(
    r"(人|男性|女性|男の人|女の人|おじいさん|おばあさん|おじいちゃん|おばあちゃん"
    r"|お年寄り|高齢者|老人|子ども|子供|酔っ払い|よっぱらい)"
    r"((が|も|は)[、,\s]*[^が。!！?？]{0,16}?)?"
    r"(倒れ|たおれ|座り込|すわりこ|うずくま|動かな|動けな|うごかな|うごけな"
    r"|立てな|たてな|起き上がれ|意識が)"
    r"(て|てて|ていて|てる|ています|てます|た|たまま|込んで|こんで|い|く)?"
    r"(動かな|動けな|うごかな|うごけな|立てな|たてな|起き上がれな)?"
    r"|意識が(な|無)|意識不明|息をして(い)?な|呼吸(が|を)?して(い)?な"
)

QUESTION_END = re.compile(
    r"(ですか|ますか|ませんか|でしょうか|のですか|んですか|か|かな|の|は"
    r"|たいのですが|たいんですが)\s*[?？。.!]*\s*$"
)
QUESTION_MARK = re.compile(r"[?？]")
PROCEDURE = re.compile(
    r"どうすれば|どうしたら|どのように|どうやって|どこで|どこに|どこへ|どこから|誰に"
    r"|だれに|いつ|何曜|何日|何時|いくら|方法|手続|申請|申し込|申込|届出|届け出"
    r"|必要です|必要でしょう|教えて|おしえて|知りたい|できますか|いいですか|よいですか"
    r"|ありますか|もらえますか|でしょうか|本当ですか|可能|何が|何を|どれ|どの"
    r"|[ぁ-ん]方(は|を)?\s*[?。]*$|しかた|仕方を|やり方|わかりません|分かりません"
    r"|わからない|について(知りたい|教えて|伺いたい|質問)"
)
# A question in English on how or where to report (How can I report a broken
# street light?), at any place in the text.
ENGLISH_HOW_TO = re.compile(
    r"\b(how|where|who)\b[^.?!]{0,40}\b(report|contact|call|tell)\b[^.?!]{0,60}\?"
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
    # Whether this chat takes a kind of report: 信号機の故障はここで言っても大丈夫?
    r"|(ここ|このLINE|LINE|ライン)で(言|伝え|送|連絡|報告)[^。!?]{0,6}"
    r"(大丈夫|いい|よい|OK|ok)"
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
# When a reported fault will be fixed (切れてるんですけど年内に直りますか). Not
# evidence of a fault by itself: スマホの画面、今日中に直りますか names none.
WHEN_FIXED = re.compile(r"(年内|今月中|今週中|今日中|年度内|月末まで)に(は)?直")
# Work done for the writer: 直してもらえました, 修理していただき、…. Not a
# wish or a condition (していただきたい, していただきますよう, してもらえたら,
# してくれたことがない), nor work followed by "but" (止めてもらったけど).
_DONE_FOR_ME = (
    r"(もらった|もらいました|もらえた|もらえました|いただいた|いただきました"
    r"|いただき(?=[、,。\s]|ありがと|誠に|感謝)|くれた|くれました|くださった|くださいました"
    # Work done, then thanks for it: 直していただいてありがとうございました.
    # Not a wish (早く直してもらって、通れるようにしたい) nor thanks in
    # advance (対応していただいて助かります).
    r"|(いただいて|もらって|くれて)"
    r"(?=[、,]?\s?(本当に|ほんとに)?\s?(ありがと|感謝|助かりました|助かった)))"
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
    r"|(片付|片づ|かたづ)い(て(い)?(ました|ます|た)|た)(?!のに|けど|が)"
    r"|(止め|埋め|取り除い|掃除し|清掃し|片付け|片づけ|かたづけ)て"
    + _DONE_FOR_ME
    + r"|(直|修理|補修|修繕|交換|撤去|剪定|対応)し(て)?"
    + _DONE_FOR_ME
    # Not やすくなった or 広くなった: 滑りやすくなりました and 穴が広くなりました
    # tell of a fault that got worse.
    + r"|明るくなり(まし)?た|すっきりし(まし)?た"
    # Clean or quiet again: 側溝きれいになってた, マンホール静かになったわ.
    r"|(きれい|綺麗|静か)にな(りまし|っ)た|(きれい|綺麗|静か)になって(い)?(た|ました)"
    r"|(間違|まちが)(え|っ)て(送|おく)|誤送信|送り間違"
    # A fault the writer saw wrongly: 見間違いでした, 勘違いでした.
    r"|(見間違|見まちが|勘違|かんちが)い(でした|だった|です)(?!と|ら|が)"
    r"|気のせい(でした|だった)(?!ら)"
    # A report withdrawn (通報は取り下げます) or an apology for the fuss
    # (お騒がせしました).
    r"|取り下げ|取りさげ|撤回し|お騒がせ(しました|いたしました|して|し)"
    # Taking an earlier message back: さっきのは取り消してください.
    # 前の starts its clause, so 家の前の落書きを削除して is no retraction.
    r"|(さっき|先ほど|さきほど|(?<![^、。\s])前)の(は|を|通報|投稿|写真|メッセージ)?"
    r"[^。!?]{0,6}(取り消|取消|キャンセル|削除|なかったことに)"
    r"|(さっき|先ほど|さきほど)の(通報|投稿|メッセージ|件)(は|を)?(なし|無し)で"
    # A sentence that only calls the message off or owns a mistake:
    # なしでお願いします, 取り消しでお願いします, あ、まちがえました. Only an
    # interjection ending in a comma or space may come first, since a detail
    # named right before is no call-off: 写真なしでお願いします asks to go on
    # without one, and 場所間違えました corrects the place.
    r"|^([^。!?]{0,6}[、,\s]\s?)?(すみません|すいません|ごめんなさい|やっぱり|やっぱ"
    r"|やはり)?(なし|無し|取り消し|取消し|キャンセル)で(お願い|おねがい)"
    r"|^([^。!?をが]{0,6}[、,\s]\s?)?(間違|まちが)え(ました|た)[。.!！\s]*$"
    # Calling an earlier message a mistake: さっきのは間違いです.
    r"|(さっき|先ほど|さきほど)の(通報|投稿|写真|メッセージ|件)?は"
    r"(間違|まちが)い(です|でした|だった)"
    # A fault that has gone: 点くようになっていました, 通れるようになった.
    # ちらつく and がたつく end in つく but are faults.
    # A light that comes on by day (昼間でも点くようになった) is a fault.
    # A light seen working again: 見たらちゃんとついてました.
    r"|(ちゃんと|きちんと)\s?(つい|点い)て(い)?(ました|ます|た)"
    r"|(?<!昼も)(?<!昼でも)(?<!昼間も)(?<!間でも)(?<!日中も)(?<!中でも)"
    r"(点く|(?<![らた])つく|直る|流れる|通れる|使える|開く|閉まる)"
    r"ように(なって(い)?(ました|ます|た|る)|なった|なりました)"
)
# Thanks itself: ありがとう, 御礼申し上げます, お疲れさまです.
GRATITUDE = re.compile(
    r"ありがと|有難[うく]|有り難[うく]|感謝|御礼|お礼(を)?申し上げ|助かりました|安堵"
    r"|おおきに"
    r"|\bthank(s|\s+you)\b"
    r"|お疲れ様|お疲れさま|おつかれさま|ご苦労様|ご苦労さま"
    # Praise of the city's work: 対応早くてびっくりしました.
    r"|対応(が|の)?\s?(早|速|はや)(い|く|かった)"
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
    r"|取り下げ|取りさげ|撤回|お騒がせ"
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
# - a letter from the city that has not come (接種券が届いてない), and read
#   receipts of this chat that do not show (既読つかないね).
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
    # Not a chime (公園の時計の通知音がうるさい), which is a thing in a place.
    # The rest of the clause goes too (通知が多すぎて困っています), but not past
    # a conjunction, since 通知がうるさいけど道路に穴があいてます goes on to
    # a fault.
    r"|(通知|配信|プッシュ)(?!音)(が|は|も)?[^。!?、,]{0,6}"
    r"(うるさ|多すぎ|多い|邪魔|じゃま|いらない|要らない|不要)"
    r"((?!けど|けれど|ので|のに|から|が|(?<=い)し)[^。!?、,\s]){0,10}"
    # Read receipts of this chat (既読つかないね).
    r"|既読(が|は)?\s?(つか|付か)(ない|なく|ず)"
    # A fault denied: 遊具が壊れていたわけではなく.
    r"|(壊れ|こわれ|故障し|切れ|消え)て(い)?(る|た)?わけ(では|じゃ)(なく|ない|ありません)"
    # A fault that did not happen: 昨日の雨でもあふれなかった.
    r"|(あふれ|溢れ|冠水し|浸水し|倒れ|折れ|詰まら|たまら|溜まら)なかった"
    # A service the writer heard of: 金具を付けてもらえると聞いたのですが.
    r"|[^。!?、,]{0,20}(もらえる|いただける|くれる)(と|って)(聞|きい|きき|伺|うかが|知)"
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
    r"|(よろしく|宜しく)\s?(お)?伝え(ください|下さい)"
    r"|お世話になって(おります|います)|お世話になります|こんにちは|こんばんは"
    r"|おはようございます|失礼(いた|致)?します"
)
# Words that open another matter after thanks: ところで, 別件ですが.
TOPIC_SHIFT = re.compile(
    r"^\s*(ところで|別件|それと(?!も)|あと[、,]|また[、,]|今度は|ほかにも|他にも"
    # あと全然関係ないんですが, 話は変わりますが.
    r"|(あと)?[、,\s]*(全然|まったく|ぜんぜん)?関係(ない|ありません)|話は変わ)"
)
INFO_REQUEST = re.compile(
    r"について(知りたい|教えて|伺いたい|質問)"
    # How a process goes: 撤去ってどういう流れですか.
    r"|(どういう|どんな|どのような)(流れ|手順|仕組み|段取り)"
)
# Where or from whom the writer can do something: "どこに取りに行けばいい?",
# "誰に頼めますか". With a question ending, such a text asks how to act.
WHERE_TO_ACT = re.compile(
    r"(どこ|誰|だれ|どちら|どっち)[^。!?]{0,20}"
    r"(ば(いい|よい|良い|よろしい|OK)|でき(る|ます)|(ら|け)れ(る|ます)|行け|いけ"
    r"|たら(ええ|えぇ|いい|よい|よろしい))"
    r"|どう(すれば|したら)(いい|よい|良い|よろしい)"
    # A place or office to turn to: 見守りをお願いできるところはありますか.
    r"|(ところ|所|窓口|場所)(は|って)?\s?(あります|ある)(か|の|\?|？)"
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
    r"|ずれ|曲が|さび|錆|はみ出|伸び|ふさ|塞|(?<!気分が)(?<!気持ちが)(?<!心が)(?<!性格が)(?<!表情が)(?<!気分も)"
    r"(?<!気持ちも)暗(?![証記号算殺黙]|い(気持ち|気分|話|ニュース|性格|顔|表情))|こわい|怖|困って|困る|汚|段差"
    r"|でこぼこ|デコボコ|ボコボコ|噴き出|吹き出|吹き上|漏れ|垂れ|ぶら下が|浮い"
    r"|捨てられ|落書き|止まらな|うるさ|騒音|心配|不安|冠水|浸水|水浸し|水びたし|水たまり"
    r"|ぬかる|点滅|ちらつ|チカチカ|ちかちか|破れ|やぶれ|へこ|凹|落下物|障害物|じゃま|邪魔"
    r"|故障|不具合|損傷|匂|溜ま|たまって|たまってる"
    # Pests or things coming out in numbers: ゴキブリが大量に出てきてる,
    # 毛虫いっぱい.
    r"|大量(に|の)?\s?(発生|出て|出てき|湧|わい)|湧いて"
    r"|(毛虫|けむし|虫|蜂|ハチ|蚊|ゴキブリ|ねずみ|ネズミ)[がも]?\s?(いっぱい|たくさん|すごい)"
    # Street-phone spellings: 斜めになってる, 歩道もりあがってる, ミラーかくれてる,
    # ゴミつまってる, 猫しんでる, and a stump to trip over (つまずいた).
    r"|(斜め|ななめ)(に)?\s?(なって|傾)|(隠れ|かくれ)て"
    # Ground raised under a surface, not a lively event (祭りで盛り上がる).
    r"|(路面|歩道|舗装|アスファルト|道路|地面|根|タイル|ブロック)[^。!?]{0,15}"
    r"(盛り上が|もりあが|盛りあが)"
    r"|つまって|つまった|しんで(い|る|ま)|つまず|躓|ぼうぼう|ボーボー"
    # A drain or rubbish that smells too much, not a cheese: 下水くさすぎ.
    r"|(下水|どぶ|ドブ|溝|排水|側溝|マンホール|ごみ|ゴミ)[^。!?]{0,6}(くさ|臭)(すぎ|くて)"
    # A hum or an odd sound from a machine: ジージー音, 変な音.
    r"|じーじー|ジージー|ぶーん|ブーン|変な音|異音"
    # Damage done by someone: 壊された, 荒らされてる.
    r"|壊され|こわされ|荒らされ|あらされ"
    # Kana spellings typed without conversion: 折れ, 倒れ, 危な, ぶら下が, 割れ, 傾,
    # 消え, 切れ.
    r"|おれて|おれた|おれそう|たおれ|あぶな|ぶらさが|かたむ"
    # われ, but not the passive of 言われて, 使われて, 行われて or 思われて.
    r"|(?<![いかなもさ言使行思扱払奪失追誘笑嫌問襲救雇囲覆祝呪吸])われ(て|た)"
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
    r"|\b(does|do|did|will|wo)(n't| not) (stop|work|turn|open|close|drain|flush)\b"
    r"|\bholes?\b|\bdead\b|\bnot work\b|\bhangs? (very )?low\b"
    r"|\b(very |so |too )?(loud|noisy)\b|\bleft (on|at|in|by|beside)\b|\babandoned\b"
    # Something caught on a wire or a branch: 枝が電線に引っかかってる.
    r"|引っかか|ひっかか|引っ掛か"
    # Gouged asphalt, a backflow, a part coming off.
    r"|えぐれ|抉れ|逆流|取れかけ|とれかけ"
    # A mirror or a sign turned away, music played loud at night, a light
    # going on and off.
    r"|向きが(変わ|かわ|ずれ|おかし)|大音量"
    r"|\b(goes|going|turns?|turning|keeps going) (on and off|off and on)\b"
)
# Something wrong that names no fault of a city object. Examples are a machine
# that stopped or does not work, things left or thrown away, animals, noises,
# scattered litter and a leaking roof (エレベーターが止まってます,
# 自動ドアが反応しない, 布団を置いていった, 物音がします, 雨漏りしています).
SOMETHING_WRONG = re.compile(
    r"止ま(って|った|りま|らな)|動(か|け)な|動いて(い)?(な|ません)|動きません|開かな|閉まらな"
    # Not 使えないね about this chat, as a sentence of its own.
    r"|反応しな|作動しな|作動して(い)?な|効かな|きかな|(?<![。、!?！？\s])使えな(?!いね|いな)"
    r"|置いて(いき|いっ|行)|ポイ捨て|散らば|物音|鳴き声|鳴いて|鳴きやま|鳴き止ま|吠え|ほえて|ほえる|住みつ|住み着|雨漏り"
    # Water like a river, or of a wrong colour: 家の前が川みたいになる,
    # 水道の水が茶色い.
    r"|(川|池|海|湖)(みたい|のよう)|濁|茶色い|茶色く|赤茶"
    # A machine that does not come or respond: ボタン押しても来ない.
    r"|押しても\s?(来|こ|動|反応|開|あか|つか|点か)|反応(しな|がな|しません)"
)
# A thing named with が and a state that goes on or its presence (水が白く
# 濁っています, フェンスが歪んでいます, 蜂の巣がある): a condition to report,
# whatever the words for it. The te form is voiced after ん and い (歪んで, 泳いで).
THING_IN_A_STATE = re.compile(
    r"が[^。!?、]{0,12}?(て|[んい]で)(います|いる|る|ます|おります|いて|て)"
    r"|が\s?(ある|あります|あって|いる|います|いて)"
    # Present at a place: スズメバチが軒下にいて. Not a person of the writer's
    # own (子どもが家にいて).
    r"|(?<!ども)(?<!子供)(?<!私)(?<!家族)(?<!主人)(?<![夫妻母父])"
    r"が[^。!?、]{0,8}?(に|で)\s?(ある|あります|あって|いる|います|いて)"
)
# Ice on a way, a slope, steps or a bridge (坂道が凍ったままです, 歩道が凍結
# してツルツル); a frozen pond or windscreen is no fault. Evidence of a fault,
# but not one of the model's cue counts, because as a count it moved the model
# on texts about other things.
_ICY_PLACE = r"(道|坂|歩道|路面|階段|橋|車道|地面|通り|スロープ)"
_ICY = r"(凍結|凍っ|凍りかけ|ツルツル|つるつる)"
ICE = re.compile(
    rf"{_ICY_PLACE}[^。!?]{{0,12}}{_ICY}|{_ICY}[^。!?]{{0,6}}{_ICY_PLACE}"
    r"|\bicy\b[^.!?]{0,30}\b(road|slope|sidewalk|street|path|steps|bridge)"
    r"|\b(road|slope|sidewalk|street|path|steps|bridge)\b[^.!?]{0,30}\bicy\b"
)
# A loose part that rattles (ふたがガタガタしている). Evidence of a fault, but
# not one of the model's cue counts: training texts use it for other things.
LOOSE_PART = re.compile(r"ガタガタ|がたがた|ガタつ|がたつ")

REQUEST = re.compile(
    r"てほしい|て欲しい"
    # Not 教えてください (information) nor 取り消してください (a message taken
    # back).
    r"|(?<!教え)(?<!おしえ)(?<!取り消し)(?<!取消し)(?<!キャンセルし)(?<!削除し)(?<!無視し)"
    r"(てください|て下さい)"
    # よろしくお願いします closes a letter and asks for nothing in particular.
    r"|(?<!よろしく)(?<!宜しく)(?<!ヨロシク)お願い"
    r"|もらえませんか|もらえないでしょうか|ていただきたい|て頂きたい|てもらいたい"
    # Work asked for with the closing formula: 対応よろしくお願いします.
    r"|(対応|修理|補修|修繕|処理|撤去|剪定|清掃|点検)\s?を?\s?(よろしく|宜しく)"
    r"|もらえないか|くれないか|ならないか|ならないでしょうか|なりませんか|なんとか|何とか|どうにか|改善"
    # Residents who write in English: please cut, please fix it, please come and
    # take it away. The verb must end the sentence or take only it or this,
    # because please check the opening hours or please send me the calendar
    # requests information.
    r"|\bplease (fix|repair|check|remove|clean|cut|trim|replace|put|clear)"
    r"(\s(it|this|that|them))?\s*([.!]|$)|\bplease come and\b"
    r"|検討|直して|直る|直ら|直っ|対応して(?!(い)?ますか|いるか|る[?？か])|見に来て|見てもらえ|見ていただけ|撤去|設置|増や|切って|刈って|早く(?!て)|至急|すぐ"
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
# いつ that asks when (いつ直る, いつから), not いつも, いつか or いつの間に.
WHEN_WORD = r"いつ(?!も|か(?!ら)|の間)"
# A sentence containing one of these asks for a place, time or list, so even if it
# ends in a verb ("街灯は何時に点く") it states no fault. いつまでも asks nothing
# either.
QUESTION_WORD = re.compile(
    r"どこ|どちら|何時|何曜|何日|(?!いつまでも)"
    + WHEN_WORD
    + r"|一覧|予約|どうしよう|どうしたら|どうすれば|(?i:\bhow (do|can|to|should)\b)"
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
