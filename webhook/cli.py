"""``cityline serve``: run the webhook app with uvicorn."""

from __future__ import annotations

import logging
import sys

import click
from fastapi import FastAPI

from cityline.errors import ConfigError
from cityline.settings import Settings

logger = logging.getLogger(__name__)

SWITCH_INTERVAL_S = 0.001
"""Interpreter thread switch interval for the server process (CPython's is 5 ms).

The event loop that returns LINE's 200s shares the interpreter lock with the worker
threads that compute replies; a shorter interval lets the loop take the lock back
sooner, which shortens the time to the 200 when workers are busy.
"""


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
    from webhook.app import create_app

    settings.ensure_data_dir()
    run_server(create_app(settings), host, port)


def run_server(app: FastAPI, host: str, port: int, log_level: str = "info") -> None:
    """Serve ``app`` with uvicorn in this process until it is stopped."""
    import uvicorn

    sys.setswitchinterval(SWITCH_INTERVAL_S)
    if port:
        logger.info("serving the webhook on http://%s:%d", host, port)
    else:
        # uvicorn picks the port and logs "Uvicorn running on ..." with it.
        logger.info("serving the webhook on %s, on a port the system picks", host)
    uvicorn.run(app, host=host, port=port, log_level=log_level)
