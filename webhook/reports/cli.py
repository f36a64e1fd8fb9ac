"""``cityline reports``: staff commands to list, check and publish fault reports.

Bad input (an unknown receipt number, status or format) raises a CitylineError,
which ``cityline`` prints as one ``error: ...`` line with exit code 2. Nothing is
written then.
"""

from __future__ import annotations

import csv
import errno
import getpass
import io
import logging
import os
import stat
import sys
import tempfile
from pathlib import Path

import click

from cityline.db import (
    check_sqlite_writable,
    checkpoint_wal,
    create_db_engine,
    create_read_only_engine,
    sqlite_file,
)
from cityline.errors import ConfigError, DataDirError
from cityline.settings import Settings
from cityline.terminal import (
    control_character_problem,
    display_width,
    json_text,
    pad_columns,
    terminal_safe,
)
from index.normalize import visible_nfkc
from webhook.reports.models import Report
from webhook.reports.office_hours import iso_in_japan
from webhook.reports.personal_data import find_personal_details
from webhook.reports.photos import delete_photo_files
from webhook.reports.public import is_public, public_reports, withheld_note
from webhook.reports.publish import (
    PUBLIC_FILE_NAMES,
    PUBLISHED_NAMES,
    inert_cell,
    write_fix,
)
from webhook.reports.publish import publish as write_public_files
from webhook.reports.routing import CATEGORIES, load_routing
from webhook.reports.statuses import PUBLIC_STATUSES, STATUSES, check_status
from webhook.reports.store import ReportStore

logger = logging.getLogger(__name__)

# Characters of the place that `reports list` shows on a report's line.
LIST_PLACE_CHARS = 40

EXPORT_FORMATS = ("csv", "json")
EXPORT_FIELDS = (
    "receipt_no",
    "category",
    "department",
    "status",
    "created_at",
    "updated_at",
    "accepted_at",
    "closed_at",
    "latitude",
    "longitude",
    "address",
    "location_source",
    "outside_city",
    "urgent",
    "duplicate_of",
    "description",
    "comment",
    "photos",
    "result_note",
    "history",
)


def open_store(settings: Settings) -> ReportStore:
    """Open the report store of the app database named by ``settings``."""
    engine = create_db_engine(settings.app_database_url)
    return ReportStore(engine, settings.user_hash_key())


def _open_existing(settings: Settings, read_only: bool = False) -> ReportStore:
    """Open the report store for a staff command, which never creates the database.

    A mistyped --data-dir or CITYLINE_DATABASE_URL would otherwise get a new, empty
    database and print "0 reports". With ``read_only`` the database is only read
    and the user-hash key is never loaded, so that commands that only show
    reports work on a read-only copy of the data dir. Raises DataDirError when
    the SQLite file is missing, and without ``read_only`` when the data dir or
    the SQLite file is not writable.
    """
    url = settings.existing_app_database_url()
    if read_only:
        return ReportStore(
            create_read_only_engine(url), settings.existing_user_hash_key
        )
    settings.ensure_data_dir()
    check_sqlite_writable(url)
    # Staff commands never create the key: a new one would match no stored user.
    return ReportStore(create_db_engine(url), settings.existing_user_hash_key)


def count_reports(count: int) -> str:
    """Return ``count`` with "report" or "reports", as in "1 report"."""
    return f"{count} report" if count == 1 else f"{count} reports"


def _default_staff_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "staff"


# A staff name is a name, not a note.
MAX_STAFF_NAME_CHARS = 50


def _staff_name(changed_by: str | None) -> str:
    """Return the staff name of ``--by``, or the OS user's name without it.

    Raises ConfigError for a value that is blank, longer than
    MAX_STAFF_NAME_CHARS or contains control characters.
    """
    if changed_by is None:
        return _default_staff_name()
    name = visible_nfkc(changed_by).strip()
    if not name:
        raise ConfigError(
            f"--by {changed_by!r} is empty; give the staff name, or leave --by "
            "out to record the name you are logged in with"
        )
    if len(name) > MAX_STAFF_NAME_CHARS:
        raise ConfigError(
            f"--by has {len(name)} characters, more than {MAX_STAFF_NAME_CHARS}; "
            "give a staff name or a section, not a note"
        )
    _reject_control_characters("--by", name)
    if any(char in name for char in "\r\n\t\u2028\u2029"):
        raise ConfigError(
            f"--by {name!r} contains a line break or a tab; give the staff name "
            "on one line"
        )
    return name


