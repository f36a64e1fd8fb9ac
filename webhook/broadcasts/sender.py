"""Send a broadcast to a category's subscribers, in resumable multicast chunks.

A send has three steps. First the request is checked: the category and filter
values must exist, the messages must fit LINE's limits, and an attribute-filtered
audience must reach the privacy floor (see :mod:`webhook.broadcasts.privacy`).
Then the broadcast is stored in the delivery log with every chunk (at most 500
user ids each) and its ``X-Line-Retry-Key``, before any request goes out. Last,
the chunks are sent in order. Each chunk's user ids are deleted when LINE accepts
it, and a 409 from LINE means it accepted that key before, so the chunk counts as
sent. ``LineClient`` retries 429 and 5xx, honouring Retry-After.

Resuming: when a run stops (a LINE error after the retries, a crash, Ctrl-C), the
broadcast stays ``sending`` with its pending chunks. :meth:`BroadcastSender.resume`
(``cityline broadcast resume [ID]``) sends those chunks with their stored keys, so
no resident gets a chunk twice. Nothing resumes on its own, because a late
announcement can do harm, so staff decide: ``send`` warns about unfinished
broadcasts, and ``cancel`` drops the rest of one. A broadcast still unfinished
after a week is cancelled by the next ``cityline broadcast`` command
(:meth:`DeliveryLog.cancel_stale`), which deletes its pending user ids.

One process at a time stores and sends chunks. ``send`` and ``resume`` hold
DELIVERY_LOCK_NAME beside a SQLite app database, or an advisory lock in a
PostgreSQL one. A second one fails at once with DeliveryBusyError instead of
sending the same pending chunks again.

LINE keeps a retry key for 24 hours after its first attempt (LINE Messaging API
documentation, "Retry failed API requests"), so a chunk attempted longer ago than
that is resent only with ``force``, as LINE may have accepted it already.

For the safety category, ``Settings.use_line_broadcast_for_safety`` sends through
LINE's broadcast to every friend instead, as one request with one retry key. It
applies only without attribute filters, since LINE cannot filter by them.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import unquote_to_bytes, urlsplit, urlunsplit

from linebot.v3.messaging import Message
from sqlalchemy import make_url

from cityline.db import sqlite_file
from cityline.errors import CitylineError, ConfigError, DataDirError
from cityline.locks import exclusive_lock
from cityline.settings import Settings
from index.normalize import visible_nfkc
from webhook.broadcasts.categories import ATTRIBUTES, SAFETY_CATEGORY, Catalog, Choice
from webhook.broadcasts.delivery_log import (
    ACCEPTED_CHUNK_STATUSES,
    BROADCAST,
    MULTICAST,
    BroadcastRecord,
    DeliveryLog,
    PendingChunk,
)
from webhook.broadcasts.messages import build_messages
from webhook.broadcasts.privacy import (
    MIN_GROUP_SIZE,
    SMALL_COUNT,
    few_recipients,
    rounded_count,
)
from webhook.broadcasts.store import Audience, ReceiveSettingsStore
from webhook.line_client import LineApiError
from webhook.reports.office_hours import JAPAN

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500
# The shown chunk count of an audience under 10, which fits in one chunk of
# CHUNK_SIZE; the exact count (0 or 1) would reveal an empty category.
FEW_CHUNKS = "<=1"
RETRY_KEY_LIFETIME = timedelta(hours=24)
# A send of the text and link that LINE accepted for the same category this
# recently is taken for a command run twice, and needs ``again``.
REPEAT_WINDOW = timedelta(hours=1)


class BroadcastStoppedError(CitylineError):
    """Raised when LINE keeps failing a chunk; the broadcast can be resumed."""


class LineUnavailableError(BroadcastStoppedError):
    """Raised when a chunk fails because the LINE API cannot be reached, limits
    requests (429) or fails on its side (5xx); resuming later can succeed.

    It exits with status 3, as a crawl of a site that is down does, so a
    scheduled job can retry on 3 and alert on 2.
    """

    exit_code = 3


class RetryKeyExpiredError(CitylineError):
    """Raised when resuming could send a chunk twice because its retry key expired."""


class DuplicateBroadcastError(CitylineError):
    """Raised when a send repeats a broadcast that is still unfinished."""


class RepeatedBroadcastError(CitylineError):
    """Raised when a send repeats a broadcast sent within REPEAT_WINDOW."""


class DeliveryBusyError(CitylineError):
    """Raised when another process is sending or resuming a broadcast of the
    same app database.

    It exits with status 3, as an unreachable LINE API does, because running
    the same command again once the other process ends succeeds.
    """

    exit_code = 3


# The lock file beside a SQLite app database that a send or a resume holds
# while it stores and sends chunks, so that two resumes never send the same
# chunk.
DELIVERY_LOCK_NAME = "broadcast-delivery.lock"
# The advice in the error of a resume that the lock stopped.
_RESUME_AFTER_BUSY = (
    "wait until it ends, then check `cityline broadcast log` and run "
    "`cityline broadcast resume` for any chunks left"
)


class MessageSender(Protocol):
    """The part of ``webhook.line_client.LineClient`` that sending uses."""

    def multicast(
        self, user_ids: Sequence[str], messages: Sequence[Message], retry_key: str
    ) -> bool: ...

    def broadcast(self, messages: Sequence[Message], retry_key: str) -> bool: ...


@dataclass(frozen=True)
class BroadcastRequest:
    """A broadcast as staff request it.

    ``category`` and the values of ``filters`` may be keys or names;
    ``filters`` maps "gender", "age_band" or "area" to one option.
    """

    category: str
    bodies: tuple[str, ...]
    url: str | None = None
    filters: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BroadcastOutcome:
    """The result of a send, dry run or resume, in counts only.

    ``recipients`` is None for a LINE broadcast to every friend. ``sent_now`` and
    ``already_sent`` count the chunks that LINE accepted in this run and the ones
    it had accepted before (409). ``filters`` maps each filtered attribute to its
    option key.
    """

    broadcast_id: str | None
    category: str
    mode: str
    recipients: int | None
    chunks: int
    sent_now: int = 0
    already_sent: int = 0
    pending: int = 0
    dry_run: bool = False
    filters: Mapping[str, str] = field(default_factory=dict)
    # The broadcast's status after the run ("sent", "sending", "cancelled"),
    # or None for a dry run.
    status: str | None = None

    @property
    def few_recipients(self) -> bool:
        """True when the recipient count is shown as "<10".

        Such an audience fits in one chunk, so a chunk count of 0 or 1 would tell
        staff whether anyone subscribed at all. The chunk counts are then shown as
        FEW_CHUNKS.
        """
        return self.recipients is not None and rounded_count(self.recipients) == (
            SMALL_COUNT
        )

    def to_json(self) -> dict[str, Any]:
        """Return the outcome for ``--json`` output, with counts under 10 as "<10".

        With fewer than 10 recipients, ``chunks``, ``sent_now`` and
        ``already_sent`` are FEW_CHUNKS instead of 0 or 1. A dry run sends
        nothing whatever the audience, so its ``sent_now`` and ``already_sent``
        are 0.
        """
        return {
            "broadcast_id": self.broadcast_id,
            "category": self.category,
            "filters": dict(self.filters),
            "mode": self.mode,
            "recipients": _shown(self.recipients),
            "chunks": self._shown_chunks(self.chunks),
            "sent_now": self._shown_sent(self.sent_now),
            "already_sent": self._shown_sent(self.already_sent),
            "pending": self.pending,
            "dry_run": self.dry_run,
            "status": self.status,
        }

    def _shown_sent(self, count: int) -> int | str:
        return 0 if self.dry_run else self._shown_chunks(count)

    def _shown_chunks(self, count: int) -> int | str:
        return FEW_CHUNKS if self.few_recipients else count


@dataclass(frozen=True)
class _Plan:
    category: Choice
    filters: dict[str, str]
    bodies: tuple[str, ...]
    url: str | None
    messages: list[Message]
    audience: Audience | None


class BroadcastSender:
    """Plan, send and resume broadcasts.

    ``client`` may be None for dry runs. ``clock`` returns the current UTC time.
    """

    def __init__(
        self,
        settings: Settings,
        store: ReceiveSettingsStore,
        log: DeliveryLog,
        catalog: Catalog,
        client: MessageSender | None,
        *,
        chunk_size: int = CHUNK_SIZE,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._settings = settings
        self._store = store
        self._log = log
        self._catalog = catalog
        self._client = client
        self._chunk_size = chunk_size
        self._clock = clock

    def dry_run(self, request: BroadcastRequest) -> BroadcastOutcome:
        """Check ``request`` and count its audience without storing or sending.

        A request that ``send`` would reject, as a copy of an unfinished
        broadcast or as a repeat (see :meth:`_check_repeat`), is logged as a
        warning, since a dry run checks the real send.
        """
        plan = self._plan(request)
        text = "\n\n".join(plan.bodies)
        for unfinished in _copies(self._log.unfinished(), plan, text):
            logger.warning(
                "a send would fail: broadcast %s with the same text is "
                "unfinished; run `cityline broadcast resume %s` instead",
                unfinished.id,
                unfinished.id,
            )
        repeated = self._repeated(plan, text)
        if repeated is not None:
            _record, message = repeated
            logger.warning("a send without --again would fail: %s", message)
        if plan.audience is None:
            return BroadcastOutcome(
                None, plan.category.key, BROADCAST, None, 1, dry_run=True
            )
        recipients = len(plan.audience)
        chunks = -(-recipients // self._chunk_size)
        return BroadcastOutcome(
            None,
            plan.category.key,
            MULTICAST,
            recipients,
            chunks,
            dry_run=True,
            filters=plan.filters,
        )

    def send(
        self, request: BroadcastRequest, *, again: bool = False
    ) -> BroadcastOutcome:
        """Check ``request``, store it with its chunks, then send every chunk.

        Raises the error of the failed check before anything is stored,
        DuplicateBroadcastError when an unfinished broadcast has the same
        category, filters, text and link (resuming it sends the rest, and a new
        copy would reach its recipients twice), and BroadcastStoppedError when
        LINE keeps failing a chunk (resume it later). Unless ``again`` is set,
        it raises RepeatedBroadcastError before storing anything when LINE
        accepted the same text and link for the category within REPEAT_WINDOW
        (see :meth:`_check_repeat`).
        """
        client = self._require_client()
        plan = self._plan(request)
        with self._delivery_lock(
            "nothing of this broadcast was stored or sent; run the same "
            "`cityline broadcast send` again once it ends"
        ):
            return self._send_plan(plan, client, again)

    def _send_plan(
        self, plan: _Plan, client: MessageSender, again: bool
    ) -> BroadcastOutcome:
        """Store ``plan`` with its chunks and send them; the rest of ``send``."""
        text = "\n\n".join(plan.bodies)
        unfinished_records = self._log.unfinished()
        copies = _copies(unfinished_records, plan, text)
        if copies:
            unfinished = copies[0]
            raise DuplicateBroadcastError(
                f"broadcast {unfinished.id} to category {unfinished.category} "
                "with the same text is unfinished "
                f"({unfinished.pending_count} chunks pending), so sending it "
                "again could reach its recipients twice; run `cityline "
                f"broadcast resume {unfinished.id}` to send the rest, or "
                f"`cityline broadcast cancel {unfinished.id}` and send again"
            )
        self._check_repeat(plan, text, again)
        for unfinished in unfinished_records:
            logger.warning(
                "broadcast %s (category %s) is unfinished with %d pending chunks; "
                "run `cityline broadcast resume %s` or `cityline broadcast cancel %s`",
                unfinished.id,
                unfinished.category,
                unfinished.pending_count,
                unfinished.id,
                unfinished.id,
            )
        record = self._log.create(
            category=plan.category.key,
            filters=plan.filters,
            text=text,
            url=plan.url,
            messages=[message.to_dict() for message in plan.messages],
            audience=self._stored_audience(plan),
            chunk_size=self._chunk_size,
            now=self._clock(),
        )
        return self._deliver_naming_id(record, client, force=False)

    def _check_repeat(self, plan: _Plan, text: str, again: bool) -> None:
        """Raise RepeatedBroadcastError when LINE accepted a chunk of a broadcast
        with the same category, text and link within REPEAT_WINDOW, or a request
        for one went out then without an answer (it may have been delivered),
        and its filters can match residents that ``plan`` reaches too.

        Two filters on one attribute with different values (two areas) reach
        different residents, so they are no repeat. With ``again``, the repeat
        is logged and allowed.
        """
        repeated = self._repeated(plan, text)
        if repeated is None:
            return
        record, message = repeated
        if not again:
            raise RepeatedBroadcastError(message)
        logger.warning(
            "sending the text of broadcast %s to category %s again, as --again "
            "requests",
            record.id,
            record.category,
        )

    def _repeated(self, plan: _Plan, text: str) -> tuple[BroadcastRecord, str] | None:
        """Return the broadcast that ``plan`` repeats within REPEAT_WINDOW (see
        :meth:`_check_repeat`) with the error for it, or None."""
        now = self._clock()
        cutoff = now - REPEAT_WINDOW
        for record in self._log.reached_since(cutoff):
            if _repeats(record, plan, text):
                return record, _repeat_message(record, now, cutoff)
        return None

    def resume(self, broadcast_id: str, *, force: bool = False) -> BroadcastOutcome:
        """Send the pending chunks of ``broadcast_id`` with their stored retry keys.

        Raises RetryKeyExpiredError, before sending anything, when a pending chunk
        was first attempted more than 24 hours ago, unless ``force`` is set, and
        ConfigError when the broadcast was cancelled.
        """
        client = self._require_client()
        with self._delivery_lock(_RESUME_AFTER_BUSY):
            record = self.resumable(broadcast_id)
            return self._deliver_naming_id(record, client, force=force)

    def _deliver_naming_id(
        self, record: BroadcastRecord, client: MessageSender, *, force: bool
    ) -> BroadcastOutcome:
        """Deliver ``record``; on Ctrl-C, log its id with the commands to go on."""
        try:
            return self._deliver(record, client, force=force)
        except KeyboardInterrupt:
            # The command line cannot name the broadcast, so staff learn it here.
            logger.warning(
                "broadcast %s interrupted; a chunk whose request was out may have "
                "been delivered. Run `cityline broadcast resume %s` to send the "
                "rest (it repeats that chunk's retry key, so no one gets it "
                "twice) or `cityline broadcast cancel %s` to drop it",
                record.id,
                record.id,
                record.id,
            )
            raise

    def resumable(self, broadcast_id: str) -> BroadcastRecord:
        """Return broadcast ``broadcast_id`` if it can be resumed, without the client.

        Raises BroadcastNotFoundError for an unknown id and ConfigError when the
        broadcast was cancelled.
        """
        record = self._log.get(broadcast_id)
        if record.status == "cancelled":
            raise ConfigError(
                f"broadcast {record.id} was cancelled, so it has no chunks to resume; "
                "send it again with `cityline broadcast send`"
            )
        return record

    def resume_unfinished(self, *, force: bool = False) -> list[BroadcastOutcome]:
        """Resume every unfinished broadcast, oldest first."""
        client = self._require_client()
        with self._delivery_lock(_RESUME_AFTER_BUSY):
            return [
                self._deliver_naming_id(record, client, force=force)
                for record in self._log.unfinished()
            ]

    @contextlib.contextmanager
    def _delivery_lock(self, after_busy: str) -> Iterator[None]:
        """Hold the delivery lock while the block runs: DELIVERY_LOCK_NAME
        beside a SQLite app database, or PostgreSQL's advisory lock, so that
        data dirs that share one database send one at a time too.

        Raises DeliveryBusyError, ending with ``after_busy`` (what to do once
        the other process ends), when another process holds the lock, and
        DataDirError when the lock file cannot be opened.
        """
        url = self._settings.app_database_url
        database = sqlite_file(url)
        # The file, or the URL without its password.
        shown = (
            repr(str(database))
            if database is not None
            else make_url(url).render_as_string(hide_password=True)
        )

        def busy(pid: int | None) -> DeliveryBusyError:
            holder = "another process" if pid is None else f"process {pid}"
            return DeliveryBusyError(
                f"{holder} is sending or resuming a broadcast of the app "
                f"database {shown}; {after_busy}"
            )

        if database is None and self._log.backend != "postgresql":
            # An in-memory SQLite database belongs to this process alone.
            yield
            return
        if database is None:
            # A shared server database: the lock lives there, so that data dirs
            # on several machines that share it still send one at a time.
            with self._log.advisory_lock() as taken:
                if not taken:
                    raise busy(None)
                yield
            return
        path = database.parent / DELIVERY_LOCK_NAME

        def unusable(error: OSError) -> DataDirError:
            return DataDirError(
                f"cannot open the broadcast lock file {str(path)!r} "
                f"({error.strerror}); nothing was sent. Move away whatever is "
                "at that path, or make the data dir writable"
            )

        with exclusive_lock(path, busy, unusable):
            yield

    def _require_client(self) -> MessageSender:
        if self._client is None:
            raise ConfigError(
                "no LINE client was configured for sending; set "
                "LINE_CHANNEL_ACCESS_TOKEN, or use --dry-run"
            )
        return self._client

    def check(self, request: BroadcastRequest) -> None:
        """Check the category, filters and messages of ``request``, without the client.

        Raises the error that ``send`` would raise for them. The audience and its
        privacy floor are checked only by ``send`` and ``dry_run``.
        """
        self._checked(request)

    def _checked(
        self, request: BroadcastRequest
    ) -> tuple[Choice, dict[str, str], list[Message]]:
        category = self._catalog.category(request.category)
        filters = {}
        for attribute, value in request.filters.items():
            if attribute not in ATTRIBUTES:
                raise ConfigError(
                    f"unknown filter {attribute!r}; use one of {', '.join(ATTRIBUTES)}"
                )
            filters[attribute] = self._catalog.option(attribute, value).key
        messages = build_messages(category, request.bodies, request.url)
        return category, filters, messages

    def _plan(self, request: BroadcastRequest) -> _Plan:
        category, filters, messages = self._checked(request)
        if self._uses_line_broadcast(category, filters):
            audience = None
        else:
            audience = self._store.audience(category.key, filters)
        return _Plan(
            category=category,
            filters=filters,
            bodies=tuple(body.strip() for body in request.bodies),
            url=request.url,
            messages=messages,
            audience=audience,
        )

    def _uses_line_broadcast(self, category: Choice, filters: Mapping) -> bool:
        return (
            self._settings.use_line_broadcast_for_safety
            and category.key == SAFETY_CATEGORY
            and not filters
        )

    def _deliver(
        self, record: BroadcastRecord, client: MessageSender, *, force: bool
    ) -> BroadcastOutcome:
        pending = self._log.pending_chunks(record.id)
        self._check_retry_keys(record, pending, force)
        messages = [Message.from_dict(data) for data in self._log.messages(record.id)]
        sent_now = already_sent = 0
        total = len(record.chunks)
        by_subject: dict[str, str] | None = None
        if record.filters and any(chunk.user_ids for chunk in pending):
            by_subject = self._store.subscriber_subjects(record.category)
        for chunk in pending:
            if not self._log.is_pending(chunk):
                # `cityline broadcast cancel` ran while this send was going on.
                logger.info(
                    "broadcast %s was cancelled during the send; stopped before "
                    "chunk %d of %d",
                    record.id,
                    chunk.index + 1,
                    total,
                )
                break
            recipients = self._current_recipients(record, chunk, by_subject)
            if recipients == ():
                continue
            accepted = self._send_chunk(
                record, chunk, recipients, messages, client, total
            )
            if accepted:
                sent_now += 1
            else:
                already_sent += 1
        self._log.finish_if_done(record.id, self._clock())
        final = self._log.get(record.id)
        if few_recipients(final.recipients):
            logger.info(
                "broadcast %s %s: under %d recipients, chunk counts not shown",
                final.id,
                final.status,
                MIN_GROUP_SIZE,
            )
        else:
            logger.info(
                "broadcast %s %s: %d chunks sent now, %d accepted before, %d pending",
                final.id,
                final.status,
                sent_now,
                already_sent,
                final.pending_count,
            )
        return BroadcastOutcome(
            broadcast_id=final.id,
            category=final.category,
            mode=final.mode,
            recipients=final.recipients,
            chunks=total,
            sent_now=sent_now,
            already_sent=already_sent,
            pending=final.pending_count,
            filters=final.filters,
            status=final.status,
        )

    def _check_retry_keys(
        self, record: BroadcastRecord, pending: list[PendingChunk], force: bool
    ) -> None:
        now = self._clock()
        expired = [
            chunk.index + 1
            for chunk in pending
            if chunk.first_attempt_at is not None
            and now - chunk.first_attempt_at > RETRY_KEY_LIFETIME
        ]
        if not expired:
            return
        if not force:
            raise RetryKeyExpiredError(
                f"broadcast {record.id}: chunks {expired} were first tried more than "
                "24 hours ago, so LINE no longer recognises their retry keys and may "
                "deliver them twice; run `cityline broadcast cancel "
                f"{record.id}`, or resume with --force to send them anyway"
            )
        logger.warning(
            "broadcast %s: resending chunks %s with expired retry keys (forced)",
            record.id,
            expired,
        )

    def _stored_audience(self, plan: _Plan) -> Audience | None:
        """Return the audience as the delivery log stores it: the user ids, or
        for a filtered broadcast their subjects (see ``subjects`` of the store)."""
        if plan.audience is None or not plan.filters:
            return plan.audience
        return Audience(self._store.subjects(plan.audience.user_ids))

    def _current_recipients(
        self,
        record: BroadcastRecord,
        chunk: PendingChunk,
        by_subject: dict[str, str] | None,
    ) -> tuple[str, ...] | None:
        """Return the user ids to send ``chunk`` to now: None for a broadcast to
        all friends, else those of its recipients still in the audience (an
        empty tuple when none is left, and the chunk is then ``empty``)."""
        if chunk.user_ids is None:
            return None
        pairs = self._store.resolve_recipients(
            chunk.user_ids, record.category, record.filters, by_subject
        )
        if len(pairs) < len(chunk.user_ids):
            self._log.narrow_chunk(chunk, [entry for entry, _ in pairs])
            logger.info(
                "broadcast %s chunk %d: left out residents whose settings changed "
                "since it was stored",
                record.id,
                chunk.index + 1,
            )
        return tuple(user_id for _, user_id in pairs)

    def _send_chunk(
        self,
        record: BroadcastRecord,
        chunk: PendingChunk,
        recipients: tuple[str, ...] | None,
        messages: list[Message],
        client: MessageSender,
        total: int,
    ) -> bool:
        self._log.mark_attempt(chunk, self._clock())
        try:
            if recipients is None:
                accepted = client.broadcast(messages, chunk.retry_key)
            else:
                accepted = client.multicast(recipients, messages, chunk.retry_key)
        except LineApiError as exc:
            cause, stored = _describe_failure(exc)
            self._log.record_error(chunk, stored)
            if not exc.may_have_arrived and chunk.first_attempt_at is None:
                # No request of this run reached LINE, and none ran before it.
                self._log.clear_attempt(chunk)
            if not self._log.is_pending(chunk):
                raise BroadcastStoppedError(
                    f"broadcast {record.id} was cancelled while chunk "
                    f"{chunk.index + 1} of {total} failed ({cause}); nothing more "
                    "is sent, and `cityline broadcast log` shows what was"
                ) from exc
            raise _stopped_error(record, chunk, total, exc, cause) from exc
        self._log.complete_chunk(
            chunk, "sent" if accepted else "already_sent", self._clock()
        )
        if recipients is None:
            audience = "to every friend by LINE broadcast"
        else:
            audience = f"{rounded_count(len(recipients))} recipients"
        if few_recipients(record.recipients):
            return accepted
        logger.info(
            "broadcast %s chunk %d of %d %s (%s)",
            record.id,
            chunk.index + 1,
            total,
            "sent" if accepted else "was accepted before",
            audience,
        )
        return accepted


def _shown(count: int | None) -> int | str | None:
    return None if count is None else rounded_count(count)


def _describe_failure(exc: LineApiError) -> tuple[str, str]:
    """Return the cause of a failed chunk request for staff, and the shorter
    text that the delivery log stores as the chunk's ``last_error``."""
    if exc.status is None and exc.no_answer:
        return (
            f"the LINE API at {exc.url} did not answer ({exc.reason})",
            f"no answer from {exc.url}: {exc.reason}",
        )
    if exc.status is None:
        return (
            f"the LINE API at {exc.url} was not reached ({exc.reason})",
            f"{exc.url} not reached: {exc.reason}",
        )
    return (
        f"LINE responded with status {exc.status} (x-line-request-id {exc.request_id})",
        f"status {exc.status}, x-line-request-id {exc.request_id}",
    )


