"""A thin, retrying wrapper over line-bot-sdk's Messaging API clients.

It points the SDK at ``Settings.line_api_url`` and ``Settings.line_data_api_url``
(LINE's servers by default, a local fake in tests and the demo). It retries 429 and
5xx responses and connection errors with exponential backoff that honours Retry-After,
and logs every failed call with LINE's ``x-line-request-id``. Other 4xx answers are
not retried. Push, multicast and broadcast carry an ``X-Line-Retry-Key`` that stays
the same across retries, so LINE accepts each request at most once. Every message
passes through :func:`webhook.limits.enforce_limits` first, so that no request is
rejected for a text, label or count over LINE's limits.
"""

from __future__ import annotations

import logging
import math
import time
import urllib.parse
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    ApiResponse,
    Configuration,
    Message,
)
from urllib3 import BaseHTTPResponse, Retry, Timeout
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NewConnectionError,
    ReadTimeoutError,
)
from urllib3.exceptions import HTTPError as Urllib3HTTPError

from cityline.errors import CitylineError, ConfigError
from cityline.settings import Settings
from webhook.flow import ContentTooLarge
from webhook.limits import fit_messages

logger = logging.getLogger(__name__)

REPLY_PATH = "/v2/bot/message/reply"
PUSH_PATH = "/v2/bot/message/push"
MULTICAST_PATH = "/v2/bot/message/multicast"
BROADCAST_PATH = "/v2/bot/message/broadcast"

T = TypeVar("T")

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 20.0
MAX_ATTEMPTS = 4
BACKOFF_BASE_S = 0.5
BACKOFF_MAX_S = 30.0
# A download of a resident's photo may take this long in all, however slowly its
# bytes arrive, so that a trickling response cannot hold a worker for good.
CONTENT_DEADLINE_S = 60.0
# The largest content kept, the same 10 MB as the limit of report photos.
MAX_CONTENT_BYTES = 10 * 1024 * 1024
CONTENT_PATH = "/v2/bot/message/{message_id}/content"
_CONTENT_CHUNK_BYTES = 64 * 1024
# Maximum characters of a connection failure's reason in messages. urllib3's own
# text runs to several hundred.
CAUSE_MAX_CHARS = 100


class LineApiError(CitylineError):
    """Raised when the LINE API rejects a call or keeps failing after retries.

    ``status`` is None when no response came. ``url`` is then the API's base URL
    and ``reason`` the cause in a few words (see describe_connection_error).
    ``no_answer`` is true when the last request was sent but no response came
    (a read timeout, say), and ``may_have_arrived`` when any try of the call
    may have reached LINE: such a one, or a 5xx, after which LINE's own
    documentation ("Retry failed API requests") states that the message may
    have been delivered. It defaults to whether ``status`` is a 5xx or
    ``no_answer`` is set.
    """

    def __init__(
        self,
        operation: str,
        status: int | None,
        request_id: str | None,
        body,
        *,
        url: str | None = None,
        reason: str | None = None,
        no_answer: bool = False,
        may_have_arrived: bool | None = None,
    ):
        self.operation = operation
        self.status = status
        self.request_id = request_id
        self.body = body
        self.url = url
        self.reason = reason if reason is not None else _first_words(str(body))
        self.no_answer = no_answer
        if may_have_arrived is None:
            may_have_arrived = no_answer or (status is not None and status >= 500)
        self.may_have_arrived = may_have_arrived
        if status is None:
            outcome = "did not answer" if no_answer else "was not reached"
            message = (
                f"LINE API {operation} failed: {url or 'the API'} {outcome} "
                f"({self.reason})"
            )
        else:
            message = (
                f"LINE API {operation} failed with status {status} "
                f"(x-line-request-id {request_id}): {_short(body)}"
            )
        super().__init__(message)


