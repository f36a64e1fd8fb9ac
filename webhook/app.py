"""The FastAPI app that LINE calls: ``POST /callback`` and ``GET /healthz``.

``/callback`` reads the body with a size bound, verifies ``X-Line-Signature`` over
the raw bytes with line-bot-sdk, stores the events in the inbox and returns 200
before any event is handled. A :class:`~webhook.worker.KeyedWorker` then handles
them in order per user. Events left in the inbox when the app stops are handled
when it starts again.

Nothing here reads the environment: :func:`create_app` takes its settings and,
optionally, ready-made dependencies (tests and the demo pass fakes or shared ones).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from linebot.v3.webhook import SignatureValidator
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from cityline.db import create_db_engine
from cityline.errors import ConfigError
from cityline.settings import Settings
from index.normalize import replace_surrogates
from webhook.answering import AnswererLike, AnswererSource
from webhook.flow import Flow
from webhook.handler import EventHandler, erasure_check
from webhook.inbox import Inbox, InboxItem
from webhook.line_client import LineClient
from webhook.priority import RequestGate
from webhook.privacy import UserHasher
from webhook.sending import ReplySender
from webhook.wiring import build_flows, build_routers
from webhook.worker import DEFAULT_THREADS, KeyedWorker

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
"""Largest webhook body accepted (1 MiB); LINE's bodies are a few kilobytes."""

PRUNE_INTERVAL_S = 3600.0
"""How often a running app deletes the ids of long-handled events (hourly)."""

CHECKPOINT_INTERVAL_S = 60.0
"""How often a running app empties SQLite's -wal file of handled events' JSON."""

CHECKPOINT_DELAY_S = 1.0
"""Wait before a checkpoint that the handler requested, after an event that
carries receive settings or an unfollow (``EventHandler.handle_item``).

The requests of a burst of such events then share one checkpoint, which costs
about 1 ms and holds up the storing of new events meanwhile.
"""


REJECTION_LOG_INTERVAL_S = 60.0
"""Minimum seconds between log lines about rejected webhook calls of one kind."""


class RejectionLog:
    """Log rejected webhook calls at WARNING, at most once a minute per reason.

    Anyone can post to ``/callback``, so one line per rejected call would let a
    flood of bad requests fill the log. Later lines carry the count skipped since.
    """

    def __init__(self, interval_s: float = REJECTION_LOG_INTERVAL_S) -> None:
        self._interval_s = interval_s
        self._lock = threading.Lock()
        self._next_at: dict[str, float] = {}
        self._skipped: dict[str, int] = {}

    def warn(self, reason: str) -> None:
        """Log that a call was rejected for ``reason``, unless logged recently."""
        now = time.monotonic()
        with self._lock:
            if now < self._next_at.get(reason, 0.0):
                self._skipped[reason] = self._skipped.get(reason, 0) + 1
                return
            self._next_at[reason] = now + self._interval_s
            skipped = self._skipped.pop(reason, 0)
        logger.warning(
            "webhook call rejected: %s (%d more since the last such line)",
            reason,
            skipped,
        )


