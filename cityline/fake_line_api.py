"""A local fake of the LINE Messaging API, for tests and the demo.

It serves both the Messaging API and the content API on one loopback port, records
every request it is sent, and can respond with errors on demand. It checks what the
real API checks that matters here: a bearer token, reply tokens used once (400 on
reuse or after :meth:`FakeLineApi.expire_reply_token`), retry keys used once (409
on reuse after success), message counts per request, and the length limits on
texts, altText, carousels, quick replies and URIs (400 when one is exceeded).

    with FakeLineApi() as fake:
        settings = Settings(line_api_url=fake.base_url, ...)
        fake.fail_next("/v2/bot/message/push", status=429, headers={"Retry-After": "0"})
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

logger = logging.getLogger(__name__)

MAX_MESSAGES_PER_REQUEST = 5
MAX_MULTICAST_RECIPIENTS = 500
MAX_TEXT_UNITS = 5000
MAX_ALT_TEXT_UNITS = 400
MAX_CAROUSEL_BUBBLES = 12
MAX_QUICK_REPLY_ITEMS = 13
MAX_URI_LENGTH = 1000
LISTEN_BACKLOG = 256
CONTENT_PATH = re.compile(r"^/v2/bot/message/([^/]+)/content$")
SEND_PATHS = (
    "/v2/bot/message/reply",
    "/v2/bot/message/push",
    "/v2/bot/message/multicast",
    "/v2/bot/message/broadcast",
)
# Keys whose value is one action object, in quick replies, Flex and templates.
ACTION_KEYS = ("action", "defaultAction")


@dataclass
class RecordedRequest:
    """One request the fake received, with its JSON body parsed when it has one."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    received_at: float = field(default_factory=time.time)

    @property
    def json(self) -> Any:
        """Return the body parsed as JSON, or None when it is empty or not JSON."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    def as_record(self) -> dict[str, Any]:
        """Return the request as a JSON-ready dict, without the Authorization header.

        ``body`` is the parsed JSON body, the body as text when it is not JSON, or
        None when it is empty.
        """
        body = self.json
        if body is None and self.body:
            body = self.body.decode("utf-8", errors="replace")
        return {
            "received_at": datetime.fromtimestamp(self.received_at, UTC).isoformat(),
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "headers": {
                key: value
                for key, value in self.headers.items()
                if key != "authorization"
            },
            "body": body,
        }

    def summary(self) -> str:
        """Return one line: method, path, status and each message sent.

        A message shows its type and its text or altText. Then come its buttons
        (quick replies, Flex and template actions), each with its label and its
        postback data, URI or text, so that a reader can send a tap by hand.
        """
        line = f"{self.method} {self.path} {self.status}"
        messages = (self.json or {}).get("messages") if self.method == "POST" else None
        if not isinstance(messages, list):
            return line
        parts = [_describe_message(message) for message in messages]
        return line + " " + " | ".join(parts)


@dataclass
class _Failure:
    path: str
    status: int
    headers: dict[str, str]
    body: dict[str, Any]


class FakeLineApi:
    """The fake server; use it as a context manager or call start() and stop()."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        on_request: Callable[[RecordedRequest], None] | None = None,
    ) -> None:
        """Set up the fake. Nothing listens before :meth:`start`.

        ``on_request`` is called with each request once it is recorded, in the
        handler thread and before the response is sent. An exception it raises is
        logged and does not change the response.
        """
        self._host = host
        self._port = port
        self._on_request = on_request
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._requests: list[RecordedRequest] = []
        self._failures: list[_Failure] = []
        self._contents: dict[str, tuple[bytes, str]] = {}
        self._default_content: tuple[bytes, str] | None = None
        self._used_retry_keys: set[str] = set()
        self._expired_reply_tokens: set[str] = set()
        self._used_reply_tokens: set[str] = set()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    def __enter__(self) -> FakeLineApi:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> str:
        """Start serving on a background thread and return the base URL."""
        handler = type("Handler", (_Handler,), {"fake": self})
        server_class = type(
            "Server", (ThreadingHTTPServer,), {"request_queue_size": LISTEN_BACKLOG}
        )
        self._server = server_class((self._host, self._port), handler)
        self._server.daemon_threads = True
        port = self._server.server_address[1]
        self.base_url = f"http://{self._host}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-line-api",
            daemon=True,
        )
        self._thread.start()
        logger.debug("fake LINE API listening on %s", self.base_url)
        return self.base_url

    def stop(self) -> None:
        """Stop the server and wait for its thread."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    # Set-up for a test -------------------------------------------------------------

    def add_content(
        self, message_id: str, data: bytes, content_type: str = "image/jpeg"
    ) -> None:
        """Serve ``data`` as the content of message ``message_id``."""
        with self._lock:
            self._contents[message_id] = (data, content_type)

    def set_default_content(
        self, data: bytes, content_type: str = "image/jpeg"
    ) -> None:
        """Serve ``data`` for every message id that add_content did not set.

        Without it, the content of such a message id is 404.
        """
        with self._lock:
            self._default_content = (data, content_type)

    def fail_next(
        self,
        path: str,
        status: int,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        message: str = "fake failure",
    ) -> None:
        """Respond to the next ``times`` requests to ``path`` with ``status``."""
        with self._lock:
            for _ in range(times):
                self._failures.append(
                    _Failure(path, status, headers or {}, {"message": message})
                )

    def expire_reply_token(self, reply_token: str) -> None:
        """Make replies with ``reply_token`` fail with 400, as an expired token does."""
        with self._lock:
            self._expired_reply_tokens.add(reply_token)

    # Inspection --------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Return a copy of every request received so far, in order."""
        with self._lock:
            return list(self._requests)

    def requests_to(
        self, path: str, *, accepted_only: bool = False
    ) -> list[RecordedRequest]:
        """Return the requests to ``path``, optionally only those that got 200."""
        return [
            request
            for request in self.requests
            if request.path == path and (not accepted_only or request.status == 200)
        ]

    def wait_for(
        self,
        path: str,
        count: int = 1,
        timeout_s: float = 10.0,
        accepted_only: bool = True,
    ) -> list[RecordedRequest]:
        """Wait until ``count`` requests to ``path`` arrived and return them.

        Raises TimeoutError naming the path and the counts when they do not arrive.
        """
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while True:
                found = [
                    r
                    for r in self._requests
                    if r.path == path and (not accepted_only or r.status == 200)
                ]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"fake LINE API got {len(found)} of {count} requests to "
                        f"{path!r} within {timeout_s} s"
                    )
                self._changed.wait(left)

    def sent_messages(self, path: str) -> list[dict[str, Any]]:
        """Return the messages of the accepted requests to ``path``, in order."""
        messages: list[dict[str, Any]] = []
        for request in self.requests_to(path, accepted_only=True):
            messages.extend((request.json or {}).get("messages") or [])
        return messages

    # Request handling, called from the handler threads -----------------------------

    def _respond(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes, str]:
        with self._changed:
            status, extra_headers, payload, content_type = self._decide(
                method, path, headers, body
            )
            recorded = RecordedRequest(method, path, headers, body, status)
            self._requests.append(recorded)
            self._changed.notify_all()
        if self._on_request is not None:
            try:
                self._on_request(recorded)
            except Exception:
                logger.exception("on_request failed for %s %s", method, path)
        return status, extra_headers, payload, content_type

    def _decide(self, method, path, headers, body):
        for failure in self._failures:
            if failure.path == path:
                self._failures.remove(failure)
                return (
                    failure.status,
                    failure.headers,
                    _json(failure.body),
                    "application/json",
                )

        if not headers.get("authorization", "").startswith("Bearer "):
            return (
                401,
                {},
                _json({"message": "Authentication failed"}),
                "application/json",
            )

        content = CONTENT_PATH.match(path)
        if method == "GET" and content:
            found = self._contents.get(content.group(1), self._default_content)
            if found is None:
                return 404, {}, _json({"message": "Not found"}), "application/json"
            return 200, {}, found[0], found[1]

        if method != "POST" or path not in SEND_PATHS:
            return 404, {}, _json({"message": "Not found"}), "application/json"
        return self._decide_send(path, headers, body)

    def _decide_send(self, path, headers, body):
        try:
            request = json.loads(body)
        except ValueError:
            return (
                400,
                {},
                _json({"message": "The request body has 1 error(s)"}),
                "application/json",
            )

        messages = request.get("messages") or []
        if not 1 <= len(messages) <= MAX_MESSAGES_PER_REQUEST:
            return (
                400,
                {},
                _json({"message": "messages: size must be between 1 and 5"}),
                "application/json",
            )
        if (
            path.endswith("/multicast")
            and len(request.get("to") or []) > MAX_MULTICAST_RECIPIENTS
        ):
            return (
                400,
                {},
                _json({"message": "to: size must be at most 500"}),
                "application/json",
            )
        problem = _limit_problem(messages)
        if problem:
            return 400, {}, _json({"message": problem}), "application/json"
        if path.endswith("/reply"):
            token = request.get("replyToken")
            if (
                not token
                or token in self._expired_reply_tokens
                or token in self._used_reply_tokens
            ):
                return (
                    400,
                    {},
                    _json({"message": "Invalid reply token"}),
                    "application/json",
                )
            self._used_reply_tokens.add(token)

        retry_key = headers.get("x-line-retry-key")
        if retry_key:
            if retry_key in self._used_retry_keys:
                return (
                    409,
                    {"x-line-accepted-request-id": "fake"},
                    _json({"message": "The retry key is already accepted"}),
                    "application/json",
                )
            self._used_retry_keys.add(retry_key)
        sent = [{"id": str(uuid.uuid4().int)[:18]} for _ in messages]
        return 200, {}, _json({"sentMessages": sent}), "application/json"


