"""Start the app and headless Chromium, and wait on Streamlit's DOM: shared by tests/e2e and benchmarks/."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 900}

# Streamlit 1.67's root [data-testid="stApp"] carries data-test-connection-state (CONNECTED, ...) and
# data-test-script-state: initial | running | notRunning | rerunRequested | stopRequested | compilationError.
# [data-testid="stStatusWidget"] ("Running...") unmounts 200 ms after a run ends.
MAIN = '[data-testid="stMain"]'
EXCEPTION = '[data-testid="stException"]'
PLOTLY = '[data-testid="stPlotlyChart"]'

# True once the app has been connected, not running, and without a status widget for `settle` ms.
_IDLE_JS = """
(settle) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const state = app && app.getAttribute('data-test-script-state');
  const busy = !app || app.getAttribute('data-test-connection-state') !== 'CONNECTED'
    || !(state === 'notRunning' || state === 'compilationError')
    || document.querySelector('[data-testid="stStatusWidget"]') !== null
    || document.querySelector('[data-stale="true"]') !== null;
  if (busy) { window.__rnnIdleSince = null; return false; }
  if (window.__rnnIdleSince == null) window.__rnnIdleSince = performance.now();
  return performance.now() - window.__rnnIdleSince >= settle;
}
"""

# True when no lazy element is still loading and every Plotly chart has drawn its SVG.
_CHARTS_DRAWN_JS = """
() => {
  if (document.querySelector('[data-testid="stMain"] [data-testid="stSkeleton"]')) return false;
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  return charts.every((c) => c.querySelector('.js-plotly-plot .main-svg') !== null);
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@contextlib.contextmanager
def streamlit_server(cwd: Path = ROOT, timeout: float = 60) -> Iterator[str]:
    """Start the app as `make run` does (explorer.serve), headless on a free loopback port; yield its base URL."""
    port = free_port()
    cmd = [
        sys.executable, "-m", "explorer.serve",
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log.read().decode()}")
                with contextlib.suppress(OSError):
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                        if r.read().decode().strip() == "ok":
                            break
                if time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"streamlit not healthy after {timeout} s:\n{log.read().decode()}")
                time.sleep(0.2)
            yield base
        finally:
            _stop(proc)


def launch_chromium(playwright):
    """Headless Debian Chromium (never a browser downloaded by `playwright install`)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


_RUNS: dict = {}  # page -> script runs (and fragment runs) its sessions have seen finish


def _count_runs(page) -> None:
    """Count the server's "script finished" messages on the page's websockets.

    Read from the wire, not the DOM: a run quick enough to start and end within one React render never shows
    "running" in the page, and a DOM counter missed it (a wait for that rerun then hung).
    """
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    _RUNS[page] = 0

    def frame(payload) -> None:
        if isinstance(payload, (bytes, bytearray)):
            msg = ForwardMsg()
            msg.ParseFromString(bytes(payload))
            if msg.WhichOneof("type") == "script_finished":
                _RUNS[page] += 1

    page.on("websocket", lambda ws: ws.on("framereceived", frame))
    page.on("close", lambda _: _RUNS.pop(page, None))


def new_page(browser):
    """A fresh context and page; every page of the context (the tabs a test opens too) counts its script runs."""
    context = browser.new_context(viewport=VIEWPORT)
    context.on("page", _count_runs)
    return context.new_page()


def runs(page) -> int:
    """How many script runs (and fragment runs) this page has seen finish."""
    page.evaluate("0")  # a round trip, so that Playwright delivers the frames already received
    return _RUNS[page]


def wait_for_runs(page, more_than: int, timeout_ms: int) -> bool:
    """Wait until the page has seen more than `more_than` runs finish; False if it has not within timeout_ms."""
    deadline = time.monotonic() + timeout_ms / 1000
    while _RUNS[page] <= more_than:
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(20)
    return True


def wait_for_idle(page, settle_ms: int = 300, timeout_ms: int = 60_000) -> None:
    """Wait until the script is not running, and has stayed so for settle_ms."""
    page.evaluate("window.__rnnIdleSince = null")
    page.wait_for_function(_IDLE_JS, arg=settle_ms, timeout=timeout_ms, polling=50)
    page.locator(MAIN).wait_for(state="visible", timeout=timeout_ms)


def wait_for_rerun(page, runs_before: int, timeout_ms: int = 60_000) -> None:
    """Wait until a run that started after `runs_before` was read has finished, then for idle."""
    if not wait_for_runs(page, runs_before, timeout_ms):
        raise TimeoutError(f"no script run finished within {timeout_ms} ms")
    wait_for_idle(page, timeout_ms=timeout_ms)


_JOBS_DONE_JS = """
() => !document.querySelector('[data-testid="stProgress"]')
  && !document.body.innerText.includes('waiting for a free core')
"""


def wait_for_jobs(page, timeout_ms: int = 180_000) -> None:
    """Wait until no background job (explorer.jobs) shows its progress bar or its waiting line, then for idle."""
    page.wait_for_function(_JOBS_DONE_JS, timeout=timeout_ms, polling=200)
    wait_for_idle(page)


def wait_for_charts(page, timeout_ms: int = 30_000) -> int:
    """Wait until every Plotly chart on the page has drawn; return how many there are."""
    page.wait_for_function(_CHARTS_DRAWN_JS, timeout=timeout_ms, polling=50)
    return page.locator(PLOTLY).count()


def full_page_screenshot(page, path: Path) -> None:
    """Screenshot the whole app: Streamlit scrolls inside stMain, so grow the viewport to fit it first."""
    height = page.evaluate(
        """() => {
          const m = document.querySelector('[data-testid="stMain"]');
          return Math.max(document.documentElement.scrollHeight, m ? m.scrollHeight : 0);
        }"""
    )
    size = page.viewport_size or VIEWPORT
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 10_000)})
    page.wait_for_timeout(200)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)


def warm_up(page, base: str) -> None:
    """Open the default page once in the browser, so that the first test does not time the frontend's own
    first load (its lazily loaded pieces) nor the app's first run."""
    page.goto(f"{base}/")
    wait_for_idle(page)