class WebhookService:
    """The state behind the routes: verification, inbox, worker and handler."""

    def __init__(
        self,
        *,
        channel_secret: str,
        inbox: Inbox,
        handler: EventHandler,
        sender: ReplySender,
        answerers: AnswererSource,
        worker_threads: int,
        handle_events: bool,
    ) -> None:
        self.inbox = inbox
        self.handler = handler
        self.sender = sender
        self.answerers = answerers
        self.handle_events = handle_events
        self._validator = SignatureValidator(channel_secret)
        self._worker_threads = worker_threads
        self._accept_lock = threading.Lock()
        self._next_prune = 0.0
        self._stop_checkpoints = threading.Event()
        self._checkpoints: threading.Thread | None = None
        self.rejections = RejectionLog()
        self.worker: KeyedWorker[InboxItem] | None = None

    def signature_is_valid(self, body: bytes, signature: str) -> bool:
        """Check ``signature`` against the HMAC-SHA256 of ``body``."""
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return self._validator.validate(text, signature)

    def start(self) -> None:
        """Prune old ids, start the worker and the periodic checkpoint, and queue
        the events left from before."""
        self._prune()
        if not self.handle_events:
            logger.info("event handling is off; events are only stored")
            return
        self.worker = KeyedWorker(
            self.handler.handle_item,
            threads=self._worker_threads,
            name="events",
        )
        self._stop_checkpoints.clear()
        self._checkpoints = threading.Thread(
            target=self._checkpoint_periodically, name="inbox-checkpoint", daemon=True
        )
        self._checkpoints.start()
        with self._accept_lock:
            left = self.inbox.pending()
            for item in left:
                self._submit(item)
        if left:
            logger.info("queued %d events left in the inbox", len(left))

    def stop(self) -> None:
        """Stop the worker; events it had not started stay in the inbox.

        A last checkpoint then empties the write-ahead log of the events handled.
        """
        if self.worker is not None:
            self.worker.stop()
            self.worker = None
        if self._checkpoints is not None:
            self._stop_checkpoints.set()
            self.inbox.request_checkpoint()  # wakes the thread
            self._checkpoints.join()
            self._checkpoints = None
            self.inbox.checkpoint()

    def _checkpoint_periodically(self) -> None:
        """Checkpoint the inbox every CHECKPOINT_INTERVAL_S, and CHECKPOINT_DELAY_S
        after the handler requests it, until stop()."""
        while True:
            self.inbox.wait_for_checkpoint_request(CHECKPOINT_INTERVAL_S)
            if self._stop_checkpoints.wait(CHECKPOINT_DELAY_S):
                return
            self.inbox.checkpoint()

    def accept(self, raw_events: Sequence[Any]) -> int:
        """Store the new events and queue them; return how many were new."""
        events = [raw for raw in raw_events if isinstance(raw, dict)]
        if len(events) != len(raw_events):
            logger.warning(
                "skipped %d events that are not JSON objects",
                len(raw_events) - len(events),
            )
        if time.monotonic() >= self._next_prune:
            self._prune()
        # Storing and queueing under one lock keeps each user's events in the
        # order in which they were stored, even when bodies arrive concurrently.
        # The order holds within one process, and the serve lock allows one
        # server per data dir.
        with self._accept_lock:
            items = self.inbox.add(events)
            for item in items:
                self._submit(item)
        return len(items)

    def _prune(self) -> None:
        self._next_prune = time.monotonic() + PRUNE_INTERVAL_S
        try:
            self.inbox.prune()
        except SQLAlchemyError as exc:
            logger.error("pruning the inbox failed: %s", exc)

    def _submit(self, item: InboxItem) -> None:
        if self.worker is not None:
            self.worker.submit(item.source_hash or item.event_id, item)

    def health(self) -> dict[str, Any]:
        """Return whether the index is loaded, the last question was answered
        without an error, the database is writable and the last reply reached
        LINE."""
        index_loaded = self.answerers.get() is not None
        answers = self.answerers.answer_health()
        try:
            self.inbox.check_writable()
            database_writable = True
        except (SQLAlchemyError, OSError) as exc:
            logger.error("health check: the database is not writable: %s", exc)
            database_writable = False
        delivery = self.sender.delivery_health()
        healthy = (
            index_loaded
            and answers["answers"] == "ok"
            and database_writable
            and delivery["replies"] != "failing"
        )
        return {
            "status": "ok" if healthy else "unhealthy",
            "index_loaded": index_loaded,
            **answers,
            "database_writable": database_writable,
            **delivery,
        }


