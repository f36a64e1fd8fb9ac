"""``cityline broadcast``: send to a category and see counts, never residents.

Every count printed here goes through :func:`webhook.broadcasts.privacy.
rounded_count`, so a count under 10 reads "<10". No subcommand prints, exports or
logs a user id or one resident's settings.
"""

from __future__ import annotations

import contextlib
import logging
import signal
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import click

from cityline.db import (
    check_sqlite_writable,
    create_db_engine,
    create_read_only_engine,
)
from cityline.errors import ConfigError
from cityline.settings import Settings
from cityline.terminal import json_text, terminal_safe
from webhook.broadcasts.categories import ATTRIBUTES, Catalog, load_catalog
from webhook.broadcasts.delivery_log import BroadcastRecord, DeliveryLog
from webhook.broadcasts.privacy import few_recipients, rounded_count
from webhook.broadcasts.sender import (
    FEW_CHUNKS,
    BroadcastOutcome,
    BroadcastRequest,
    BroadcastSender,
)
from webhook.broadcasts.store import ReceiveSettingsStore
from webhook.line_client import LineClient
from webhook.reports.office_hours import JAPAN

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Take SIGTERM as Ctrl-C while the block runs, so that a send stopped by
    `kill` or a service manager logs the commands to go on, as Ctrl-C does.

    The old handler comes back at the end. Outside the main thread, where no
    handler can be set, the block runs as it is.
    """

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# The `send` option and the noun for each filter attribute, for error messages.
FILTER_OPTIONS = {
    "gender": ("--gender", "gender"),
    "age_band": ("--age", "age band"),
    "area": ("--area", "area"),
}


def _filter_option(name: str, help_text: str):
    """Declare a filter option that takes one value (see _one_filter_value)."""
    return click.option(
        name,
        multiple=True,
        callback=lambda ctx, param, values: _one_filter_value(param, values),
        help=help_text,
    )


def _one_filter_value(param: click.Parameter, values: tuple[str, ...]) -> str | None:
    """Return the one value of a filter option, or None when it is not given.

    The option is declared ``multiple`` only so that a repeat is caught: click
    would otherwise keep the last value and widen or change the audience silently.
    """
    if len(values) > 1:
        shown = ", ".join(repr(value) for value in values)
        raise click.BadParameter(
            f"given {len(values)} times ({shown}); a broadcast filters on one value "
            "per attribute, so send one broadcast per value"
        )
    return values[0] if values else None


@dataclass
class _Stores:
    settings: Settings
    store: ReceiveSettingsStore
    log: DeliveryLog
    catalog: Catalog

    def sender(self, client: LineClient | None) -> BroadcastSender:
        return BroadcastSender(
            self.settings, self.store, self.log, self.catalog, client
        )


def _open(settings: Settings, read_only: bool = False) -> _Stores:
    """Open the stores of an existing app database.

    A mistyped --data-dir or database URL would otherwise get a new, empty
    database and a new user-hash key, and every count would read 0. With
    ``read_only`` the database is only read and stale deliveries stay as they
    are. The key is then read only if a user id must be hashed, and never
    created. Commands that only show data thus work on a read-only copy of the
    data dir.
    """
    url = settings.existing_app_database_url()
    if read_only:
        engine = create_read_only_engine(url)
        log = DeliveryLog(engine)
        store = ReceiveSettingsStore(
            engine, settings.existing_user_hash_key, adopt_key=False
        )
    else:
        settings.ensure_data_dir()
        check_sqlite_writable(url)
        engine = create_db_engine(url)
        log = DeliveryLog(engine)
        log.cancel_stale(datetime.now(UTC))
        # Never create the key here: a new one would match no stored answer.
        store = ReceiveSettingsStore(
            engine, settings.existing_user_hash_key, adopt_key=False
        )
    catalog = load_catalog(settings)
    _warn_unconfigured_keys(store, catalog)
    return _Stores(settings=settings, store=store, log=log, catalog=catalog)


def _warn_unconfigured_keys(store: ReceiveSettingsStore, catalog: Catalog) -> None:
    """Log the category keys that residents subscribed to but the catalog lacks.

    A key renamed in the categories file leaves its subscribers behind, and
    counts and sends then leave them out without a word. The count is shown as
    in the other outputs, "<10" under 10.
    """
    configured = {category.key for category in catalog.categories}
    for key, count in sorted(store.count_subscribers().items()):
        if key not in configured:
            logger.warning(
                "category key %r has %s subscribers but is not in the categories "
                "file; restore the key, or those residents get no broadcasts",
                key,
                _shown(count, None),
            )


def _echo_json(value: Any) -> None:
    click.echo(json_text(value, indent=2))


@click.group("broadcast")
def broadcast() -> None:
    """Send category broadcasts and see counts per category and attribute."""


@broadcast.command("categories")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def categories_command(settings: Settings, as_json: bool) -> None:
    """List each category's key, name and subscriber count."""
    stores = _open(settings, read_only=True)
    counts = stores.store.count_subscribers()
    rows = [
        {
            "key": category.key,
            "name": category.name,
            "subscribers": rounded_count(counts.get(category.key, 0)),
        }
        for category in stores.catalog.categories
    ]
    if as_json:
        _echo_json(rows)
        return
    for row in rows:
        click.echo(f"{row['key']:<10} {str(row['subscribers']):>7}  {row['name']}")


