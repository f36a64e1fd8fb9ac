"""Every Japanese text that residents see, in one place.

Texts are polite, short and plain. Keep each one within LINE's limits (5,000 UTF-16
code units for a text message, 300 for a button label's altText is generous) and keep
placeholders in ``str.format`` style so that wording can change without touching code.
"""

# --- Core: welcome, small talk, answers, errors ------------------------------------

WELCOME_TEMPLATE = (
    "友だち追加ありがとうございます。{city_name}のLINE公式アカウントです。\n"
    "\n"
    "できること\n"
    "1. 市の手続きや施設についての質問に、関係する市のページでお答えします。"
    "文章でそのまま送ってください。\n"
    "2. 道路の穴、消えた街路灯、倒れそうな木、公園や下水の不具合を、"
    "写真と場所で通報できます。下の「通報する」から始められます。\n"
    "3. 防災やイベントなど、選んだ分野のお知らせを受け取れます。"
    "下の「受信設定」から分野を選べます。\n"
    "\n"
    "{safety_note}\n"
    "受信設定の内容は、お知らせを届けることと人数の集計だけに使います。"
    "ブロックすると、このアカウントに保存された設定は削除されます。"
)
# Safety sentences of the welcome. New friends start subscribed to the safety
# category, and with CITYLINE_SAFETY_USES_LINE_BROADCAST its unfiltered
# broadcasts go to every friend whatever their settings.
WELCOME_SAFETY_ON = (
    "「{safety}」のお知らせは、はじめから受け取る設定になっています。"
    "止めるときは「受信設定」から変更できます。"
)
WELCOME_SAFETY_TO_ALL = "「{safety}」のお知らせは、友だち全員にお送りします。"
# A follow event from a friend whose receive settings are kept.
WELCOME_SETTINGS_KEPT = (
    "お知らせの受信設定は、これまでのままです。「受信設定」から確かめられます。"
)

GREETING_REPLY = (
    "こんにちは。市についての質問を文章で送ってください。"
    "関係する市のページをお知らせします。"
)
# The first word of GREETING_REPLY, replaced by the morning or evening greeting.
GREETING_DAYTIME = "こんにちは"
GREETING_MORNING = "おはようございます"
GREETING_EVENING = "こんばんは"
THANKS_REPLY = "どういたしまして。ほかにもご質問があれば、いつでも送ってください。"
# For chat that asks nothing: がんばってください, 今日は寒いですね.
CHAT_REPLY = (
    "メッセージありがとうございます。市についての質問を文章で送ると、"
    "関係する市のページをお知らせします。道路や公園などの不具合は"
    "「通報する」から知らせられます。"
)
# For おやすみなさい or さようなら, which close a chat.
FAREWELL_REPLY = (
    "ご利用ありがとうございました。市についての質問は、いつでも送ってください。"
)
HELP_TEXT = (
    "使い方\n"
    "・質問：「粗大ごみの出し方」のように文章で送ると、関係する市のページをお知らせします。\n"
    "・通報：「通報する」を押すと、道路や街路灯などの不具合を写真と場所で知らせられます。\n"
    "・お知らせ：「受信設定」を押すと、受け取る分野を選べます。\n"
    "・ブロックすると、このアカウントに保存された受信設定と回答は削除されます。"
)
RECEIVE_SETTINGS_UNAVAILABLE = (
    "お知らせの受信設定は、いまは準備中です。もうしばらくお待ちください。"
)

ANSWER_ALT_TEXT = "関係しそうなページ：{titles}"
OPEN_PAGE_LABEL = "ページを開く"
UNTITLED_PAGE = "市のページ"
# A title that two pages of one reply share, with the part of the site each
# sits in: がん検診（健康診査・がん検診）.
SECTIONED_TITLE_TEMPLATE = "{title}（{section}）"
# The city office's hours, as the replies word them: when staff read reports
# and when the office answers questions by phone. {span} is
# Settings.office_hours.span; the days are the rules of
# webhook.reports.office_hours, which computes the next such time.
OFFICE_HOURS_TEMPLATE = "開庁時間（平日 {span}。祝日と12月29日〜1月3日を除く）"
# Texts that give the city office to call. contact_route.contact_text fills in
# city_hall (Settings.city_hall_name), phone and office_hours. A text that sends
# residents to call with a question gives the office hours; one for urgent
# matters does not.
FALLBACK_TEMPLATE = (
    "申し訳ありません。お答えできるページが見つかりませんでした。"
    "{office_hours}に{city_hall}（電話 {phone}）へお問い合わせください。"
)
TENTATIVE_ANSWER_TEMPLATE = (
    "お尋ねの内容に合うページか、確かではありません。近い内容のページをお送りします。"
    "答えが見つからないときは、"
    "{office_hours}に{city_hall}（電話 {phone}）へお問い合わせください。"
)
# The sentence comes from the outside services file and names the office
# that handles what the resident asked about.
OUTSIDE_SERVICE_TEMPLATE = (
    "{sentence}市のホームページでは、このご質問に合うページが見つかりませんでした。"
    "市の手続きについては、"
    "{office_hours}に{city_hall}（電話 {phone}）へお問い合わせください。"
)
ANSWERER_UNAVAILABLE_TEMPLATE = (
    "ただいま質問にお答えできません。時間をおいて送り直すか、"
    "{office_hours}に{city_hall}（電話 {phone}）へお問い合わせください。"
)
GROUP_HELP = (
    "市のホームページから答えを探します。"
    "このアカウントをメンションして、質問を文章で送ってください。"
)