def _reject_control_characters(option: str, value: str) -> None:
    """Raise ConfigError when ``value`` contains a control character other than
    a line break or a tab."""
    problem = control_character_problem(option, value)
    if problem is not None:
        raise ConfigError(problem)


def staff_record(report: Report, photos_dir: Path) -> dict:
    """Return the staff view of a report: everything except the user hash.

    Photos are given as absolute paths under ``photos_dir``, so that an export
    read from another folder still leads to the files.
    """
    photos_dir = photos_dir.absolute()
    return {
        "receipt_no": report.receipt_no,
        "category": report.category,
        "department": report.department,
        "status": report.status,
        "created_at": iso_in_japan(report.created_at),
        "updated_at": iso_in_japan(report.updated_at),
        "accepted_at": iso_in_japan(report.accepted_at),
        "closed_at": iso_in_japan(report.closed_at),
        "latitude": report.latitude,
        "longitude": report.longitude,
        "address": report.address,
        "location_source": report.location_source,
        "outside_city": report.outside_city,
        "urgent": report.urgent,
        "duplicate_of": report.duplicate_of,
        "description": report.description,
        "comment": report.comment,
        "photos": [str(photos_dir / photo.path) for photo in report.photos],
        "result_note": report.result_note,
        "history": [
            {
                "old_status": change.old_status,
                "new_status": change.new_status,
                "changed_by": change.changed_by,
                "changed_at": iso_in_japan(change.changed_at),
                "note": change.note,
            }
            for change in report.history
        ],
    }


@click.group()
def reports() -> None:
    """List, check and publish fault reports."""


