"""Build the demo site's static HTML from the page sources in this folder.

Run it after editing a page source: python cityline/demo/source/build.py
It rewrites cityline/demo/site/ from scratch.
"""

import html
import re
import shutil
from pathlib import Path

SRC = Path(__file__).parent
OUT = Path(__file__).resolve().parents[1] / "site"
CITY = "みどり市"
SUFFIX = f"｜{CITY}公式ホームページ"
CANON = "https://www.city.example.lg.jp"
SJIS_IDS = {"1008012", "1008013"}
BASE_HREF = {"1008011": "/shisetsu/"}

CATS = {
    "kurashi": (
        "くらし・手続き",
        {
            "juminhyo": "住民票・届出",
            "mynumber": "マイナンバーカード",
            "inkan": "印鑑登録",
            "koseki": "戸籍",
        },
    ),
    "gomi": (
        "ごみ・リサイクル",
        {
            "bunbetsu": "ごみの分け方・出し方",
            "sodai": "粗大ごみ",
            "recycle": "家電・リサイクル",
        },
    ),
    "kenko": (
        "健康・福祉",
        {
            "kokuho": "国民健康保険",
            "kenshin": "健診・検診",
            "yobo": "予防接種",
            "korei": "高齢者・介護保険",
            "shogai": "障害福祉",
        },
    ),
    "kosodate": (
        "子育て・教育",
        {"teate": "手当・助成", "hoiku": "保育園・学童クラブ"},
    ),
    "zei": ("税金", {"shiminzei": "市税の種類", "nofu": "納付方法"}),
    "bosai": ("防災・防犯", {"bosai": "防災", "bohan": "防犯"}),
    "machi": (
        "道路・公園・下水道",
        {
            "doro": "道路・街路灯・街路樹",
            "koen": "公園",
            "gesuido": "下水道",
            "tsuho": "不具合の連絡",
        },
    ),
    "shisetsu": (
        "施設案内",
        {"shiyakusho": "市役所", "bunka": "図書館・体育館・集会施設"},
    ),
    "shisei": ("市政情報", {"kocho": "広聴・お問い合わせ"}),
}
DEPTS = {
    "juminhyo": ("市民課", "0000-00-1100"),
    "mynumber": ("市民課", "0000-00-1100"),
    "inkan": ("市民課", "0000-00-1100"),
    "koseki": ("市民課", "0000-00-1100"),
    "bunbetsu": ("ごみ対策課", "0000-00-2211"),
    "sodai": ("ごみ対策課", "0000-00-2211"),
    "recycle": ("ごみ対策課", "0000-00-2211"),
    "kokuho": ("保険年金課", "0000-00-3100"),
    "kenshin": ("健康づくり課", "0000-00-3300"),
    "yobo": ("健康づくり課", "0000-00-3300"),
    "korei": ("高齢福祉課", "0000-00-4100"),
    "shogai": ("障害福祉課", "0000-00-4200"),
    "teate": ("子育て支援課", "0000-00-5100"),
    "hoiku": ("子育て支援課", "0000-00-5100"),
    "shiminzei": ("市民税課", "0000-00-6100"),
    "nofu": ("納税課", "0000-00-6200"),
    "bosai": ("防災課", "0000-00-9100"),
    "bohan": ("安全安心課", "0000-00-9200"),
    "doro": ("道路課", "0000-00-7100"),
    "koen": ("公園緑地課", "0000-00-7200"),
    "gesuido": ("下水道課", "0000-00-7300"),
    "tsuho": ("道路課", "0000-00-7100"),
    "shiyakusho": ("総務課", "0000-00-0010"),
    "bunka": ("生涯学習課", "0000-00-8100"),
    "kocho": ("広報課", "0000-00-0020"),
}
REDIRECTS = [
    ("/kurashi/tetsuzuki/juminhyo.html", "/kurashi/juminhyo/1001001.html"),
    ("/gomi/sodaigomi.html", "/gomi/sodai/1002011.html"),
]
LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


