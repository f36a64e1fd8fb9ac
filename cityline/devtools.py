"""``cityline dev``: try the webhook by hand, with no LINE channel.

``cityline dev fake-line-api`` runs the fake LINE API (:mod:`cityline.fake_line_api`)
on 127.0.0.1 and prints one line for each request that ``cityline serve`` sends it.
``cityline dev send KIND`` posts one signed webhook event, built with
:mod:`webhook.testing`, to a running ``cityline serve``.
"""

from __future__ import annotations

import json
import logging
import math
import signal
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from cityline.errors import CitylineError, ConfigError
from cityline.settings import Settings

if TYPE_CHECKING:
    from cityline.fake_line_api import RecordedRequest

logger = logging.getLogger(__name__)

FAKE_HOST = "127.0.0.1"
DEFAULT_FAKE_PORT = 8001
DEFAULT_WEBHOOK_URL = "http://127.0.0.1:8000/callback"
DEFAULT_USER_ID = "U00000000000000000000000000000001"
SEND_TIMEOUT_S = 10.0


@click.group()
def dev() -> None:
    """Run a fake LINE API and send signed events, to try the bot locally."""


@dev.command("fake-line-api")
@click.option(
    "--port",
    default=DEFAULT_FAKE_PORT,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="TCP port on 127.0.0.1 (0 lets the system pick one).",
)
@click.option(
    "--record",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also append each request to this file as one JSON line "
    "(the Authorization header left out).",
)
@click.option(
    "--photo",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Image file served as the content of every message id "
    "[default: a grey 320x240 JPEG].",
)
def fake_line_api(port: int, record: Path | None, photo: Path | None) -> None:
    """Serve a fake LINE Messaging API and content API until Ctrl-C.

    It prints its URL, the settings that point `cityline serve` at it, and then
    one line for each request it receives: the path, the status it returned, and
    each message with its text and buttons. It accepts any access token.
    """
    from cityline.fake_line_api import FakeLineApi
    from webhook.testing import sample_jpeg

    photo_bytes = _read_photo(photo) if photo is not None else sample_jpeg()
    record_file = _open_record(record) if record is not None else None
    printer = _RequestPrinter(record_file)
    fake = FakeLineApi(FAKE_HOST, port, on_request=printer)
    fake.set_default_content(photo_bytes, _content_type(photo))
    # Ctrl-C and SIGTERM stop the fake cleanly from the first printed line on, so
    # that a test or a process manager may stop it as soon as it has read the URL.
    with _sigterm_event() as stop, _closing(record_file):
        try:
            fake.start()
        except OSError as exc:
            raise ConfigError(
                f"cannot listen on {FAKE_HOST}:{port}: {exc.strerror or exc}; "
                "pass another --port, or --port 0 for a free one"
            ) from exc
        try:
            _print_settings(fake.base_url, record)
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            fake.stop()
    click.echo("fake LINE API stopped")


def _read_photo(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"cannot read --photo file {str(path)!r} ({exc.strerror or exc}); "
            "pass a readable image file"
        ) from exc


def _open_record(path: Path) -> TextIO:
    try:
        return path.open("a", encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"cannot open --record file {str(path)!r} ({exc.strerror or exc}); "
            "pass a writable path"
        ) from exc


def _content_type(photo: Path | None) -> str:
    if photo is None:
        return "image/jpeg"
    suffix = photo.suffix.lower()
    return {".png": "image/png", ".gif": "image/gif"}.get(suffix, "image/jpeg")


def _print_settings(base_url: str, record: Path | None) -> None:
    click.echo(f"fake LINE API listening on {base_url}")
    click.echo("Set these where `cityline serve` runs (any access token works):")
    click.echo(f"  export CITYLINE_LINE_API_URL={base_url}")
    click.echo(f"  export CITYLINE_LINE_DATA_API_URL={base_url}")
    if record is not None:
        click.echo(f"Recording requests to {record}")
    click.echo("Requests received (Ctrl-C stops):", nl=True)


class _RequestPrinter:
    """Request callback that prints one line and appends a JSON record to a file."""

    def __init__(self, record_file: TextIO | None) -> None:
        self._record_file = record_file
        self._lock = threading.Lock()

    def __call__(self, request: RecordedRequest) -> None:
        line = request.summary()
        record = json.dumps(request.as_record(), ensure_ascii=False)
        with self._lock:
            click.echo(line)
            if self._record_file is not None:
                self._record_file.write(record + "\n")
                self._record_file.flush()


@contextmanager
def _sigterm_event() -> Iterator[threading.Event]:
    """Yield an event that SIGTERM sets, restoring the old handler on exit."""
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        yield stop
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _closing(file: TextIO | None) -> Iterator[None]:
    try:
        yield
    finally:
        if file is not None:
            file.close()


@dev.group()
def send() -> None:
    """Send one signed webhook event to a running `cityline serve`.

    The event is signed with LINE_CHANNEL_SECRET, which must match the one the
    server uses. The bot's reply goes to the LINE API that the server is set to,
    so start `cityline dev fake-line-api` first to see it. Each event kind takes
    --user (the resident) and --url (the server's webhook) after its name, as in
    `cityline dev send text --user U2 ...`. For example:

    \b
      cityline dev send follow
      cityline dev send text "粗大ごみの出し方を教えてください"
      cityline dev send text "道路に穴があいています"
      cityline dev send image
      cityline dev send postback "flow=report&action=photos_done&draft=..."
      cityline dev send location 35.7031 139.5797 --address "吉祥寺本町1丁目"
    """