@reports.command("list")
@click.option("--status", help=f"Show only this status ({', '.join(STATUSES)}).")
@click.option("--department", help="Show only this department, e.g. 道路管理課.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_obj
def list_command(
    settings: Settings, status: str | None, department: str | None, as_json: bool
) -> None:
    """List reports, newest first.

    An unknown --status or --department is an error, so that a typo never
    reads as "0 reports".
    """
    if status is not None:
        check_status(status)
    if department is not None:
        department = department.strip()
    store = _open_existing(settings, read_only=True)
    found = store.list(status=status, department=department)
    if department is not None and not found:
        _check_department(settings, store, department)
    if as_json:
        records = [staff_record(report, settings.photos_dir) for report in found]
        click.echo(json_text(records, indent=2))
        return
    # Department names are mostly kanji, two columns each on a terminal.
    department_columns = max(
        [display_width("department"), *(display_width(r.department) for r in found)]
    )
    if found:
        click.echo(
            f"{'receipt':<13} {'status':<16} {'category':<11} "
            f"{pad_columns('department', department_columns)}  "
            # An ISO 8601 time with its offset takes 25 columns.
            f"{'received':<25}  place"
        )
    for report in found:
        place = report.address or (
            f"{report.latitude:.5f},{report.longitude:.5f}"
            if report.latitude is not None
            else ""
        )
        if len(place) > LIST_PLACE_CHARS:
            # One line per report; `reports show` prints the whole place.
            place = place[: LIST_PLACE_CHARS - 1] + "…"
        flags = "".join(
            [
                " 緊急" if report.urgent else "",
                f" 重複候補:{report.duplicate_of}" if report.duplicate_of else "",
                " 市外?" if report.outside_city else "",
            ]
        )
        click.echo(
            f"{report.receipt_no}  {report.status:<16} {report.category:<11} "
            f"{pad_columns(report.department, department_columns)}  "
            f"{iso_in_japan(report.created_at)}  "
            f"{terminal_safe(place)}{flags}"
        )
    click.echo(count_reports(len(found)), err=True)


def _check_department(settings: Settings, store: ReportStore, department: str) -> None:
    """Raise ConfigError when ``department`` is neither routed to nor on any
    report, as with a typo (道路管理化) or a part of a name (道路)."""
    known = set(load_routing(settings.data_dir).values())
    known.update(report.department for report in store.list())
    if department in known:
        return
    raise ConfigError(
        f"--department {department!r} is not a known department; use one of "
        f"{', '.join(sorted(known))}"
    )


@reports.command("show")
@click.argument("receipt_no")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_obj
def show_command(settings: Settings, receipt_no: str, as_json: bool) -> None:
    """Show one report with its photos and status history."""
    report = _open_existing(settings, read_only=True).get(receipt_no)
    record = staff_record(report, settings.photos_dir)
    if as_json:
        click.echo(json_text(record, indent=2))
        return
    for key, value in record.items():
        if key == "history":
            continue
        if key == "photos":
            value = ", ".join(value)
        click.echo(f"{key}: {'' if value is None else terminal_safe(str(value))}")
    click.echo("history:")
    for change in record["history"]:
        click.echo(
            f"  {change['changed_at']}  {change['old_status'] or '-'} -> "
            f"{change['new_status']}  by {terminal_safe(str(change['changed_by']))}: "
            f"{terminal_safe(str(change['note']))}"
        )


@reports.command("set-status")
@click.argument("receipt_no")
@click.argument("status")
@click.option(
    "--note",
    required=True,
    help="Why the status changes. It is published as the result: no personal data.",
)
@click.option("--by", "changed_by", help="Staff name recorded with the change.")
@click.pass_obj
def set_status_command(
    settings: Settings,
    receipt_no: str,
    status: str,
    note: str,
    changed_by: str | None,
) -> None:
    """Change a report's status (accepted, in_progress, resolved, ...).

    `reports remove` sets the status removed.
    """
    if status.strip().lower() == "removed":
        # A removal names the rule broken and may delete the content, which
        # only `reports remove` offers.
        raise ConfigError(
            f"status 'removed' is set by `cityline reports remove {receipt_no} "
            "--reason TEXT`, which records the rule the report breaks and can "
            "delete its content; use that command instead"
        )
    if status not in STATUSES:
        settable = ", ".join(name for name in STATUSES if name != "removed")
        raise ConfigError(f"unknown status {status!r}; use one of {settable}")
    note = _require_text(
        "--note",
        note,
        "say in a few words why the status changes",
        allowed_phone=settings.city_hall_phone,
    )
    report = _open_existing(settings).set_status(
        receipt_no,
        status,
        changed_by=_staff_name(changed_by),
        note=note,
    )
    click.echo(f"{report.receipt_no}: {report.status}")


@reports.command("set-category")
@click.argument("receipt_no")
@click.argument("category", type=click.Choice(CATEGORIES), metavar="CATEGORY")
@click.option(
    "--note",
    required=True,
    help="Why the report moves; kept in its history, not published.",
)
@click.option("--by", "changed_by", help="Staff name recorded with the change.")
@click.pass_obj
def set_category_command(
    settings: Settings,
    receipt_no: str,
    category: str,
    note: str,
    changed_by: str | None,
) -> None:
    """Move a report to another category and the department that handles it.

    For a report filed under the wrong category (a blocked drain filed as 道路):
    the department comes from the routing table, as for a new report.
    """
    note = _require_text(
        "--note", note, "say in a few words why the report moves", published=False
    )
    store = _open_existing(settings)
    before = store.get(receipt_no)
    if before.status == "removed":
        raise ConfigError(
            f"report {before.receipt_no} is removed, which is final; a removed "
            "report keeps its category"
        )
    if before.category == category:
        raise ConfigError(
            f"report {before.receipt_no} is in category {category!r} already; "
            "name another category"
        )
    department = load_routing(settings.data_dir)[category]
    report = store.set_category(
        receipt_no,
        category,
        department,
        changed_by=_staff_name(changed_by),
        note=f"分類を変更: {before.category} → {category}（{note}）",
    )
    click.echo(f"{report.receipt_no}: {report.category}, {report.department}")


# Notes and reasons are published or shown in lists; a page of text is a mistake.
MAX_NOTE_CHARS = 500


def _require_text(
    option: str,
    value: str,
    hint: str,
    published: bool = True,
    allowed_phone: str | None = None,
) -> str:
    """Return ``value`` stripped; raise ConfigError naming ``option`` if it is
    blank, longer than MAX_NOTE_CHARS, or pins down a person or a home (see
    :func:`webhook.reports.personal_data.find_personal_details`; ``allowed_phone``
    may appear). The error quotes every part that matched and gives what to
    write instead of each. Notes are published with the report (``published``)
    or kept in its history, which staff exports show."""
    stripped = value.strip()
    if not visible_nfkc(stripped).strip():
        raise ConfigError(f"{option} {value!r} is empty; {hint}")
    _reject_control_characters(option, stripped)
    if len(stripped) > MAX_NOTE_CHARS:
        raise ConfigError(
            f"{option} has {len(stripped)} characters, more than {MAX_NOTE_CHARS}; "
            f"{hint}, in at most {MAX_NOTE_CHARS} characters"
        )
    details = find_personal_details(stripped, allowed_phone)
    where = "published with" if published else "kept in the history of"
    if len(details) == 1:
        [detail] = details
        raise ConfigError(
            f"{option} {stripped!r} contains personal data, {detail.kind} "
            f"({detail.text!r}), and it is {where} the report; {detail.fix}"
        )
    if details:
        # All of them, so that staff fix them in one go; " | " since a fix may
        # contain a semicolon.
        found = " | ".join(
            f"{detail.kind} ({detail.text!r}): {detail.fix}" for detail in details
        )
        raise ConfigError(
            f"{option} {stripped!r} contains personal data in {len(details)} places, "
            f"and it is {where} the report: {found}"
        )
    return stripped


@reports.command("remove")
@click.argument("receipt_no")
@click.option("--reason", required=True, help="Which rule the report breaks.")
@click.option("--by", "changed_by", help="Staff name recorded with the change.")
@click.option(
    "--delete-content",
    is_flag=True,
    help="Also delete the photos, the resident's texts and the address text, "
    "and round the point to about 100 m.",
)
@click.pass_obj
def remove_command(
    settings: Settings,
    receipt_no: str,
    reason: str,
    changed_by: str | None,
    delete_content: bool,
) -> None:
    """Remove a report that breaks the rules; it leaves Open311 at once and the
    published files at the next `reports publish`.

    On a report removed before, --delete-content deletes its content alone, so
    content kept by a first removal without the flag can still be deleted.
    """
    reason = _require_text(
        "--reason",
        reason,
        "name the rule the report breaks",
        published=False,
        allowed_phone=settings.city_hall_phone,
    )
    store = _open_existing(settings)
    staff = _staff_name(changed_by)
    report = store.get(receipt_no)
    removed_before = report.status == "removed"
    # Only a report in a public status can be in files published before.
    was_public = report.status in PUBLIC_STATUSES
    if removed_before and not delete_content:
        advice = (
            "add --delete-content to delete its photos and texts too"
            if report.has_content
            else "its photos and texts are deleted too, so nothing is left to do"
        )
        raise ConfigError(f"report {report.receipt_no} is removed already; {advice}")
    if not (delete_content and removed_before):
        report = store.set_status(receipt_no, "removed", changed_by=staff, note=reason)
    left: list[str] = []
    if delete_content:
        # Files first: a photo whose file stays keeps its row, so that the
        # report still names it and the same command can delete it later.
        paths = [photo.path for photo in report.photos]
        failed = set()
        for path in paths:
            failure = delete_photo_files(settings.photos_dir, [path])
            if failure:
                failed.add(path)
                left.extend(failure)
        # A deletion after the removal gets a history row of its own.
        store.delete_content(
            report.receipt_no,
            changed_by=staff if removed_before else None,
            note=f"内容を削除: {reason}",
            keep_photos=frozenset(failed),
        )
        checkpoint_wal(store.engine)
        deleted = len(paths) - len(left)
        noun = "photo" if deleted == 1 else "photos"
        click.echo(f"{report.receipt_no}: removed, {deleted} {noun} deleted")
    else:
        click.echo(f"{report.receipt_no}: removed")
    if was_public:
        click.echo(
            "files published before may still list it; run `cityline reports "
            "publish --out DIR` again to update them"
        )
    if left:
        raise DataDirError(
            f"{len(left)} photo file(s) of {report.receipt_no} could not be "
            f"deleted: {'; '.join(left)}; fix the cause and run the same command "
            "again, or delete them by hand"
        )


@reports.command("export")
@click.option(
    "--format",
    "export_format",
    required=True,
    help="Output format: csv or json.",
)
@click.option(
    "--out",
    "out_value",
    help="File to write, outside the data dir; an existing file needs --force. "
    "Standard output when omitted or -.",
)
@click.option("--force", is_flag=True, help="Replace the --out file if it exists.")
@click.pass_obj
def export_command(
    settings: Settings, export_format: str, out_value: str | None, force: bool
) -> None:
    """Export every report for staff, with comments, photos and history."""
    if export_format not in EXPORT_FORMATS:
        raise ConfigError(
            f"export format {export_format!r} is not supported; use csv or json"
        )
    out = _export_path(out_value)
    if out is not None:
        _check_export_target(out, settings)
        if out.is_file() and not force:
            raise ConfigError(
                f"--out {str(out)!r} exists already; pass --force to replace it, "
                "or name a new file"
            )
    store = _open_existing(settings, read_only=True)
    records = [staff_record(report, settings.photos_dir) for report in store.list()]
    if export_format == "json":
        content = json_text(records, indent=2) + "\n"
    else:
        content = _export_csv(records)
    if out is None:
        if _stdout_is_terminal():
            # On a terminal, residents' texts could clear it or reorder it.
            lines = content.replace("\r\n", "\n").split("\n")
            content = "\n".join(terminal_safe(line) for line in lines)
        try:
            click.echo(content, nl=False)
            sys.stdout.flush()
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise  # a reader that stopped early, handled for every command
            raise DataDirError(
                f"cannot write the export to standard output ({exc.strerror}); "
                f"{write_fix(exc, 'a file in a writable folder')}"
            ) from exc
        return
    encoding = "utf-8-sig" if export_format == "csv" else "utf-8"
    try:
        _write_export(out, content, encoding)
    except OSError as exc:
        raise DataDirError(
            f"cannot write the export to {str(out)!r} ({exc.strerror}); "
            f"{write_fix(exc, 'a file in a writable folder')}"
        ) from exc
    click.echo(f"{count_reports(len(records))} written to {out}", err=True)


def _export_path(value: str | None) -> Path | None:
    """Return the file that ``--out`` names, or None for standard output (no
    value, or ``-``). Raises ConfigError for an empty value."""
    if value is None or value == "-":
        return None
    if not value.strip():
        raise ConfigError(
            f"--out {value!r} is empty; name a file, or leave --out out to print "
            "to standard output"
        )
    path = Path(value)
    if path.is_dir():
        raise ConfigError(
            f"--out {value!r} is a folder; name a file in it, such as "
            f"{str(path / 'reports.csv')!r}"
        )
    return path


# A SQLite database's own file and the files beside it that hold its data.
_SQLITE_FILES = ("", "-wal", "-shm", "-journal")


def _write_export(out: Path, content: str, encoding: str) -> None:
    """Write ``content`` to ``out`` through a temporary file beside it, so a full
    disk never leaves a cut copy in place of an earlier export.

    A symbolic link is followed, and a file replaced keeps its permissions. A
    new file is readable by its owner alone, because an export contains
    residents' texts. A path that is not a regular file (a pipe, /dev/null) is written
    directly. The temporary file has mode 0600, whatever the umask, until all
    of ``content`` is written.
    """
    if out.exists() and not out.is_file():
        out.write_text(content, encoding=encoding, newline="")
        return
    target = out.resolve() if out.is_symlink() else out
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o600
    # mkstemp opens a new random name with O_EXCL and mode 0600, so a file left
    # by a crashed export, or a link planted there, is never written through.
    descriptor, name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "w", encoding=encoding, newline="") as handle:
            handle.write(content)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _stdout_is_terminal() -> bool:
    """Tell whether standard output is a terminal rather than a file or pipe."""
    return sys.stdout.isatty()


