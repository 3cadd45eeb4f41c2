"""The pages in a real browser: Debian's Chromium driven by Playwright, over `openbook serve` on the demo book.

The server is the real CLI in a subprocess (`python -m openbook serve --read-only`) on a free port, so
the pages are exercised exactly as a user meets them. Every test gets a fresh page that fails the test
on any console error, uncaught script error or failed request to the app. Screenshots are test output
(tests/e2e/screenshots/, not committed): look at them after a change to a page.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Playwright 1.65 is built for Chrome for Testing 159 and cannot download it here; Debian's 156 works
# when pointed at directly. QUIC and background services off: no traffic but the app's.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOTS = Path(__file__).parent / "screenshots"
SERVER_START_SECONDS = 60


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_answering(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"`openbook serve` exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    pytest.fail(f"`openbook serve` did not answer {url} within {SERVER_START_SECONDS} s:\n"
                f"{log.read_text(errors='replace')}")


@pytest.fixture(scope="session")
def base_url(demo_book: Path, tmp_path_factory) -> str:
    """The app over the demo book, served read-only by the real CLI (so tests can read the book too)."""
    port = _free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "openbook", "serve", "--book", str(demo_book),
                                    "--host", "127.0.0.1", "--port", str(port), "--read-only"],
                                   stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(url + "/", process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, base_url):
    """A fresh page; the test fails on any console error, page error or failed request to the app."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    fresh = context.new_page()
    problems: list[str] = []
    fresh.on("console", lambda m: problems.append(f"console {m.type}: {m.text} ({m.location.get('url')})")
             if m.type == "error" else None)
    fresh.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    fresh.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})")
             if r.url.startswith(base_url) else None)
    fresh.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
             if r.url.startswith(base_url) and r.status >= 400 else None)
    fresh.set_default_timeout(15_000)
    yield fresh
    context.close()
    if problems:
        pytest.fail("the browser reported problems:\n" + "\n".join(problems))


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot as tests/e2e/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def save(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def drawn_charts(page):
    """Wait until every chart on the page is drawn, and return the number of marks in each."""

    def wait() -> list[int]:
        page.wait_for_function(
            "() => { const all = [...document.querySelectorAll('.chart[data-spec]')];"
            " return all.length > 0 && all.every(c => c.querySelector('svg [role=graphics-symbol]')); }")
        return page.eval_on_selector_all(".chart[data-spec]", "all => all.map(c => "
                                         "c.querySelectorAll('svg .role-mark [role=graphics-symbol]').length)")

    return wait