@broadcast.command("send")
@click.option(
    "--category", required=True, help="Category key or name, e.g. bosai or 防災・安全."
)
@_filter_option("--area", "Send only to residents of this area (key or name).")
@_filter_option("--age", "Send only to this age band (key or name, e.g. 30s).")
@_filter_option("--gender", "Send only to this gender (key or name).")
@click.option(
    "--text",
    "bodies",
    required=True,
    multiple=True,
    help="Message text; repeat for up to 5 messages (4 with --url).",
)
@click.option("--url", help="An https link, sent as a button after the text.")
@click.option(
    "--dry-run", is_flag=True, help="Check and count recipients; send nothing."
)
@click.option(
    "--again",
    is_flag=True,
    help="Send even if the same text and link went to the category in the last hour.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def send_command(
    settings: Settings,
    category: str,
    area: str | None,
    age: str | None,
    gender: str | None,
    bodies: tuple[str, ...],
    url: str | None,
    dry_run: bool,
    again: bool,
    as_json: bool,
) -> None:
    """Send a message to a category's subscribers, optionally filtered.

    A filtered broadcast must reach at least 10 residents. Recipients get it by
    multicast in chunks of 500; a stopped run continues with `resume`. The same
    text and link sent to the category within the last hour is rejected unless
    --again is given. --json prints broadcast_id, recipients (a number, "<10",
    or null for a LINE broadcast to every friend) and chunks.

    The exit status is 3 when the LINE API cannot be reached or keeps failing
    on its side (429, 5xx), and the broadcast can be resumed later. It is 2 on
    bad input or a token that LINE rejects.
    """
    filters = {
        name: value
        for name, value in zip(ATTRIBUTES, (gender, age, area), strict=True)
        # An empty --area "" is an unknown value, not "no filter", so that a blank
        # shell variable never widens a filtered broadcast to the whole category.
        if value is not None
    }
    if url is not None and not url.strip():
        # As for --area "": an unset shell variable must not drop the link
        # without a word.
        raise ConfigError(
            f"--url {url!r} is empty; give the https link of the page, or leave "
            "--url out to send no link"
        )
    request = BroadcastRequest(category, bodies, url, filters)
    stores = _open(settings, read_only=dry_run)
    for attribute, value in filters.items():
        check_filter(stores.catalog, attribute, value)
    if dry_run:
        outcome = stores.sender(None).dry_run(request)
    else:
        # Report a mistyped category or too long a text before a missing token.
        stores.sender(None).check(request)
        client = LineClient(settings)
        try:
            with terminate_as_interrupt():
                outcome = stores.sender(client).send(request, again=again)
        finally:
            client.close()
    _print_outcome(outcome, as_json)


@broadcast.command("resume")
@click.argument("broadcast_id", required=False)
@click.option(
    "--force",
    is_flag=True,
    help="Also resend chunks first tried over 24 hours ago (may duplicate).",
)
@click.option(
    "--all",
    "resume_all",
    is_flag=True,
    help="Without BROADCAST_ID, resume every unfinished broadcast, however many.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def resume_command(
    settings: Settings,
    broadcast_id: str | None,
    force: bool,
    resume_all: bool,
    as_json: bool,
) -> None:
    """Send the pending chunks of BROADCAST_ID, or of the one unfinished broadcast.

    When several are unfinished, name one, or pass --all: a broadcast that a
    later send replaced (a corrected date) would otherwise go out as well. The
    exit status is as for `send`: 3 when the LINE API cannot be reached or
    keeps failing on its side, 2 on bad input.
    """
    if broadcast_id is not None and not broadcast_id.strip():
        # An unset shell variable must not resume whatever broadcast is left.
        raise ConfigError(
            f"the broadcast id {broadcast_id!r} is empty; give the id that "
            "`cityline broadcast log` lists, or leave it out to resume the one "
            "unfinished broadcast"
        )
    stores = _open(settings)
    if broadcast_id:
        # An unknown or cancelled id is an error that needs no access token.
        stores.sender(None).resumable(broadcast_id)
    else:
        unfinished = stores.log.unfinished()
        if len(unfinished) > 1 and not resume_all:
            listed = "; ".join(
                f"{record.id} ({record.category}: {json_text(record.text[:30])})"
                for record in unfinished
            )
            raise ConfigError(
                f"{len(unfinished)} broadcasts are unfinished: {listed}. Resume one "
                "with `cityline broadcast resume ID`, cancel those replaced with "
                "`cityline broadcast cancel ID`, or pass --all to send them all"
            )
    client = LineClient(settings)
    try:
        sender = stores.sender(client)
        with terminate_as_interrupt():
            if broadcast_id:
                outcomes = [sender.resume(broadcast_id, force=force)]
            else:
                outcomes = sender.resume_unfinished(force=force)
    finally:
        client.close()
    if as_json:
        _echo_json([outcome.to_json() for outcome in outcomes])
        return
    if not outcomes:
        click.echo("no unfinished broadcasts")
    for outcome in outcomes:
        _print_outcome(outcome, False)


