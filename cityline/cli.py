"""The ``cityline`` command: one group with a subcommand per job.

Subcommands live beside the code they drive and are imported only when used, so that
a quick command such as ``cityline pages`` does not load the tokenizer or the web stack.
"""

from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path

import click

from cityline.errors import CitylineError, ConfigError
from cityline.settings import DEFAULT_DATA_DIR, Settings
from cityline.stdout_guard import guarded_stdout
from index.normalize import has_lone_surrogate

logger = logging.getLogger(__name__)

# Subcommand name -> "module:attribute" of its click command.
SUBCOMMANDS = {
    "crawl": "crawler.cli:crawl",
    "pages": "crawler.cli:pages",
    "index": "index.cli:index_command",
    "ask": "answerer.cli:ask",
    "evaluate": "answerer.cli:evaluate",
    "serve": "webhook.cli:serve",
    "reports": "webhook.reports.cli:reports",
    "broadcast": "webhook.broadcasts.cli:broadcast",
    "demo": "cityline.demo.run:demo",
    "dev": "cityline.devtools:dev",
}


class LazyGroup(click.Group):
    """A click group that imports each subcommand on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        """Resolve the subcommand; an unknown one names the close matches among
        all subcommands, which this group imports only on use."""
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:
            raise click.exceptions.NoSuchCommand(
                exc.command_name, possibilities=self.list_commands(ctx), ctx=ctx
            ) from None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        return getattr(importlib.import_module(module_name), attribute)


@click.group(cls=LazyGroup)
@click.option(
    "--data-dir",
    type=click.Path(),
    callback=lambda ctx, param, value: _data_dir_path(value),
    envvar="CITYLINE_DATA_DIR",
    show_envvar=True,
    default=DEFAULT_DATA_DIR,
    show_default=True,
    help="Folder for the page store, the index and the app database.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path, verbose: bool) -> None:
    """cityline: crawl a city site, reply to residents on LINE, take fault reports."""
    configure_logging(logging.DEBUG if verbose else logging.INFO)
    source = ctx.get_parameter_source("data_dir")
    name = (
        "CITYLINE_DATA_DIR"
        if source is click.core.ParameterSource.ENVIRONMENT
        else "--data-dir"
    )
    if data_dir.exists() and not data_dir.is_dir():
        raise click.BadParameter(
            f"{str(data_dir)!r} is a file, not a folder; point {name} at a folder "
            "(it is created when missing)",
            ctx=ctx,
            param_hint=name,
        )
    blocking = _file_above(data_dir)
    if blocking is not None:
        raise click.BadParameter(
            f"{str(blocking)!r} is a file, so the folder {str(data_dir)!r} cannot be "
            f"made in it; point {name} at a path under a folder",
            ctx=ctx,
            param_hint=name,
        )
    ctx.obj = Settings.from_env(data_dir=data_dir)


def _data_dir_path(value: str | Path) -> Path:
    """Return ``value`` as a Path, rejecting an empty one.

    Path("") is the current folder, so an empty ``--data-dir ""`` would spread the
    store and the index over wherever the command runs.
    """
    if str(value).strip() == "":
        raise click.BadParameter(
            "an empty value names no folder; give one such as cityline-data",
            param_hint="--data-dir",
        )
    return Path(value)


def _file_above(data_dir: Path) -> Path | None:
    """Return the nearest existing parent of a missing ``data_dir`` when it is a
    file, else None."""
    if data_dir.exists():
        return None
    for parent in data_dir.parents:
        if parent.exists():
            return None if parent.is_dir() else parent
    return None


def configure_logging(level: int) -> None:
    """Send log lines to stderr, leaving stdout to the command's output."""
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request at INFO, which drowns a crawl's own progress lines.
    logging.getLogger("httpx").setLevel(max(level, logging.WARNING))


def _database_error() -> type[Exception]:
    """Return SQLAlchemy's DatabaseError, imported only once an error is raised."""
    from sqlalchemy.exc import DatabaseError

    return DatabaseError


def _database_advice(reason: str) -> str:
    """Return what to do about a database error with the driver's ``reason``.

    Only a damaged file calls for a backup: moving away a database that is
    merely locked by a running server would split its reports in two.
    """
    reason = reason.lower()
    if "readonly" in reason or "read-only" in reason:
        return (
            "the data dir or a database file in it is read-only; run the command "
            "as the user that owns the data dir"
        )
    if "locked" in reason or "busy" in reason:
        return (
            "another process is writing to it (a running `cityline serve`, a crawl "
            "or a backup); run again when it is done, and do not move the file"
        )
    if "disk is full" in reason or "disk i/o" in reason:
        return (
            "the disk is full or failing; free space or check the disk, then run again"
        )
    return (
        "if a SQLite file there is corrupt, restore it from a backup or move it "
        "away, then run again"
    )


