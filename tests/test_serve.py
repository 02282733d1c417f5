"""`reader serve` before it listens: only this machine unless told, a warning when told, the
config, database and port checked first, each problem one line naming what is wrong."""

import socket
import shlex

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.commands import web
from reader.commands.serve import is_loopback, public_url

CONFIG = """\
annotator: alice
database: team.db
load_samples: false
tags:
  - name: conflict
    key: "1"
"""


@pytest.fixture
def served(tmp_path, monkeypatch):
    """Runs `reader serve` with the web server replaced by a record of how it was made."""
    (tmp_path / "alice.yaml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.delenv("READER_DB", raising=False)
    made = []

    def record(self):
        made.append(self)

    monkeypatch.setattr(web.ReaderServer, "serve", record)

    def run(*arguments):
        result = CliRunner().invoke(main, ["serve", "--config", str(tmp_path / "alice.yaml"), *arguments])
        return result, made

    return run


def test_localhost_by_default_each_page_runs_reader_on_this_config_and_database(served, tmp_path):
    result, made = served("--port", "8123")
    assert result.exit_code == 0, result.output
    (server,) = made
    assert (server.host, server.port, server.public_url) == ("127.0.0.1", 8123, "http://127.0.0.1:8123")
    command = shlex.split(server.command)
    assert command[1:] == ["-m", "reader", "--config", str(tmp_path / "alice.yaml"), "--db", str(tmp_path / "team.db")]
    assert "Serving reader for alice on http://127.0.0.1:8123/" in result.output
    assert "Warning" not in result.output
    assert (tmp_path / "team.db").exists()  # checked (and made) before listening


def test_another_address_needs_allow_network_and_warns_of_no_login(served):
    result, made = served("--host", "0.0.0.0", "--port", "8124")
    assert result.exit_code == 1 and made == []
    assert result.output.count("\n") == 1
    assert "--host 0.0.0.0 is reachable from other machines and reader serve has no login" in result.output
    result, made = served("--host", "0.0.0.0", "--port", "8124", "--allow-network")
    assert result.exit_code == 0, result.output
    assert made[0].host == "0.0.0.0"
    assert "Warning: no authentication: anyone who can reach http://" in result.output
    assert "tags as alice" in result.output


def test_a_port_in_use_is_one_line(served):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result, made = served("--port", str(port))
    assert result.exit_code == 1 and made == []
    assert result.output == f"Error: port {port} on 127.0.0.1 is in use: choose another with --port\n"


def test_a_bad_config_stops_it_before_it_listens(served, tmp_path):
    (tmp_path / "alice.yaml").write_text("annotator: alice\ntheme: no-such-theme\n", encoding="utf-8")
    result, made = served()
    assert result.exit_code == 1 and made == []
    assert result.output.startswith(f"Error: {tmp_path / 'alice.yaml'}:2: theme:")


def test_loopback_addresses():
    assert all(is_loopback(host) for host in ("localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"))
    assert not any(is_loopback(host) for host in ("0.0.0.0", "::", "10.0.0.4", "example.org"))
    assert public_url("::1", 8001) == "http://[::1]:8001"
