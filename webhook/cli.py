"""``cityline serve``: run the webhook app with uvicorn."""

from __future__ import annotations

import logging

import click

from cityline.errors import ConfigError
from cityline.settings import Settings

logger = logging.getLogger(__name__)


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; put a TLS proxy in front for LINE.",
)
@click.option(
    "--port", default=8000, show_default=True, type=int, help="TCP port to listen on."
)
@click.pass_obj
def serve(settings: Settings, host: str, port: int) -> None:
    """Serve the LINE webhook (POST /callback) and GET /healthz."""
    missing = [
        name
        for name, value in (
            ("LINE_CHANNEL_SECRET", settings.line_channel_secret),
            ("LINE_CHANNEL_ACCESS_TOKEN", settings.line_channel_access_token),
        )
        if not value
    ]
    if missing:
        raise ConfigError(
            f"{' and '.join(missing)} not set; set them to the values from the "
            "LINE Developers console before running serve"
        )
    import uvicorn

    from webhook.app import create_app

    settings.ensure_data_dir()
    app = create_app(settings)
    logger.info("serving the webhook on http://%s:%d", host, port)
    uvicorn.run(app, host=host, port=port, log_level="info")
