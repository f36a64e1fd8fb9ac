"""The privacy rules that every staff-facing count and every filtered send obey.

Staff never see a count of residents below :data:`MIN_GROUP_SIZE` as a number, and
a broadcast narrowed by an attribute (gender, age band, area) must reach at least
that many residents. Together they stop staff from singling out one resident by a
combination of attributes, whether to learn about them or to message them.

NOTE: two shown counts of 10 or more can still be subtracted to learn the size of a
smaller group (say, 3 residents of one area who are not in their 30s). That names
no one, and no send can reach such a group, because a filtered audience under 10
is rejected.
"""

from __future__ import annotations

from collections.abc import Mapping

from cityline.errors import CitylineError

MIN_GROUP_SIZE = 10
SMALL_COUNT = f"<{MIN_GROUP_SIZE}"


class AudienceTooSmallError(CitylineError):
    """Raised when an attribute-filtered broadcast would reach too few residents."""


def rounded_count(count: int) -> int | str:
    """Return ``count`` as staff may see it: the number, or "<10" below the floor."""
    return count if count >= MIN_GROUP_SIZE else SMALL_COUNT


def require_min_audience(count: int, filters: Mapping[str, str]) -> None:
    """Raise AudienceTooSmallError when ``filters`` narrow the audience below 10.

    A broadcast without attribute filters may reach any number of subscribers,
    because it singles out no one beyond their own choice of category.
    """
    if filters and count < MIN_GROUP_SIZE:
        described = ", ".join(f"{name}={value}" for name, value in filters.items())
        raise AudienceTooSmallError(
            f"the filters {described} reach {rounded_count(count)} residents; a "
            f"broadcast filtered by attributes must reach at least {MIN_GROUP_SIZE}, "
            "so that it cannot single out a resident. Widen or drop a filter"
        )


def few_recipients(recipients: int | None) -> bool:
    """Tell whether a broadcast reaches fewer than MIN_GROUP_SIZE residents.

    Its chunk counts are then hidden too: one chunk or none would tell staff
    whether anyone subscribes. None (a LINE broadcast to every friend) is not few.
    """
    return recipients is not None and recipients < MIN_GROUP_SIZE
