"""`reader serve` in a real headless browser (Debian's chromium, driven by selenium): the page
loads, shows the article list, takes keys, and the tag typed there is stored in the database.

Without chromium (tools/install-test-deps installs it) the test fails under CI and skips
elsewhere, saying why."""

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

CONFIG = """\
annotator: tester
database: team.db
load_samples: false
tags:
  - name: conflict
    key: "1"
    color: "#e06c75"
"""

ARTICLE = (
    "Harbour pilots vote on new rota\n\n"
    "Pilots at the eastern harbour voted on Monday to accept a new rota after a week of talks "
    "with the port board. The board said night shifts would be shorter from the spring.\n"
)

#: Records every byte the page's websocket receives (the reader's screen, as terminal output),
#: so the test can wait for text to be drawn: xterm.js paints on a canvas, not in the DOM.
RECORD_SCREEN = """
window.__readerScreen = "";
const PageSocket = window.WebSocket;
window.WebSocket = function (...args) {
  const socket = new PageSocket(...args);
  const decoder = new TextDecoder();
  socket.addEventListener("message", (event) => {
    if (event.data instanceof ArrayBuffer) {
      window.__readerScreen += decoder.decode(new Uint8Array(event.data), {stream: true});
    }
  });
  return socket;
};
window.WebSocket.prototype = PageSocket.prototype;
Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
"""

ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]")


def need_browser() -> None:
    """Chromium, its driver and selenium, or a clear reason: a failure under CI, a skip locally."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip install '.[test]')")
    if not missing:
        return
    reason = f"browser test needs {', '.join(missing)}: run tools/install-test-deps (apt-get install chromium chromium-driver)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, what: str, limit: float = 90.0):
    """Poll `condition` until it gives a true value (a busy machine can take a while), or fail
    saying what never happened."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"never happened: {what}")


@pytest.fixture
def served(tmp_path):
    """A `reader serve` on a free port, on a fresh database holding one article; its port."""
    need_browser()
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "pilots.txt").write_text(ARTICLE, encoding="utf-8")
    env = {**os.environ, "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state")}
    env.pop("READER_DB", None)
    env.pop("READER_CONFIG", None)
    reader = [sys.executable, "-m", "reader", "--config", str(tmp_path / "config.yaml")]
    subprocess.run([*reader, "import", str(tmp_path / "pilots.txt")], check=True, env=env, capture_output=True)
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([*reader, "serve", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
                              env=env, start_new_session=True)
    try:
        def listening():
            if server.poll() is not None:
                pytest.fail(f"reader serve ended: {(tmp_path / 'serve.log').read_text()}")
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", port)) == 0

        wait_for(listening, f"reader serve listening on port {port}")
        yield port
    finally:
        os.killpg(server.pid, 15)  # the server and the readers its pages started
        server.wait(timeout=30)
        log.close()


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1200,800"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_SCREEN})
        yield driver
    finally:
        driver.quit()


def screen_text(driver) -> str:
    return ESCAPES.sub("", driver.execute_script("return window.__readerScreen || ''"))


def stored_tags(database: Path) -> list[tuple[str, str, str]]:
    if not database.exists():
        return []
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        return connection.execute(
            "SELECT a.quote, a.annotator, t.name FROM annotations a JOIN annotation_tags at ON at.annotation_id = a.id"
            " JOIN tags t ON t.id = at.tag_id"
        ).fetchall()


def test_a_tag_typed_in_the_browser_is_stored(served, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(f"http://127.0.0.1:{served}/")
    wait_for(lambda: "Harbour pilots vote on new rota" in screen_text(browser), "the article list in the page")
    keyboard = browser.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")

    def press(*keys: str, then: str) -> None:
        """Type `keys`, then wait until the page draws `then` (each key acts on what it shows)."""
        before = len(screen_text(browser))
        keyboard.send_keys(*keys)
        wait_for(lambda: then in screen_text(browser)[before:], f"{then!r} drawn after typing {keys!r}")

    press(Keys.ENTER, then="line 1/")  # the article opens, its status line says where the cursor is
    press("j", "j", then="line 3/")  # the cursor to the story's first line: "Pilots at the ..."
    press("v", "e", then="6 chars")  # select its first word
    keyboard.send_keys("1")  # tag it conflict
    rows = wait_for(lambda: stored_tags(tmp_path / "team.db"), "a tag stored in team.db")
    assert rows == [("Pilots", "tester", "conflict")]
