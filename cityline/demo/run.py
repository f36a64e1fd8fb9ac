"""``cityline demo``: all three jobs on the embedded demo site, with no LINE channel.

The demo works in ``<data dir>/demo``, which it empties at the start of each run so
that every run shows the same steps. It talks only to servers it starts on
127.0.0.1: the demo city site, a fake of the LINE Messaging API and the webhook app
under uvicorn. It stops all three before it returns.

1. Crawl the demo site into the page store.
2. Build the index and answer a few residents' questions.
3. Walk one fault report through signed LINE events, then publish the results.
4. Give demo residents receive settings and make a dry-run broadcast.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import logging
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import click
import httpx
from PIL import Image

from cityline.db import create_db_engine
from cityline.errors import DataDirError
from cityline.fake_line_api import FakeLineApi
from cityline.locks import exclusive_lock
from cityline.serve_lock import no_server
from cityline.settings import Settings

logger = logging.getLogger(__name__)

DEMO_QUESTIONS = (
    "粗大ゴミを出したいのですが、どう申し込めばいいですか",
    "児童手当はいつ振り込まれますか",
    "マイナンバーカードを作りたい",
    "市役所は土曜日も開いていますか",
    "宇宙旅行の補助金はありますか",
)
REPORT_TEXT = "家の前の道路に大きな穴があいていて、自転車が転びそうで危ないです"
# A point near Kichijoji Station, inside Musashino City.
REPORT_LATITUDE = 35.7031
REPORT_LONGITUDE = 139.5797
REPORT_ADDRESS = "東京都武蔵野市吉祥寺本町1丁目"
DEMO_RESIDENTS = 12
DEMO_CATEGORY = "kosodate"
DEMO_CHANNEL_SECRET = "demo-channel-secret-0123456789ab"
DEMO_ACCESS_TOKEN = "demo-access-token"
# A file that marks a folder as the demo's own, so that only such a folder is emptied.
DEMO_MARKER = ".cityline-demo"
# Lock file beside the demo folder, held for a whole run.
DEMO_LOCK = "demo.lock"
REPLY_PATH = "/v2/bot/message/reply"
REPLY_TIMEOUT_S = 20.0

Echo = Callable[[str], None]


@click.command("demo")
@click.pass_obj
def demo(settings: Settings) -> None:
    """Run crawl, answers, a fault report and a dry-run broadcast on the demo site.

    Everything is written under DATA_DIR/demo, and every server it starts listens
    on 127.0.0.1 only and is stopped at the end.
    """
    root = logging.getLogger()
    if root.level > logging.DEBUG:
        # The servers' INFO lines would bury the demo's own output; -v keeps them.
        root.setLevel(logging.WARNING)
    run_demo(settings, click.echo)


def run_demo(settings: Settings, echo: Echo) -> Path:
    """Run the four demo steps, printing each through ``echo``; return the data dir."""
    from cityline.demo.server import DemoSite

    started = time.monotonic()
    # The demo keeps everything in its own folder: a CITYLINE_DATABASE_URL set for
    # the real service must not receive demo reports and residents.
    demo_settings = dataclasses.replace(
        settings,
        data_dir=settings.data_dir / "demo",
        database_url=None,
        line_channel_secret=DEMO_CHANNEL_SECRET,
        line_channel_access_token=DEMO_ACCESS_TOKEN,
    )
    settings.ensure_data_dir()
    with ExitStack() as servers:
        servers.enter_context(_demo_lock(settings.data_dir / DEMO_LOCK))
        _reset_demo_dir(demo_settings.data_dir)
        demo_settings.ensure_data_dir()
        (demo_settings.data_dir / DEMO_MARKER).write_text("cityline demo data\n")

        site = servers.enter_context(DemoSite())
        echo(f"Demo city site served at {site.base_url}/")
        _step_crawl(demo_settings, site.base_url, echo)
        _step_answers(demo_settings, echo)

        fake = servers.enter_context(FakeLineApi())
        demo_settings = dataclasses.replace(
            demo_settings, line_api_url=fake.base_url, line_data_api_url=fake.base_url
        )
        echo(f"\nFake LINE Messaging API at {fake.base_url}")
        conversation = servers.enter_context(
            _Conversation.open(demo_settings, fake, echo)
        )
        _step_report(demo_settings, conversation, echo)
        _step_receive_settings(demo_settings, conversation, echo)

    echo("\n== Done")
    echo(f"Servers stopped. Files are in {demo_settings.data_dir.resolve()}:")
    for name, note in (
        ("pages.db", "page store (SQLite)"),
        ("index", "search index"),
        ("cityline.db", "inbox, reports and receive settings (SQLite)"),
        ("photos", "report photos, EXIF removed"),
        ("public", "published report results (HTML, CSV, JSON)"),
    ):
        echo(f"  {name:<12} {note}")
    echo(f"Finished in {time.monotonic() - started:.1f} s.")
    return demo_settings.data_dir


def _demo_lock(path: Path) -> contextlib.AbstractContextManager[None]:
    """Hold an exclusive lock on ``path`` or raise DataDirError if another demo has it.

    A second demo on the same data dir would delete the first one's folder while
    it runs. The operating system releases the lock when the process ends.
    """
    busy = DataDirError(
        f"another cityline demo is running with the data dir "
        f"{str(path.parent)!r}; wait for it to finish or pass another "
        "--data-dir"
    )
    return exclusive_lock(path, busy)


def _reset_demo_dir(folder: Path) -> None:
    """Remove the previous demo run; reject a folder that the demo did not make
    or that a running ``cityline serve`` uses."""
    if not folder.exists():
        return
    if not (folder / DEMO_MARKER).exists():
        raise DataDirError(
            f"folder {str(folder)!r} exists but was not made by cityline demo; "
            "move it away or pass another --data-dir"
        )
    # Held through the delete, so that no server starts on the folder meanwhile.
    with no_server(folder):
        shutil.rmtree(folder)


def _step_crawl(settings: Settings, base_url: str, echo: Echo) -> None:
    from crawler.config import CrawlConfig
    from crawler.crawl import crawl_site

    echo("\n== 1. Crawl the demo site")
    # The site links one missing page on purpose. The summary lists it as failed,
    # so the crawler's own warning for it is kept out unless -v is given.
    crawl_logger = logging.getLogger("crawler.outcomes")
    quiet = logging.getLogger().level > logging.DEBUG and not crawl_logger.level
    if quiet:
        crawl_logger.setLevel(logging.ERROR)
    try:
        # The site is a local process, so the politeness delay is off.
        summary = crawl_site(settings, base_url + "/", CrawlConfig(delay=0.0))
    finally:
        if quiet:
            crawl_logger.setLevel(logging.NOTSET)
    echo(summary.format())


def _step_answers(settings: Settings, echo: Echo) -> None:
    from answerer.answer import Answerer
    from index.build import build_index

    echo("\n== 2. Build the index and answer questions")
    report = build_index(settings)
    echo(report.format())
    answerer = Answerer.load(settings)
    for question in DEMO_QUESTIONS:
        result = answerer.ask(question)
        echo(f"\nQ: {question}")
        if result.fallback:
            echo(f"  (no page fits) {result.fallback_text.splitlines()[0]}")
            continue
        for answer in result.answers:
            echo(f"  {answer.score:.2f}  {answer.title}  {answer.url}")


def _step_report(settings: Settings, conversation: _Conversation, echo: Echo) -> None:
    from webhook.reports.cli import count_reports
    from webhook.reports.public import public_reports
    from webhook.reports.publish import publish as write_public_files
    from webhook.reports.store import ReportStore

    echo("\n== 3. A fault report through the LINE webhook")
    user = "Udemo0000000000000000000000report"
    reply = conversation.text(user, REPORT_TEXT)
    reply = _answer_report_step(conversation, user, reply)

    conversation.fake.add_content("demo-photo-1", _demo_photo())
    reply = conversation.image(user, "demo-photo-1")
    if _postback(reply, "photos_done"):
        reply = conversation.tap(user, _postback(reply, "photos_done"))
    reply = conversation.location(user, REPORT_LATITUDE, REPORT_LONGITUDE)
    if _postback(reply, "skip_comment"):
        reply = conversation.tap(user, _postback(reply, "skip_comment"))
    submit = _postback(reply, "submit")
    if submit is None:
        raise click.ClickException(
            "the report flow did not offer 送信; run `cityline -v demo` to see why"
        )
    conversation.tap(user, submit)

    engine = create_db_engine(settings.app_database_url)
    store = ReportStore(engine, settings.user_hash_key())
    report = store.list()[0]
    show = f"{cityline_command()} --data-dir {settings.data_dir} reports show"
    echo(f"\nStored report (in full: {show} {report.receipt_no}):")
    echo(
        f"  {report.receipt_no}  category {report.category}  "
        f"department {report.department}  status {report.status}  "
        f"photos {len(report.photos)}  at {report.latitude}, {report.longitude}"
    )
    store.set_status(
        report.receipt_no,
        "accepted",
        changed_by="demo staff",
        note="写真と場所を確認しました。",
    )
    store.set_status(
        report.receipt_no,
        "in_progress",
        changed_by="demo staff",
        note="補修を手配しました。",
    )
    echo("Staff accepted it and set it in progress (`cityline reports set-status`).")

    out_dir = settings.data_dir / "public"
    records = public_reports(store.list(), settings.city_hall_phone)
    result = write_public_files(records, out_dir, store.now())
    echo(f"Public results: {count_reports(result.count)} written to {result.out_dir}")
    engine.dispose()


def _answer_report_step(
    conversation: _Conversation, user: str, reply: dict[str, Any]
) -> dict[str, Any]:
    """Pick the road category when the flow asks for one."""
    choice = _postback(reply, "category", value="road")
    if choice:
        return conversation.tap(user, choice)
    return reply


def _step_receive_settings(
    settings: Settings, conversation: _Conversation, echo: Echo
) -> None:
    from webhook.broadcasts.categories import load_catalog
    from webhook.broadcasts.cli import describe_requests
    from webhook.broadcasts.delivery_log import DeliveryLog
    from webhook.broadcasts.sender import BroadcastRequest, BroadcastSender
    from webhook.broadcasts.store import ReceiveSettingsStore

    echo("\n== 4. Receive settings and a dry-run broadcast")
    for number in range(DEMO_RESIDENTS):
        user = f"Udemo{number:027d}"
        conversation.follow(user)
        conversation.postback(
            user, f"flow=settings&action=toggle&category={DEMO_CATEGORY}&to=on"
        )
    catalog = load_catalog(settings)
    safety = catalog.safety
    echo(
        f"{DEMO_RESIDENTS} demo residents followed, which subscribes a new friend to "
        f"{safety.key} ({safety.name}), and turned on {DEMO_CATEGORY} in 受信設定."
    )

    engine = create_db_engine(settings.app_database_url)
    store = ReceiveSettingsStore(engine, settings.user_hash_key())
    sender = BroadcastSender(settings, store, DeliveryLog(engine), catalog, None)
    request = BroadcastRequest(
        category=DEMO_CATEGORY,
        bodies=("子育て支援センターの冬のイベント案内を掲載しました。",),
        url="https://www.city.example.lg.jp/kosodate/",
    )
    outcome = sender.dry_run(request)
    shown = outcome.to_json()
    echo("Subscribers per category, as staff see them (a count under 10 is <10):")
    counts = store.count_subscribers()
    for category in catalog.categories:
        count = counts.get(category.key, 0)
        echo(
            f"  {category.key:<9} {count if count >= 10 else '<10':>4}  {category.name}"
        )
    echo(
        f"Dry run to {DEMO_CATEGORY}: would reach {shown['recipients']} residents "
        f"in {describe_requests(outcome)}; nothing was sent."
    )
    engine.dispose()


class _Conversation:
    """The webhook app on loopback, fed signed events, with replies from the fake."""

    def __init__(
        self, settings: Settings, fake: FakeLineApi, server, echo: Echo
    ) -> None:
        self.settings = settings
        self.echo = echo
        self.fake = fake
        self.server = server
        self._client = httpx.Client(base_url=server.url, timeout=10.0)
        self._replies = 0

    @classmethod
    def open(
        cls, settings: Settings, fake: FakeLineApi, echo: Echo
    ) -> Iterator[_Conversation]:
        from contextlib import contextmanager

        from webhook.app import create_app
        from webhook.testing import ServerThread

        @contextmanager
        def running() -> Iterator[_Conversation]:
            with ServerThread(create_app(settings)) as server:
                conversation = cls(settings, fake, server, echo)
                try:
                    yield conversation
                finally:
                    conversation._client.close()

        return running()

    def text(self, user: str, text: str) -> dict[str, Any]:
        from webhook.testing import text_event

        return self._send(text_event(user, text), f"resident: {text}")

    def image(self, user: str, message_id: str) -> dict[str, Any]:
        from webhook.testing import image_event

        return self._send(image_event(user, message_id), "resident: (photo)")

    def location(self, user: str, latitude: float, longitude: float) -> dict[str, Any]:
        from webhook.testing import location_event

        event = location_event(user, latitude, longitude, address=REPORT_ADDRESS)
        return self._send(event, f"resident: (location) {REPORT_ADDRESS}")

    def postback(self, user: str, data: str) -> dict[str, Any]:
        """Send a postback without printing the exchange."""
        from webhook.testing import postback_event

        return self._send(postback_event(user, data), None)

    def tap(self, user: str, choice: tuple[str, str]) -> dict[str, Any]:
        """Send the postback of a quick-reply button and print the exchange."""
        from webhook.testing import postback_event

        label, data = choice
        return self._send(postback_event(user, data), f"resident taps [{label}]")

    def follow(self, user: str) -> dict[str, Any]:
        from webhook.testing import follow_event

        return self._send(follow_event(user), None)

    def _send(self, event: dict[str, Any], caption: str | None) -> dict[str, Any]:
        from webhook.testing import signed_headers, webhook_body

        body = webhook_body([event])
        response = self._client.post(
            "/callback",
            content=body,
            headers=signed_headers(body, self.settings.line_channel_secret),
        )
        response.raise_for_status()
        self._replies += 1
        replies = self.fake.wait_for(REPLY_PATH, self._replies, REPLY_TIMEOUT_S)
        reply = replies[-1].json
        if caption is not None:
            self.echo(f"  {caption}")
            self.echo(f"  bot: {_first_text(reply)}")
        return reply


def _first_text(reply: dict[str, Any]) -> str:
    for message in reply.get("messages", []):
        text = message.get("text") or message.get("altText")
        if text:
            first = text.strip().splitlines()[0]
            return first if len(first) <= 80 else first[:79] + "…"
    return "(no text)"


def _postback(
    reply: dict[str, Any], action: str, **params: str
) -> tuple[str, str] | None:
    """Return (label, data) of a quick-reply postback with ``action``, or None."""
    for message in reply.get("messages", []):
        items = (message.get("quickReply") or {}).get("items", [])
        for item in items:
            button = item.get("action") or {}
            data = button.get("data")
            if not data:
                continue
            parsed = {key: values[0] for key, values in parse_qs(data).items()}
            if parsed.get("action") != action:
                continue
            if all(parsed.get(key) == value for key, value in params.items()):
                return button.get("label", action), data
    return None


def _demo_photo() -> bytes:
    """Return a small JPEG with an EXIF block, as a phone camera would send."""
    image = Image.new("RGB", (320, 240), (120, 120, 120))
    exif = Image.Exif()
    exif[0x010F] = "DemoCamera"  # Make
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def cityline_command() -> str:
    """Return how to run cityline from the shell that ran the demo: the bare name
    when it is on PATH, else this environment's script (``.venv/bin/cityline``)."""
    script = Path(sys.executable).with_name("cityline")
    if not script.exists() or shutil.which("cityline") == str(script):
        return "cityline"
    try:
        return str(script.relative_to(Path.cwd()))
    except ValueError:
        return str(script)