def parse():
    pages = []
    for f in sorted(SRC.glob("p*.txt")):
        for chunk in f.read_text(encoding="utf-8").split("=== ")[1:]:
            head, _, body = chunk.partition("\n")
            pid, folder, title, date = head.split(" ")
            cat, sub = folder.split("/")
            pages.append(
                dict(
                    id=pid,
                    cat=cat,
                    sub=sub,
                    title=title,
                    date=date,
                    body=body.strip().splitlines(),
                    path=f"/{cat}/{sub}/{pid}.html",
                )
            )
    return pages


def inline(text):
    out, pos = [], 0
    for m in LINK.finditer(text):
        out.append(html.escape(text[pos : m.start()], quote=False))
        out.append(
            f'<a href="{html.escape(m.group(2))}">{html.escape(m.group(1), quote=False)}</a>'
        )
        pos = m.end()
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def render_body(lines):
    out, ul, table = [], [], []

    def flush():
        if ul:
            out.append(
                "<ul>\n" + "\n".join(f"<li>{inline(x)}</li>" for x in ul) + "\n</ul>"
            )
            ul.clear()
        if table:
            rows = []
            for i, cells in enumerate(table):
                tag = "th" if i == 0 else "td"
                rows.append(
                    "<tr>"
                    + "".join(f"<{tag}>{inline(c)}</{tag}>" for c in cells)
                    + "</tr>"
                )
            out.append('<table class="datatable">\n' + "\n".join(rows) + "\n</table>")
            table.clear()

    for line in lines:
        line = line.strip()
        if line.startswith("- "):
            if table:
                flush()
            ul.append(line[2:])
            continue
        if line.startswith("|"):
            if ul:
                flush()
            table.append([c.strip() for c in line.strip("|").split("|")])
            continue
        flush()
        if line.startswith("### "):
            out.append(f"<h3>{inline(line[4:])}</h3>")
        elif line.startswith("## "):
            out.append(f"<h2>{inline(line[3:])}</h2>")
        elif line:
            out.append(f"<p>{inline(line)}</p>")
    flush()
    return "\n".join(out)


def text_len(lines):
    return sum(len(LINK.sub(r"\1", line.lstrip("#-| "))) for line in lines)


def jdate(d):
    y, m, dd = d.split("-")
    return f"{int(y)}年{int(m)}月{int(dd)}日"


def header(charset, title, canon_path, base=None):
    gnav = "\n".join(
        f'<li><a href="/{c}/">{lab}</a></li>' for c, (lab, _) in CATS.items()
    )
    base_tag = f'\n<base href="{base}">' if base else ""
    return f"""<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="{charset}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}{SUFFIX}</title>
<link rel="canonical" href="{CANON}{canon_path}">{base_tag}
<link rel="stylesheet" href="/shared/css/style.css">
<script src="/shared/js/common.js"></script>
</head>
<body id="top">
<div id="skip"><a href="#main">本文へスキップ</a></div>
<header id="header">
<div class="logo"><a href="/index.html"><span class="city">{CITY}</span><span class="sub">公式ホームページ</span></a></div>
<ul class="utility">
<li><a href="/shisetsu/shiyakusho/1008001.html">市役所へのアクセス</a></li>
<li><a href="/shisei/kocho/1009001.html">お問い合わせ</a></li>
<li><a href="{CANON}/foreign/english/index.html">English</a></li>
<li><span class="fontsize">文字サイズ <button type="button">標準</button><button type="button">拡大</button></span></li>
</ul>
<form class="site-search" action="/search/" method="get" role="search">
<label for="search-q">サイト内検索</label>
<input type="text" id="search-q" name="q">
<button type="submit">検索</button>
</form>
<nav id="gnav">
<ul>
{gnav}
</ul>
</nav>
</header>
"""


