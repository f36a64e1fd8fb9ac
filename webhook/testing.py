"""Helpers for tests, the demo and benchmarks: signed webhook bodies and a server.

Build events with :func:`text_event` and friends, wrap them with
:func:`webhook_body`, sign the bytes with :func:`sign_body` (HMAC-SHA256, base64,
keyed by the channel secret, as LINE signs them) and post them to an app served by
:class:`ServerThread` on a loopback port. :func:`post_events` does the last three
steps in one call.

    with FakeLineApi() as fake, ServerThread(create_app(settings)) as server:
        body = webhook_body([text_event("U1", "こんにちは")])
        httpx.post(server.url + "/callback", content=body,
                   headers={"X-Line-Signature": sign_body(body, SECRET)})
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import socket
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from cityline.settings import Settings

DESTINATION = "Ucityline00000000000000000000000"


def sign_body(body: bytes, channel_secret: str) -> str:
    """Return the X-Line-Signature of ``body``: base64 of HMAC-SHA256."""
    digest = hmac.new(channel_secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_headers(body: bytes, channel_secret: str) -> dict[str, str]:
    """Return the headers LINE sends with ``body``."""
    return {
        "Content-Type": "application/json; charset=utf-8",
        "X-Line-Signature": sign_body(body, channel_secret),
    }


def webhook_body(events: Sequence[dict[str, Any]]) -> bytes:
    """Return the JSON bytes of a webhook call carrying ``events``."""
    payload = {"destination": DESTINATION, "events": list(events)}
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def base_event(
    event_type: str,
    user_id: str,
    *,
    event_id: str | None = None,
    reply_token: str | None = "auto",
    timestamp_ms: int | None = None,
    redelivery: bool = False,
) -> dict[str, Any]:
    """Return the fields of a one-to-one event; ``reply_token="auto"`` makes one."""
    event: dict[str, Any] = {
        "type": event_type,
        "mode": "active",
        "timestamp": timestamp_ms if timestamp_ms is not None else _now_ms(),
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": event_id or _event_id(),
        "deliveryContext": {"isRedelivery": redelivery},
    }
    if reply_token == "auto":
        reply_token = uuid.uuid4().hex
    if reply_token is not None:
        event["replyToken"] = reply_token
    return event


def text_event(user_id: str, text: str, **fields: Any) -> dict[str, Any]:
    """Return a text message event from ``user_id``."""
    event = base_event("message", user_id, **fields)
    event["message"] = {
        "type": "text",
        "id": _message_id(),
        "quoteToken": uuid.uuid4().hex,
        "text": text,
    }
    return event


def message_event(
    user_id: str, message: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    """Return a message event with ``message`` (an id is added when missing)."""
    event = base_event("message", user_id, **fields)
    event["message"] = {"id": _message_id(), **message}
    return event


def sticker_event(user_id: str, **fields: Any) -> dict[str, Any]:
    """Return a sticker message event."""
    return message_event(
        user_id,
        {"type": "sticker", "packageId": "446", "stickerId": "1988"},
        **fields,
    )


def image_event(
    user_id: str,
    message_id: str | None = None,
    image_set: tuple[str, int, int] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """Return an image message event whose content is ``message_id`` (new if None).

    ``image_set`` is (id, index, total) for a photo sent with others at once, as
    LINE marks it (index from 1).
    """
    message: dict[str, Any] = {
        "type": "image",
        "id": message_id or _message_id(),
        "contentProvider": {"type": "line"},
    }
    if image_set is not None:
        set_id, index, total = image_set
        message["imageSet"] = {"id": set_id, "index": index, "total": total}
    return message_event(user_id, message, **fields)


def location_event(
    user_id: str,
    latitude: float,
    longitude: float,
    address: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """Return a location message event."""
    message: dict[str, Any] = {
        "type": "location",
        "latitude": latitude,
        "longitude": longitude,
    }
    if address is not None:
        message["address"] = address
    return message_event(user_id, message, **fields)


def postback_event(user_id: str, data: str, **fields: Any) -> dict[str, Any]:
    """Return a postback event carrying ``data``."""
    event = base_event("postback", user_id, **fields)
    event["postback"] = {"data": data}
    return event


def follow_event(user_id: str, **fields: Any) -> dict[str, Any]:
    """Return a follow event (a new friend, or unblocked)."""
    event = base_event("follow", user_id, **fields)
    event["follow"] = {"isUnblocked": False}
    return event


def unfollow_event(user_id: str, **fields: Any) -> dict[str, Any]:
    """Return an unfollow event (blocked); it has no reply token."""
    return base_event("unfollow", user_id, reply_token=None, **fields)


class ServerThread:
    """Serve a FastAPI app with uvicorn on a free loopback port, in a thread.

    Entering starts the server and waits until it accepts connections (and the
    app's startup has run); leaving shuts it down, running the app's shutdown.
    """

    def __init__(self, app: FastAPI, host: str = "127.0.0.1") -> None:
        self.app = app
        self.host = host
        self.port = _free_port(host)
        self.url = f"http://{host}:{self.port}"
        config = uvicorn.Config(
            app,
            host=host,
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan="on",
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    def __enter__(self) -> ServerThread:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self, timeout_s: float = 20.0) -> None:
        """Start the server; raises RuntimeError if it is not up within the timeout."""
        self._thread = threading.Thread(
            target=self._server.run, name="uvicorn", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start on {self.url}")
            time.sleep(0.01)

    def stop(self, timeout_s: float = 30.0) -> None:
        """Ask the server to exit and wait for its thread."""
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=timeout_s)
            self._thread = None


def post_events(
    url: str,
    events: Sequence[dict[str, Any]],
    channel_secret: str,
    *,
    timeout_s: float = 10.0,
) -> httpx.Response:
    """Post ``events`` in one signed webhook call to ``url`` and return the response.

    Raises httpx.HTTPError when the call fails before a response arrives.
    """
    body = webhook_body(events)
    return httpx.post(
        url,
        content=body,
        headers=signed_headers(body, channel_secret),
        timeout=timeout_s,
    )


def sample_jpeg(width: int = 320, height: int = 240) -> bytes:
    """Return a plain grey JPEG of ``width`` x ``height`` pixels, a stand-in photo."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (128, 128, 128)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _now_ms() -> int:
    return int(time.time() * 1000)


def _event_id() -> str:
    return "01" + uuid.uuid4().hex[:24].upper()


def _message_id() -> str:
    return str(uuid.uuid4().int)[:18]


TEST_CHANNEL_SECRET = "test-channel-secret-0123456789ab"
TEST_ACCESS_TOKEN = "test-access-token"


def loopback_settings(data_dir: Path, line_api_url: str, **fields: Any) -> Settings:
    """Return settings for a test app whose LINE API is the fake at ``line_api_url``."""
    return Settings(
        data_dir=data_dir,
        line_channel_secret=TEST_CHANNEL_SECRET,
        line_channel_access_token=TEST_ACCESS_TOKEN,
        line_api_url=line_api_url,
        line_data_api_url=line_api_url,
        **fields,
    )