def _stopped_error(
    record: BroadcastRecord,
    chunk: PendingChunk,
    total: int,
    exc: LineApiError,
    cause: str,
) -> BroadcastStoppedError:
    """Return the error that stops a send at ``chunk``, with what staff do next.

    When a request may have reached LINE, the message states that it may have
    been delivered and that resuming, never a new send, is the safe way on:
    a resume repeats the chunk's retry key, which LINE accepts once.
    """
    error_class = (
        LineUnavailableError if _is_temporary(exc.status) else BroadcastStoppedError
    )
    where = f"broadcast {record.id} stopped at chunk {chunk.index + 1} of {total}"
    resume = f"`cityline broadcast resume {record.id}`"
    if not exc.may_have_arrived:
        return error_class(
            f"{where}: {cause}; {_fix_for(exc.status)}, then run {resume}"
        )
    fix = "wait a few minutes" if exc.status is None else _fix_for(exc.status)
    return error_class(
        f"{where}: {cause}, so the message may have been delivered. Do not send "
        f"it again: {fix}, then run {resume}, whose retry key LINE accepts only "
        "once"
    )


def _is_temporary(status: int | None) -> bool:
    """Tell whether a LINE API failure with ``status`` (None: no response) may
    pass without a change on the city's side."""
    return status is None or status == 429 or status >= 500


