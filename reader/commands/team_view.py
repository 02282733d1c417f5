"""`reader datasette`: a read-only team view of the database in Datasette, with reader's metadata
(table and column descriptions, facets, canned queries for a coding study).

It never writes the database: Datasette opens it read-only (`?mode=ro`), so coders keep writing
while the view is open; Datasette is an optional extra, and its absence is one line saying how
to install it.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
from importlib.resources import files
from pathlib import Path

import click
import yaml

from reader.commands.context import Context
from reader.commands.output import echo_lines, failure
from reader.commands.serve import is_loopback

#: How long a query may run before Datasette stops it (its default, 1 s, is too short for the
#: canned queries on a study of 100,000 annotations on a busy machine: see BENCHMARKS.md).
QUERY_LIMIT_MS = 20_000

INSTALL_HINT = ("Datasette is not installed here: pip install 'newsreader-tui[datasette]' "
                "(from reader's folder: pip install '.[datasette]'), then run reader datasette again")


def shipped_metadata() -> dict:
    """reader/datasette/metadata.yaml, as shipped (its database named `annotations`)."""
    return yaml.safe_load((files("reader") / "datasette" / "metadata.yaml").read_text(encoding="utf-8"))


def metadata_for(database: Path) -> dict:
    """The shipped metadata with its database named as Datasette names `database`: by its file
    name without the suffix (`team.db` is `team`)."""
    metadata = shipped_metadata()
    metadata["databases"] = {database.stem: metadata["databases"]["annotations"]}
    return metadata


def datasette_arguments(database: Path, metadata_path: Path, host: str, port: int) -> list[str]:
    """The Datasette command line: the database as a plain file (Datasette opens those with
    `?mode=ro`: read-only, and seeing what coders write meanwhile, which `--immutable` would not)."""
    return [sys.executable, "-m", "datasette", "serve", str(database), "--metadata", str(metadata_path),
            "--host", host, "--port", str(port), "--setting", "sql_time_limit_ms", str(QUERY_LIMIT_MS)]


@click.command("datasette")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535), help="The port to listen on.")
@click.option("--allow-network", is_flag=True,
              help="Allow an address other machines reach (Datasette has no login here: anyone who reaches it reads everything).")
@click.pass_obj
def datasette_command(context: Context, host: str, port: int, allow_network: bool) -> None:
    """A read-only team view of the database in Datasette (progress, disagreements, passages by tag).

    Needs the datasette extra: pip install '.[datasette]'.
    """
    if importlib.util.find_spec("datasette") is None:
        raise failure(INSTALL_HINT)
    if not is_loopback(host) and not allow_network:
        raise failure(f"--host {host} is reachable from other machines and this view has no login: "
                      "add --allow-network to serve there anyway")
    database = context.config.database
    if not database.is_file():
        raise failure(f"{database}: no database here yet (reader import makes one)")
    context.open_store().close()  # reader's, not newer, not damaged: one line otherwise
    lines = [f"Datasette on http://{host}:{port}/ : {database}, read-only; ctrl+c stops it"]
    if not is_loopback(host):
        lines.insert(0, f"Warning: no authentication: anyone who can reach port {port} reads this database.")
    echo_lines(lines, err=True)
    with tempfile.TemporaryDirectory(prefix="reader-datasette-") as folder:
        metadata_path = Path(folder) / "metadata.json"
        metadata_path.write_text(json.dumps(metadata_for(database), ensure_ascii=False), encoding="utf-8")
        try:
            completed = subprocess.run(datasette_arguments(database, metadata_path, host, port))
        except KeyboardInterrupt:
            return
    if completed.returncode not in (0, -2, 130):
        raise failure(f"datasette stopped with exit code {completed.returncode}")
