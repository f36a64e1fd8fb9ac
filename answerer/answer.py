"""Answers to residents' questions: the best-matching city pages, or the fallback.

:class:`Answerer` keeps one loaded index. ``ask`` only reads it and each thread
tokenizes with its own Sudachi tokenizer, so one Answerer serves a thread pool.
``reload_if_changed`` swaps in a newer index by replacing one reference, so a
question being answered during the swap finishes on the index it started with.

NOTE: the word groups (``index/word_groups.txt``) are process-wide. When a new
index was built with a changed group file, they switch just before the swap.
A question already being answered then may read the old index with the new
groups, and its terms differ only in the words of the changed groups.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from answerer.answer_type import expected_answer_types, snippet_kinds
from answerer.confidence import ConfidenceRule, terms_on_few_pages
from answerer.kana import hiragana_spelling, romaji_words_spelling
from answerer.outside import (
    RESCUE_SHARE,
    OutsideService,
    ServiceMatch,
    find_service,
    read_services,
    site_covers,
)
from answerer.rank import Ranking, best_passage, prepare, rank, snippet_grams
from answerer.snippet import best_snippet, mark_common_passages
from cityline.errors import CitylineError
from cityline.settings import Settings
from index.artifact import load_build, pointer_stamp
from index.normalize import joins_previous, replace_surrogates
from index.vectorize import IndexModel
from webhook import texts
from webhook.contact_route import contact_text

logger = logging.getLogger(__name__)

# Longer questions are cut to this many characters before tokenizing, so that one
# pasted document costs bounded time. LINE text messages are at most 5,000 characters.
MAX_QUESTION_CHARS = 400
DEFAULT_TOP_K = 3


@dataclass(frozen=True)
class Answer:
    """One page offered for a question; ``url`` is the page's canonical URL.

    ``section`` names the part of the site the page sits in (see
    :meth:`index.vectorize.PageEntry.section`), or is empty. A reply shows it
    when two of its pages share a title.
    """

    url: str
    title: str
    snippet: str
    score: float
    section: str = ""


@dataclass(frozen=True)
class AnswerResult:
    """The pages offered for a question, or the fallback text when none fits.

    ``tentative`` marks pages offered on a weak match
    (:meth:`answerer.confidence.ConfidenceRule.tentative`): they may not answer
    the question, so a reply states this and gives the contact route.
    """

    question: str
    answers: list[Answer] = field(default_factory=list)
    fallback: bool = False
    fallback_text: str | None = None
    tentative: bool = False

    def to_json(self) -> dict:
        """Return the JSON object that ``cityline ask --json`` prints.

        Its keys are the question, the answers and ``fallback``, and scripts
        that read ``cityline ask --json`` rely on them. A tentative answer shows
        only in the text output.
        """
        return {
            "question": self.question,
            "answers": [
                {
                    "url": answer.url,
                    "title": answer.title,
                    "snippet": answer.snippet,
                    "score": round(answer.score, 4),
                }
                for answer in self.answers
            ],
            "fallback": self.fallback,
        }


def fallback_text(settings: Settings, service: OutsideService | None = None) -> str:
    """Return the text for a question that no page answers, with the contact route.

    The wording is ``webhook.texts.FALLBACK_TEMPLATE``, which the webhook also
    uses, filled in with the city office, phone and office hours of ``settings``. For a
    question about ``service``, which another office handles, it is
    ``OUTSIDE_SERVICE_TEMPLATE`` with the service's sentence first.
    """
    if service is None:
        return contact_text(texts.FALLBACK_TEMPLATE, settings)
    return contact_text(
        texts.OUTSIDE_SERVICE_TEMPLATE, settings, sentence=service.sentence
    )


def asking_sentence(question: str) -> str | None:
    """Return the last sentence of a long ``question`` that makes a request, or
    None.

    Only a text of at least LONG_QUESTION_CHARS characters with more than one
    sentence has one: the last sentence that ends as a question or asks for
    something (〜を教えてください, 〜ですか, 〜したい). Greetings, thanks and
    background around it carry words of their own, which can keep the whole
    text from matching any page well.
    """
    if len(question) < LONG_QUESTION_CHARS:
        return None
    sentences = [s.strip() for s in _SENTENCE_END.split(question) if s.strip()]
    if len(sentences) < 2:
        return None
    asking = [s for s in sentences if _ASKS.search(s)]
    return asking[-1] if asking else None


# Questions shorter than this are ranked whole only. The labelled question files
# (cityline/demo/questions.jsonl, and questions_dev.jsonl of the real city data
# that docs/accuracy.md describes) contain questions of up to about 80
# characters, which this leaves as they were.
LONG_QUESTION_CHARS = 150
_SENTENCE_END = re.compile(r"[。！？!?\n]+")
_ASKS = re.compile(
    r"(か|かね|かな|でしょうか)$|教えて|ください|下さい|知りたい|たいです|たいのですが"
    r"|どう|どこ|いつ|いくら|何"
)


def cut_question(question: str, limit: int = MAX_QUESTION_CHARS) -> str:
    """Return ``question`` cut to at most ``limit`` characters, never inside a
    character sequence that a combining mark or variation selector continues."""
    if len(question) <= limit:
        return question
    end = limit
    while end > 0 and joins_previous(question[end]):
        end -= 1
    return question[:end]


@dataclass(frozen=True)
class _Loaded:
    model: IndexModel
    manifest: dict
    stamp: tuple[int, int] | None


class Answerer:
    """Answer questions from the index in ``settings.index_dir``."""

    def __init__(
        self,
        settings: Settings,
        loaded: _Loaded,
        rule: ConfidenceRule | None = None,
        outside_services: tuple[OutsideService, ...] | None = None,
    ) -> None:
        self._settings = settings
        self._loaded = loaded
        self._failed_stamp: tuple[int, int] | None = None
        self._reload_lock = threading.Lock()
        self.rule = rule or ConfidenceRule()
        if outside_services is None:
            outside_services = read_services(settings.outside_services_path)
        self.outside_services = outside_services

    @classmethod
    def load(
        cls,
        settings: Settings,
        rule: ConfidenceRule | None = None,
        outside_services: tuple[OutsideService, ...] | None = None,
    ) -> Answerer:
        """Load the current index, and the outside services file unless
        ``outside_services`` gives them.

        Raises IndexNotFoundError or IndexVersionError (both CitylineError), whose
        message names the fix: run ``cityline index``, and OutsideServiceError
        for an unusable ``settings.outside_services_path``.
        """
        return cls(settings, _load(settings), rule, outside_services)

    @property
    def model(self) -> IndexModel:
        """The index in use."""
        return self._loaded.model

    @property
    def manifest(self) -> dict:
        """The manifest of the index in use: versions, parameters, page count."""
        return self._loaded.manifest

    def reload_if_changed(self) -> bool:
        """Load the index again if a newer build was swapped in; return True if so.

        One stat call when nothing changed. A failed load keeps the old index and is
        logged, so a bad build never stops the answering. The same failed build is
        not tried again; the next build is.
        """
        stamp = pointer_stamp(self._settings.index_dir)
        if stamp is None or stamp in (self._loaded.stamp, self._failed_stamp):
            return False
        with self._reload_lock:
            if stamp in (self._loaded.stamp, self._failed_stamp):
                return False
            try:
                loaded = _load(self._settings)
            except CitylineError as exc:
                # A version or format message names the fix; no traceback needed.
                self._failed_stamp = stamp
                logger.error(
                    "reloading the index from %s failed; keeping the old one: %s",
                    self._settings.index_dir,
                    exc,
                )
                return False
            except Exception:
                self._failed_stamp = stamp
                logger.exception(
                    "reloading the index from %s failed; keeping the old one",
                    self._settings.index_dir,
                )
                return False
            self._loaded = loaded
        logger.info(
            "reloaded the index: %d pages", loaded.manifest.get("page_count", 0)
        )
        return True

    def ask(self, question: str, top_k: int = DEFAULT_TOP_K) -> AnswerResult:
        """Return up to ``top_k`` pages for ``question``, or the fallback.

        A lone surrogate in ``question`` is replaced by U+FFFD, in the result's
        question too. Raises ValueError when ``top_k`` is less than 1.
        """
        if top_k < 1:
            raise ValueError(f"top_k={top_k!r} must be at least 1")
        model = self._loaded.model
        # top_k is capped at the page count, because a larger value gives nothing
        # more and a huge one would overflow the ranking's 64-bit integers.
        top_k = min(top_k, max(1, len(model.pages)))
        question = replace_surrogates(question or "")
        whole = cut_question(question)
        whole_ranking = rank(model, whole, top=top_k)
        # The lower coverage floor of long questions is tried only after the
        # asking sentence, which matches better than a whole letter does.
        found = self._confident(model, whole, whole_ranking, long_floor=False)
        if found is None:
            # A long message may wrap its question in greetings and background;
            # its asking sentence alone may still find the page.
            focus = asking_sentence(question)
            if focus is not None:
                found = self._confident_ranking(model, cut_question(focus), top_k)
        if found is None:
            found = self._confident(model, whole, whole_ranking)
        if found is None:
            # ソダイゴミノダシカタ or sodai gomi no dashikata: typed without
            # conversion.
            spelled = hiragana_spelling(whole) or romaji_words_spelling(model, whole)
            if spelled is not None:
                found = self._confident_ranking(model, spelled, top_k)
        # The ranking of the whole question normalised it already.
        normalized = (
            found.ranking.query.char_text
            if found is not None and found.text == whole
            else None
        )
        service = self._outside_service(question, whole, normalized)
        if service is not None and not self._site_covers(model, found, service):
            return self._fallback(question, service.service)
        if found is None:
            return self._fallback(question)
        return AnswerResult(
            question=question,
            answers=self._answers(model, found, top_k),
            tentative=self.rule.tentative(found.ranking),
        )

    def _answers(
        self, model: IndexModel, found: _Confident, top_k: int
    ) -> list[Answer]:
        """Return the pages of a confident ranking with their snippets: the best
        one, and up to ``top_k`` - 1 more that reach ``follow_share`` of its
        score."""
        text, ranking, kinds = found
        order = (
            ranking.top if ranking.top is not None else top_rows(ranking.scores, top_k)
        )
        grams = snippet_grams(model, ranking.query)
        snippet_types = snippet_kinds(text, kinds)
        answers = []
        scores = ranking.scores[order].tolist()
        floor = scores[0] * self.rule.follow_share
        for row, score in zip(order.tolist(), scores, strict=True):
            if score <= 0 or score < floor:
                break
            page = model.pages[row]
            first = best_passage(model, ranking, row)
            window = (
                None
                if first is None
                else (first, first + model.parameters.passage_window)
            )
            answers.append(
                Answer(
                    url=page.url,
                    title=page.title,
                    snippet=best_snippet(page, grams, window, snippet_types),
                    score=score,
                    section=page.section(),
                )
            )
        return answers

    def _confident_ranking(
        self, model: IndexModel, text: str, top_k: int
    ) -> _Confident | None:
        """Return the ranking of ``text`` when the confidence rule lets its best
        page be offered, else None."""
        return self._confident(model, text, rank(model, text, top=top_k))

    def _confident(
        self, model: IndexModel, text: str, ranking: Ranking, long_floor: bool = True
    ) -> _Confident | None:
        """Return ``ranking`` of ``text`` when the confidence rule lets its best
        page be offered, else None; ``long_floor`` as in
        :meth:`ConfidenceRule.confident`."""
        kinds = expected_answer_types(text)
        if not self.rule.confident(
            ranking, model.pages, text, kinds, long_floor=long_floor
        ):
            return None
        return _Confident(text, ranking, kinds)

    def _outside_service(
        self, question: str, whole: str, normalized: str | None
    ) -> ServiceMatch | None:
        """Return the service of another office that ``question`` asks about.

        ``whole`` is the question cut for ranking and ``normalized`` its
        normalised text, when known. A longer message is also read by its
        asking sentence, which may lie past the cut.
        """
        found = find_service(whole, self.outside_services, normalized)
        if found is None and len(whole) < len(question):
            focus = asking_sentence(question)
            if focus is not None:
                found = find_service(cut_question(focus), self.outside_services)
        return found

    def _site_covers(
        self, model: IndexModel, found: _Confident | None, match: ServiceMatch
    ) -> bool:
        """Tell whether the best page of ``found`` answers a question about a
        service that another office handles (``match``); see
        :func:`answerer.outside.site_covers`."""
        if found is None:
            return False
        ranking = found.ranking
        return site_covers(
            model.pages[int(ranking.scores.argmax())],
            match,
            terms_on_few_pages(ranking, len(model.pages), RESCUE_SHARE),
            weak=self.rule.tentative(ranking),
        )

    def _fallback(
        self, question: str, service: OutsideService | None = None
    ) -> AnswerResult:
        return AnswerResult(
            question=question,
            fallback=True,
            fallback_text=fallback_text(self._settings, service),
        )


class _Confident(NamedTuple):
    """A ranking whose best page the confidence rule lets through: the text
    ranked, the ranking and the answer types the text asks for."""

    text: str
    ranking: Ranking
    kinds: frozenset[str]


def top_rows(scores: np.ndarray, count: int) -> np.ndarray:
    """Return the rows of the ``count`` highest scores, best first, ties by row."""
    if count >= len(scores):
        return np.argsort(-scores, kind="stable")
    threshold = np.partition(scores, len(scores) - count)[len(scores) - count]
    above = np.flatnonzero(scores > threshold)
    above = above[np.lexsort((above, -scores[above]))]
    ties = np.flatnonzero(scores == threshold)[: count - len(above)]
    return np.concatenate([above, ties])


def _load(settings: Settings) -> _Loaded:
    stamp = pointer_stamp(settings.index_dir)
    build = load_build(settings.index_dir)
    prepare(build.model)
    mark_common_passages(build.model.pages)
    # Last, once nothing can fail: the groups switch only for an index that is
    # put in use right after.
    build.publish_word_groups()
    return _Loaded(model=build.model, manifest=build.manifest, stamp=stamp)
