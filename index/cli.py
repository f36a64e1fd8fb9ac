"""The ``cityline index`` command."""

from __future__ import annotations

import click

from cityline.errors import CitylineError
from cityline.settings import Settings
from index.build import build_index


@click.command("index")
@click.pass_obj
def index_command(settings: Settings) -> None:
    """Rebuild the search index from the page store and swap it in atomically."""
    try:
        report = build_index(settings)
    except KeyboardInterrupt:
        raise InterruptedIndexError(
            "the index rebuild was interrupted; the index in use is the last one "
            "that finished building, and the same command builds a new one"
        ) from None
    click.echo(report.format())


class InterruptedIndexError(CitylineError):
    """Raised when Ctrl-C stops an index rebuild; the old index stays current."""

    exit_code = 130
