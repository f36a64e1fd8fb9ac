"""Answer a resident's question with the Answerer, loading it when it is missing.

The app starts even when the index has not been built, so that LINE's webhook keeps
getting its 200 and ``/healthz`` can report the problem. :class:`AnswererSource`
then tries to load the Answerer again at most once a minute. Once loaded, it
checks every few seconds whether a crawl or ``cityline index`` swapped in a new
index, and loads that one in the thread that noticed it, while other threads
go on answering from the old one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from linebot.v3.messaging import Message

from cityline.errors import CitylineError
from cityline.settings import Settings
from webhook import texts
from webhook.contact_route import contact_text
from webhook.replies import (
    answer_messages,
    default_quick_reply,
    text_message,
)

logger = logging.getLogger(__name__)

TOP_K = 3
RELOAD_INTERVAL_S = 60.0
# How often a loaded Answerer is asked whether a newer index was swapped in. The
# check itself is one stat call of the index pointer.
INDEX_CHECK_INTERVAL_S = 5.0


class AnswererLike(Protocol):
    """The part of ``answerer.answer.Answerer`` that the core uses."""

    def ask(self, question: str, top_k: int = 3) -> Any: ...


class AnswererSource:
    """Hold the Answerer, or load it from ``settings`` when it was not given."""

    def __init__(
        self,
        settings: Settings | None,
        answerer: AnswererLike | None = None,
        *,
        reload_interval_s: float = RELOAD_INTERVAL_S,
        index_check_interval_s: float = INDEX_CHECK_INTERVAL_S,
    ) -> None:
        self._settings = settings
        self._answerer = answerer
        self._outside_services = _outside_services(settings, answerer)
        self._reload_interval_s = reload_interval_s
        self._index_check_interval_s = index_check_interval_s
        self._last_attempt = float("-inf")
        self._last_check = time.monotonic()
        self._lock = threading.Lock()
        self._check_lock = threading.Lock()
        self._failed_at: datetime | None = None

    def record_answer(self, failed: bool) -> None:
        """Store whether the last question failed in the Answerer, with the time."""
        self._failed_at = datetime.now(UTC) if failed else None

    def answer_health(self) -> dict[str, str]:
        """Return ``{"answers": "ok"}``, or "failing" with the last failure's time.

        The state is that of the last question asked: one answered question
        clears an earlier failure.
        """
        failed_at = self._failed_at
        if failed_at is None:
            return {"answers": "ok"}
        return {"answers": "failing", "answers_failed_at": failed_at.isoformat()}

    def get(self) -> AnswererLike | None:
        """Return the Answerer, trying to load it if it is missing and may load now.

        A loaded Answerer that offers ``reload_if_changed`` is checked for a newer
        index at most every ``index_check_interval_s``, by one thread at a time.
        The others get the Answerer as it is meanwhile.
        """
        if self._answerer is not None:
            self._check_index(self._answerer)
            return self._answerer
        if self._settings is None:
            return None
        with self._lock:
            now = time.monotonic()
            if self._answerer is None and (
                now - self._last_attempt >= self._reload_interval_s
            ):
                self._last_attempt = now
                self._answerer = _load(self._settings, self._outside_services)
        return self._answerer

    def _check_index(self, answerer: AnswererLike) -> None:
        reload_if_changed = getattr(answerer, "reload_if_changed", None)
        if reload_if_changed is None:
            return
        if time.monotonic() - self._last_check < self._index_check_interval_s:
            return
        if not self._check_lock.acquire(blocking=False):
            return
        try:
            self._last_check = time.monotonic()
            reload_if_changed()
        except Exception:
            # reload_if_changed logs a failed load itself; this covers the check.
            logger.exception("checking the index for a newer build failed")
        finally:
            self._check_lock.release()


def _outside_services(
    settings: Settings | None, answerer: AnswererLike | None
) -> tuple | None:
    """Read the outside services file once, for every Answerer this process loads.

    A file broken after the server started then cannot stop the replies. A
    file that cannot be used at all is logged and the services are left out:
    ``cityline serve`` checks the file before it starts, so this is a file
    changed since.
    """
    if settings is None or answerer is not None:
        return None
    from answerer.outside import SERVICES_PATH, read_services

    try:
        services = read_services(settings.outside_services_path)
        logger.info(
            "outside services: %d from %s",
            len(services),
            settings.outside_services_path or SERVICES_PATH,
        )
        return services
    except CitylineError as exc:
        logger.error("outside services file unusable, so it is left out: %s", exc)
        return ()


def _load(settings: Settings, outside_services: tuple | None) -> AnswererLike | None:
    from answerer.answer import Answerer

    try:
        answerer = Answerer.load(settings, outside_services=outside_services)
    except CitylineError as exc:
        logger.error("questions cannot be answered: %s", exc)
        return None
    logger.info("answerer loaded from %s", settings.index_dir)
    return answerer


def question_reply(
    answerer: AnswererLike | None,
    question: str,
    settings: Settings,
    *,
    source: AnswererSource | None = None,
    event_id: str = "-",
) -> list[Message]:
    """Build the reply to a question: answer carousel, fallback, or an apology.

    Pages offered on a weak match (``result.tentative``) come after a text that
    states that they may not fit and gives the contact route of ``settings``.

    A failing Answerer is logged once with ``event_id`` (without the question) and
    gets the apology with the contact route of ``settings``, so the resident is
    never left without an answer. ``source``, when given, records whether the
    Answerer failed, for ``/healthz``.
    """
    if answerer is None:
        return [_apology(settings)]
    try:
        result = answerer.ask(question, top_k=TOP_K)
    except Exception:
        logger.exception("event %s: the answerer failed on a question", event_id)
        if source is not None:
            source.record_answer(failed=True)
        return [_apology(settings)]
    if source is not None:
        source.record_answer(failed=False)
    answers: Sequence[Any] = getattr(result, "answers", None) or []
    if getattr(result, "fallback", False) or not answers:
        fallback_text = getattr(result, "fallback_text", None)
        text = fallback_text or contact_text(texts.FALLBACK_TEMPLATE, settings)
        return [text_message(text, default_quick_reply())]
    if getattr(result, "tentative", False):
        hedge = contact_text(texts.TENTATIVE_ANSWER_TEMPLATE, settings)
        return [text_message(hedge), *answer_messages(answers)]
    return answer_messages(answers)


def _apology(settings: Settings) -> Message:
    text = contact_text(texts.ANSWERER_UNAVAILABLE_TEMPLATE, settings)
    return text_message(text, default_quick_reply())