class _Handler(BaseHTTPRequestHandler):
    fake: FakeLineApi
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes. With Nagle's algorithm on, the second
    # write waits for the client's delayed ACK, which added about 40 ms per call.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args) -> None:
        logger.debug("fake LINE API: " + format, *args)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        raw_length = self.headers.get("Content-Length") or "0"
        if not raw_length.isdigit():
            self._send(400, {}, _json({"message": "invalid Content-Length"}), _JSON)
            return
        length = int(raw_length)
        body = self.rfile.read(length) if length else b""
        headers = {key.lower(): value for key, value in self.headers.items()}
        path = self.path.split("?", 1)[0]
        try:
            status, extra_headers, payload, content_type = self.fake._respond(
                method, path, headers, body
            )
        except (AttributeError, TypeError, ValueError) as exc:
            # A body of the wrong shape (a list, messages that are no objects) gets
            # a 400 from the real API too, never a dropped connection.
            message = f"The request body has 1 error(s): {type(exc).__name__}"
            self._send(400, {}, _json({"message": message}), _JSON)
            return
        self._send(status, extra_headers, payload, content_type)

    def _send(self, status, extra_headers, payload, content_type) -> None:
        """Write the response. A client that closed the connection first (one
        whose read timed out) is logged at DEBUG, not as a server error."""
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("x-line-request-id", str(uuid.uuid4()))
            for key, value in extra_headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError) as exc:
            self.close_connection = True
            logger.debug(
                "fake LINE API: %s gone before the response: %s", self.path, exc
            )