def _check_publish_target(out_dir: Path, settings: Settings) -> None:
    """Raise ConfigError when ``out_dir`` is the data dir itself or a folder that
    cityline keeps there (photos, the index), where public files would mix with
    residents' photos or a build. A new folder inside the data dir is allowed."""
    target = out_dir.resolve()
    kept = (settings.data_dir, settings.photos_dir, settings.index_dir)
    for folder in kept:
        resolved = folder.resolve()
        inside = folder != settings.data_dir and resolved in target.parents
        if target == resolved or inside:
            relation = "inside" if inside else "the same as"
            raise ConfigError(
                f"--out {str(out_dir)!r} is {relation} {str(folder)!r}, a folder "
                "cityline keeps; pass another folder, such as public-reports"
            )


# Maximum number of entry names that an error about a folder lists before
# "and N more".
LISTED_ENTRIES = 5


def _check_publish_folder(out_dir: Path, out_text: str) -> None:
    """Raise ConfigError when ``out_dir`` is the filesystem root or a folder with
    entries that `reports publish` did not write (see PUBLISHED_NAMES).

    The public files would replace an index.html of the folder's own, and a
    site that serves the folder would serve its other files with them. A
    folder from an earlier publish is accepted, so the files can be updated.
    """
    resolved = out_dir.resolve()
    if resolved.parent == resolved:
        raise ConfigError(
            f"--out {out_text!r} is the filesystem root; pass a folder of its own "
            "for the public files, such as public-reports"
        )
    if not out_dir.is_dir():
        return
    try:
        foreign = sorted(
            entry.name
            for entry in out_dir.iterdir()
            if entry.name not in PUBLISHED_NAMES or not entry.is_file()
        )
    except OSError as exc:
        raise DataDirError(
            f"cannot list the folder --out {out_text!r} ({exc.strerror}); pass a "
            "folder you can read and write"
        ) from exc
    if not foreign:
        return
    listed = ", ".join(foreign[:LISTED_ENTRIES])
    if len(foreign) > LISTED_ENTRIES:
        listed += f" and {len(foreign) - LISTED_ENTRIES} more"
    raise ConfigError(
        f"--out {out_text!r} contains entries that `reports publish` did not "
        f"write ({listed}); pass a new or empty folder for the public files, "
        "such as public-reports"
    )