class LineClient:
    """Send messages and fetch content through the LINE Messaging API.

    ``sleep`` is injectable so that tests of the backoff need not wait.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        max_attempts: int = MAX_ATTEMPTS,
        backoff_base_s: float = BACKOFF_BASE_S,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not settings.line_channel_access_token:
            raise ConfigError(
                "LINE_CHANNEL_ACCESS_TOKEN is not set; set it to the channel access "
                "token from the LINE Developers console"
            )
        token = settings.line_channel_access_token
        self._api_url = settings.line_api_url
        self._data_api_url = settings.line_data_api_url
        self._api_client = ApiClient(_configuration(settings.line_api_url, token))
        self._data_client = ApiClient(_configuration(settings.line_data_api_url, token))
        self._token = token
        self._max_attempts = max_attempts
        self._backoff_base_s = backoff_base_s
        self._sleep = sleep

    def close(self) -> None:
        """Close the HTTP connection pools."""
        self._api_client.close()
        self._data_client.close()

    def reply(self, reply_token: str, messages: Sequence[Message]) -> None:
        """Reply with ``messages``; raises LineApiError when, say, the token expired."""
        fitted = _fitted(messages, "reply")
        if not fitted:
            return
        body = {"replyToken": reply_token, "messages": fitted}
        self._call("reply", lambda: self._post_json(REPLY_PATH, body))

    def push(
        self, user_id: str, messages: Sequence[Message], retry_key: str | None = None
    ) -> None:
        """Push ``messages`` to one user, with a retry key (a new one if not given)."""
        fitted = _fitted(messages, "push")
        if not fitted:
            return
        body = {"to": user_id, "messages": fitted}
        key = retry_key or str(uuid.uuid4())
        self._call(
            "push",
            lambda: self._post_json(PUSH_PATH, body, retry_key=key),
            accepts_conflict=True,
        )

    def multicast(
        self, user_ids: Sequence[str], messages: Sequence[Message], retry_key: str
    ) -> bool:
        """Send ``messages`` to up to 500 users.

        Returns True when LINE accepted the request now, and False when it responded
        409, which means a request with this retry key was accepted before.
        """
        fitted = _fitted(messages, "multicast")
        if not fitted:
            return True
        body = {"to": list(user_ids), "messages": fitted}
        return self._call(
            "multicast",
            lambda: self._post_json(MULTICAST_PATH, body, retry_key=retry_key),
            accepts_conflict=True,
        )

    def broadcast(self, messages: Sequence[Message], retry_key: str) -> bool:
        """Send ``messages`` to every friend; the return value is as for multicast."""
        fitted = _fitted(messages, "broadcast")
        if not fitted:
            return True
        body = {"messages": fitted}
        return self._call(
            "broadcast",
            lambda: self._post_json(BROADCAST_PATH, body, retry_key=retry_key),
            accepts_conflict=True,
        )

    def _post_json(
        self, path: str, body: dict[str, Any], retry_key: str | None = None
    ) -> ApiResponse:
        """POST a ready JSON body through the SDK's ApiClient (auth, pool, errors).

        The typed ``MessagingApi`` methods serialize every message model twice more
        (pydantic v1 ``dict()`` and then each ``to_dict()``), which costs more CPU
        than the rest of handling an event. The messages are already plain dicts
        from :func:`fit_messages`, so the body goes to the same endpoint as it is.
        """
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if retry_key is not None:
            headers["X-Line-Retry-Key"] = retry_key
        return self._api_client.call_api(
            path,
            "POST",
            header_params=headers,
            body=body,
            response_types_map={},
            auth_settings=["Bearer"],
            _request_timeout=_timeouts(),
        )

    def get_content(
        self,
        message_id: str,
        *,
        max_bytes: int = MAX_CONTENT_BYTES,
        deadline_s: float = CONTENT_DEADLINE_S,
    ) -> bytes:
        """Download the content (an image, say) that a user sent in a message.

        The body is read in pieces. The download stops with ContentTooLarge
        once it passes ``max_bytes``, and with LineApiError once ``deadline_s``
        have passed since the call, retries included. So neither a huge nor a
        trickling body ties up the caller's memory or thread. Failed tries are
        retried as other calls are while time is left.

        NOTE: the deadline bounds each socket read and the body, but headers
        that arrive a byte at a time, each within the read timeout, can still
        keep one try going past it.
        """
        deadline = time.monotonic() + deadline_s
        return self._call(
            "get_content",
            lambda: self._download(message_id, max_bytes, deadline, deadline_s),
            returns_response=True,
            url=self._data_api_url,
        )

    def _download(
        self, message_id: str, max_bytes: int, deadline: float, deadline_s: float
    ) -> bytes:
        """GET one message's content through the data client's connection pool,
        by ``deadline`` (a ``time.monotonic()`` value)."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise self._content_timed_out(deadline_s)
        path = CONTENT_PATH.format(message_id=urllib.parse.quote(message_id, safe=""))
        connect_s, read_s = _timeouts()
        response = self._data_client.rest_client.pool_manager.request(
            "GET",
            self._data_api_url.rstrip("/") + path,
            headers={"Authorization": f"Bearer {self._token}"},
            preload_content=False,
            timeout=Timeout(
                connect=min(connect_s, remaining), read=min(read_s, remaining)
            ),
        )
        try:
            if not 200 <= response.status <= 299:
                raise _api_error(response)
            body = _read_limited(response, max_bytes, deadline)
        finally:
            response.release_conn()
        if body is None:
            raise self._content_timed_out(deadline_s)
        return body

    def _content_timed_out(self, deadline_s: float) -> LineApiError:
        """Return the error of a download that ran past its deadline, which is
        not retried because no time is left."""
        return LineApiError(
            "get_content",
            None,
            None,
            "",
            url=self._data_api_url,
            reason=f"the download took over {deadline_s:g} s",
        )

    def _call(
        self,
        operation: str,
        send: Callable[[], T],
        *,
        accepts_conflict: bool = False,
        returns_response: bool = False,
        url: str | None = None,
    ):
        """Run ``send`` with retries and return True (or the response if asked).

        A 409 returns False when ``accepts_conflict`` is set: LINE uses it to say that
        the retry key was used by an accepted request. ``url`` is the base URL that
        ``send`` calls, the Messaging API's unless given, named when it is not
        reached.
        """
        url = url or self._api_url
        # Whether a try so far may have reached LINE (see LineApiError).
        may_have_arrived = False
        for attempt in range(1, self._max_attempts + 1):
            try:
                response = send()
            except ApiException as exc:
                request_id = _header(exc.headers, "x-line-request-id")
                if exc.status == 409 and accepts_conflict:
                    logger.info(
                        "LINE API %s: retry key was accepted before (request id %s)",
                        operation,
                        request_id,
                    )
                    return False
                may_have_arrived = may_have_arrived or (exc.status or 0) >= 500
                retryable = exc.status == 429 or (exc.status or 0) >= 500
                if not retryable or attempt == self._max_attempts:
                    logger.error(
                        "LINE API %s failed: status %s, x-line-request-id %s, body %s",
                        operation,
                        exc.status,
                        request_id,
                        _short(exc.body),
                    )
                    raise LineApiError(
                        operation,
                        exc.status,
                        request_id,
                        exc.body,
                        may_have_arrived=may_have_arrived,
                    ) from exc
                delay = self._delay(attempt, _header(exc.headers, "retry-after"))
                logger.warning(
                    "LINE API %s returned %s (request id %s); retry %d in %.1f s",
                    operation,
                    exc.status,
                    request_id,
                    attempt,
                    delay,
                )
            except Urllib3HTTPError as exc:
                reason = describe_connection_error(exc)
                no_answer = connected_before_failing(exc)
                may_have_arrived = may_have_arrived or no_answer
                if attempt == self._max_attempts:
                    # The full text, with urllib3's nested errors, goes to the log.
                    logger.error("LINE API %s failed: %s", operation, exc)
                    raise LineApiError(
                        operation,
                        None,
                        None,
                        str(exc),
                        url=url,
                        reason=reason,
                        no_answer=no_answer,
                        may_have_arrived=may_have_arrived,
                    ) from exc
                delay = self._delay(attempt, None)
                logger.warning(
                    "LINE API %s: %s %s (%s); retry %d in %.1f s",
                    operation,
                    url,
                    "did not answer" if no_answer else "was not reached",
                    reason,
                    attempt,
                    delay,
                )
            else:
                logger.debug(
                    "LINE API %s ok (x-line-request-id %s)",
                    operation,
                    _header(getattr(response, "headers", None), "x-line-request-id"),
                )
                return response if returns_response else True
            self._sleep(delay)
        raise AssertionError("unreachable: the loop returns or raises")

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        """Return the seconds to wait before try ``attempt + 1``: Retry-After when
        it is a number of seconds from 0 to BACKOFF_MAX_S (a negative, NaN or
        infinite one is clamped), else the exponential backoff."""
        if retry_after:
            try:
                seconds = float(retry_after)
            except ValueError:
                seconds = None  # an HTTP date: fall back to the computed backoff
            if seconds is not None and math.isfinite(seconds):
                return min(max(seconds, 0.0), BACKOFF_MAX_S)
        return min(self._backoff_base_s * 2 ** (attempt - 1), BACKOFF_MAX_S)


