"""The ``cityline index`` command."""

from __future__ import annotations

import click

from cityline.settings import Settings
from index.build import build_index


@click.command("index")
@click.pass_obj
def index_command(settings: Settings) -> None:
    """Rebuild the search index from the page store and swap it in atomically."""
    report = build_index(settings)
    click.echo(
        f"indexed {report.page_count} pages ({report.term_count} terms, "
        f"{report.char_gram_count} character n-grams) in {report.seconds:.1f} s "
        f"into {report.folder}"
    )
