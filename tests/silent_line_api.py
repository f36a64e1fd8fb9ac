"""A fake LINE API that takes requests to one path but answers them too late."""

from __future__ import annotations

import threading

import pytest

from cityline.fake_line_api import FakeLineApi, RecordedRequest
from webhook import line_client

# The client's read timeout in these tests, instead of 20 s.
SHORT_READ_TIMEOUT_S = 0.2
# How long a held response waits at most, so a test that fails ends anyway.
HOLD_LIMIT_S = 30.0


class SilentLineApi:
    """Run a FakeLineApi that holds its response to the first ``times``
    requests to ``path`` until :meth:`stop`.

    The fake records each held request, and accepts its retry key, before it
    holds the response, as LINE may have accepted a request whose answer never
    came. Later requests get their answers at once, so a retry with an accepted
    key gets 409.
    """

    def __init__(self, path: str, times: int) -> None:
        self._path = path
        self._left = times
        self._lock = threading.Lock()
        self._release = threading.Event()
        self.fake = FakeLineApi(on_request=self._hold)

    def start(self) -> FakeLineApi:
        """Start the fake and return it."""
        self.fake.start()
        return self.fake

    def stop(self) -> None:
        """Send the held responses and stop the fake."""
        self._release.set()
        self.fake.stop()

    def _hold(self, request: RecordedRequest) -> None:
        if request.path != self._path:
            return
        with self._lock:
            if self._left <= 0:
                return
            self._left -= 1
        self._release.wait(HOLD_LIMIT_S)


@pytest.fixture
def short_read_timeout(monkeypatch) -> float:
    """Make LineClient give up on a response after SHORT_READ_TIMEOUT_S."""
    monkeypatch.setattr(line_client, "READ_TIMEOUT_S", SHORT_READ_TIMEOUT_S)
    return SHORT_READ_TIMEOUT_S
