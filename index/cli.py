"""The ``cityline index`` command."""

from __future__ import annotations

import click

from cityline.settings import Settings
from index.build import build_index


@click.command("index")
@click.pass_obj
def index_command(settings: Settings) -> None:
    """Rebuild the search index from the page store and swap it in atomically."""
    click.echo(build_index(settings).format())