ONE_TO_ONE_ONLY = (
    "通報と受信設定は、この公式アカウントとの1対1のトークで受け付けています。"
    "アカウントのトーク画面を開いてから、もう一度お試しください。"
)

REPORTS_UNAVAILABLE_TEMPLATE = (
    "LINEでの通報の受付は準備中です。お急ぎの場合は{city_hall}（電話 {phone}）へ"
    "ご連絡ください。"
)

QUICK_REPORT = "通報する"
QUICK_SETTINGS = "受信設定"
QUICK_HELP = "使い方"

STICKER_REPLY = "スタンプありがとうございます。質問は文章で送ってください。"
UNSUPPORTED_MESSAGE = (
    "動画・音声・ファイルにはお答えできません。質問は文章で送ってください。"
)
# A message type this account does not know (LINE may add more).
UNKNOWN_MESSAGE = (
    "この種類のメッセージにはお答えできません。質問は文章で送ってください。"
)
IMAGE_WITHOUT_REPORT = (
    "写真を受け取りました。不具合の通報は「通報する」から始めてください。"
)
LOCATION_WITHOUT_REPORT = (
    "位置情報を受け取りました。不具合の通報は「通報する」から始めてください。"
)
UNKNOWN_POSTBACK = "この操作は受け付けられませんでした。もう一度お試しください。"
HANDLING_FAILED = (
    "申し訳ありません。うまく処理できませんでした。時間をおいてもう一度お試しください。"
    "お急ぎの場合は{city_hall}（電話 {phone}）へご連絡ください。"
)

# --- Fault reports --------------------------------------------------------------------

REPORT_CATEGORY_LABELS = {
    "road": "道路",
    "streetlight": "街路灯",
    "tree": "街路樹",
    "park": "公園",
    "sewer": "下水道",
    "other": "その他",
}
REPORT_STATUS_LABELS = {
    "submitted": "受付前（確認待ち）",
    "accepted": "受付済み",
    "in_progress": "対応中",
    "resolved": "対応済み",
    "not_city_managed": "市の管理外（管理者へ連絡）",
    "rejected": "受付できませんでした（情報不足）",
    "removed": "削除",
}
REPORT_BUTTON_CANCEL = "やめる"
REPORT_BUTTON_SUBMIT = "送信"
REPORT_BUTTON_CHANGE_CATEGORY = "種類を変える"
REPORT_BUTTON_CHANGE_PLACE = "場所を変える"
REPORT_BUTTON_SKIP = "スキップ"
REPORT_BUTTON_NEXT = "次へ"
REPORT_BUTTON_CAMERA = "カメラで撮る"
REPORT_BUTTON_CAMERA_ROLL = "写真を選ぶ"
REPORT_BUTTON_LOCATION = "位置情報を送る"
REPORT_BUTTON_START = "通報する"

