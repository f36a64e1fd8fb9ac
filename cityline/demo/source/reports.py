"""Write reports.jsonl, labelled fault reports and questions, from the table below."""

import json
from pathlib import Path

R = [
    # road
    (
        "本町2丁目の交差点の近くで道路に大きな穴があいています。自転車が引っかかりそうで危ないです",
        "report",
        "road",
    ),
    ("道に穴", "report", "road"),
    (
        "みどり駅南口のロータリーを出たところ、アスファルトがひび割れてでこぼこになってます",
        "report",
        "road",
    ),
    (
        "歩道の段差がひどくてベビーカーが通れません。若葉台1丁目のバス停の前です",
        "report",
        "road",
    ),
    (
        "緑が丘中学校の横の道、雨が降ると大きな水たまりができて車が通るたびに水がはねます",
        "report",
        "road",
    ),
    ("東町3-5あたりの道路が陥没してる！！", "report", "road"),
    (
        "側溝のふたが割れていて、足を踏み外しそうになりました。中央4丁目の郵便局の裏です",
        "report",
        "road",
        ["sewer"],
    ),
    ("カーブミラーが曲がっていて見えません。北町の踏切の手前です", "report", "road"),
    (
        "道路標示の白線が消えかかっていて、夜は横断歩道が分かりにくいです",
        "report",
        "road",
    ),
    ("ガードレールがへこんで倒れかけてます　西町1丁目", "report", "road"),
    # streetlight
    (
        "家の前の街灯が昨日から消えたままです。番号は M-1234 です",
        "report",
        "streetlight",
    ),
    ("街灯つかない", "report", "streetlight"),
    (
        "南町5丁目の公園の横の道の防犯灯がチカチカ点滅しています。夜道が暗くて怖いです",
        "report",
        "streetlight",
    ),
    (
        "若葉台2丁目の街路灯が昼間もずっと点いています。電気がもったいないので見てください",
        "report",
        "streetlight",
    ),
    (
        "通学路の街灯が2本続けて切れています。子どもが帰る時間に暗くて心配です",
        "report",
        "streetlight",
    ),
    (
        "駅から家までの道の電灯がきれてる　東町4丁目の角のところ",
        "report",
        "streetlight",
    ),
    (
        "街灯の柱が傾いて、今にも倒れそうです。中央2丁目のコンビニの前です",
        "report",
        "streetlight",
        ["road"],
    ),
    ("防犯灯のカバーが割れて落ちてきそうになっています", "report", "streetlight"),
    # tree
    ("昨日の強風で街路樹の枝が折れて、歩道をふさいでいます", "report", "tree"),
    (
        "イチョウ並木の枝が伸びて信号が見えにくいです。本町の大通りです",
        "report",
        "tree",
    ),
    ("木が倒れて道路をふさいでる！車が通れない", "report", "tree", ["road"]),
    (
        "街路樹の根っこで歩道が盛り上がって、つまずきそうになります",
        "report",
        "tree",
        ["road"],
    ),
    (
        "北町の大きなケヤキの幹に穴があいて、傾いているように見えます。倒れないか心配です",
        "report",
        "tree",
    ),
    ("枝おちてる　西町2丁目", "report", "tree"),
    ("道路わきの植え込みの草が伸び放題で、車から歩行者が見えません", "report", "tree"),
    (
        "落ち葉がすごくて側溝が詰まりそうです。街路樹の剪定はいつですか",
        "report",
        "tree",
        ["sewer"],
    ),
    (
        "緑が丘公園の木の枝が家の敷地まで伸びてきて、雨どいに葉っぱがたまります",
        "report",
        "tree",
        ["park"],
    ),
    # park
    (
        "中央公園のブランコの鎖が切れかかっています。子どもが遊んでいるので早めに見てください",
        "report",
        "park",
    ),
    ("若葉台公園のすべり台に穴があいていて、手を切りそうです", "report", "park"),
    ("公園の遊具が壊れてる", "report", "park"),
    ("東町児童遊園の鉄棒がぐらぐらしています", "report", "park"),
    ("公園のベンチの板が割れていて、座るとけがをしそうです", "report", "park"),
    ("緑が丘公園のトイレの水が止まらなくなっています", "report", "park"),
    (
        "公園の水飲み場の蛇口が壊れて水が出っぱなしです。南町3丁目の小さい公園です",
        "report",
        "park",
    ),
    (
        "砂場にガラスの破片がたくさん落ちています。危ないので何とかしてください",
        "report",
        "park",
    ),
    ("公園のフェンスが破れていて、ボールが道路に飛び出します", "report", "park"),
    ("シーソー こわれてる 北町公園", "report", "park"),
    # sewer
    (
        "道路のマンホールから下水のにおいがします。ここ何日かずっとです",
        "report",
        "sewer",
    ),
    (
        "マンホールのふたがガタガタいって、車が通るたびにうるさいです。中央1丁目の市役所通り",
        "report",
        "sewer",
    ),
    (
        "大雨のあと、家の前の雨水ますから水があふれて道路が冠水しました",
        "report",
        "sewer",
    ),
    (
        "下水が詰まってるみたいで、敷地の外のますに水がたまったまま引きません",
        "report",
        "sewer",
    ),
    ("側溝からドブのような臭いがする　西町3丁目", "report", "sewer"),
    (
        "マンホールのふたがずれて段差になってます。バイクが転びそうで危ない",
        "report",
        "sewer",
        ["road"],
    ),
    ("マンホール くさい", "report", "sewer"),
    ("雨水ますのふたがなくなっていて、穴があいたままです", "report", "sewer", ["road"]),
    (
        "道路の排水口が落ち葉で詰まって、雨が降ると水がたまります",
        "report",
        "sewer",
        ["road", "tree"],
    ),
    # other
    ("線路沿いの空き地にテレビや冷蔵庫が捨てられています", "report", "other"),
    ("集積所に粗大ごみが不法投棄されて、もう1週間そのままです", "report", "other"),
    ("公園のトイレの壁に落書きされています", "report", "other", ["park"]),
    ("歩道橋の階段にスプレーで落書きがあります", "report", "other", ["road"]),
    ("道路に動物の死骸があります。北町2丁目の交差点です", "report", "other", ["road"]),
    (
        "放置自転車が何か月も歩道に置かれたままで通りにくいです",
        "report",
        "other",
        ["road"],
    ),
    ("カラスがごみ集積所を荒らして、ごみが道路に散らかっています", "report", "other"),
    (
        "道路のわきに空き缶やたばこの吸い殻がたくさん捨てられています。ポイ捨て禁止の看板をつけてください",
        "report",
        "other",
    ),
    ("公園の池にごみが浮いていて、においもひどいです", "report", "park", ["other"]),
    ("バス停の屋根が壊れていて雨が漏ります", "report", "other", ["road"]),
    # questions about procedures
    ("粗大ごみの申し込みはどうすればいいですか", "question", None),
    ("住民票ってコンビニで取れる？", "question", None),
    ("マイナンバーカードの受け取りは予約が必要ですか", "question", None),
    ("保育園の申込はいつからですか", "question", None),
    ("スプレー缶はどうやって捨てるの", "question", None),
    ("市役所は土曜日も開いてますか？", "question", None),
    ("児童手当の振込日を教えてください", "question", None),
    ("図書館は月曜日休みですか", "question", None),
    ("引っ越してきたんですけど、何の手続きが必要ですか", "question", None),
    ("国民健康保険の脱退手続きはどこでしますか", "question", None),
    ("固定資産税はスマホで払えますか", "question", None),
    ("近くの避難所はどこですか", "question", None),
    ("ゴミの収集日が知りたいです。東町です", "question", None),
    ("公園でバーベキューはできますか", "question", None),
    ("印鑑登録って代理でもできる？", "question", None),
    ("特定健診の受診券が届かないのですが", "question", None),
    ("がん検診 申し込み", "question", None),
    ("冷蔵庫の捨て方", "question", None),
    ("公園の使用許可はどこで申請しますか", "question", None),
    ("街路樹の剪定はいつごろ行っていますか", "question", None),
    ("家の排水管の詰まりは市で直してもらえますか", "question", None),
    # questions about how to report
    (
        "道路に穴があいているのを見つけたら、どこに連絡すればいいですか",
        "question",
        None,
    ),
    ("街灯が切れているときはどうやって知らせればいいの？", "question", None),
    ("LINEで不具合の通報ってできますか", "question", None),
    ("公園の遊具が壊れていたら、どこに言えばいいですか", "question", None),
    ("マンホールの臭いの相談はどこの課ですか", "question", None),
    ("夜中に倒れた木を見つけたら電話はどこにかければいい？", "question", None),
    ("不法投棄を見つけたときの連絡先を教えてください", "question", None),
    ("通報した道路の穴はいつ直りますか", "question", None),
    ("写真を送るときに気をつけることはありますか", "question", None),
    ("県道の穴も市に連絡していいんですか", "question", None),
]
out = []
for i, row in enumerate(R, 1):
    text, label, cat = row[:3]
    obj = {"id": f"r{i:03d}", "text": text, "label": label, "category": cat}
    if len(row) > 3:
        obj["accept"] = row[3]
    out.append(json.dumps(obj, ensure_ascii=False))
(Path(__file__).resolve().parents[1] / "reports.jsonl").write_text(
    "\n".join(out) + "\n", encoding="utf-8"
)
print(len(R), sum(r[1] == "report" for r in R))