def create_app(
    settings: Settings,
    *,
    answerer: AnswererLike | None = None,
    line_client: LineClient | None = None,
    engine: Engine | None = None,
    flows: Sequence[Flow] | None = None,
    worker_threads: int = DEFAULT_THREADS,
    handle_events: bool = True,
) -> FastAPI:
    """Build the webhook app; dependencies not given are made from ``settings``.

    ``answerer`` defaults to ``Answerer.load(settings)``, retried later when the
    index is missing. ``flows`` defaults to ``build_flows(...)``. With
    ``handle_events=False`` events are verified and stored but not handled, which
    leaves them for the next app on the same database. Raises ConfigError when the
    channel secret is missing, or when the access token is missing and no
    ``line_client`` is given.
    """
    if not settings.line_channel_secret:
        raise ConfigError(
            "LINE_CHANNEL_SECRET is not set; set it to the channel secret from the "
            "LINE Developers console"
        )
    owns_line_client = line_client is None
    owns_engine = engine is None
    line_client = line_client or LineClient(settings)
    engine = engine or create_db_engine(settings.app_database_url)
    if flows is None:
        flows = build_flows(settings, engine, line_client.get_content)
    gate = RequestGate()
    service = _build_service(
        settings,
        engine,
        line_client,
        flows,
        answerer,
        gate,
        worker_threads=worker_threads,
        handle_events=handle_events,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(service.start)
        logger.info("webhook started with %d flows", len(flows))
        try:
            yield
        finally:
            await run_in_threadpool(service.stop)
            if owns_line_client:
                line_client.close()
            if owns_engine:
                engine.dispose()
            logger.info("webhook stopped")

    app = FastAPI(title="cityline webhook", lifespan=lifespan, docs_url=None)
    app.state.service = service
    app.state.line_client = line_client
    app.state.engine = engine
    _add_routes(app, service, gate)
    for router in build_routers(settings, engine):
        app.include_router(router)
    return app


def _build_service(
    settings: Settings,
    engine: Engine,
    line_client: LineClient,
    flows: Sequence[Flow],
    answerer: AnswererLike | None,
    gate: RequestGate,
    *,
    worker_threads: int,
    handle_events: bool,
) -> WebhookService:
    """Return the service that stores and handles events, with its inbox,
    handler and sender; ``answerer`` None loads the Answerer from ``settings``."""
    hasher = UserHasher(settings.user_hash_key())
    inbox = Inbox(engine, hasher, erases_data=erasure_check(flows))
    answerers = AnswererSource(settings if answerer is None else None, answerer)
    answerers.get()
    sender = ReplySender(line_client)
    handler = EventHandler(
        settings=settings,
        inbox=inbox,
        flows=flows,
        answerers=answerers,
        sender=sender,
        hasher=hasher,
        compute_slot=gate.compute_slot,
    )
    return WebhookService(
        channel_secret=settings.line_channel_secret,
        inbox=inbox,
        handler=handler,
        sender=sender,
        answerers=answerers,
        worker_threads=worker_threads,
        handle_events=handle_events,
    )


def _add_routes(app: FastAPI, service: WebhookService, gate: RequestGate) -> None:
    """Add /healthz and /callback. The gate lets callbacks run before the
    handling of questions."""

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        report = await run_in_threadpool(service.health)
        status = 200 if report["status"] == "ok" else 503
        return JSONResponse(report, status_code=status)

    @app.post("/callback")
    async def callback(request: Request) -> JSONResponse:
        gate.request_started()
        try:
            return await _callback(service, request)
        finally:
            gate.request_finished()


async def _callback(service: WebhookService, request: Request) -> JSONResponse:
    too_large = f"body is larger than {MAX_BODY_BYTES} bytes"
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return _reject(service, 413, too_large)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return _reject(service, 413, too_large)

    signature = request.headers.get("x-line-signature")
    if not signature:
        return _reject(service, 400, "missing X-Line-Signature header")
    if not service.signature_is_valid(bytes(body), signature):
        # Wording for the log: when every call fails, the secret is the cause.
        return _reject(
            service,
            400,
            "invalid X-Line-Signature (if every call fails, check that "
            "LINE_CHANNEL_SECRET is this channel's secret)",
        )

    try:
        payload = _without_surrogates(json.loads(body))
    except (ValueError, RecursionError):
        # RecursionError: JSON nested too deep to parse or to walk.
        return _reject(service, 400, "body is not JSON")
    events = payload.get("events") if isinstance(payload, dict) else None
    if not isinstance(events, list):
        return _reject(service, 400, "body has no events list")
    if not events:
        return JSONResponse({})

    try:
        stored = await run_in_threadpool(service.accept, events)
    except SQLAlchemyError:
        logger.exception("storing %d webhook events failed", len(events))
        return _error(503, "events could not be stored; LINE may redeliver them")
    logger.info("webhook: %d events, %d new", len(events), stored)
    return JSONResponse({})


def _without_surrogates(value: Any) -> Any:
    """Return parsed JSON ``value`` with each lone surrogate in its strings replaced.

    JSON may escape one (``"\\ud800"``), and the inbox, the report store and the
    tokenizer all need text that UTF-8 can encode. The signature was checked on
    the raw body before.
    """
    if isinstance(value, str):
        return replace_surrogates(value)
    if isinstance(value, list):
        return [_without_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {
            replace_surrogates(key): _without_surrogates(item)
            for key, item in value.items()
        }
    return value


def _reject(service: WebhookService, status: int, reason: str) -> JSONResponse:
    service.rejections.warn(reason)
    return _error(status, reason)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