def describe_connection_error(exc: BaseException) -> str:
    """Return the cause of a failed LINE API connection in a few words.

    The result names the urllib3 exception class and its reason, as in
    "NewConnectionError: connection refused" or "ReadTimeoutError: no response
    within 20 s". A reason longer than CAUSE_MAX_CHARS is cut between words and
    ends in "…".
    """
    if isinstance(exc, MaxRetryError) and exc.reason is not None:
        exc = exc.reason
    name = type(exc).__name__
    if isinstance(exc, ReadTimeoutError):
        return f"{name}: no response within {READ_TIMEOUT_S:g} s"
    if isinstance(exc, ConnectTimeoutError) and not isinstance(exc, NewConnectionError):
        return f"{name}: no connection within {CONNECT_TIMEOUT_S:g} s"
    cause = _os_error_in(exc)
    if cause is not None and isinstance(cause.strerror, str) and cause.strerror:
        detail = cause.strerror
    elif cause is not None:
        detail = str(cause) or type(cause).__name__
    else:
        detail = str(exc)
    if not detail:
        return name
    return f"{name}: {_first_words(_lower_first(detail), CAUSE_MAX_CHARS)}"


def connected_before_failing(exc: BaseException) -> bool:
    """Tell whether a failed call got past connecting, so that its request may
    have reached the API although no response came (a read timeout, a closed
    connection). Only a failure to connect (refused, unknown host, connect
    timeout) proves that nothing was sent.
    """
    if isinstance(exc, MaxRetryError) and exc.reason is not None:
        exc = exc.reason
    # NOTE: a TLS failure counts as connected, because urllib3 raises SSLError
    # for a failed handshake and for a failed read alike.
    return not isinstance(exc, ConnectTimeoutError | NewConnectionError)