@broadcast.command("cancel")
@click.argument("broadcast_id")
@click.pass_obj
def cancel_command(settings: Settings, broadcast_id: str) -> None:
    """Drop the pending chunks of BROADCAST_ID and delete their user ids.

    A send that is running stops before its next chunk. The chunk it is sending
    at that moment may still reach its recipients, and the log then marks it sent.
    A cancelled chunk whose request went out but was not confirmed is named,
    because LINE may have delivered it.
    """
    stores = _open(settings)
    record = stores.log.cancel(broadcast_id, datetime.now(UTC))
    click.echo(f"broadcast {record.id}: {record.status}")
    if record.status == "cancelled":
        click.echo(
            "a send that is running stops before its next chunk; the chunk it is "
            "sending may still arrive (see `cityline broadcast log`)"
        )
    for line in unconfirmed_chunk_lines(record):
        click.echo(line)


@broadcast.command("log")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Number of broadcasts to show.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def log_command(settings: Settings, limit: int, as_json: bool) -> None:
    """Show the delivery log, newest first: category, filters, text and chunks."""
    records = _open(settings, read_only=True).log.recent(limit)
    if as_json:
        _echo_json([_record_json(record) for record in records])
        return
    if not records:
        click.echo("no broadcasts in the delivery log")
    for record in records:
        filters = ", ".join(f"{k}={v}" for k, v in record.filters.items()) or "-"
        recipients = _shown(record.recipients, "every friend (LINE broadcast)")
        click.echo(
            f"{record.id}  {record.created_at.astimezone(JAPAN):%Y-%m-%d %H:%M} JST  "
            f"{record.category}  "
            f"filters {filters}  {record.status}  recipients {recipients}"
        )
        click.echo(f"    text: {terminal_safe(record.text)}")
        if record.url:
            click.echo(f"    url: {terminal_safe(record.url)}")
        if few_recipients(record.recipients):
            click.echo(f"    chunks {FEW_CHUNKS} (under 10 recipients)")
            continue
        for chunk in record.chunks:
            unconfirmed = ""
            if chunk.may_have_been_delivered:
                unconfirmed = " (sent, not confirmed: may have been delivered)"
            elif chunk.status == "pending" and chunk.first_attempt_at is not None:
                # A send stopped (Ctrl-C) while this chunk's request was out.
                unconfirmed = " (sent, not confirmed: may have been delivered)"
            if chunk.recipients is None:
                audience = "to every friend (LINE broadcast)"
            else:
                audience = f"{rounded_count(chunk.recipients)} recipients"
            click.echo(
                f"    chunk {chunk.index + 1}: {chunk.status}{unconfirmed}, {audience}"
            )


@broadcast.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def stats_command(settings: Settings, as_json: bool) -> None:
    """Show counts per category and per attribute value (under 10 as "<10")."""
    stores = _open(settings, read_only=True)
    catalog = stores.catalog
    subscribers = stores.store.count_subscribers()
    answers = stores.store.count_attributes()
    report = {
        "residents": rounded_count(stores.store.count_residents()),
        "categories": [
            {
                "key": c.key,
                "name": c.name,
                "count": rounded_count(subscribers.get(c.key, 0)),
            }
            for c in catalog.categories
        ],
        "attributes": {
            name: [
                {
                    "key": o.key,
                    "name": o.name,
                    "count": rounded_count(answers[name].get(o.key, 0)),
                }
                for o in catalog.options(name)
            ]
            for name in ATTRIBUTES
        },
    }
    if as_json:
        _echo_json(report)
        return
    click.echo(f"residents with settings: {report['residents']}")
    click.echo("categories:")
    for row in report["categories"]:
        click.echo(f"  {row['key']:<10} {str(row['count']):>7}  {row['name']}")
    for name, rows in report["attributes"].items():
        click.echo(f"{name}:")
        for row in rows:
            click.echo(f"  {row['key']:<22} {str(row['count']):>7}  {row['name']}")