def _check_export_target(out: Path, settings: Settings) -> None:
    """Raise ConfigError when writing ``out`` would replace data cityline keeps.

    That is anything in the data dir, the app database and the user-hash key
    wherever their settings put them, a hard link to one of them or to the
    page store, and a file that ``reports publish`` wrote: the export contains
    personal data that the public files leave out.
    """
    target = out.resolve()
    if all((target.parent / name).is_file() for name in PUBLIC_FILE_NAMES):
        raise ConfigError(
            f"--out {str(out)!r} is in a folder of public files that `reports "
            "publish` wrote, and an export contains residents' texts and places; "
            "pass a file outside that folder"
        )
    folder = settings.data_dir.resolve()
    if target == folder or folder in target.parents:
        raise ConfigError(
            f"--out {str(out)!r} is inside the data dir {str(settings.data_dir)!r}, "
            "whose databases and key an export must not replace; pass a file "
            "outside it"
        )
    databases = [settings.pages_db_path]
    database = sqlite_file(settings.app_database_url)
    if database is not None:
        databases.append(database)
    # SQLite keeps committed changes in the -wal file until a checkpoint.
    protected = [settings.user_hash_key_file]
    for path in databases:
        protected += [path.with_name(path.name + suffix) for suffix in _SQLITE_FILES]
    for path in protected:
        if target == path.resolve() or _same_file(target, path):
            raise ConfigError(
                f"--out {str(out)!r} is {str(path)!r}, which cityline keeps; "
                "pass another file"
            )


