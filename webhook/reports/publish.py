"""Write the public report results (HTML, CSV and JSON) for the city site.

The files hold the records of :mod:`webhook.reports.public` and nothing else. Each
file is written to a temporary name and renamed, so the site never serves half a
file.
"""

from __future__ import annotations

import csv
import errno
import html
import io
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cityline.errors import DataDirError
from webhook import texts
from webhook.reports.office_hours import JAPAN
from webhook.reports.public import FIELDS, PublicReport

logger = logging.getLogger(__name__)

JSON_NAME = "reports.json"
CSV_NAME = "reports.csv"
HTML_NAME = "index.html"
PUBLIC_FILE_NAMES = (JSON_NAME, CSV_NAME, HTML_NAME)
# Every name that publish writes in its folder: the files, and the temporary
# copies that a publish stopped mid-write (a killed process) may leave behind.
PUBLISHED_NAMES = frozenset(PUBLIC_FILE_NAMES) | frozenset(
    f".{name}.tmp" for name in PUBLIC_FILE_NAMES
)

# Column headings of the CSV and HTML table, in FIELDS order.
HEADINGS = texts.REPORT_PUBLIC_HEADINGS
HTML_COLUMNS = (
    "receipt_no",
    "category_name",
    "department",
    "status_name",
    "created_at",
    "closed_at",
    "town",
    "latitude",
    "longitude",
    "result_note",
)


@dataclass(frozen=True)
class PublishResult:
    """Summary of the files that :func:`publish` wrote."""

    out_dir: Path
    count: int
    files: tuple[Path, ...]


def publish(records: list[PublicReport], out_dir: Path, now: datetime) -> PublishResult:
    """Write reports.json, reports.csv and index.html for ``records`` to ``out_dir``.

    Raises DataDirError naming ``out_dir`` when the folder cannot be created or
    written. The three files are written in full beside the old ones before any
    replaces its old version, so a full disk leaves the old set as it was.
    """
    rows = [record.to_dict() for record in records]
    generated = now.astimezone(JAPAN).isoformat(timespec="seconds")
    contents = {
        JSON_NAME: render_json(rows, generated),
        CSV_NAME: render_csv(rows),
        HTML_NAME: render_html(rows, generated),
    }
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        files = _write_all(out_dir, contents)
    except OSError as exc:
        raise DataDirError(
            f"cannot write the public files to {str(out_dir)!r} ({exc.strerror}); "
            f"{write_fix(exc, 'a writable folder')}"
        ) from exc
    noun = "report" if len(rows) == 1 else "reports"
    logger.info("published %d %s to %s", len(rows), noun, out_dir)
    return PublishResult(out_dir=out_dir, count=len(rows), files=files)


def write_fix(error: OSError, target: str) -> str:
    """Return the fix for a failed write of staff output: free space when the
    disk or quota is full, else pass --out ``target``."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"free space on that disk, or pass --out {target} on another disk"
    return f"pass --out {target}"


def render_json(rows: list[dict], generated: str) -> str:
    """Return the JSON file: the generation time and the records."""
    document = {"generated_at": generated, "count": len(rows), "reports": rows}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# First characters that make a spreadsheet read a cell as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert_cell(value: object) -> object:
    """Return ``value`` so that a spreadsheet shows it as text, never as a formula.

    A comment or staff note such as =HYPERLINK(...) would otherwise run when
    someone opens the file; a leading apostrophe keeps it text. Numbers stay
    numbers.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def render_csv(rows: list[dict]) -> str:
    """Return the CSV file with a header row of Japanese headings.

    The caller writes it with a byte-order mark, so that spreadsheet programs read
    it as UTF-8.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([HEADINGS[name] for name in FIELDS])
    for row in rows:
        writer.writerow(
            ["" if row[name] is None else inert_cell(row[name]) for name in FIELDS]
        )
    return buffer.getvalue()


def render_html(rows: list[dict], generated: str) -> str:
    """Return a standalone HTML page with one table row per report, all escaped."""
    head_cells = "".join(f"<th>{html.escape(HEADINGS[c])}</th>" for c in HTML_COLUMNS)
    body_rows = []
    for row in rows:
        cells = "".join(
            f"<td>{html.escape(_cell(row[column]))}</td>" for column in HTML_COLUMNS
        )
        body_rows.append(f"<tr>{cells}</tr>")
    table_body = "\n".join(body_rows)
    title = html.escape(texts.REPORT_PUBLIC_TITLE)
    updated = texts.REPORT_PUBLIC_UPDATED.format(generated=generated, count=len(rows))
    return f"""<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
</head>
<body>
<h1>{title}</h1>
<p>{html.escape(texts.REPORT_PUBLIC_INTRO)}
{html.escape(updated)}</p>
<p><a href="{CSV_NAME}">CSV</a> / <a href="{JSON_NAME}">JSON</a></p>
<table>
<thead><tr>{head_cells}</tr></thead>
<tbody>
{table_body}
</tbody>
</table>
</body>
</html>
"""


def _cell(value) -> str:
    return "" if value is None else str(value)


def _write_all(out_dir: Path, contents: dict[str, str]) -> tuple[Path, ...]:
    """Write each name's content to a temporary file in ``out_dir``, then move
    them all into place; on a failure, delete the temporary files and raise."""
    staged = []
    try:
        for name, content in contents.items():
            encoding = "utf-8-sig" if name.endswith(".csv") else "utf-8"
            temporary = out_dir / f".{name}.tmp"  # see PUBLISHED_NAMES
            staged.append(temporary)
            temporary.write_text(content, encoding=encoding, newline="")
        for temporary in staged:
            os.replace(temporary, out_dir / temporary.name[1:-4])
    except OSError:
        for temporary in staged:
            temporary.unlink(missing_ok=True)
        raise
    return tuple(out_dir / name for name in contents)