def footer():
    return f"""<div class="pagetop"><a href="#top">ページの先頭へ戻る</a></div>
<footer id="footer">
<p class="footer-name">{CITY}役所</p>
<address>〒000-0000 {CITY}中央1丁目1番1号</address>
<p class="footer-tel">電話：0000-00-0001（代表）　ファクス：0000-00-0002</p>
<p class="footer-hours">開庁時間：月曜日から金曜日の午前8時30分から午後5時まで（祝日・年末年始を除く）</p>
<p class="copyright"><small>Copyright (C) {CITY} All Rights Reserved.</small></p>
</footer>
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"page": location.pathname}});</script>
</body>
</html>
"""


def breadcrumb(items):
    parts = ['<a href="/index.html">ホーム</a>']
    for label, href in items:
        parts.append(
            f'<a href="{href}">{label}</a>'
            if href
            else f"<span>{html.escape(label)}</span>"
        )
    return '<div id="breadcrumb">' + " &gt; ".join(parts) + "</div>\n"


def sidebar(cat, sub, pages, current=None):
    lab, subs = CATS[cat]
    rel = [
        p for p in pages if p["cat"] == cat and p["sub"] == sub and p["id"] != current
    ]
    rel_html = "\n".join(
        f'<li><a href="{p["path"]}">{html.escape(p["title"])}</a></li>' for p in rel
    )
    menu = "\n".join(
        f'<li><a href="/{cat}/{s}/index.html">{sl}</a></li>' for s, sl in subs.items()
    )
    return f"""<aside id="sidebar">
<div class="related">
<h2>関連するページ</h2>
<ul>
{rel_html}
</ul>
</div>
<div class="category-menu">
<h2>{lab}</h2>
<ul>
{menu}
</ul>
</div>
</aside>
"""


def content_page(p, pages):
    lab, subs = CATS[p["cat"]]
    charset = "Shift_JIS" if p["id"] in SJIS_IDS else "utf-8"
    dept, tel = DEPTS[p["sub"]]
    share_url = f"{CANON}{p['path']}"
    body = render_body(p["body"])
    doc = header(charset, p["title"], p["path"], BASE_HREF.get(p["id"]))
    doc += breadcrumb(
        [
            (lab, f"/{p['cat']}/index.html"),
            (subs[p["sub"]], f"/{p['cat']}/{p['sub']}/index.html"),
            (p["title"], None),
        ]
    )
    doc += f"""<div id="wrapper">
<main id="main">
<h1>{html.escape(p["title"])}</h1>
<div class="page-tools">
<div class="share"><a href="https://share.example.com/post?url={share_url}&amp;utm_source=share">Xでポスト</a> <a href="https://share.example.com/line?url={share_url}">LINEで送る</a></div>
<div class="print"><a href="{p["path"]}?print=1">印刷用ページを表示する</a></div>
</div>
<div class="page-info">
<p class="page-id">ページ番号 {p["id"]}</p>
<p class="update">更新日 {jdate(p["date"])}</p>
</div>
<div id="content" class="body">
{body}
</div>
<div class="contact">
<h2>このページに関するお問い合わせ</h2>
<p>{dept}<br>〒000-0000 {CITY}中央1丁目1番1号<br>電話：{tel}</p>
</div>
</main>
{sidebar(p["cat"], p["sub"], pages, p["id"])}</div>
"""
    doc += footer()
    return doc, charset


def index_page(title, crumbs, sections, cat, sub, pages):
    doc = header("utf-8", title, crumbs[-1][2] if crumbs else "/index.html")
    doc += breadcrumb([(c[0], c[1]) for c in crumbs])
    secs = []
    for h, items in sections:
        lis = "\n".join(
            f'<li><a href="{href}">{html.escape(t)}</a></li>' for t, href in items
        )
        secs.append(
            (f"<h2>{html.escape(h)}</h2>\n" if h else "")
            + f'<ul class="list-page">\n{lis}\n</ul>'
        )
    doc += f"""<div id="wrapper">
<main id="main">
<h1>{html.escape(title)}</h1>
<div class="index-list">
{chr(10).join(secs)}
</div>
</main>
{sidebar(cat, sub, pages) if cat else ""}</div>
"""
    doc += footer()
    return doc