REPORT_ASK_CATEGORY = (
    "道路・街路灯・街路樹・公園・下水道の不具合をお知らせいただけます。\n"
    "どの種類ですか。下のボタンから選んでください。"
)
REPORT_ASK_CATEGORY_AGAIN = (
    "種類を下のボタンから選んでください。通報をやめるときは「やめる」と送ってください。"
)
REPORT_ASK_PHOTO = (
    "「{category}」の通報ですね。\n"
    "不具合の様子がわかる写真を送ってください（最大{max_photos}枚）。"
    "通報には写真が必要です。"
)
REPORT_ASK_PHOTO_AGAIN = (
    "通報には写真が必要です。下のボタンから写真を送ってください。"
    "やめるときは「やめる」と送ってください。"
)
# A resident who has or can take no photo; {city_hall} and {phone} as in
# contact_text.
REPORT_NO_PHOTO_ROUTE = (
    "LINEの通報には写真が必要です。写真を送れないときは、"
    "{office_hours}に{city_hall}（電話 {phone}）へお電話でお知らせください。"
)
# A question whether a report needs a photo; {city_hall} and {phone} as in
# contact_text.
REPORT_PHOTO_NEEDED = (
    "LINEの通報には、不具合の写真（1〜3枚）と場所が必要です。"
    "写真を送れないときは、"
    "{office_hours}に{city_hall}（電話 {phone}）へお電話でお知らせください。"
)
# A resident who does not know the place or how to send it.
REPORT_PLACE_HELP = (
    "「位置情報を送る」を押すと地図が開きます。不具合の場所にピンを合わせて送ってください。"
    "地図が使えないときは、町名と丁目・番地か、近くの目印（〇〇公園、〇〇交差点など）を"
    "入力してください。どちらも難しいときは、"
    "{office_hours}に{city_hall}（電話 {phone}）へお電話でお知らせください。"
)
# A detail of the fault typed at the photo step, kept for staff.
REPORT_DETAIL_KEPT = "説明を受け取りました。"
REPORT_PHOTO_STEP_MORE = (
    "写真は{count}枚受け取っています。ほかにも写真があれば送り、"
    "終わったら「次へ」を押してください。"
)
# Another text at the photo step once a photo is in: the text is not kept there.
REPORT_PHOTO_STEP_TEXT = (
    "写真は{count}枚受け取っています。ほかにも写真があれば送ってください。"
    "終わったら「次へ」を押してください。説明の文は、このあとで送れます。"
)
REPORT_PHOTO_RECEIVED = (
    "写真を受け取りました（{count}/{max_photos}枚）。"
    "ほかにも写真があれば送ってください。終わったら「次へ」を押してください。"
)
REPORT_PHOTO_RECEIVED_LAST = "写真を受け取りました（{count}/{max_photos}枚）。"
# A question how many photos a report may have, asked while photos are sent.
REPORT_PHOTO_COUNT = "写真は1回の通報につき{max_photos}枚まで送れます。"
REPORT_PHOTO_LIMIT = "写真は{max_photos}枚までです。これ以上は受け付けられません。"
# Photos sent together beyond the limit: the ones that came first are kept.
REPORT_PHOTO_SET_LIMIT = (
    "写真は{max_photos}枚までのため、今回送られた写真のうち、"
    "先に届いた{kept}枚だけを受け取りました。"
)
REPORT_PHOTO_SET_NONE_KEPT = (
    "写真は{max_photos}枚までのため、今回送られた写真は受け取れませんでした。"
)
REPORT_PHOTO_TOO_LARGE = (
    "写真のサイズが大きすぎます（{max_mb} MBまで）。小さくしてから送ってください。"
)
# A picture of more pixels than a camera takes, however few bytes it has.
REPORT_PHOTO_TOO_MANY_PIXELS = (
    "写真の画素数が多すぎます。カメラで撮ったままの写真を送ってください。"
)
REPORT_PHOTO_INVALID = (
    "お送りいただいたファイルは写真（画像）として読み取れませんでした。"
    "別の写真を送ってください。"
)
REPORT_PHOTO_FAILED = (
    "写真を受け取れませんでした。お手数ですが、もう一度送ってください。"
)
REPORT_ASK_LOCATION = (
    "場所を教えてください。「位置情報を送る」ボタンで地図から選ぶか、"
    "町名と丁目・番地（例：吉祥寺本町1丁目2番、境南町2-3付近）を入力してください。"
)
# A complaint of neighbours, animals or parked vehicles, which no report fits;
# {city_hall} and {phone} as in contact_text.
REPORT_NOT_A_FACILITY = (
    "LINEの通報は、市が管理する道路・街路灯・街路樹・公園・下水道の"
    "不具合をお受けしています。騒音や動物、駐車などのお困りごとは、"
    "{office_hours}に{city_hall}（電話 {phone}）へご相談ください。"
    "身の危険を感じるときは110番へ。"
)
# A question on where or how to report a fault of a managed kind; {city_hall}
# and {phone} as in contact_text.
REPORT_HOW_TO = (
    "道路・街路灯・街路樹・公園・下水道の不具合は、このLINEで通報できます。"
    "下の「通報する」を押すか、不具合の写真を送ってください。"
    "写真と場所（位置情報か住所）がそろうと送信できます。"
    "担当者が{office_hours}に確認します。"
    "急ぎのときは{city_hall}（電話 {phone}）へお電話ください。"
)
REPORT_ASK_LOCATION_AGAIN = (
    "場所がわかりませんでした。「位置情報を送る」ボタンを使うか、"
    "町名と丁目・番地（例：中町1丁目5番）を入力してください。"
)
# A typed address with a block that its town does not have (中町9丁目).
REPORT_NO_SUCH_BLOCK = (
    "{town}は1丁目から{last}丁目までで、{town}{block}丁目は見つかりませんでした。"
    "丁目を確かめて、もう一度入力してください。"
)
REPORT_ASK_LOCATION_DETAIL = (
    "町名だけでは場所を特定できません。丁目・番地（例：中町1丁目5番）か、"
    "近くの目印（〇〇公園、〇〇交差点など）も入力するか、"
    "「位置情報を送る」ボタンで地図から選んでください。"
)
# A photo or a location sent with no report under way starts one.
# A photo sent soon after a report was sent, which starts a new one.
REPORT_PHOTO_AFTER_SENT = (
    "受付番号 {receipt_no} の通報は送信済みのため、この写真は新しい通報として"
    "受け取りました。送信済みの通報に写真を足すことはできません。"
)
REPORT_STARTED_BY_PHOTO = (
    "写真を不具合の通報として受け取りました（{count}/{max_photos}枚）。"
    "通報でなければ「やめる」を押してください。"
)
REPORT_STARTED_BY_LOCATION = (
    "位置情報を不具合の通報の場所として受け取りました。"
    "通報でなければ「やめる」を押してください。"
)
REPORT_LOCATION_RECEIVED_EARLY = "場所を受け取りました。"
# A new place typed after the location step (場所はやっぱり中町2丁目3番です).
REPORT_PLACE_CHANGED = "場所を「{place}」に直しました。"
# A category corrected in words after it was known (道路じゃなくて公園でした).
REPORT_CATEGORY_CHANGED = "種類を「{category}」に直しました。"
# A correction that names the category the report has already.
REPORT_CATEGORY_SAME = "種類はすでに「{category}」になっています。"
# A faulty traffic signal: the police run signals, so the city takes no report.
REPORT_SIGNAL_IS_POLICE = (
    "信号機は警察が管理しているため、市では通報を受け付けていません。"
    "信号が消えている、点滅したままなど危険なときは110番へ、"
    "急がないときは最寄りの警察署へ連絡してください。"
)
# Hearsay of a suspicious person or car (不審者がいるらしい), which is for the
# police. #9110 is the police's consultation line for matters that are no
# emergency. {safety} is the name of the safety category.
# NOTE: the text assumes that the safety category carries crime-prevention
# notices, as the default one's description (防犯) says. A city whose
# category file says otherwise should reword it.
SUSPICIOUS_PERSON_ROUTE = (
    "不審な人や車を見て身の危険を感じるときや、事件が起きているときは、"
    "すぐに110番へ電話してください。急ぎでない不審者の情報や防犯の相談は、"
    "最寄りの警察署か、警察相談専用電話（#9110）へお寄せください。"
    "市からの防犯の情報は、このアカウントの「{safety}」のお知らせでお送りしています。"
    "受け取るかどうかは「受信設定」で確かめられます。"
)
REPORT_OUTSIDE_CITY_SENT = (
    "この場所は{city_name}の外か、市の管理ではない可能性があります。"
    "担当者が管理者を確認します。"
)
REPORT_OUTSIDE_CITY = (
    REPORT_OUTSIDE_CITY_SENT
    + "場所が違うときは、位置情報を送り直すか、確認画面の「場所を変える」で直せます。"
)
# A location far outside the city, not taken; {city_name} as in
# REPORT_OUTSIDE_CITY.
REPORT_FAR_OUTSIDE = (
    "送っていただいた場所は{city_name}から離れているため、この通報ではお受けできません。"
    "その地域の市区町村などにご連絡ください。場所を間違えたときは、"
    "「位置情報を送る」で送り直してください。"
)
REPORT_ASK_NEW_LOCATION = (
    "新しい場所を、「位置情報を送る」ボタンで地図から選ぶか、"
    "住所や近くの目印（例：中町1丁目5番、〇〇公園の入口）で入力してください。"
)
REPORT_ASK_COMMENT = (
    "補足があれば入力してください（例：いつから、どのくらい危ないか）。"
    "なければ「スキップ」を押してください。"
)
REPORT_CONFIRM = (
    "この内容で送信しますか。\n"
    "種類：{category}\n"
    "写真：{photo_count}枚\n"
    "場所：{place}\n"
    "補足：{comment}"
)
REPORT_CONFIRM_NO_COMMENT = "なし"
REPORT_CONFIRM_PLACE_POINT = "地図で指定した地点（{latitude:.5f}, {longitude:.5f}）"
# Before the answer to a question typed in the middle of a report.
REPORT_DRAFT_KEPT = (
    "作成中の通報はそのまま残っています。続けるときは「通報する」を押してください。"
)
# A cancel word (やめる, キャンセル) sent with no report under way.
NOTHING_TO_CANCEL = "作成中の通報はありません。質問はそのまま入力してください。"
# After a comment with a phone number or an e-mail address. The city removes
# reports with other people's personal data, and promises no individual reply.
REPORT_COMMENT_CONTACT_DETAILS = (
    "通報の文に電話番号やメールアドレスが含まれています。ほかの人の個人情報を含む通報は"
    "削除することがあります。個別のご返信はお約束できないため、ご自身の連絡先も"
    "不要です。書き直すときは、通報をやめて送り直してください。"
)
# After a report's first text that names a place the city may not manage: a
# national or metropolitan road, a station or railway, private land or a
# building's common parts. Reports of such places may be removed.
REPORT_OTHER_OWNER = (
    "国道・都道や都立公園、駅や線路、マンション・私道などの私有地は、"
    "市の管理ではないことがあります。"
    "その場合、市では対応できず、通報を削除することがあります。"
    "管理する国・東京都・鉄道会社・管理会社などにもご連絡ください。"
)
# After a report's first text or comment longer than the stored limit ({limit},
# in UTF-16 code units, where an emoji counts twice).
REPORT_COMMENT_CUT = (
    "文が長いため、最初の約{limit}文字までを保存しました。"
    "場所など大切なことが後半にあるときは、通報をやめて、短くまとめて送り直してください。"
)
REPORT_CONFIRM_AGAIN = "「送信」か「やめる」を押してください。"
# いいえ or 送らないで at the confirmation: nothing is sent or added.
# The reply to 送らないでください before the confirmation. The step's prompt,
# which offers やめる, follows it.
REPORT_ASK_CANCEL = (
    "まだ送信していません。通報をやめるときは「やめる」を押してください。"
)
# The reply to a text stating that the fault is repaired or was seen wrongly,
# typed while a report is written. The step's prompt, which offers やめる,
# follows it.
REPORT_TAKEN_BACK = (
    "通報が不要になったときは「やめる」を押してください。"
    "作成中の通報を取り消し、送信しません。"
)
REPORT_NOT_SENT_YET = (
    "まだ送信していません。直すところがあれば下のボタンで選び、"
    "通報をやめるときは「やめる」を押してください。"
)
# Before the confirmation, after a detail typed there was added to the comment.
REPORT_COMMENT_ADDED = "補足に追加しました。"
REPORT_COMMENT_DELETED = "補足を消しました。"
REPORT_SUBMITTED = (
    "通報を送信しました。受付番号は {receipt_no} です。\n"
    "担当：{department}\n"
    "担当者が"
    "{office_hours}に写真と場所を確認し、確認できた時点で正式な受付となります。"
)
# A question, while a report is written, about what happens after sending it
# (いつ直りますか, 返事はもらえますか).
REPORT_AFTER_SENDING = (
    "送信された通報は、担当者が"
    "{office_hours}に写真と場所を確認します。修理の時期や結果を個別にお知らせすることは"
    "お約束できませんが、受け付けた通報と対応の結果は、個人情報を除いて"
    "市のホームページで公開します。"
)
REPORT_NEXT_CONFIRMATION = "次の確認は {when} 以降になります。"
REPORT_NO_INDIVIDUAL_REPLY = "個別のご返信はお約束できませんので、ご了承ください。"
# The reply to a question about a report already sent (R2026-000001の状況は,
# 通報したのに返事がない). {city_hall} and {phone} as in contact_text.
REPORT_STATUS_TEMPLATE = (
    "送っていただいた通報は、担当者が"
    "{office_hours}に確認します。個別のご返信はお約束できませんが、受け付けた通報と"
    "対応の結果は、個人情報を除いて市のホームページで公開します。"
    "急ぎのときは{city_hall}（電話 {phone}）へお電話ください。"
)
# Sent before the usual reply to a message about a fire, a medical emergency, an
# accident or a crime (webhook.emergency.EMERGENCY), at any hour.
EMERGENCY_FIRST = (
    "火事や急病、けが、事故、事件など、命や身の安全に関わるときは、"
    "すぐに119番（火事・救急）か110番（事件・事故）へ電話してください。"
    "このLINEでは緊急の通報を受け付けていません。"
)
# For a text about wanting to die, in place of EMERGENCY_FIRST. 0570-064-556 is
# the health ministry's common number for mental health lines
# (こころの健康相談統一ダイヤル), which connects to the caller's own prefecture.
CRISIS_FIRST = (
    "つらい気持ちを伝えてくれてありがとうございます。"
    "命の危険が迫っているときは、すぐに119番（救急）か110番（警察）へ電話してください。"
    "話を聞いてもらいたいときは、こころの健康相談統一ダイヤル 0570-064-556"
    "（お住まいの地域の公的な相談窓口につながります）にも相談できます。"
)
# The urgent reply is one message made of these lines, joined with newlines in
# this order. The 110/119 line comes first because it works at any hour.
REPORT_URGENT_EMERGENCY_CALL = (
    "人に危険が迫っているときは、すぐに110番（警察）か119番（消防・救急）へ"
    "電話してください。"
)
REPORT_URGENT_GAS = (
    "ガスのにおいがするときは、火を使わずにガス会社の緊急連絡先へ電話してください。"
)
REPORT_URGENT_CITY_HALL = (
    "道路の陥没や倒木など、市の施設の急ぎの連絡は{city_hall}（電話 {phone}）へ。"
)
REPORT_URGENT_STAFF_DURING_HOURS = "送信された通報は、担当者が開庁時間内に確認します。"
# After the city hall line, which takes urgent calls: only LINE reports wait.
REPORT_URGENT_STAFF_AFTER_HOURS = (
    "今は閉庁中のため、LINEの通報の確認は {when} 以降です。"
)
REPORT_URGENT_CONTINUE = "このまま通報を続けることもできます。"