def _fix_for(status: int | None) -> str:
    """Return what staff should check for a LINE API failure with ``status``."""
    if status is None:
        return "check CITYLINE_LINE_API_URL and the network"
    if status in (401, 403):
        return "check LINE_CHANNEL_ACCESS_TOKEN"
    if status == 429:
        # LINE returns 429 both for too many requests and for a month's message
        # quota used up; the retries already waited out the first.
        return (
            "the channel's monthly message quota may be used up (check it in LINE "
            "Official Account Manager) or LINE is limiting requests, so wait"
        )
    if status >= 500:
        return "LINE's servers are failing, so wait a while"
    return "fix the cause"


def _repeats(record: BroadcastRecord, plan: _Plan, text: str) -> bool:
    """Tell whether ``plan`` sends what ``record`` sent, to residents who may
    have had it: the same category, text and link, and filters that overlap."""
    shared = record.filters.keys() & plan.filters.keys()
    return (
        record.category == plan.category.key
        and same_text(record.text, text)
        and same_link(record.url, plan.url)
        and all(record.filters[name] == plan.filters[name] for name in shared)
    )


def same_link(first: str | None, second: str | None) -> bool:
    """Tell whether two broadcast links open the same page.

    They are compared with the scheme and host lowercased, without a trailing
    dot of the host or the port 443, with an empty path as / and with
    percent-encoding decoded. An empty query or fragment is dropped. So
    https://City.example and https://city.example/? are the same, and so are
    /子育て/ and /%E5%AD%90%E8%82%B2%E3%81%A6/.
    """
    if first is None or second is None:
        return first == second
    return _link_key(first) == _link_key(second)


