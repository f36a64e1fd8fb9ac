"""Report statuses and the changes staff may make between them.

- ``submitted``: sent by a resident, not yet checked by staff
- ``accepted``: staff checked the photo and the location; from here the city counts
  the report as received
- ``in_progress``: work is planned or under way
- ``resolved``: fixed
- ``not_city_managed``: the place is managed by another body, which was told
- ``rejected``: incomplete, for example the photo or the place cannot be made out
- ``removed``: breaks the rules (personal data of others, defamation, commercial or
  political content); hidden from every public view
"""

from __future__ import annotations

from cityline.errors import CitylineError

STATUSES = (
    "submitted",
    "accepted",
    "in_progress",
    "resolved",
    "not_city_managed",
    "rejected",
    "removed",
)

# Statuses in which a report still waits for the city, used for duplicate links.
OPEN_STATUSES = frozenset({"submitted", "accepted", "in_progress"})
# Statuses the public views list; submitted and removed reports stay private.
PUBLIC_STATUSES = frozenset(STATUSES) - {"submitted", "removed"}

TRANSITIONS: dict[str, frozenset[str]] = {
    "submitted": frozenset({"accepted", "rejected", "not_city_managed", "removed"}),
    "accepted": frozenset({"in_progress", "resolved", "not_city_managed", "removed"}),
    "in_progress": frozenset({"resolved", "not_city_managed", "removed"}),
    # A resolved report can be reopened when the fault comes back.
    "resolved": frozenset({"in_progress", "removed"}),
    "not_city_managed": frozenset({"accepted", "removed"}),
    # A rejected report can be accepted when the resident sends what was missing.
    "rejected": frozenset({"accepted", "removed"}),
    "removed": frozenset(),
}


class UnknownStatusError(CitylineError):
    """Raised for a status name that is not one of STATUSES."""


class InvalidTransitionError(CitylineError):
    """Raised when a report cannot change from its status to the requested one."""


def check_status(status: str) -> str:
    """Return ``status`` if it is known, else raise UnknownStatusError."""
    if status not in STATUSES:
        raise UnknownStatusError(
            f"unknown status {status!r}; use one of {', '.join(STATUSES)}"
        )
    return status


def check_transition(receipt_no: str, current: str, new: str) -> None:
    """Raise InvalidTransitionError unless ``current`` may change to ``new``."""
    check_status(new)
    allowed = TRANSITIONS[current]
    if new not in allowed:
        # Only `reports remove` sets removed, because it records the rule broken.
        settable = sorted(allowed - {"removed"})
        choices = ", ".join(settable) if settable else "none"
        if not allowed:
            choices = "none, it is final"
        elif "removed" in allowed:
            choices += "; `cityline reports remove` removes it"
        raise InvalidTransitionError(
            f"report {receipt_no} is {current!r} and cannot change to {new!r}; "
            f"allowed from {current!r}: {choices}"
        )