def write(path, text, enc="utf-8"):
    f = OUT / path.lstrip("/")
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_bytes(text.encode(enc))


def pdf_bytes():
    stream = b"BT /F1 18 Tf 72 760 Td (Midori City - Juminhyo request form \\(demo\\)) Tj ET\nBT /F1 12 Tf 72 720 Td (Name: ____________  Address: ____________) Tj ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1,
        xref,
    )
    return bytes(out)


# Minimum and maximum length of a page body in characters, as text_len counts them.
MIN_BODY_CHARS = 300
MAX_BODY_CHARS = 1500


def check_sources(pages):
    """Raise ValueError naming the page id when two pages share an id or a body
    length is outside MIN_BODY_CHARS to MAX_BODY_CHARS."""
    seen = set()
    for p in pages:
        if p["id"] in seen:
            raise ValueError(
                f"page id {p['id']!r} appears twice in the page sources; "
                "give each page its own id"
            )
        seen.add(p["id"])
        n = text_len(p["body"])
        if not MIN_BODY_CHARS <= n <= MAX_BODY_CHARS:
            raise ValueError(
                f"page {p['id']!r} has {n} body characters, but a demo page "
                f"needs {MIN_BODY_CHARS} to {MAX_BODY_CHARS}; lengthen or shorten "
                "its text in the page source"
            )


def write_content_pages(pages):
    """Write every content page and return their (path, update date) sitemap entries."""
    urls = []
    for p in pages:
        doc, enc = content_page(p, pages)
        write(p["path"], doc, "cp932" if enc == "Shift_JIS" else "utf-8")
        urls.append((p["path"], p["date"]))
    return urls


def write_category_pages(pages):
    """Write the index pages of the categories, their subcategories and the
    events, and return their sitemap entries."""
    urls = []
    for cat, (lab, subs) in CATS.items():
        secs = []
        for sub, sl in subs.items():
            items = [
                (p["title"], p["path"])
                for p in pages
                if p["cat"] == cat and p["sub"] == sub
            ]
            secs.append((sl, items))
            write(
                f"/{cat}/{sub}/index.html",
                index_page(
                    sl,
                    [
                        (lab, f"/{cat}/index.html", ""),
                        (sl, None, f"/{cat}/{sub}/index.html"),
                    ],
                    [(None, items)],
                    cat,
                    sub,
                    pages,
                ),
            )
            urls.append((f"/{cat}/{sub}/index.html", None))
        # A real CMS index lists the subcategories and their newest pages.
        write(
            f"/{cat}/index.html",
            index_page(
                lab, [(lab, None, f"/{cat}/index.html")], secs, None, None, pages
            ),
        )
        urls.append((f"/{cat}/index.html", None))
    write(
        "/event/index.html",
        index_page(
            "イベント",
            [("イベント", None, "/event/index.html")],
            [
                (
                    "イベントカレンダー",
                    [
                        ("今月のイベント", "/event/calendar.html?ym=202604"),
                        ("来月のイベント", "/event/calendar.html?ym=202605"),
                    ],
                )
            ],
            None,
            None,
            pages,
        ),
    )
    urls.append(("/event/index.html", None))
    return urls


def write_search_page(pages):
    """Write the site search page, which robots.txt disallows and the sitemap leaves out."""
    write(
        "/search/index.html",
        index_page(
            "サイト内検索",
            [("サイト内検索", None, "/search/index.html")],
            [("検索結果", [])],
            None,
            None,
            pages,
        ),
    )


