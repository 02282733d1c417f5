"""Running `reader` in a real pseudo-terminal for tests: type keys, collect every byte it writes.

POSIX only; it never leaves a process behind (the whole session is killed if it has not quit)."""

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time


def run_in_terminal(
    arguments: list[str], keys: list[bytes], columns: int = 110, rows: int = 32, ready: bytes | None = None
) -> tuple[bytes, int | None]:
    """Everything `reader` writes to a pseudo-terminal while `keys` are typed, each once it is
    quiet (the first only once `ready` is on screen, when given: a busy machine can take
    seconds to start), and its exit code (None if it had to be killed)."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(columns), LINES=str(rows), TEXTUAL_ANIMATIONS="none")
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "reader", *arguments],
        stdin=terminal, stdout=terminal, stderr=terminal, env=env, start_new_session=True, close_fds=True,
    )
    os.close(terminal)
    written = bytearray()

    def read_until_quiet(quiet: float = 0.8, limit: float = 10) -> None:
        """Read until the app has written nothing for `quiet` seconds (or `limit` passed)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], quiet)
            if not ready:
                return
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the app has exited and closed the terminal
                return
            if not chunk:
                return
            written.extend(chunk)

    try:
        read_until_quiet(quiet=1.5)  # start-up, the list
        started = time.monotonic()
        while ready is not None and ready not in written and time.monotonic() - started < 60:
            read_until_quiet(quiet=0.5)
        for key in keys:
            os.write(controller, key)
            read_until_quiet()
        code: int | None = process.wait(timeout=20)
        read_until_quiet(quiet=0.2)
    except subprocess.TimeoutExpired:
        code = None
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        os.close(controller)
    return bytes(written), code