# After a text at the photo or location step that describes another fault: one
# report contains one fault, so the second needs a report of its own.
REPORT_ONE_FAULT_EACH = (
    "1回の通報で知らせられる不具合は1件です。別の不具合は、この通報を送ったあとで"
    "改めてお知らせください。"
)

# After a first text that describes a fault beside a question or another matter:
# the report starts, and the other matter waits.
REPORT_OTHER_MATTER_LATER = (
    "ほかのご用件は、この通報を送ったあとで改めて送ってください。"
)

# The last line of the reply after sending, for every report.
REPORT_SUBMITTED_URGENT_ROUTE = (
    "人に危険が迫っているときは110番・119番へ、道路などの緊急の連絡は"
    "{city_hall}（電話 {phone}）へお電話ください。"
)

# The reply to a text at the comment step that looks like a question. {text} is
# the start of that text.
REPORT_QUESTION_AT_COMMENT = (
    "「{text}」は質問のようです。通報の補足にしますか。\n"
    "質問として送ると回答をお送りします。作成中の通報はそのまま残り、"
    "続けて補足を入力できます。"
)
REPORT_BUTTON_USE_AS_COMMENT = "補足にする"
REPORT_BUTTON_SEND_AS_QUESTION = "質問として送る"

# The comment step of a report whose category and text name no object.
REPORT_ASK_DESCRIPTION = (
    "何がどうなっているかを短く入力してください（例：看板が倒れそう、"
    "歩道に物が置かれている）。担当者が内容を確かめるために必要です。"
)
REPORT_DESCRIPTION_REQUIRED = (
    "この通報には説明が必要です。何がどうなっているかを短く入力してください。"
)

