"""Small talk, thanks and the writer's own matters are questions. Faults that
the lexicon lacks, repairs in other words and English faults are recognised."""

import pytest

from answerer.intent_evidence import has_fault_evidence
from answerer.intent_text import normalize


@pytest.mark.parametrize(
    "text",
    [
        "今日は暑いですね",
        "保険証をどこかに置き忘れてしまいました",
        "昨日送ったメッセージに写真を付け忘れました",
    ],
)
def test_nothing_to_fix_is_a_question(classifier, text):
    assert classifier.classify(text).label == "question"


@pytest.mark.parametrize(
    "text",
    [
        # Stopped, left or noisy: wrong, though the lexicon names none of it.
        "自動ドアが開かなくなっています",
        "裏のアパートの犬が朝まで鳴きやまない",
        # A thing in a state that goes on, in words no list has.
        "池の水が緑色に濁っています",
        # Water like a river, or of a wrong colour.
        "雨のたびに家の前が川みたいになる",
        "水道の水が茶色い",
        # The same with the voiced te form after ん.
        "掲示板の枠が歪んでいます",
        "調整池にごみがたくさん浮かんでる",
        # A machine that does not work.
        "図書館の入口の自動ドアが反応しない",
        "コミセンのエアコン効かない",
    ],
)
def test_something_wrong_without_lexicon_is_a_report(classifier, text):
    assert classifier.classify(text).label == "report"


@pytest.mark.parametrize(
    "text",
    [
        "花壇の枝を片付けていただきました。ありがとうございました",
        "排水口がきれいになっていました。ありがとう",
        "マンホールの音が静かになりました。おおきに",
        # A fault that did not happen.
        "昨夜の大雨でも側溝はあふれなかった",
    ],
)
def test_repair_or_no_fault_is_a_question(classifier, text):
    assert classifier.classify(text).label == "question"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("The toilet in the park does not flush", "park"),
        ("There is a dead bird on the sidewalk", "other"),
        ("big hole in the road near the school", "road"),
    ],
)
def test_english_fault_is_a_report(classifier, text, category):
    intent = classifier.classify(text)
    assert intent.label == "report"
    assert intent.category == category


def test_city_road_off_a_highway_keeps_its_category(classifier):
    text = "〇〇街道から市道に入ったところで、マンホールのふたが浮いています"
    assert classifier.classify(text).category == "sewer"


def test_park_in_kana_is_a_landmark(classifier):
    intent = classifier.classify("がいとう きえてる こうえん の まえ")
    assert intent.category == "streetlight"


@pytest.mark.parametrize(
    "text",
    [
        "サイトは音声の読み上げに対応していますか",
        "壊れた標識は市と都のどっちに言えばいい？",
    ],
)
def test_support_or_whom_to_tell_is_a_question(classifier, text):
    assert classifier.classify(text).label == "question"


def test_house_across_the_street_is_another_owner(classifier):
    intent = classifier.classify("向かいの家の門灯がずっと点滅していてまぶしい")
    assert intent.category == "other"


def test_tree_near_neighbour_roof_stays_tree(classifier):
    text = "街路樹が枯れかけていて、強い風の日には隣の家の屋根の方に倒れそうです"
    assert classifier.classify(text).category == "tree"


def test_place_to_turn_to_is_a_question(classifier):
    text = "一人暮らしの父の見守りをお願いできるところはありますか"
    assert classifier.classify(text).label == "question"


def test_fault_before_another_matter_is_a_report(classifier):
    text = "歩道の手すりが外れかけています。あと、粗大ごみの出し方を教えてください"
    intent = classifier.classify(text)
    assert intent.label == "report"
    assert intent.category == "road"


def test_or_else_opens_no_other_matter(classifier):
    # それとも continues the question; it is no それと.
    text = "街灯が消えてたら市に連絡ですか？それとも電力会社？"
    assert classifier.classify(text).label == "question"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("エスカレーターのボタンを押しても反応しない", "other"),
        ("ゴキブリが大量に出てきています、〇〇の排水口です", "sewer"),
        ("アンダーパスの歩行者用通路の照明が切れています", "streetlight"),
    ],
)
def test_machine_pests_and_underpass_lights_are_reports(classifier, text, category):
    intent = classifier.classify(text)
    assert intent.label == "report"
    assert intent.category == category


def test_light_seen_working_again_is_a_question(classifier):
    text = (
        "昨日見たら、直してもらった街灯がちゃんとついていました。ありがとうございます"
    )
    assert classifier.classify(text).label == "question"


def test_fault_denied_is_no_evidence():
    assert not has_fault_evidence(normalize("遊具が壊れていたわけではありません"))