def _usage_message(exc: click.UsageError) -> str:
    """Return the one-line message for a bad option, argument or command."""
    command = exc.ctx.command_path if exc.ctx is not None else "cityline"
    if isinstance(exc, click.NoSuchOption) and exc.ctx is not None:
        root = exc.ctx.find_root()
        options = {name: param for param in root.command.params for name in param.opts}
        option = options.get(exc.option_name)
        if option is not None and exc.ctx is not root:
            # cityline broadcast send --data-dir DIR: an option of cityline
            # itself, given after the command.
            rest = command.removeprefix(root.info_name or "cityline").strip()
            usage = exc.option_name if option.is_flag else f"{exc.option_name} ..."
            return (
                f"{exc.option_name} is an option of cityline itself, so it goes "
                f"before the command: `cityline {usage} {rest} ...`"
            )
    if isinstance(exc, click.NoSuchOption) and exc.ctx is not None:
        placed = _subcommand_option_message(exc.ctx, exc.option_name)
        if placed is not None:
            return placed
    message = exc.format_message().rstrip(".")
    if message.endswith(("?", "?)")):
        # No such command 'lst'. Did you mean 'list'?
        return f"{message} See `{command} --help`."
    return f"{message}; see `{command} --help`"


def _subcommand_option_message(ctx: click.Context, option: str) -> str | None:
    """Return the message for an option of a group's subcommands given before
    the subcommand (cityline dev send --url URL text), or None when no
    subcommand of ``ctx``'s group takes ``option``."""
    group = ctx.command
    if not isinstance(group, click.Group):
        return None
    owners = sorted(
        name
        for name, command in group.commands.items()
        if any(option in param.opts for param in command.params)
    )
    if not owners:
        return None
    root = ctx.find_root().info_name or "cityline"
    path = "cityline " + ctx.command_path.removeprefix(root).strip()
    if len(owners) == 1:
        owner = f"`{path} {owners[0]}`"
    else:
        named = ", ".join(owners[:4]) + (", ..." if len(owners) > 4 else "")
        owner = f"the subcommands of `{path}` ({named})"
    return (
        f"{option} is an option of {owner}, so it goes after the subcommand: "
        f"`{path} {owners[0]} {option} ...`; see `{path} --help`"
    )


def _reject_undecoded_arguments(arguments: list[str]) -> None:
    """Raise ConfigError for the first argument with bytes that are not UTF-8.

    Python reads such bytes (text typed in Shift_JIS, say) as lone surrogates,
    which no reply, database row or log line can hold, so every command refuses
    them before it starts rather than failing halfway. The data dir is only a
    path, which may hold any bytes, so the value of --data-dir passes.
    """
    after_data_dir = False
    for argument in arguments:
        is_data_dir = after_data_dir or argument.startswith("--data-dir=")
        after_data_dir = argument == "--data-dir"
        if is_data_dir:
            continue
        if has_lone_surrogate(argument):
            raise ConfigError(
                f"argument {argument!r} contains bytes that are not UTF-8 (shown as "
                "\\udcXX); type it again in UTF-8, percent-encode them in a URL "
                "(%E6%AD%A6), or rename the file"
            )


def main() -> None:
    """Run the command line, printing a CitylineError as one line with its exit code.

    A bad option or argument is printed the same way, as one ``error: ...`` line
    that names the command's --help, with click's exit code 2. A reader that
    closes standard output early (``cityline crawl URL | head -1``) does not stop
    the command: it finishes and exits with its own code.
    """
    with guarded_stdout():
        _run_command_line()


def _caused_by_interrupt(exc: BaseException) -> bool:
    """Tell whether ``exc`` was raised while handling a KeyboardInterrupt."""
    seen = set()
    cause = exc.__cause__ or exc.__context__
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


# An error message longer than this quotes a pasted paragraph or more; its
# start and end are kept, which name the value and the fix.
MAX_ERROR_CHARS = 2000


def _cut_long(message: str) -> str:
    """Return ``message`` cut in the middle to MAX_ERROR_CHARS characters."""
    if len(message) <= MAX_ERROR_CHARS:
        return message
    cut = len(message) - MAX_ERROR_CHARS
    head = MAX_ERROR_CHARS * 2 // 3
    return f"{message[:head]} [... {cut:,} characters cut ...] {message[head + cut :]}"


def _run_command_line() -> None:
    """Run the command, turning each error into its message and exit code."""
    try:
        _reject_undecoded_arguments(sys.argv[1:])
        exit_code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.UsageError as exc:
        click.echo(f"error: {_cut_long(_usage_message(exc))}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"error: {_cut_long(exc.format_message())}", err=True)
        sys.exit(exc.exit_code)
    except CitylineError as exc:
        click.echo(f"error: {_cut_long(str(exc))}", err=True)
        sys.exit(exc.exit_code)
    except _database_error() as exc:
        # NOTE: the driver error does not name the file. The page store names its
        # own file for damaged pages. For the app database, ensure_schema names it
        # only for the failures it can see when the database is opened.
        logger.debug("database error", exc_info=True)
        click.echo(
            f"error: a database in the data dir failed ({exc.orig}); "
            f"{_database_advice(str(exc.orig))} (-v shows the query)",
            err=True,
        )
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except SystemError as exc:
        # Ctrl-C inside a compiled ranking loop (numba) comes back as a
        # SystemError whose cause is the KeyboardInterrupt.
        if not _caused_by_interrupt(exc):
            raise
        click.echo("interrupted", err=True)
        sys.exit(130)
    # A command that calls ctx.exit(code) returns the code in non-standalone mode.
    if isinstance(exit_code, int):
        sys.exit(exit_code)


if __name__ == "__main__":
    main()