REPORT_LOCATION_INVALID = (
    "位置情報を読み取れませんでした。もう一度「位置情報を送る」で送るか、"
    "町名と丁目・番地を入力してください。"
)
REPORT_DUPLICATE_NOTE = (
    "近くで同じ種類の通報がすでに寄せられています。担当者があわせて確認します。"
)
REPORT_CANCELLED = "通報を取り消しました。またいつでもお知らせください。"
REPORT_NOTHING_TO_CANCEL = "作成中の通報はありません。"
# A draft that expired after {idle} (30分, or 24時間 at the confirmation).
REPORT_EXPIRED = (
    "{idle}以上操作がなかったため、作成中の通報は送信されないまま取り消されました。"
    "通報するときは、もう一度「通報」と送ってください。"
)
# The same, when the message that found the draft expired starts a new one.
REPORT_EXPIRED_NEW_DRAFT = (
    "{idle}以上操作がなかったため、作成中だった通報は送信されないまま取り消されました。"
    "今回の内容は、新しい通報として受け付けます。"
)
# The last line of the reply that starts a draft: {idle} and {complete_idle}
# are how long a draft may stay untouched before it reaches the comment step
# and from then on (30分, 24時間).
REPORT_IDLE_NOTE = (
    "操作がないまま{idle}たつと、作成中の通報は送信されずに取り消されます"
    "（補足の入力か送信の確認まで進んだあとは{complete_idle}）。"
)
# A photo of a set sent together that arrives after its report was sent or
# cancelled.
REPORT_LATE_SET_PHOTO = (
    "この写真は、送信または取り消しが済んだ通報の写真として遅れて届いたため、"
    "受け取っていません。別の通報にするときは、もう一度写真を送ってください。"
)
REPORT_ALREADY_SUBMITTED = "この通報は受付番号 {receipt_no} で受け付け済みです。"
# A request to cancel, correct or add to a report already sent;
# {city_hall} and {phone} as in contact_text.
REPORT_CHANGE_ROUTE = (
    "送信済みの通報は、LINEでは取り消しや変更、写真の追加ができません。"
    "取り消したいときや内容を直したいときは、受付番号を添えて"
    "{office_hours}に{city_hall}（電話 {phone}）へご連絡ください。"
)
# After REPORT_ALREADY_SUBMITTED, for a tap on a button of a sent report.
REPORT_CORRECTION_ROUTE = (
    "内容を直したいときは、受付番号を添えて{city_hall}（電話 {phone}）へ"
    "ご連絡ください。"
)
# A text that takes a fault back (見間違いでした) with no report under way and
# none sent within {within} (24時間). {office_hours}, {city_hall} and {phone}
# are filled by contact_text, for a report sent before that.
REPORT_NOTHING_TO_TAKE_BACK = (
    "作成中の通報はなく、この{within}以内にLINEから送信された通報もありません。"
    "それより前に送った通報を取り消したいときは、受付番号を添えて"
    "{office_hours}に{city_hall}（電話 {phone}）へご連絡ください。"
)
REPORT_DRAFT_NOT_FOUND = (
    "この通報の内容が見つかりませんでした。もう一度「通報」から始めてください。"
)
REPORT_IN_PROGRESS = "作成中の通報があります。続けて入力してください。"
# Before the step's prompt, after a reply to a text that the draft does not
# take, such as a question about a report already sent.
REPORT_DRAFT_OPEN = "作成中の通報は、まだ送信していません。このまま続けられます。"
# Thanks typed while a report is written, before the step's prompt.
REPORT_THANKS_IN_DRAFT = "どういたしまして。" + REPORT_DRAFT_OPEN
# A tap on a button of an earlier report while another one is being written.
REPORT_STALE_BUTTON = "この操作は前の通報のものです。作成中の通報を続けてください。"
# A button of an earlier step of the same report (スキップ while the category is
# asked).
REPORT_OLD_STEP_BUTTON = (
    "そのボタンは前のメッセージのものです。下の質問にお答えください。"
)
REPORT_RATE_LIMITED = (
    "LINEでの通報は、24時間に{max_reports}件までお送りいただけます。"
    "最初の通報から24時間たつと、また送れるようになります。"
    "急ぐときは{city_hall}（電話 {phone}）へお電話ください。"
)
REPORT_UNSUPPORTED_MESSAGE = "写真・位置情報・文字でお送りください。"
REPORT_VIDEO_NOT_PHOTO = (
    "動画は通報の写真として使えません。写真（画像）を送ってください。"
)
# LINE offers to send a photo as a file, for its full quality.
REPORT_FILE_NOT_PHOTO = (
    "ファイルとして送られたものは通報の写真として使えません。"
    "写真は、トーク画面の写真ボタンから画像として送ってください。"
)

