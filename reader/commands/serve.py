"""`reader serve`: the reader in a web browser (textual-serve), one server per coder: each page
opened starts a reader with that coder's config and database, as `reader` in a terminal would.

It listens on this machine only unless told otherwise: it has no login, so binding to another
address needs `--allow-network` and says so; the config and database are checked before it listens.
"""

from __future__ import annotations

import ipaddress
import shlex
import socket
import sys

import click

from reader.commands.context import Context
from reader.commands.output import echo_lines, failure

#: Addresses that only this machine can reach: served without `--allow-network`.
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or an address) is this machine only: `localhost`, 127.x, ::1."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def public_url(host: str, port: int) -> str:
    """The address a browser opens (the page's websocket goes to the same host): a wildcard bind
    (0.0.0.0, ::) is reached by this machine's name."""
    shown = host
    if host in ("0.0.0.0", "::", ""):
        shown = socket.gethostname()
    elif ":" in host and not host.startswith("["):
        shown = f"[{host}]"
    return f"http://{shown}:{port}"


def reader_command(context: Context) -> str:
    """The shell command each browser page runs: this Python's reader, on the config and the
    database this `reader serve` was given (so a later $READER_DB or folder change cannot
    send a coder's page to another database)."""
    config = context.config
    return shlex.join([sys.executable, "-m", "reader", "--config", str(config.path), "--db", str(config.database)])


def check_can_serve(context: Context) -> None:
    """What bare `reader` checks before it opens (config, theme, keys, the database), here, so a
    mistake is one line at the command rather than a dead page in the browser."""
    config = context.config
    from reader.core.keys import keymap_problem
    from reader.tui.app import theme_problem

    for key, problem in (("theme", theme_problem(config.theme)), ("keymap", keymap_problem(config.keymap))):
        if problem:
            raise failure(str(config.error(key, problem)))
    context.open_store().close()


def port_problem(host: str, port: int) -> str | None:
    """Why `port` cannot be listened on at `host` (in use, not allowed), or None."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        return f"cannot listen on {host}: {error.strerror}"
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == 98:  # EADDRINUSE
                return f"port {port} on {host} is in use: choose another with --port"
            return f"cannot listen on {host}:{port}: {error.strerror}"
    return None


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on; only this machine by default.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="The port to listen on (one per coder: --port 8001, 8002...).")
@click.option("--allow-network", is_flag=True,
              help="Allow an address other machines reach (there is no login: anyone who reaches it tags as you).")
@click.option("--public-url", "public_url_option", default=None,
              help="The address browsers use, when not http://HOST:PORT (behind a proxy).")
@click.pass_obj
def serve_command(context: Context, host: str, port: int, allow_network: bool, public_url_option: str | None) -> None:
    """Serve the reader in a web browser, for the configured annotator.

    Each page opened runs its own reader on this config and database. Run one per coder, each
    with their config: `reader serve --config alice.yaml --port 8001`.
    """
    loopback = is_loopback(host)
    if not loopback and not allow_network:
        raise failure(
            f"--host {host} is reachable from other machines and reader serve has no login: "
            "add --allow-network to serve there anyway, or keep the default (127.0.0.1) and use an SSH tunnel"
        )
    check_can_serve(context)
    problem = port_problem(host, port)
    if problem:
        raise failure(problem)
    config = context.config
    url = public_url_option or public_url(host, port)
    lines = []
    if not loopback:
        lines.append(
            f"Warning: no authentication: anyone who can reach {url} reads this database and tags as "
            f"{config.annotator}. Prefer 127.0.0.1 and an SSH tunnel (ssh -L {port}:localhost:{port} HOST)."
        )
    lines.append(f"Serving reader for {config.annotator} on {url}/ (database {config.database}); ctrl+c stops it")
    echo_lines(lines, err=True)
    from reader.commands.web import ReaderServer

    ReaderServer(reader_command(context), host=host, port=port, title=f"reader: {config.annotator}",
                 public_url=url).serve()