def _same_file(first: Path, second: Path) -> bool:
    """Tell whether two existing paths are one file, as hard links are."""
    try:
        return first.samefile(second)
    except OSError:
        return False


def _history_line(change: dict) -> str:
    """Return one status change as a line of the CSV export's history cell."""
    return (
        f"{change['changed_at']} {change['old_status'] or '-'} -> "
        f"{change['new_status']} by {change['changed_by']}: {change['note']}"
    )


def _export_csv(records: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_FIELDS)
    for record in records:
        row = []
        for name in EXPORT_FIELDS:
            value = record[name]
            if name == "photos":
                value = " ".join(value)
            elif name == "history":
                value = "\n".join(_history_line(change) for change in value)
            row.append("" if value is None else inert_cell(value))
        writer.writerow(row)
    return buffer.getvalue()


@reports.command("publish")
@click.option(
    "--out",
    "out_text",
    required=True,
    metavar="DIRECTORY",
    help="Folder for index.html, reports.csv and reports.json: new, empty, or "
    "written by an earlier publish.",
)
@click.pass_obj
def publish_command(settings: Settings, out_text: str) -> None:
    """Write the public results without personal data for the city site."""
    if not out_text.strip():
        # A blank shell variable would otherwise publish into the current folder.
        raise ConfigError(
            f"--out {out_text!r} is empty; pass the folder for the public files"
        )
    out_dir = Path(out_text)
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(
            f"--out {out_text!r} is a file, not a folder; pass a folder for the "
            "public files"
        )
    _check_publish_target(out_dir, settings)
    _check_publish_folder(out_dir, out_text)
    store = _open_existing(settings, read_only=True)
    found = store.list()
    records = public_reports(found, settings.city_hall_phone)
    result = write_public_files(records, out_dir, store.now())
    click.echo(f"{count_reports(result.count)} published to {result.out_dir}")
    _warn_withheld_notes(found, settings.city_hall_phone)


def _warn_withheld_notes(found: list[Report], allowed_phone: str) -> None:
    """Print to stderr each public report whose result note the public files
    leave out because it contains personal data. The store keeps the note."""
    for report in found:
        if not is_public(report):
            continue
        detail = withheld_note(report, allowed_phone)
        if detail is None:
            continue
        # The matched text stays out of the output, which may go to a log.
        click.echo(
            f"{report.receipt_no}: its note was left out of the public files, "
            f"because it contains {detail.kind}; the files show "
            "its status alone until a status change with `cityline reports "
            "set-status` gives it a new note",
            err=True,
        )