def test_emoji_after_a_question_keeps_it_a_question(classifier):
    assert classifier.classify("〇〇公園のバラ、もう咲いてますか🌹").label == "question"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("歩道の標識がななめになってます", "road"),
        ("木の根っこで歩道がもりあがってます", "tree"),
        ("街路樹に毛虫がいっぱいいます", "tree"),
        ("枝でミラーがかくれてます", "tree"),
        ("道路でカラスがしんでます", "other"),
        ("切り株につまずきました、〇〇の植え込みです", "tree"),
        ("電柱の変圧器からジージー音がしてます", "other"),
        ("ginkgo leaves everywhere on the sidewalk, very slippery", "tree"),
        ("〇〇緑地のベンチが壊れています", "park"),
    ],
)
def test_street_phone_spellings_are_reports(classifier, text, category):
    intent = classifier.classify(text)
    assert intent.label == "report"
    assert intent.category == category


def test_feeling_about_night_roads_is_a_question(classifier):
    assert (
        classifier.classify("最近、夜の帰り道がなんとなく不安です").label == "question"
    )


def test_fault_still_there_is_a_report(classifier):
    intent = classifier.classify("前に連絡した街灯、まだそのままです。いつ直りますか？")
    assert intent.label == "report"
    assert intent.category == "streetlight"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("〇〇公園の入口の前の道路に穴があいています", "road"),
        ("線路の下をくぐる地下道の照明が消えています", "streetlight"),
        ("The branches hang very low over the sidewalk, please cut them", "tree"),
        ("歩道の植え込みが草ぼうぼうです", "tree"),
    ],
)
def test_landmarks_english_and_weeds(classifier, text, category):
    intent = classifier.classify(text)
    assert intent.label == "report"
    assert intent.category == category


def test_english_how_to_report_is_a_question(classifier):
    text = "Where can I report a broken bench? Thanks."
    assert classifier.classify(text).label == "question"


@pytest.mark.parametrize(
    "text",
    [
        "子どもの予防接種が心配です。あと、健診の日程を教えてください",
        "引っ越しの準備で困っています。あと、転出届はどこで出せますか",
        "ゴミ出しのルールがわからず困ってます。あと、資源ごみの日は何曜日ですか",
        "散歩中に子どもがつまずいて怪我しました。あと、狂犬病の注射はどこですか",
    ],
)
def test_worry_before_another_matter_is_a_question(classifier, text):
    # The worry names no city thing, so the question after it is kept.
    assert classifier.classify(text).label == "question"


@pytest.mark.parametrize(
    "text",
    [
        "祭りで盛り上がるイベントの日程を教えて",
        "盆踊りで盛り上がったあとのごみはどう出せばいいですか",
    ],
)
def test_lively_event_is_a_question(classifier, text):
    assert classifier.classify(text).label == "question"


@pytest.mark.parametrize(
    "text",
    [
        "Please check the opening hours of the library, when is it open?",
        "Please send me the garbage calendar in English.",
        "Please take a look: is the city hall open on Saturday?",
        "Please come to the summer festival, is it free?",
    ],
)
def test_english_please_asking_information_is_a_question(classifier, text):
    assert classifier.classify(text).label == "question"


def test_unsteady_sign_is_a_report(classifier):
    # 不安定 (unsteady) is a fault, though it starts with 不安 (worry).
    assert classifier.classify("自販機の横の看板が不安定").label == "report"


def test_kana_broken_is_something_to_fix(classifier):
    # こわされ is 壊され in kana, not こわい (afraid).
    assert not classifier.names_nothing_to_fix("掲示板がこわされてた")


def test_pest_at_a_place_is_a_report(classifier):
    assert classifier.classify("アシナガバチが物置の軒下にいて怖い").label == "report"


def test_family_at_home_is_no_pest(classifier):
    assert classifier.classify("母が家にいて暇そうです").label == "question"


def test_unlisted_fault_before_other_matter_reports(classifier):
    text = "集積所のカラスよけネットが破れています。それと、粗大ごみの予約はどこから？"
    assert classifier.classify(text).label == "report"


def test_food_that_smells_is_no_drain(classifier):
    assert classifier.classify("この納豆くさすぎて無理").label == "question"


@pytest.mark.parametrize(
    "text",
    [
        "人が道で倒れてて動かない",
        "おじいさんが道にすわりこんで立てないみたい",
        "人が倒れてます!公園のベンチのところで、意識がないみたい",
        "火事です!向かいの家から煙が出てる",
        # A place between the person and the state, and fires of things.
        "お年寄りが公園の入口の前で倒れています",
        "人が交差点の真ん中で倒れている",
        "公園のゴミ箱が燃えてる",
        "バイクが燃えてる",
    ],
)
def test_emergency_without_a_fault_is_a_question(classifier, text):
    assert classifier.classify(text).label == "question"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("木が倒れて人が下敷きになってる", "tree"),
        ("マンホールのふたが外れてて人が落ちた", "sewer"),
        ("公園の遊具が壊れて子どもが倒れてけがしました", "park"),
        # A person named near the fault, not as the one down.
        ("人が通る歩道に木が倒れてる", "tree"),
        ("老人ホーム前の街灯が倒れてる", "streetlight"),
        ("子どもが乗るブランコが動かない", "park"),
    ],
)
def test_emergency_beside_a_fault_is_a_report(classifier, text, category):
    result = classifier.classify(text)
    assert (result.label, result.category) == ("report", category)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("木の枝が電線にひっかかってる〇〇丁目", "tree"),
        ("白線が消えかけてて夜だと道の端がわからない、〇〇のバス停の先", "road"),
        ("昨日の雨で道の端に砂利がいっぱい流れ出てて、自転車がすべる", "road"),
        ("けむしが いっぱい いて こわい。がっこうに いく みちの き", "tree"),
        ("manhole cover very loud every time car pass, 〇〇 street", "sewer"),
    ],
)
def test_caught_branch_gravel_and_landmark_after(classifier, text, category):
    result = classifier.classify(text)
    assert (result.label, result.category) == ("report", category)


