"""A stand-in for the answerer in webhook tests that do not check its results."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FallbackResult:
    """A result with no pages: the fallback, as ``Answerer.ask`` returns it."""

    answers: list = field(default_factory=list)
    fallback: bool = True
    fallback_text: str | None = "FALLBACK"


class RecordingAnswerer:
    """Returns the fallback for every question and records the questions asked."""

    def __init__(self) -> None:
        self.questions: list[str] = []

    def ask(self, question: str, top_k: int = 3) -> FallbackResult:
        self.questions.append(question)
        return FallbackResult()
