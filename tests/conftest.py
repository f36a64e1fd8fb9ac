"""Fixtures shared by the test modules."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "musashino"


@pytest.fixture
def shared_data() -> Path:
    """Return the folder of the real city data, skipping when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real city data not found at {SHARED_DATA}; these checks need it")
    return SHARED_DATA