# Public results on the city site and the Open311 service list.
REPORT_PUBLIC_TITLE = "道路・公園などの不具合の通報と対応状況"
REPORT_PUBLIC_INTRO = (
    "LINEで寄せられた通報のうち、担当課が確認したものです。"
    "場所は約100メートル単位で示しています。"
)
REPORT_PUBLIC_UPDATED = "更新：{generated}（{count}件）"
REPORT_PUBLIC_HEADINGS = {
    "receipt_no": "受付番号",
    "category": "種類コード",
    "category_name": "種類",
    "department": "担当課",
    "status": "状況コード",
    "status_name": "状況",
    "created_at": "通報日時",
    "accepted_at": "受付日時",
    "updated_at": "更新日時",
    "closed_at": "完了日時",
    "latitude": "緯度（約100m単位）",
    "longitude": "経度（約100m単位）",
    "town": "町名",
    "result_note": "対応結果",
}
REPORT_SERVICE_DESCRIPTION = "{category}の不具合の通報"

# --- Receive settings and broadcasts -------------------------------------------------

RECV_TITLE = "受信設定"
RECV_INTRO = "受け取るお知らせを選んでください。"
RECV_STATE_ON = "✅ {category}"
RECV_STATE_OFF = "⬜ {category}"
RECV_BUTTON_ON = "受け取る"
RECV_BUTTON_OFF = "停止する"
RECV_DISPLAY_ON = "「{category}」を受け取る"
RECV_DISPLAY_OFF = "「{category}」を停止する"
RECV_ATTRIBUTES_TITLE = "任意の回答"
RECV_ATTRIBUTES_NOTE = (
    "答えると、お住まいの地域や年代に向けたお知らせも届きます。"
    "答えなくても、選んだお知らせは届きます。"
)
RECV_ATTRIBUTE_NAMES = {"gender": "性別", "age_band": "年代", "area": "お住まいの地域"}
RECV_ATTRIBUTE_ROW = "{attribute}：{value}"
RECV_NO_ANSWER = "回答しない"
RECV_BUTTON_CHANGE = "変更"
RECV_BUTTON_DELETE = "設定と回答をすべて削除"
RECV_DISPLAY_DELETE = "受信設定を削除"
RECV_PRIVACY_NOTE = (
    "設定と回答は、お知らせを届けることと人数の集計だけに使います。"
    "市が個人と結びつけて分析や利用をすることはありません。"
)
RECV_ALT_TEXT = "受信設定：{categories}"
RECV_ALT_TEXT_NONE = "受信設定：受け取るお知らせはありません"
RECV_TURNED_ON = "「{category}」のお知らせを受け取ります。"
RECV_TURNED_OFF = "「{category}」のお知らせを停止しました。"
RECV_SAFETY_CONFIRM = (
    "「{category}」（{description}）を停止しますか。"
    "災害時などの大切なお知らせが届かなくなります。"
)
# With CITYLINE_SAFETY_USES_LINE_BROADCAST, unfiltered safety messages reach every
# friend whatever the setting; only those narrowed by area or another answer stop.
RECV_SAFETY_CONFIRM_TO_ALL = (
    "「{category}」（{description}）を停止しますか。"
    "地域などを絞ったお知らせは届かなくなります。"
    "市内全体への緊急のお知らせは、この設定にかかわらず友だち全員にお送りします。"
)
RECV_SAFETY_OFF_TO_ALL = (
    "市内全体への緊急のお知らせは、この設定にかかわらずお届けします。"
)
RECV_SAFETY_CONFIRM_ALT = "「{category}」を停止しますか"
RECV_SAFETY_CONFIRM_YES = "停止する"
RECV_SAFETY_CONFIRM_NO = "受け取り続ける"
RECV_PICK_TITLE = "{attribute}を選んでください"
RECV_PICK_ALT = "{attribute}を選んでください"
RECV_DISPLAY_PICK = "{attribute}を「{value}」にする"
RECV_ATTRIBUTE_SET = "{attribute}を「{value}」にしました。"
RECV_ATTRIBUTE_WITHDRAWN = "{attribute}の回答を取り消しました。"
RECV_ATTRIBUTE_NOT_GIVEN = "{attribute}は未回答のままです。"
RECV_DELETE_CONFIRM = (
    "受信設定と任意の回答をすべて削除しますか。"
    "削除すると、「{safety}」を含め、分野ごとのお知らせが届かなくなります。"
)
RECV_DELETE_CONFIRM_YES = "削除する"
RECV_DELETE_CONFIRM_NO = "削除しない"
RECV_DISPLAY_DELETE_CONFIRMED = "受信設定をすべて削除する"
RECV_NOTHING_TO_DELETE = "削除する受信設定と回答はありません。"
RECV_DELETED = (
    "受信設定と回答をすべて削除しました。分野ごとのお知らせは届かなくなります。"
    "もう一度選ぶときは「受信設定」と送ってください。"
)
RECV_DELETED_SAFETY_TO_ALL = (
    "なお、防災・安全の緊急のお知らせは、友だち全員にお送りすることがあります。"
)
RECV_PRIVATE_CHAT_ONLY = (
    "受信設定は、このアカウントとの1対1のトークで確認・変更できます。"
)
RECV_UNKNOWN_CHOICE = "その選択肢は見つかりませんでした。もう一度選んでください。"

BROADCAST_HEADER = "【{category}】"
BROADCAST_LINK_LABEL = "詳しく見る"
BROADCAST_LINK_ALT_TEXT = "【{category}】詳しくはリンク先をご覧ください"
BROADCAST_QUICK_SETTINGS = "受信設定"