_JSON = "application/json"


def _limit_problem(messages: list[Any]) -> str | None:
    """Return LINE's kind of error message for the first limit exceeded, or None."""
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            return f"messages[{index}]: must be an object"
        text = message.get("text")
        if message.get("type") == "text" and not 1 <= _utf16(text) <= MAX_TEXT_UNITS:
            return f"messages[{index}].text: length must be between 1 and 5000"
        alt_text = message.get("altText")
        if alt_text is not None and not 1 <= _utf16(alt_text) <= MAX_ALT_TEXT_UNITS:
            return f"messages[{index}].altText: length must be between 1 and 400"
        contents = message.get("contents") or {}
        if (
            contents.get("type") == "carousel"
            and len(contents.get("contents") or []) > MAX_CAROUSEL_BUBBLES
        ):
            return f"messages[{index}].contents: at most 12 bubbles"
        items = (message.get("quickReply") or {}).get("items") or []
        if len(items) > MAX_QUICK_REPLY_ITEMS:
            return f"messages[{index}].quickReply.items: at most 13 items"
        for uri in _uris(message):
            if len(uri) > MAX_URI_LENGTH:
                return f"messages[{index}]: uri must be at most 1000 characters"
    return None


def _describe_message(message: Any) -> str:
    if not isinstance(message, dict):
        return repr(message)
    kind = message.get("type", "?")
    text = message.get("text") if kind == "text" else message.get("altText")
    described = kind if text is None else f"{kind} {_quoted(text)}"
    buttons = [_describe_action(action) for action in _actions(message)]
    if buttons:
        described += " buttons: " + ", ".join(buttons)
    return described


def _describe_action(action: dict[str, Any]) -> str:
    kind = action.get("type")
    label = action.get("label") or ""
    if kind == "postback":
        return f"[{label}] postback {_quoted(action.get('data', ''))}"
    if kind == "uri":
        return f"[{label}] uri {action.get('uri', '')}"
    if kind == "message":
        return f"[{label}] text {_quoted(action.get('text', ''))}"
    return f"[{label}] {kind}"


def _actions(node: Any):
    """Yield every action object inside a message, in document order.

    Actions sit under ``action`` (quick-reply items, Flex components),
    ``defaultAction`` (templates, Flex) or in an ``actions`` list (templates).
    """
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ACTION_KEYS and isinstance(value, dict):
                yield value
            elif key == "actions" and isinstance(value, list):
                yield from (item for item in value if isinstance(item, dict))
            else:
                yield from _actions(value)
    elif isinstance(node, list):
        for value in node:
            yield from _actions(value)


def _quoted(text: Any) -> str:
    """Return ``text`` as a JSON string, so that newlines stay on one line."""
    return json.dumps(text, ensure_ascii=False)


def _uris(node: Any):
    if isinstance(node, dict):
        if node.get("type") == "uri" and isinstance(node.get("uri"), str):
            yield node["uri"]
        for value in node.values():
            yield from _uris(value)
    elif isinstance(node, list):
        for value in node:
            yield from _uris(value)


def _utf16(text: Any) -> int:
    return len(text.encode("utf-16-le")) // 2 if isinstance(text, str) else 0


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")