def _os_error_in(exc: BaseException) -> OSError | None:
    """Return the OSError under ``exc``: in its arguments, as urllib3's
    ProtocolError keeps it, or in its chain of causes."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        for argument in current.args:
            if isinstance(argument, OSError):
                return argument
        if isinstance(current, OSError) and current is not exc:
            return current
        current = current.__cause__ or current.__context__
    return None


def _lower_first(text: str) -> str:
    """Lower-case the first letter of a sentence ("Connection refused"), but
    not of an acronym or a code ("SSL", "[SSL: ...]")."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _first_words(text: str, limit: int = CAUSE_MAX_CHARS) -> str:
    """Return ``text`` on one line, cut at the last space before ``limit``
    characters with "…" added when it is longer."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[:limit].rsplit(" ", 1)[0]
    return head.rstrip(" ,;:(") + "…"


def _fitted(messages: Sequence[Message], operation: str) -> list[dict[str, Any]]:
    fitted = fit_messages(messages)
    if not fitted:
        logger.warning("LINE API %s skipped: no valid message to send", operation)
    return fitted


def _api_error(response: BaseHTTPResponse) -> ApiException:
    """Return the SDK's exception for an error ``response``, reading at most
    _CONTENT_CHUNK_BYTES of its body, and close the connection."""
    body = response.read(_CONTENT_CHUNK_BYTES)
    response.close()
    error = ApiException(status=response.status, reason=response.reason)
    error.body = body.decode("utf-8", errors="replace")
    error.headers = response.headers
    return error


def _read_limited(
    response: BaseHTTPResponse, max_bytes: int, deadline: float
) -> bytes | None:
    """Return the body of ``response``, reading it piece by piece, or None once
    ``time.monotonic()`` passes ``deadline``.

    Raises ContentTooLarge past ``max_bytes``. The connection is closed in both
    cases, since the rest of the body is never read.
    """
    pieces = []
    received = 0
    while True:
        piece = response.read1(_CONTENT_CHUNK_BYTES)
        if not piece:
            return b"".join(pieces)
        received += len(piece)
        if received > max_bytes:
            response.close()
            raise ContentTooLarge(
                f"content is over {max_bytes} bytes; download stopped"
            )
        if time.monotonic() > deadline:
            response.close()
            return None
        pieces.append(piece)


def _timeouts() -> tuple[float, float]:
    return (CONNECT_TIMEOUT_S, READ_TIMEOUT_S)


def _header(headers, name: str) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _short(body, limit: int = 300) -> str:
    if isinstance(body, bytes | bytearray):
        body = body.decode("utf-8", "replace")
    text = str(body)
    return text if len(text) <= limit else text[:limit] + "…"


def _configuration(host: str, token: str) -> Configuration:
    """Return the SDK configuration for ``host``, without urllib3's own retries.

    This client retries with backoff itself; urllib3's default three retries
    inside each attempt tripled the wait and logged a warning per try.
    """
    configuration = Configuration(host=host, access_token=token)
    configuration.retries = Retry(total=0, redirect=False)
    return configuration
