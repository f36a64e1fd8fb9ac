"""Keyed hashes of LINE user ids, for storage keys and debug logs.

A keyed hash (HMAC-SHA256 with the data dir's secret key) lets the inbox order and
delete a user's events, and lets a debug log line tell users apart, without the
user id itself being written anywhere. Without the key the hash cannot be linked
back to a user id by trying known ids.
"""

from __future__ import annotations

import hashlib
import hmac

HASH_HEX_CHARS = 32
LOG_HASH_HEX_CHARS = 12


class UserHasher:
    """Compute keyed hashes of user ids (or group and room ids) with one key."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError(
                f"user hash key has {len(key)} bytes; use at least 16 random bytes"
            )
        self._key = key

    def hash(self, user_id: str) -> str:
        """Return the 128-bit keyed hash of ``user_id`` as 32 hex digits."""
        digest = hmac.new(self._key, user_id.encode("utf-8"), hashlib.sha256)
        return digest.hexdigest()[:HASH_HEX_CHARS]

    def for_log(self, user_id: str | None) -> str:
        """Return a short hash of ``user_id`` for DEBUG log lines ("-" for None)."""
        if user_id is None:
            return "-"
        return self.hash(user_id)[:LOG_HASH_HEX_CHARS]