def write_top_page(pages):
    """Write the top page: the newest pages, featured links and every category."""
    newest = sorted(pages, key=lambda p: p["date"], reverse=True)[:8]
    top_secs = [
        ("新着情報", [(f"{jdate(p['date'])} {p['title']}", p["path"]) for p in newest]),
        (
            "注目情報",
            [
                ("粗大ごみの申込はこちら", "/gomi/sodaigomi.html"),
                ("住民票の写しの請求（旧ページ）", "/kurashi/tetsuzuki/juminhyo.html"),
                (
                    "保育園の入園申込（来年4月入園）",
                    "/kosodate/hoiku/1004011.html?utm_source=top&utm_medium=banner&utm_campaign=hoiku2027",
                ),
                (
                    "粗大ごみの申込方法",
                    "/gomi/sodai/1002011.html?utm_source=line&utm_medium=richmenu",
                ),
                ("道路・公園などの不具合の連絡", "/machi/tsuho/1007031.html#line"),
                ("イベントカレンダー", "/event/calendar.html?ym=202604"),
                (
                    "ごみの分け方（文字の大きい印刷用）",
                    "/gomi/bunbetsu/1002001.html?print=1",
                ),
            ],
        ),
    ]
    for cat, (lab, subs) in CATS.items():
        top_secs.append(
            (
                lab,
                [(sl, f"/{cat}/{s}/") for s, sl in subs.items()]
                + [(f"{lab}の一覧", f"/{cat}/index.html")],
            )
        )
    write(
        "/index.html",
        index_page(f"{CITY}公式ホームページ", [], top_secs, None, None, pages).replace(
            f"<title>{CITY}公式ホームページ{SUFFIX}</title>",
            f"<title>{CITY}公式ホームページ</title>",
        ),
    )


def write_sitemap_and_robots(urls):
    """Write sitemap.xml for the (path, update date or None) entries, robots.txt
    and the redirect list that the demo server reads."""
    # Sitemap with an origin placeholder the server fills in per request.
    locs = []
    for path, date in urls:
        lm = f"<lastmod>{date}</lastmod>" if date else ""
        locs.append(f"<url><loc>{{{{ORIGIN}}}}{path}</loc>{lm}</url>")
    write(
        "/sitemap.xml",
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(locs)
        + "\n</urlset>\n",
    )
    write(
        "/robots.txt",
        "User-agent: *\nDisallow: /search/\nDisallow: /*?print=\nDisallow: /cgi-bin/\n\nSitemap: {{ORIGIN}}/sitemap.xml\n",
    )
    write("/redirects.tsv", "".join(f"{a}\t{b}\n" for a, b in REDIRECTS))


def write_assets():
    """Write the stylesheet, the script and the PDF form that pages link to."""
    write(
        "/shared/css/style.css",
        "body{font-family:sans-serif;margin:0}#header,#footer{background:#eef6ee;padding:8px}#wrapper{display:flex;gap:16px}#main{flex:3}#sidebar{flex:1}.datatable{border-collapse:collapse}.datatable th,.datatable td{border:1px solid #999;padding:4px}\n",
    )
    write("/shared/js/common.js", "document.documentElement.classList.add('js');\n")
    f = OUT / "kurashi/juminhyo/files/juminhyo_seikyu.pdf"
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_bytes(pdf_bytes())


def main():
    pages = parse()
    check_sources(pages)
    if OUT.exists():
        shutil.rmtree(OUT)
    urls = write_content_pages(pages)
    urls += write_category_pages(pages)
    write_search_page(pages)
    write_top_page(pages)
    urls.insert(0, ("/index.html", None))
    write_sitemap_and_robots(urls)
    write_assets()
    print(len(pages), "content pages;", len(urls), "sitemap urls")
    print(
        "min/max body chars",
        min(text_len(p["body"]) for p in pages),
        max(text_len(p["body"]) for p in pages),
    )


if __name__ == "__main__":
    main()