def unconfirmed_chunk_lines(record: BroadcastRecord) -> list[str]:
    """Return a line for each cancelled chunk of ``record`` that a request was
    sent for and LINE did not confirm, since LINE may have delivered it.

    Under 10 recipients the line names no chunk number, as the log shows none.
    """
    lines = []
    for chunk in record.chunks:
        if not chunk.may_have_been_delivered:
            continue
        name = (
            "its request"
            if few_recipients(record.recipients)
            else f"chunk {chunk.index + 1}"
        )
        tried = chunk.first_attempt_at.astimezone(JAPAN)
        lines.append(
            f"{name} was sent to LINE at {tried:%Y-%m-%d %H:%M} JST and not "
            "confirmed, so its recipients may have the message: do not send it "
            "again (`broadcast send` rejects the same text for an hour unless "
            "--again is given)"
        )
    return lines


def check_filter(catalog: Catalog, attribute: str, value: str) -> None:
    """Raise ConfigError naming the `send` option when ``value`` matches no option.

    ``value`` may be an option's key or its name, as in the catalog.
    """
    try:
        catalog.option(attribute, value)
    except ConfigError:
        option, noun = FILTER_OPTIONS[attribute]
        valid = ", ".join(f"{c.key} ({c.name})" for c in catalog.options(attribute))
        raise ConfigError(
            f"{option} {value!r} is not a known {noun}; use one of: {valid}"
        ) from None


def _print_outcome(outcome: BroadcastOutcome, as_json: bool) -> None:
    if as_json:
        _echo_json(outcome.to_json())
        return
    if outcome.recipients is None:
        audience = "every friend (LINE broadcast)"
    else:
        audience = f"{rounded_count(outcome.recipients)} residents"
    requests = describe_requests(outcome)
    category = f"category {outcome.category}{describe_filters(outcome.filters)}"
    if outcome.dry_run:
        click.echo(
            f"dry run: {category} would reach {audience} in {requests}; nothing "
            "was sent"
        )
        return
    if outcome.few_recipients:
        # sent_now and already_sent are 0 or 1 here, which would reveal an empty
        # category; the pending count stays, because staff must act on it.
        progress = f"{outcome.pending} pending"
    else:
        progress = (
            f"{outcome.sent_now} sent now, {outcome.already_sent} accepted before, "
            f"{outcome.pending} pending"
        )
    if outcome.status == "cancelled":
        # `cityline broadcast cancel` ran during this send or resume.
        progress += "; cancelled during this run"
    click.echo(
        f"broadcast {outcome.broadcast_id}: {category} to {audience} in "
        f"{requests}; {progress}"
    )


def describe_filters(filters: Mapping[str, str]) -> str:
    """Describe the attribute filters of a send for its summary line, as in
    " filtered by area=sakai, age_band=30s"; empty without filters."""
    if not filters:
        return ""
    shown = ", ".join(f"{name}={value}" for name, value in filters.items())
    return f" filtered by {shown}"


def describe_requests(outcome: BroadcastOutcome) -> str:
    """Describe the LINE API requests of ``outcome``, as in "3 multicast requests".

    Under 10 recipients it reads "at most 1 multicast request", which reveals no more
    than the rounded count "<10".
    """
    if outcome.few_recipients:
        return f"at most 1 {outcome.mode} request"
    noun = "request" if outcome.chunks == 1 else "requests"
    return f"{outcome.chunks} {outcome.mode} {noun}"


def _record_json(record: BroadcastRecord) -> dict[str, Any]:
    return {
        "broadcast_id": record.id,
        "category": record.category,
        "filters": dict(record.filters),
        "text": record.text,
        "url": record.url,
        "mode": record.mode,
        "status": record.status,
        "recipients": _shown(record.recipients, None),
        "created_at": record.created_at.isoformat(),
        "finished_at": record.finished_at.isoformat() if record.finished_at else None,
        "chunks": FEW_CHUNKS
        if few_recipients(record.recipients)
        else [
            {
                "index": chunk.index,
                "status": chunk.status,
                "recipients": _shown(chunk.recipients, None),
                "first_attempt_at": _iso(chunk.first_attempt_at),
                "finished_at": _iso(chunk.finished_at),
                "last_error": chunk.last_error,
            }
            for chunk in record.chunks
        ],
    }


def _shown(count: int | None, when_none: Any) -> Any:
    return when_none if count is None else rounded_count(count)


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None
