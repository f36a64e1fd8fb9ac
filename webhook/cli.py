"""``cityline serve``: run the webhook app with uvicorn."""

from __future__ import annotations

import logging
import socket
import sys
import urllib.parse

import click
from fastapi import FastAPI

from cityline.errors import ConfigError
from cityline.serve_lock import hold_serve_lock
from cityline.settings import LINE_DATA_API_URL, Settings

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
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="TCP port to listen on (0 lets the system pick one).",
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
        verb = "is" if len(missing) == 1 else "are"
        raise ConfigError(
            f"{' and '.join(missing)} {verb} not set; set "
            f"{'it' if len(missing) == 1 else 'each'} to its value from the "
            "LINE Developers console (Messaging API channel) before running serve"
        )
    from answerer.outside import read_services
    from webhook.app import create_app

    # A running server replies without an unusable file and only logs it, so
    # stopping here shows a misconfigured file before residents write in.
    read_services(settings.outside_services_path)
    if not settings.data_dir.exists():
        # A mistyped folder would otherwise become a new data dir with a new
        # user-hash key and no index, and the server would reply with no pages.
        raise ConfigError(
            f"data dir {str(settings.data_dir)!r} does not exist; pass the folder "
            "that `cityline crawl` filled with --data-dir or CITYLINE_DATA_DIR, or "
            "create the folder first to serve with no index yet"
        )
    settings.ensure_data_dir()
    # Locked before the database is opened, so that `cityline demo` cannot empty
    # the data dir while the app is being built.
    with hold_serve_lock(settings.data_dir):
        # Bind before building the app, so a busy port fails at once and in one line.
        listeners = bind_listeners(host, port)
        try:
            app = create_app(settings)
        except BaseException:
            _close(listeners)
            raise
        _log_api_urls(settings)
        _warn_of_key_in_data_dir(settings)
        run_server(app, host, port, listeners=listeners)


def _warn_of_key_in_data_dir(settings: Settings) -> None:
    """Log a warning when the user-hash key file is inside the data dir, by
    default or as CITYLINE_USER_HASH_KEY_FILE names it.

    The city promises not to link the optional attributes to accounts, and a
    copy of a data dir that contains the key can do just that.
    """
    key = settings.user_hash_key_file.resolve()
    if not key.is_relative_to(settings.data_dir.resolve()):
        return
    logger.warning(
        "the user-hash key is %s, inside the data dir, so a copy of the data dir "
        "can link residents' gender, age band and area answers to their LINE user "
        "ids; set CITYLINE_USER_HASH_KEY_FILE to a file outside it (see README, "
        "Settings)",
        settings.user_hash_key_file,
    )


def run_server(
    app: FastAPI,
    host: str,
    port: int,
    log_level: str = "info",
    *,
    listeners: list[socket.socket] | None = None,
) -> None:
    """Serve ``app`` with uvicorn in this process until it is stopped.

    ``listeners`` are sockets from :func:`bind_listeners`, bound here when omitted.
    They are closed when the server stops. Raises ConfigError when binding fails.
    """
    import uvicorn

    if listeners is None:
        listeners = bind_listeners(host, port)
    bound_port = listeners[0].getsockname()[1]
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    # uvicorn logs no "running on" line for sockets it is given, so this is the one.
    logger.info("serving the webhook on http://%s", _host_port(host, bound_port))
    config = uvicorn.Config(app, host=host, port=bound_port, log_level=log_level)
    try:
        uvicorn.Server(config).run(sockets=listeners)
    except KeyboardInterrupt:
        # uvicorn re-raises Ctrl+C after its graceful shutdown, and uvicorn.run
        # swallows it the same way.
        pass
    finally:
        _close(listeners)


def bind_listeners(host: str, port: int) -> list[socket.socket]:
    """Bind a TCP socket on each address that ``host`` resolves to, at ``port``.

    With port 0 the system picks the port of the first address, and the other
    addresses get the same port. Raises ConfigError that names the host and port
    when ``host`` does not resolve or an address cannot be bound (port in use,
    address not of this machine, port reserved for root).
    """
    try:
        addresses = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except (socket.gaierror, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ConfigError(
            f"cannot listen on {_host_port(host, port)}: host {host!r} is invalid "
            f"or not found ({reason}); pass an address of this machine as --host"
        ) from exc
    listeners: list[socket.socket] = []
    try:
        for family, kind, protocol, _, address in addresses:
            if listeners and port == 0:
                address = (address[0], listeners[0].getsockname()[1], *address[2:])
            if any(_same_address(sock, family, address) for sock in listeners):
                continue
            listeners.append(_bind(family, kind, protocol, address))
    except OSError as exc:
        _close(listeners)
        reason = exc.strerror or str(exc)
        raise ConfigError(
            f"cannot listen on {_host_port(host, port)}: {reason}; pass another "
            "--port, or as --host an address of this machine"
        ) from exc
    return listeners


def _bind(family: int, kind: int, protocol: int, address: tuple) -> socket.socket:
    sock = socket.socket(family, kind, protocol)
    try:
        # The same options as asyncio's create_server, which uvicorn uses when it
        # binds by itself: restart at once after a stop, one family per socket.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        # Listening now lets clients queue from the "serving" log line on, before
        # uvicorn's loop starts accepting.
        sock.listen()
    except OSError:
        sock.close()
        raise
    return sock


def _same_address(sock: socket.socket, family: int, address: tuple) -> bool:
    return sock.family == family and sock.getsockname()[:2] == address[:2]


def _close(listeners: list[socket.socket]) -> None:
    for sock in listeners:
        sock.close()


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _log_api_urls(settings: Settings) -> None:
    """Log the LINE API URLs in use, and warn when only the Messaging API is on
    a local fake: photos would then be fetched from LINE with the local token."""
    logger.info(
        "LINE Messaging API at %s, content API at %s",
        settings.line_api_url,
        settings.line_data_api_url,
    )
    api_host = urllib.parse.urlsplit(settings.line_api_url).hostname or ""
    local = api_host in ("127.0.0.1", "::1", "localhost")
    if local and settings.line_data_api_url == LINE_DATA_API_URL:
        logger.warning(
            "CITYLINE_LINE_API_URL points at %s but CITYLINE_LINE_DATA_API_URL is "
            "unset, so residents' photos are fetched from %s; set it to the same "
            "fake to try the bot locally",
            settings.line_api_url,
            LINE_DATA_API_URL,
        )