def _event_options(command):
    """Add the options that every `send` subcommand takes."""
    command = click.option(
        "--url",
        default=DEFAULT_WEBHOOK_URL,
        show_default=True,
        help="Webhook URL of the running server.",
    )(command)
    command = click.option(
        "--user",
        "user_id",
        default=DEFAULT_USER_ID,
        show_default=True,
        help="LINE user id of the resident who sends the event.",
    )(command)
    return click.pass_obj(command)


@send.command("text")
@click.argument("text")
@_event_options
def send_text(settings: Settings, text: str, url: str, user_id: str) -> None:
    """Send a text message TEXT, such as a question or a report."""
    from webhook.testing import text_event

    _post(settings, url, text_event(user_id, text))


@send.command("image")
@click.option(
    "--message-id",
    help="Message id of the photo  [default: a new id].",
)
@click.option(
    "--count",
    type=click.IntRange(min=1, max=20),
    default=1,
    show_default=True,
    help="Photos sent together, as one imageSet of this many events.",
)
@_event_options
def send_image(
    settings: Settings, message_id: str | None, count: int, url: str, user_id: str
) -> None:
    """Send a photo message, or --count photos sent together.

    The server fetches the photo from the LINE content API, and the fake LINE API
    serves one for every message id.
    """
    from webhook.testing import image_event

    if count == 1:
        _post(settings, url, image_event(user_id, message_id))
        return
    if message_id is not None:
        raise click.UsageError(
            "--message-id names one photo; leave it out with --count"
        )
    set_id = uuid.uuid4().hex
    for index in range(1, count + 1):
        _post(settings, url, image_event(user_id, image_set=(set_id, index, count)))


def _finite(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """Reject nan, which passes a FloatRange because it compares false both ways."""
    if not math.isfinite(value):
        raise click.BadParameter(f"{value!r} is not a number; give decimal degrees")
    return value


@send.command("location")
@click.argument("latitude", type=click.FloatRange(-90, 90), callback=_finite)
@click.argument("longitude", type=click.FloatRange(-180, 180), callback=_finite)
@click.option("--address", help="Address text that LINE sends with the location.")
@_event_options
def send_location(
    settings: Settings,
    latitude: float,
    longitude: float,
    address: str | None,
    url: str,
    user_id: str,
) -> None:
    """Send a location message at LATITUDE LONGITUDE (decimal degrees)."""
    from webhook.testing import location_event

    _post(settings, url, location_event(user_id, latitude, longitude, address))


@send.command("postback")
@click.argument("data")
@_event_options
def send_postback(settings: Settings, data: str, url: str, user_id: str) -> None:
    """Send a postback with DATA, as a tap on a button does.

    The fake LINE API prints the data of each button that the bot sent. Quote the
    data in the shell, because it contains '&'.
    """
    from webhook.testing import postback_event

    _post(settings, url, postback_event(user_id, data))


@send.command("follow")
@_event_options
def send_follow(settings: Settings, url: str, user_id: str) -> None:
    """Send a follow event, as when a resident adds the account."""
    from webhook.testing import follow_event

    _post(settings, url, follow_event(user_id))


@send.command("unfollow")
@_event_options
def send_unfollow(settings: Settings, url: str, user_id: str) -> None:
    """Send an unfollow event, which makes the server delete the user's data."""
    from webhook.testing import unfollow_event

    _post(settings, url, unfollow_event(user_id))


def _post(settings: Settings, url: str, event: dict[str, Any]) -> None:
    """Sign ``event`` and post it to ``url``.

    Raises ConfigError when the secret or the URL is invalid, and CitylineError
    when the post fails or the server does not return 200.
    """
    import httpx

    from webhook.testing import post_events

    secret = settings.line_channel_secret
    if not secret:
        raise ConfigError(
            "LINE_CHANNEL_SECRET is not set; set it to the channel secret that "
            "`cityline serve` uses, so that the server accepts the signature"
        )
    try:
        response = post_events(url, [event], secret, timeout_s=SEND_TIMEOUT_S)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise ConfigError(
            f"invalid --url {url!r} ({exc}); pass the webhook URL of the server, "
            f"such as {DEFAULT_WEBHOOK_URL}"
        ) from exc
    except httpx.HTTPError as exc:
        raise CitylineError(
            f"cannot post to {url!r} ({exc}); start `cityline serve` first, or "
            "pass its webhook URL as --url"
        ) from exc
    if response.status_code != 200:
        raise CitylineError(
            f"the webhook at {url!r} returned HTTP {response.status_code} "
            f"({response.text[:200]!r}); {_status_hint(response.status_code)}"
        )
    click.echo(
        f"sent {_kind(event)} event {event['webhookEventId']} from "
        f"{event['source']['userId']}: HTTP 200"
    )


def _status_hint(status: int) -> str:
    if status == 400:
        return "check that LINE_CHANNEL_SECRET is the one `cityline serve` uses"
    if status == 404:
        return "the webhook path of `cityline serve` is /callback"
    return "see the log of `cityline serve`"


def _kind(event: dict[str, Any]) -> str:
    message = event.get("message")
    return f"{message['type']} message" if message else event["type"]