def test_dialect_praise_of_blossoms_is_a_question(classifier):
    assert classifier.classify("わあ今年の桜ほんまきれいやね〜🌸").label == "question"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        (
            "止まれの標識が根元から曲がって倒れかけています。〇〇公園の北側の角です。",
            "road",
        ),
        (
            "The street light in front of 〇〇 keeps going on and off all night.",
            "streetlight",
        ),
        (
            "Fireworks in the parking lot next to my building until 2am. Very loud",
            "other",
        ),
        ("噴水の水が緑色でくさいです", "park"),
        ("〇〇町のコインパーキングで車の音楽を大音量で鳴らしてます", "other"),
        ("コインパーキングの出口の前の道、丸くへこんで水がたまってます", "road"),
        (
            "大雨のとき、一階のトイレがゴボゴボいって水が上がってきそうになります",
            "sewer",
        ),
    ],
)
def test_corner_landmark_car_parks_noise_and_drains(classifier, text, category):
    result = classifier.classify(text)
    assert (result.label, result.category) == ("report", category)


def test_turned_mirror_before_another_matter_is_a_report(classifier):
    text = (
        "〇〇の前の道のカーブミラーの向きが変わってしまって、空しか映っていません。"
        "それと、ついでにお聞きしたいのですが、粗大ごみの申し込みはLINEでもできますか？"
    )
    result = classifier.classify(text)
    assert (result.label, result.category) == ("report", "road")


@pytest.mark.parametrize(
    "text",
    [
        "住民票の写しってコンビニで取れますか？あと全然関係ないんですが、"
        "家の前の歩道が一か所へこんでて、自転車を押すとガクンとなります",
        "粗大ごみの出し方を教えてください。それと、家の前の街灯が消えています",
    ],
)
def test_fault_after_another_matter_is_a_report(classifier, text):
    assert classifier.classify(text).label == "report"


def test_question_after_another_question_stays_a_question(classifier):
    text = (
        "公園の場所を教えてください。それと、公園のトイレが壊れてたけど直りましたか？"
    )
    assert classifier.classify(text).label == "question"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("〇〇の道🕳️あり 雨で深くなってる", "road"),
        ("街灯💡❌ 〇〇の角", "streetlight"),
        ("坂道のアスファルトがさんかしょくらいえぐれてます", "road"),
        ("〇〇橋の歩道が凍結してツルツルです", "road"),
        ("駅の階段の手すりが取れかけてます", "other"),
        ("えきのまえ じてんしゃ ずっと おいてあります。タイヤ こわれてる", "other"),
    ],
)
def test_emoji_words_ice_and_kana_bicycles(classifier, text, category):
    result = classifier.classify(text)
    assert (result.label, result.category) == ("report", category)


@pytest.mark.parametrize(
    "text",
    [
        "図書館の休館日をおしえてください",
        "マイナカード 暗証番号 わすれた😇",
        "すみません、間違えて送りました。さっきのは無視してください",
    ],
)
def test_kana_requests_pins_and_ignored_messages(classifier, text):
    assert classifier.classify(text).label == "question"


def test_fix_date_after_fault_is_report(classifier):
    text = "〇〇の街灯、12月のはじめから切れてるんですけど年内に直りますか?"
    assert classifier.classify(text).label == "report"


@pytest.mark.parametrize(
    "text",
    [
        "今朝は池が凍っててきれいでした。公園の梅はもう咲いてますか",
        "今朝は寒くて車のフロントガラスが凍ってました",
        "スマホの画面、今日中に直りますかね",
        "まぶしいくらいの笑顔でした。運動会ありがとうございました",
    ],
)
def test_ice_and_repairs_of_other_things_are_questions(classifier, text):
    assert classifier.classify(text).label == "question"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("街路樹が倒れてとなりの家の屋根にかかっています", "tree"),
        ("歩道橋の外壁がさびて穴があいてます", "road"),
    ],
)
def test_neighbour_roof_and_footbridge_keep_section(classifier, text, category):
    result = classifier.classify(text)
    assert (result.label, result.category) == ("report", category)
