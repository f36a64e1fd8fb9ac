"""A data dir whose app database has receive-settings subscribers, for the
broadcast tests."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import insert

from cityline.db import create_db_engine
from cityline.settings import Settings
from webhook.broadcasts.store import ReceiveSettingsStore, subscriptions


def data_dir_with_subscribers(
    root: Path, count: int = 20, category: str = "bosai"
) -> Path:
    """Create ``root / "data"`` with ``count`` subscribers of ``category`` and
    return it. User ids are U followed by 32 hex digits of 0 to count - 1."""
    settings = Settings(data_dir=root / "data")
    engine = create_db_engine(settings.app_database_url)
    store = ReceiveSettingsStore(engine, settings.user_hash_key())
    with store.engine.begin() as connection:
        connection.execute(
            insert(subscriptions),
            [{"user_id": f"U{n:032x}", "category": category} for n in range(count)],
        )
    engine.dispose()
    return settings.data_dir