def _link_key(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    port = parts.port if parts.port not in (None, 443) else None
    netloc = host if port is None else f"{host}:{port}"
    return urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            _decode_unreserved(parts.path) or "/",
            _decode_unreserved(parts.query),
            _decode_unreserved(parts.fragment),
        )
    )


# A run of percent-escapes, and the ASCII characters whose escape may be
# decoded without changing what the URL means (RFC 3986, unreserved).
_ESCAPES = re.compile(r"(%[0-9A-Fa-f]{2})+")
_UNRESERVED = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
)


def _decode_unreserved(part: str) -> str:
    """Return a URL part with percent-escapes of UTF-8 text decoded, except
    reserved ASCII characters, whose escapes stay (in upper case): %2F is not
    /, and %26 is not &."""

    def decode(match: re.Match) -> str:
        try:
            text = unquote_to_bytes(match.group()).decode("utf-8")
        except UnicodeDecodeError:
            return match.group().upper()
        return "".join(
            char if not char.isascii() or char in _UNRESERVED else f"%{ord(char):02X}"
            for char in text
        )

    return _ESCAPES.sub(decode, part)


def same_text(first: str, second: str) -> bool:
    """Tell whether two broadcast texts read the same to a resident: equal
    once characters that display nothing (a zero-width space) are dropped and
    NFKC is applied."""
    return visible_nfkc(first) == visible_nfkc(second)


