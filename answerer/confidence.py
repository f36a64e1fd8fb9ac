"""The rule that decides when no page fits a question well enough to offer it."""

from __future__ import annotations

from dataclasses import dataclass

from answerer.rank import Ranking


@dataclass(frozen=True)
class ConfidenceRule:
    """Offer pages only when the best page passes both thresholds.

    ``min_score`` bounds the best combined score, ``min_coverage`` the share of the
    question's term idf that the best page contains. A question with no content term
    and no known n-gram (empty text, particles, emoji, symbols) never passes.
    """

    min_score: float = 0.04
    min_coverage: float = 0.2

    def confident(self, ranking: Ranking) -> bool:
        """Tell whether the best page of ``ranking`` may be offered."""
        if ranking.query.empty or ranking.query.term_idf_total == 0:
            return False
        best = int(ranking.scores.argmax())
        if ranking.scores[best] < self.min_score:
            return False
        return float(ranking.coverage[best]) >= self.min_coverage
