"""Emergencies in residents' texts: what gets the 119/110 line first, what may
not become a fault report, and what gets the consultation line.

The tests are word patterns, run on the text after NFKC and on the same text
with katakana folded into hiragana. A mention that is general, conditional,
past, hearsay or about the word itself is no emergency (火事の時は, 倒れたら,
昨日の火事の後片付け, 救急車って有料?). docs/accuracy.md measures them on
messages written blind.

NOTE: a word list misses wording it has not seen, so some emergencies get no
119/110 line. docs/accuracy.md (Emergencies) gives the current share of them on
messages written blind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.normalize import fold_kana, visible_nfkc
from index.romaji import romaji_spelling

# Words of a danger to life or safety that the city cannot handle through LINE: a
# fire, a medical emergency, an accident or a crime (see CRIME). Such a message
# still gets the usual reply, after a first message that gives 119 and 110.
# Every pattern is matched against the text as typed (after NFKC) and against the
# same text with katakana folded into hiragana, so the hiragana forms below also
# catch ｶｼﾞﾃﾞｽ and タオレテル.
_PERSON = (
    r"(人|ひと|子ども|子供|こども|高齢者|老人|男性|女性|男の人|女の人|おじいさん"
    r"|おばあさん|おじいちゃん|おばあちゃん|じいちゃん|ばあちゃん|じいさん|ばあさん"
    r"|じっちゃ|ばっちゃ|お年寄り|男の子|女の子|おとこのこ|おんなのこ|赤ちゃん"
    r"|あかちゃん|友達|友だち|ともだち|父|母|お父さん|お母さん|おとうさん|おかあさん"
    r"|親父|おやじ|お袋|おふくろ|おじさん|おばさん|おっちゃん|おばちゃん|運転手"
    r"|歩行者|通行人|生徒|児童|学生|誰か|だれか|息子|むすこ|娘|むすめ|夫|妻|嫁"
    r"|主人|旦那|彼|彼女|兄|姉|弟|妹|祖父|祖母|家族|近所の|隣の|おかん|おとん|オカン"
    r"|オトン)"
)
# Smoke, unless its harmless source is named before it: fireworks, a bonfire
# (花火の煙, たき火の煙), a barbecue, a cigarette or incense.
_SMOKE = (
    r"(?<!火の)(?<!キューの)(?<!きゅーの)(?<!タバコの)(?<!たばこの)(?<!線香の)"
    r"(煙|けむり)"
)
# Fragments of EMERGENCY: a fire or an explosion and someone drowning, which no
# fault report fits (_NO_FAULT), and someone unconscious, not breathing, choking,
# in a seizure or with other signs of a medical emergency.
_FIRE = (
    r"火事|火災が|かじ(です|だ[!！よ]|や[!！で]|[!！])"
    # かじ ending a message after a space or a kanji (となりのいえ かじ), not
    # after a particle (今日はかじ is housework).
    r"|(?:^|(?<![ぁ-ゖ]))かじ\s*[!！。]*\s*$"
    r"|燃え(てい|てる|てま|とる|とん|てん|て[、。!！ ])"
    r"|もえ(てい|てる|てま|とる|とん|てん|て[、。!！ ])"
    # 尻に火がつく is being pressed for time, not a fire.
    r"|火(が|ぃ|い)?(出|で)(て|た|と)|(?<!尻に)火が(くすぶ|つい)|火が.{0,6}(上が|あが)"
    r"|炎が|火の手|火柱|燃えた(?!ら|とき)|もえた(?!ら)|燃え移|もえうつ"
    r"|黒煙|ボヤ(?!け|く|か|き)|ぼや騒ぎ"
    # A fire seen, not fireworks, a sunrise or a campfire.
    r"|(?<![花朝夕])(?<!ーの)火が(見え|みえ)|(?<!あさ)(?<!ゆう)(?<!はな)ひが(見え|みえ)"
    r"|かじ\s+かじ"
    rf"|{_SMOKE}(?!みたい|のよう|っぽい)が?.{{0,8}}(出|で|上が|あが|充満)"
    rf"|{_SMOKE}が?\s*もくもく"
    r"|爆発(し(?!そう)|音|みたい|が起|があ|事故)|ばくはつ(し(?!そう)|した)"
)
_DROWNING = (
    r"溺れ(?!かけ|そう|る?かと)|おぼれ(?!そう|る?かと)"
    rf"|(プール|川|海|池|{_PERSON}).{{0,8}}(沈んで|浮いてこない|上がってこない)"
    rf"|{_PERSON}.{{0,4}}(浮いて(い|る|ま)|うつぶせで浮)"
    rf"|(川|海|水路|用水|{_PERSON}).{{0,10}}流され"
)
# Negative endings in plain speech and dialect: ない, ません, へん, ん, ねえ, ねぇ.
_NOT = r"(ない|なぃ|ません|へん|ねぇ|ねえ|ん(?![でだ]))"
# A guess about a life sign (息してないかも) is still an emergency, so the
# guess is taken into the match and _NOT_HAPPENING does not see it.
_GUESSED = r"(かも|かな|みたい)?"
_UNCONSCIOUS = (
    rf"(息|いき)を?(して|しと|でき)(い|て|る)?{_NOT}{_GUESSED}"
    r"|(息|いき)(しとる|してる)か(わか|分か)|息がゴロゴロ|(喉|のど)に.{0,2}(つま|詰ま)"
    r"|(顔|唇|くちびる)(が|色が)?.{0,4}紫|(喉|のど)が(せまい|狭い|しまる|締ま)"
    rf"|呼吸を?(して|でき)?(い|て)?{_NOT}{_GUESSED}"
    r"|呼吸(が|を)(止|とま|おかし|苦し)|呼吸して(る|い)か(わか|分か)"
    rf"|(意識|いしき)(が|は)?(ない|無い|ありません|なくし|もうろう){_GUESSED}"
    r"|(意識|気)を?(失|うしな)|失神|のどに?(つまら|詰まら)|(つまら|詰まら)せ"
    r"|痙攣|けいれん|ひきつけ(を|て|た)|白目を?(むい|剥い)|ガクガク(して|震え)"
    r"|目がうつろ|話しかけても(変|おかし)|(咳|せき)が?(止まらな|とまらな)"
    r"|話がかみ合わな|汗が出て(い)?な|(全然|ぜんぜん)起き(ない|らん|ん)"
    # Not a reply awaited from the city or a message (通報したのに返事がない,
    # 市から返事がない, メールの返事がない); 母の返事がない still counts.
    r"|(?<!のに)(?<!市から)(?<!市の)(?<!所から)(?<!所の)(?<!課から)(?<!課の)"
    r"(?<!口から)(?<!口の)(?<!ルの)(?<!せの)(?<!NEの)(?<!neの)(?<!ンの)"
    rf"(返事を?(が)?(し|せ)?{_NOT}|返事が?ありません)"
    r"|(呼びかけ|呼んで).{0,8}(返事|反応)"
    rf"|{_PERSON}.{{0,10}}(動かない|動きません|動かへん|動がね|動かん|うごかない"
    r"|うごかへん|うごかん|ぐったり|反応が?(ない|ありません)|起きない|おきない"
    r"|起き上がれな|おきあがれな)"
    r"|(倒れ|たおれ)て.{0,4}(動かない|動きません|うごかない|意識|反応|返事)"
)
# Wanting to die or ending one's life (is_crisis gives these their own reply).
_CRISIS_WORDS = (
    r"自殺|死にたい|しにたい|死のう|死にます|死んでやる|死ぬ(って|つもり|しかな)"
    r"|消えたい|飛び降り|飛び込みたい|(電車|線路|ホーム).{0,6}飛び込|首を?(吊|つ)"
    r"|首吊り|リストカット|リスカ|手首を切|切るのやめられ|(?i:want to die|kill myself"
    r"|suicide|overdose)|オーバードーズ"
    r"|(薬|くすり).{0,6}(全部|ぜんぶ|大量|たくさん|一気).{0,4}(飲ん|のん)"
    r"|今までお世話になりました|(柵|手すり)の外側|もう私はいな|いない方がいい"
    r"|(薬|くすり).{0,4}(いっぱい|たくさん|全部|ぜんぶ).{0,4}(飲ん|のん)"
    r"|今までありがとう|生きてい(たく|る意味)|生きるのが(つら|辛|しんど)"
    r"|生きて(い)?るのが(つら|辛|しんど)"
)
_CRISIS = re.compile(_CRISIS_WORDS)
# Signs of a heart attack, a stroke, an allergic shock or heatstroke, and
# wanting to die.
_MEDICAL = (
    r"胸を?(押さえ|おさえ)|胸が(痛|苦し|しめつけ|締め付け)|冷や汗|苦しそう|くるしそう"
    rf"|苦しんで|発作|一酸化炭素(中毒)?{_GUESSED}|(手|足|腕)(も|が)?しびれ"
    r"|意味(が)?わからないこと"
    r"|ガタガタ震え|(足|腕|手)が変な(方向|形)|頭(が)?(ガンガン|がんがん).{0,6}吐き気"
    r"|息苦し|ゼーゼー|ぜーぜー|ヒューヒュー|ろれつ|呂律|顔.{0,6}(ゆがん|歪ん)"
    r"|言葉(が|も)?(おかし|変|出な|はっきりしな)"
    r"|(手|足|腕|体)(に|にも|が)?.{0,2}力が?入らな|(手|足|腕)が?うまく動かな"
    # A stroke described by its signs in a named person: half the face still,
    # speech gone wrong, the eyes unfocused (父の顔が半分動いてない, 目の焦点
    # があってない). Alone, such words are mostly about a camera or a habit.
    rf"|{_PERSON}.{{0,8}}(顔(の|が)?(半分|片方|片側).{{0,4}}(動|うご)(いて|か)"
    r"|(しゃべり方|話し方|喋り方)(が|も)?(おかし|変)|(目|め)の焦点が(合|あ)って(い)?な)"
    # A heart attack in kana that came on suddenly (きゅうに むねが いたい), and
    # an allergic reaction over the body after a sting or food.
    r"|(きゅうに|急に|突然|とつぜん)\s*むねが\s*(いた|くるし)"
    r"|(刺され|さされ|食べ|飲ん).{0,12}全身に?(ぶつぶつ|じんましん|蕁麻疹)"
    r"|顔色が(悪|真っ青|まっさお)|(唇|くちびる|顔|喉|のど)が?.{0,6}腫れ|じんましん"
    r"|アナフィラキシー|エピペン|吐血|ぐったり|熱中症|(?<!救)急病(?!診|院|セ)|救急車"
    r"|きゅうきゅうしゃ"
    rf"|{_CRISIS_WORDS}"
    r"|ガス(臭|くさ|のにおい|の臭い).{0,30}(頭(が)?痛|ふらふら|気持ち悪|吐き気|めまい)"
    r"|(洗剤|薬品|塩素|漂白剤).{0,12}(まぜ|混ぜ|吸っ|吸い).{0,20}"
    r"(痛|苦し|咳|せき|めまい|気持ち悪)"
    r"|火傷(?!しそう)|やけど(した|して|を)|皮が.{0,4}むけ|頭が割れる(よう|みたい)"
    r"|ガス(漏れ|もれ)|ガス(臭|くさ).{0,20}(ズキズキ|頭も痛|頭痛)"
    r"|ガス(の)?(臭い|におい|匂い)がする|ガス臭い[。、!！]|シューって音"
    r"|(息|いき)が(苦し|くるし)|ぱっくり|骨が見え|骨みたいなの"
    # Swallowing something harmful, a guess too (飲み込んだかもしれない).
    r"|(洗剤|漂白剤|薬品|タバコ|たばこ|電池).{0,6}(飲み込ん|飲ん|のん|食べ)"
    r"(だ|じゃった|ちゃった|でしまった)?(かも(しれない|しれません)?)?"
    r"|(車の中|車内)に(赤ちゃん|子ども|子供|幼児)|(?i:gas smell|smell gas|gas leak)"
    r"|(赤ちゃん|子ども|子供|幼児).{0,4}乗ったまま(の)?(車|くるま)"
)
# A child or an older person missing: 3歳の娘がいない, 認知症の父が帰ってこない.
_MISSING = (
    rf"({_PERSON}|歳|才|認知症).{{0,30}}(がいない[!！]|見つからな|帰ってこな|帰ってこん"
    r"|帰ってきません"
    r"|戻ってこな|戻らな|帰らな|はぐれ|見つかりません|行方不明|迷子(?!札)"
    r"|いなくな(っ|り))"
    # A child gone, typed in simple words: こども いない。こうえん で さがしてる.
    r"|(こども|子ども|子供|むすこ|むすめ|息子|娘)\s*(が)?\s*いない[。、\s!！]"
    # Someone living alone who no longer picks up the phone (ひとり暮らしの祖父…電話
    # も出ない): they may be lying ill.
    r"|(一人|ひとり|独り)(暮らし|ぐらし|で住ん).{0,60}"
    r"(電話|でんわ|連絡)(に|が)?(も)?\s*((出|で)(ない|ません|なく)|つかな|取れな|とれな)"
    r"(?!こと|時|とき|場合)"
    r"|(一人|ひとり|独り)(暮らし|ぐらし|で住ん).{0,60}"
    r"(チャイム|インターホン|呼び鈴|ノック).{0,10}((出|で)(てこな|てきま)|応答が?な|反応が?な)"
    r"(?!こと|時|とき|場合)"
)
# A missing person with the subject left out: a text that starts 行方不明です.
# With a subject it is _MISSING's, which needs a person: うちの猫が行方不明です
# is no emergency.
_MISSING_ALONE = (
    r"(?:^|[、。！!？?】\])）)]|すみません|至急)\s*"
    r"行方不明(です|でして|で[、。]|になりました|になってい|なんです)"
)
# A smell of burning: a fire may have started out of sight. A smell of smoke
# alone is left out, since it is mostly a neighbour's bonfire or barbecue.
_BURNING_SMELL = (
    r"焦げ(臭|くさ)|こげ(臭|くさ)"
    # Something burning with no source named (パンが焦げた匂い is cooking).
    r"|(?:^\s*|何か|なにか|どこか)(が)?(焦げ|こげ)(た|てる|ている)(にお|匂|臭)"
)
# Signs of heatstroke or a sudden illness that stops someone getting about:
# 熱中症かもしれない, 高熱で動けない, めまいがして立てない. A bare 歩けない is
# left out, because 歩道が狭くて歩けない is a complaint about a road, and so is
# 足が痛くて歩けない, which is mostly a lasting condition. Given as a reason for
# something else (高熱で動けないので保育園を休ませたい), it is no call for help.
_CANNOT_STAND = (
    r"熱中症(かも|かな(?![?？])|みたい|っぽ|の(よう|症状|疑い)|になったかも)"
    r"|(熱|高熱|めまい|目まい|ふらふら|フラフラ|苦しくて|具合が悪くて)"
    r"(が(あって|して|ひどくて))?で?.{0,3}"
    r"(立て|動け|起き上がれ|起きあがれ|起きられ|歩け)(ない|なく|ません)(?!ので|から|ため)"
    r"|(立て|動け|起き上がれ|起きあがれ)(ない|ません)[、。]?.{0,3}"
    r"(熱(?!中症)|めまい|目まい)"
    r"|めまいが(して|ひど).{0,6}(倒れ|ふらふら|フラフラ)"
)
# A text that is only an emergency number or word: 119, 救急です, 救急車を呼んで.
_BARE_CALL = (
    r"^\s*(119|110|救急車?|きゅうきゅう(しゃ)?)\s*"
    r"(です|お願いします|をお願いします|を呼んで(ください)?)?\s*[!！。]*\s*$"
)
# A person down or hurt, and accidents between vehicles or with people. Unlike
# _NO_FAULT these may come from a fault (a child hurt on broken play equipment,
# a cyclist thrown by a hole), so a text that also names one may still start a
# report.
_HURT = (
    rf"{_PERSON}[^。！!？?]{{0,12}}?(倒れ|たおれ|(?<!験に|接に|選に|考に)落ち(?!込|着|つ))"
    r"(?!そう|かけ|ない|ます(?!た)|る)"
    # The person after the verb: 倒れている人がいます, 道でたおれてるおじいさん.
    rf"|(倒れ|たおれ)て(い)?る{_PERSON}"
    rf"|{_PERSON}.{{0,10}}動けない|{_PERSON}.{{0,10}}うずくま|頭を(強く)?打"
    r"|(?<![献採])(血|ち)が(出|で|止ま(ら|り|ん)|とま(ら|り|ん)|なが)"
    r"|(?<![献採])血(は|\s)?(止ま(ら|り)|とま(ら|り))"
    r"|(?<![献採])血を?(出|流|なが|吐)|出血|血まみれ|血だらけ|けが人|怪我人|けがにん|負傷"
    r"|(頭|顔|額|おでこ)から血(?!の気)|(しびれ|痺れ)て(倒れ|たおれ)(?!そう)"
    r"|重傷|(大けが|大怪我)(?!する|しそう|しな|に|だ)"
    r"|骨折(?!しそう|して(から|しまう)|しかね|したら)|(けが|怪我)を?(した|して|しまし|しちゃ|しとる|しと)"
    r"|(頭|顔|体)に(当たっ|直撃)|直撃(し|。|$)"
    rf"|{_PERSON}.{{0,10}}(埋まっ|出られな|出てこれな|出てこられな)"
    rf"|(車|人).{{0,6}}沈みかけ|(中|車内)に{_PERSON}.{{0,4}}(残って|乗ったまま)"
    r"|(足|手|指)が?.{0,6}(はまって|挟まって|はさまって).{0,6}抜けな"
    rf"|下敷き|したじき|{_PERSON}.{{0,8}}(挟まれ|はさまれ|挟まっ|はさまっ|閉じ込め)"
    r"|感電|(外側|外)に?ぶら下が|中で倒れ"
    rf"|{_PERSON}.{{0,6}}(?<!験に)(?<!接に)(?<!選に)(?<!考に)(?<!熱が)おち(た|て)"
    r"(?!そう|き)"
    r"|(?<!自転)(?<![電駐])(車|くるま).{0,10}中に(人|ひと)(が)?(いる|いま|残)"
)
_ACCIDENT = (
    r"交通事故(です|が(起き|あ)(?!そう|る前)|に(遭|あ)(?!わ)|を起こ(?!したら))"
    r"|(?<!交通)事故(です|だ|や|が起き(?!そう|る前)|に遭|にあ(?!わ)|を起こ(?!したら)"
    r"|[、。!！]|で(人|けが|怪我)|発生|があった(?!ら)|起きた|おきた)"
    r"|(車|くるま|トラック|バイク|自転車|じてんしゃ|タクシー|バス|自動車)"
    r"(が|に|と|同士)?.{0,8}"
    r"(ぶつか(った|って|り(?!そう))|突っ込|つっこ|はね(た|られ)|ひか(れ|れた)|轢|衝突)"
    r"|(はね|撥ね)られ|(ひか|轢か)れ(た|て|まし)|車同士"
)
# Emergency words in English and romaji, matched without regard to case.
_FOREIGN = (
    r"(?i:help!|^\s*help\b|please help|\bsos\b|on fire|there'?s a fire"
    r"|there is a fire|a fire in|fire!|\bsmoke\b|collapsed"
    r"|unconscious|not breathing|bleeding|\bpolice\b|injured|drowning"
    # Not an ambulance asked about (Is calling an ambulance free?, the number
    # for an ambulance).
    r"|(?<!calling an )(?<!for an )ambulance(?! (is )?(free|cost|fee))"
    r"|snatched|\brobbed\b|stole|stolen|\bthief\b|breaking into|broke into"
    r"|accident|tasukete|kaji desu|taore|ugokanai|kyu+kyu+sha|iki ?shitenai"
    r"|having a (stroke|heart attack|seizure)"
    r"|(he|she|they|someone|child|baby) (can'?t|cannot) breathe"
    r"|hit (her|his|their) head"
    r"|(child|boy|girl|kid|man|woman|he|she|someone|son|daughter) fell into"
    r"|(someone|person|child|people|he|she) (is|are) stuck inside"
    r"|moete ?iru|moeteru|kemuri"
    r"|hannou ?nai|ishiki ?nai"
    r"|(kodomo|musuko|musume|chichi|haha|otousan|okaasan|obaachan|ojiichan|sofu|sobo)"
    r" ga (inaku ?natta|mitsukaranai|kaette ?konai))"
    # Chinese and Korean: help, missing, hit by a car, bleeding, fire, fainted,
    # cannot breathe.
    r"|救命|帮帮我|不见了|被车撞|流血|流了很多血|着火|失火|晕倒"
    r"|살려|도와주세요|불이 ?났|숨을 ?못|쓰러졌"
)
# Flood water that endangers people now: water coming into a home, a car or a
# person caught in it, a submerged underpass, a river overflowing. A flooded
# road alone is a fault report, urgent but not for 119 (see answerer.intents).
_FLOOD = (
    r"(家|いえ|部屋|へや|室内|屋内|うち|店|地下|玄関(から)?)(の中|のなか)?(に|へ|まで)?(まで)?"
    r"(水(?!筒|たまり|溜)|みず|雨水|泥水|どろみず)が?.{0,4}"
    r"(入って|はいって|入り込|流れ込|流れこ(んで|んだ)|ながれこ|来て(?!ほし|欲し)|きて(?!ほし|欲し)"
    r"|入った(?!ら)|はいった(?!ら)|来た(?!ら)|きた(?!ら))"
    # Water up to the waist or a window, and people who cannot get out of it.
    r"|(?<!プールの)(?<!風呂の)(水(?!筒|たまり|溜)|みず)が?.{0,3}(腰|こし|胸|むね|膝|ひざ"
    r"|首|くび|窓|まど|天井)(まで|くらい|ぐらい|の高さ)(?!かけ)"
    r"|(水(?!筒|たまり|溜)|みず(?!たまり)|浸水|冠水|増水|あふれ|溢れ).{0,12}"
    r"(出られな|でられな|逃げられな|にげられな|逃げ遅れ|取り残|とりのこ|閉じ込められ(て|た))"
    # Someone in a swollen river.
    r"|増水(した|して|中)の?(川|かわ|用水|水路).{0,10}(子ども|子供|こども|人|ひと)"
    r".{0,8}(遊ん|入っ|流さ|落ち|い(る|ます))"
    r"|(家|部屋|うち|自宅|住宅|店|建物|床上|床下|一階|1階)(が|も|まで)?浸水"
    r"(して(い|る|ま|き)|した(?!ら|とき|場合|時)|しちゃ|しとる|です|中(?!の))"
    r"|(?<![道駐電])(車|くるま)(が|ごと)?.{0,6}(水没|水に(浸か|つか))"
    r"|(?<!通り)(人|ひと)が.{0,6}(水に(浸か|つか)|取り残)"
    r"|(冠水|水没).{0,12}(車|くるま|人|ひと)(が|も)?.{0,8}"
    r"(動けな|止ま|閉じ込め|出られな|取り残)"
    r"|(アンダーパス|あんだーぱす|地下道|地下駐車場).{0,8}(水没|冠水|すいぼつ)"
    r"|(川|河川|用水|水路).{0,6}(あふれ|溢れ|氾濫|決壊)"
)
EMERGENCY = re.compile(
    # _CANNOT_STAND comes first, so that 熱中症かも matches whole rather than as
    # _MEDICAL's 熱中症 followed by a guess.
    rf"{_CANNOT_STAND}|{_FIRE}|{_SMOKE}が?.{{0,4}}(すご|やば)|{_DROWNING}"
    rf"|{_UNCONSCIOUS}|{_MEDICAL}|{_MISSING}|{_HURT}|{_ACCIDENT}|{_FOREIGN}|{_MISSING_ALONE}"
    rf"|{_BURNING_SMELL}|{_BARE_CALL}|{_FLOOD}"
    r"|(助けて|たすけて)(?!くれ|もら|いただ)|(?:^|\s)たすけ\s*[!！]*\s*$"
    r"|(?<!子ども)(?<!こども)(?<!子供)110番|119番|電線.{0,8}(切れ|垂れ|落ち|むき出し|火花)|火花"
)
# After an emergency word, a sign that it is general or did not happen: a time
# or a condition (火事の時, 倒れたとき, 事故を起こしたら), a precaution, training,
# news, nobody hurt (けがした人はいません), or, right after the word, a question
# about the word itself (救急車ってどう呼ぶの).
_NOT_HAPPENING = re.compile(
    r"[^。．！!？?、\s]{0,6}?(とき|時|場合|たら|だら|ほど|ないよう|ないため|ないか"
    r"|ならない"
    r"|ならん|前に|る前|の?ニュース|訓練|講習|体験|搬送|対策|予防|防止|情報|被害の相談"
    r"|でもあ|のサイレン|かな(?=[\s。？?!！、]|$)|かも(?=しれ|ね|[\s。？?!！、]|$)"
    r"|は(い|おり)ません|はいない|はいなかっ|はなし|の?跡|警戒|アラート|かけ方"
    r"|掛け方|の仕方|夢|とか|が通れ|場面|シーン|は出て(い)?ません|は出てない"
    r"|警報|検知|からじゃ|からでは|くらい|ぐらい|までの流れ)"
    r"|って(何|なに|どう|有料|無料|ゆうりょう|むりょう|本当|ほんと)|とは|ごっこ|を呼ぶか"
    r"|って(呼|よ)ぶ(と|には|のに|時|とき)"
    r"|の(呼び方|使い方|違い|意味|予防|警戒|日)|と\d*番?の違い"
)
# Words that make a whole text hearsay or settled (火事らしい, 見つかってよかった,
# 昨日の火事のあと片付け, 前に事故があった場所).
_SETTLED = re.compile(
    r"そうです|らし[いく]|と聞|って聞|って話|という話|よかった|見つかった|去年|昨年"
    r"|この前"
    r"|以前|(昨日|きのう|先日|先週|先月|おととい)の(火事|事故|火災|地震)"
    r"|(昔|過去|以前|前に|先月|先週|去年|昨年|この前).{0,10}(事故|火事|火災)が?"
    r"(あっ|起き|おき)"
    r"|(昨日|きのう|昨夜|先日|先週|先月|去年|昨年|以前|この前).{0,12}"
    r"(倒れ|救急車|消防車|入院|運ばれ)"
    r"|(火事|事故)があった(みたい|らしい|そう)|もう元気|今は元気|リハビリ中"
    r"|(昨日|きのう|先日|先週|先月|去年|昨年).{0,6}被害に(あ|遭)"
    r"|(犯人|容疑者).{0,4}(捕ま|つかま)(った|りました)"
    # Something that happens at every heavy rain is no emergency now.
    r"|(の|する)(たびに|度に)|毎回|毎年"
)
# Before an emergency word, a sign that it is a story, not an event here and now.
_STORY_BEFORE = re.compile(
    r"ニュース|訓練|ドラマ|映画|夢|いつか|そのうち|ごっこ|台本|シナリオ|小説"
)
# Crimes: a matter for the police, never a fault of a city facility, wherever
# they happen (公園で不審者を見ました is no park report).
CRIME = re.compile(
    r"不審者|強盗|空き巣|泥棒|どろぼう|襲われ|刺され|殴られ|暴行|暴力を|痴漢|ちかん"
    r"|首を?(しめ|絞め|締め)られ(?!る?よう|る?みたい)"
    r"|ドアノブ.{0,8}(ガチャガチャ|がちゃがちゃ)|ドアノブを?(回され|まわされ)"
    # The same typed in kana, or spelled from romaji.
    r"|ふしんしゃ|ごうとう|あきす|おそわれ|ぼうこう|ゆうかい"
    r"|ひったく|盗撮|喧嘩|けんか|ストーカー|つきまとわれ|つきまと|脅され|(後|あと|まで)をつけられ"
    r"|までつけられ|(後|あと)を.{0,4}(つけて|付けて|つけと|ついて)|詐欺|誘拐|当て逃げ"
    r"|ひき逃げ|蹴られ|追いかけられ|ついてくる|刃物|なぐられ"
    r"|パクられ|すられ"
    r"|(に|から)(ずっと)?つけられ|つかまれ|連れて(行|い)かれ|殴って|なぐって"
    r"|名乗る.{0,20}(電話|お金)|お金を用意(しろ|して)|振り込め"
    r"|オレオレ|(包丁|ナイフ|刃物).{0,8}(持|振り回)|撮られ|覗かれ|のぞかれ"
    r"|不審な(男|女|人|車)が?.{0,6}(いる|います|うろ|つけ|撮|のぞ|覗)"
    r"|(子ども|子供|こども|女の子|男の子).{0,6}(撮影|盗撮)"
    r"|まだ(誰|だれ)か(が)?(いる|中に)|悲鳴|叫び声|やめて(って|と).{0,6}(聞こえ|叫)"
    r"|(インターホン|チャイム).{0,10}(鳴らされ|何十回|何回も)"
    r"|(お金|現金|キャッシュカード|カード).{0,12}取りに(来|く)|(暴れ|あばれ)て(?!ない)"
    r"|(暴れ|あばれ)(だ|出)し|ふりまわ|(渡せ|渡して)(と|って)言われ|受け取りの人"
    r"|名乗る(人|男|女)が来|(家|部屋|うち)に(知らない|見知らぬ)(人|男|女)"
    r"|泣き叫ぶ声|ただ事じゃな|(後ろ|うしろ|あと)(を)?(ずっと)?(つい|付い)てき"
    r"|(家|部屋|うち)の中で(物音|音が)|引っぱりこ|引っ張り込|連れ込"
    r"|(運転手|犯人|車)(は|が)?逃げ"
    r"|車上荒らし|荒らされ|連れ去|つれさ|拉致|無理やり.{0,10}(乗せ|連れ|引っ張)"
    r"|こじ開け|こじあけ|侵入|しんにゅう|忍び込|押し入|中に(誰|だれ)か(が)?い"
    r"|(家|うち|自宅|部屋|玄関|車)の?.{0,12}割られ"
)
# A crime word followed, before any sign that something happened, by a worry or
# a precaution (痴漢が心配, 盗難防止, 不審者情報) speaks of no crime that happened.
_WORRY = re.compile(
    r"心配|不安|怖|こわ|出そう|防止|対策|注意|恐れ|おそれ|よく出|出るので|多い|多くて"
    r"|情報|気をつけ|の相談|たら|とき|場合|っぽい|かな(?=[\s。？?!！、]|$)"
    # A conjecture of a verb (隠れられそう, 来そう), not hearsay (いるそうです)
    # nor a crime that nearly happened (連れ去られそうになった).
    r"|(?<!\s)そう(?!です|じ|っと|だん|にな(っ|りまし))"
    r"|かも(?=しれ|ね|[\s。？?!！、]|$)"
)
# Signs that something happened or is happening: a past or passive form, a
# presence (いて, います) or a sentence end.
_HAPPENED = re.compile(
    r"ました|でした|[っい]た(?!く)|られ(?!そう)|され(?!そう)|いて|いる|います|[。！!]"
    # The rest of a て form that the crime word ended with: 暴れてる, 暴れてて.
    r"|(?<=[てで])(る|て|た)"
)
# Nobody to whom it happened, right after a crime word (刺された人はいない).
_NOBODY = re.compile(r"[^。、！!？?]{0,4}?(人|者)?(は|も)(い|おり)(ない|ません)")
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
_THEFT = re.compile(r"盗まれ|盗難|盗られ|盗んで|ぬすまれ|ぬすんで|とうなん")
_FACILITY_PART = (
    r"ふた|蓋|グレーチング|マンホール|柵|フェンス|標識|看板|ベンチ|遊具|街灯|街路灯"
    r"|照明|電球|ケーブル|銅線|ガードレール|ミラー|金網|手すり|車止め|蛇口|鎖|くさり"
    r"|チェーン|ブランコ|滑り台|すべり台|ポール|プレート|銘板"
)
_PART_STOLEN = re.compile(
    rf"(?<!自転車の)(?<!バイクの)(?<!車の)(?:{_FACILITY_PART})"
    rf"(?:が|も|は|を|の)?(?:{_THEFT.pattern})"
)
# Emergencies that no fault report fits: a fire or an explosion, someone
# drowning, and a wish to die.
_NO_FAULT = re.compile(f"{_FIRE}|{_DROWNING}|{_CRISIS_WORDS}")
# Someone unconscious, hurt, ill, missing or in an accident: no fault report fits,
# unless the text also names a fault that may have caused it (_FAULT_CAUSE).
_NO_FAULT_UNLESS_CAUSE = re.compile(
    f"{_CANNOT_STAND}|{_UNCONSCIOUS}|{_MEDICAL}|{_MISSING}|{_HURT}|{_ACCIDENT}"
    f"|{_FOREIGN}|{_MISSING_ALONE}|{_BURNING_SMELL}|{_BARE_CALL}"
)
# A fault that may have hurt someone: a state of a facility (broken, open,
# fallen), or a manhole, gutter or power line, whose mere mention beside someone
# hurt points to them. A bench or a street light alone does not, since someone
# ill on a bench or under a light is no report of either.
_FAULT_CAUSE = re.compile(
    r"穴|あな|陥没|段差|ひび|亀裂|壊れ|こわれ|破損|折れ|(?<![たず])おれ(て|ちゃ|まし)"
    r"|外れ|はずれ|割れ|切れ"
    r"|倒木|曲が|垂れ|ぐらぐら|ぐらつ|はがれ|剥がれ|さび|錆|腐|抜け|ずれ|浮い|沈ん"
    r"|あふれ|溢れ|漏れ|消え|欠け|傾|崩れ|くずれ|冠水|むき出し|でこぼこ|凸凹"
    r"|取れ|とれて|開いて|空いて|噴き出|吹き出|火花|落ちてきて|落下"
    r"|(舗装|アスファルト|路面|歩道|タイル|床板)が?(めくれ|捲れ)"
    # A facility as the source of a smell or smoke (街灯から焦げ臭いにおい).
    r"|(街灯|街路灯|電柱|変圧器|分電盤|マンホール|側溝|信号|下水|排水)(から|が)"
    r"|(木|樹|枝|柱|電柱|街灯|塀|フェンス|柵|看板).{0,4}(倒れ|落ち)"
    r"|(ふた|蓋)が?(ない|無い|なく)|マンホール|側溝|グレーチング|電線"
    # A car fallen or caught in the road (道路が…車が一台落ちてます),
    # whatever the hole is called (感没, a typo).
    r"|(道路|路面|道|穴|あな).{0,12}(?<!自転)(?<![電駐])(車|くるま)が?.{0,6}(落ち|はま)"
    r"|(?i:pothole|\bhole\b|manhole|missing|broken|fallen|fell (on|in)|branch"
    r"|\b(orete|oreta|kowarete|kowareta|hazurete|warete|kanbotsu|ana ga)\b"
    r"|(wall|fence) collapsed)"
)


@dataclass(frozen=True)
class _Rules:
    """The patterns of the emergency and crime tests, for one form of the text."""

    emergency: re.Pattern
    crime: re.Pattern
    theft: re.Pattern
    part_stolen: re.Pattern
    no_fault: re.Pattern
    no_fault_unless_cause: re.Pattern
    fault_cause: re.Pattern
    not_happening: re.Pattern
    settled: re.Pattern
    story_before: re.Pattern
    worry: re.Pattern
    happened: re.Pattern
    guess: re.Pattern
    nobody: re.Pattern
    insect: re.Pattern
    attacker: re.Pattern
    animal: re.Pattern

    def folded(self) -> _Rules:
        """Return the same rules with katakana folded into hiragana, for text
        folded the same way (ナイフ becomes ないふ and still matches)."""
        return _Rules(
            **{
                name: re.compile(fold_kana(pattern.pattern))
                for name, pattern in vars(self).items()
            }
        )


_AS_TYPED = _Rules(
    emergency=EMERGENCY,
    crime=CRIME,
    theft=_THEFT,
    part_stolen=_PART_STOLEN,
    no_fault=_NO_FAULT,
    no_fault_unless_cause=_NO_FAULT_UNLESS_CAUSE,
    fault_cause=_FAULT_CAUSE,
    not_happening=_NOT_HAPPENING,
    settled=_SETTLED,
    story_before=_STORY_BEFORE,
    worry=_WORRY,
    happened=_HAPPENED,
    guess=_GUESS,
    nobody=_NOBODY,
    insect=_INSECT,
    attacker=_ATTACKER,
    animal=_ANIMAL,
)
_FOLDED = _AS_TYPED.folded()


def _forms(text: str) -> list[tuple[str, _Rules]]:
    """Return ``text`` after NFKC, without invisible characters, with the rules as
    written, and, when it has katakana, folded into hiragana with the folded rules
    (ｶｼﾞ becomes かじ). A text in romaji alone is also spelled in hiragana
    without its word spaces (kaji desu becomes かじです), as the intent
    classifier takes it for Japanese."""
    normalized = visible_nfkc(text)
    folded = fold_kana(normalized)
    forms = [(normalized, _AS_TYPED)]
    if folded != normalized:
        forms.append((folded, _FOLDED))
    spelled = romaji_spelling(normalized)
    if spelled is not None:
        forms.append(("".join(spelled.split()), _FOLDED))
    return forms


def is_crime(text: str) -> bool:
    """Tell whether ``text`` speaks of a crime that happened, a matter for the
    police: not a worry about one (痴漢が心配), hearsay, an insect's sting or a
    fight of animals."""
    return any(_is_crime(form, rules) for form, rules in _forms(text))


def _is_crime(text: str, rules: _Rules) -> bool:
    if rules.insect.search(text) and not rules.attacker.search(text):
        text = text.replace("刺され", " ")
    if rules.animal.search(text):
        text = re.sub("喧嘩|けんか", " ", text)
    if rules.settled.search(text):
        return False
    for pattern in (rules.crime, rules.theft):
        for match in pattern.finditer(text):
            # A passive form (襲われ, つけられ) means it happened, unless a guess
            # follows at once (盗まれたのかも).
            passive = match.group().endswith("れ") and not rules.guess.match(
                text, match.end()
            )
            if not passive and _only_a_worry(text, match.end(), rules):
                continue
            if rules.nobody.match(text, match.end()):
                continue
            if pattern is rules.theft and rules.part_stolen.search(text):
                continue
            return True
    return False


def _only_a_worry(text: str, start: int, rules: _Rules) -> bool:
    """Tell whether a worry word follows ``start`` closely, before any sign that
    something happened (痴漢が心配, but not 痴漢にあいました。怖かった), and
    nothing after it says that the danger is there now (強盗が入ってきそう！
    今玄関の外にいる)."""
    worry = rules.worry.search(text, start, start + 12)
    if worry is None:
        return False
    if _THERE_NOW.search(text, worry.end()):
        return False
    # Searched to the end of the text, so that a lookahead reads past the worry:
    # られ in 隠れられそう is no passive.
    happened = rules.happened.search(text, start)
    return happened is None or happened.start() >= worry.start()


# A danger that is there now, after a worry: 今玄関の外にいる. Not 今日, 今度
# or 今週, which name a day, nor the writer coming home (いま帰ってきた).
_THERE_NOW = re.compile(
    r"(今|いま)(?![日度週月年後回夜晩朝]|まで)[^。!?！？]{0,12}"
    r"(?<!帰って)(?<!かえって)(?<!戻って)(?<!もどって)"
    r"(いる|います|いて|来て|きて|来た|きた)"
    # Still there: 玄関の前にまだいる.
    r"|まだ\s?(いる|います|いて)"
)


def is_emergency(text: str) -> bool:
    """Tell whether ``text`` speaks of a danger to life or safety happening now:
    EMERGENCY or a crime (see :func:`is_crime`), not hearsay, a settled matter or
    a general or conditional mention (火事の時は, 倒れたとき)."""
    return any(
        _happening(rules.emergency, form, rules) or _is_crime(form, rules)
        for form, rules in _forms(text)
    )


def is_crisis(text: str) -> bool:
    """Tell whether ``text`` speaks of wanting to die or of ending one's life now
    (死にたい, 飛び降りる), not figuratively (忙しくて死にそう) or in general."""
    return any(_happening(_CRISIS, form, rules) for form, rules in _forms(text))


def rules_out_report(text: str) -> bool:
    """Tell whether ``text`` is an emergency that no fault report fits.

    A crime, a fire, an explosion, someone drowning and a wish to die always are.
    Someone unconscious, hurt, ill, missing or in an accident is too, unless the
    text names a fault that may have caused it (a hole, a broken lid, a fallen
    tree). 119/110 is then the only reply that fits.
    """
    return any(_rules_out(form, rules) for form, rules in _forms(text))


def _rules_out(text: str, rules: _Rules) -> bool:
    if _is_crime(text, rules) or _happening(rules.no_fault, text, rules):
        return True
    return _happening(
        rules.no_fault_unless_cause, text, rules
    ) and not rules.fault_cause.search(text)


def _happening(pattern: re.Pattern, text: str, rules: _Rules) -> bool:
    """Tell whether ``pattern`` finds an event that happens now in ``text``."""
    if rules.settled.search(text):
        return False
    return any(
        not rules.not_happening.match(text, match.end())
        and not rules.story_before.search(
            text, max(0, match.start() - 12), match.start()
        )
        for match in pattern.finditer(text)
    )