def _repeat_message(record: BroadcastRecord, now: datetime, cutoff: datetime) -> str:
    """Return the error for a send that repeats ``record``, which LINE accepted
    or was sent a request for at ``cutoff`` or later.

    It names the last time LINE accepted a chunk, or when no chunk was accepted
    since ``cutoff``, the last first try of a chunk whose request got no response.
    """
    accepted = [
        chunk.finished_at
        for chunk in record.chunks
        if chunk.status in ACCEPTED_CHUNK_STATUSES
        and chunk.finished_at is not None
        and chunk.finished_at >= cutoff
    ]
    link = " and link" if record.url else ""
    if accepted:
        sent_at = max(accepted)
        action = f"sent the same text{link}"
        twice = "would get it twice"
    else:
        sent_at = max(
            chunk.first_attempt_at
            for chunk in record.chunks
            if chunk.first_attempt_at is not None
        )
        action = f"sent a request with the same text{link}, which LINE did not confirm,"
        twice = "may get it twice"
    minutes = int((now - sent_at).total_seconds() // 60)
    ago = "1 minute ago" if minutes == 1 else f"{minutes} minutes ago"
    return (
        f"broadcast {record.id} {action} to category {record.category} at "
        f"{sent_at.astimezone(JAPAN):%Y-%m-%d %H:%M} JST ({ago}), so its residents "
        f"{twice}; nothing was sent. Check `cityline broadcast log`, or pass "
        "--again to send it once more"
    )


def _copies(
    records: Sequence[BroadcastRecord], plan: _Plan, text: str
) -> list[BroadcastRecord]:
    """Return the ``records`` that send what ``plan`` would (_same_broadcast)."""
    return [record for record in records if _same_broadcast(record, plan, text)]


def _same_broadcast(record: BroadcastRecord, plan: _Plan, text: str) -> bool:
    """Tell whether ``record`` sends what ``plan`` would, to the same residents."""
    return (
        record.category == plan.category.key
        and dict(record.filters) == plan.filters
        and same_text(record.text, text)
        and same_link(record.url, plan.url)
    )
