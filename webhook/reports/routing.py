"""Which department handles each report category.

The default table follows the city's organisation: roads and street lights go to
道路管理課, street trees and parks to 緑のまち推進課, sewers to 下水道課, and anything
else to a general queue. A JSON object in ``DATA_DIR/report_routing.json`` overrides
single entries, for example ``{"other": "市民活動推進課"}``.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from cityline.errors import ConfigError
from webhook.reports.personal_data import find_personal_detail

logger = logging.getLogger(__name__)

CATEGORIES = ("road", "streetlight", "tree", "park", "sewer", "other")

DEFAULT_ROUTING: dict[str, str] = {
    "road": "道路管理課",
    "streetlight": "道路管理課",
    "tree": "緑のまち推進課",
    "park": "緑のまち推進課",
    "sewer": "下水道課",
    "other": "総合窓口",
}

ROUTING_FILE_NAME = "report_routing.json"


def load_routing(data_dir: Path) -> dict[str, str]:
    """Return the routing table: the defaults updated by the data dir's JSON file.

    Raises ConfigError when the file is not a JSON object of category -> department
    name, names a category outside CATEGORIES, or gives a department name with
    personal data, which would be published with every report of its category.
    """
    routing = dict(DEFAULT_ROUTING)
    path = data_dir / ROUTING_FILE_NAME
    if not path.exists():
        return routing
    try:
        overrides = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"routing file {str(path)!r} cannot be read as JSON ({exc}); fix or "
            "delete it"
        ) from exc
    if not isinstance(overrides, dict):
        raise ConfigError(
            f"routing file {str(path)!r} must contain a JSON object such as "
            '{"other": "市民活動推進課"}'
        )
    for category, department in overrides.items():
        if category not in CATEGORIES:
            raise ConfigError(
                f"routing file {str(path)!r} names unknown category {category!r}; "
                f"use one of {', '.join(CATEGORIES)}"
            )
        if not isinstance(department, str) or not department.strip():
            raise ConfigError(
                f"routing file {str(path)!r} gives {department!r} for {category!r}; "
                "use a department name"
            )
        detail = find_personal_detail(department)
        if detail is not None:
            raise ConfigError(
                f"routing file {str(path)!r} gives {department!r} for {category!r}, "
                f"which contains personal data, {detail.kind} ({detail.text!r}), "
                "and a department is published with every report; name the "
                "section alone, such as 道路管理課"
            )
        routing[category] = department.strip()
    logger.info("report routing loaded from %s", path)
    return routing
