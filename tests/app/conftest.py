"""Helpers for AppTest page tests: run a page script headlessly and read back the Plotly figures it drew."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from explorer import jobs

ROOT = Path(__file__).resolve().parents[2]


def run_page(path: str | Path, *, query: dict[str, Any] | None = None, timeout: float = 60) -> AppTest:
    """Run one script (relative paths are from the repository root) with optional URL query parameters."""
    at = AppTest.from_file(str(ROOT / path), default_timeout=timeout)
    at.query_params.update(query or {})  # sent as the URL's query string: str() of each value, lists repeat
    return at.run()


def session_job(at: AppTest, key: str) -> jobs.Job | None:
    """The AppTest session's job of that key (explorer.jobs keeps a session's jobs in its session_state)."""
    held = at.session_state[jobs._JOBS] if jobs._JOBS in at.session_state else {}
    return held.get(key)


def settle(at: AppTest, timeout: float = 180) -> AppTest:
    """Wait for every job the session runs, then rerun; again while a run still drew a job's progress or waiting
    line (what the page's one-second refresh does in a browser). AppTest runs are synchronous: nothing else waits
    for a thread. A job that failed fails the test, as an exception on the page would."""
    for _ in range(10):
        held = at.session_state[jobs._JOBS].values() if jobs._JOBS in at.session_state else []
        drawn = at.get("progress") or any("waiting for a free core" in i.value for i in at.info)
        if not drawn and not any(job.running for job in held):
            return at
        for job in held:
            jobs.wait(job, timeout)
            assert not job.running, f"{job.label} still running after {timeout} s"
            assert job.error is None, f"{job.label}: {job.error}"
        at.run()
    raise AssertionError("every rerun started another job")


def finish_jobs(at: AppTest, timeout: float = 300) -> AppTest:
    """Wait for every background job the session started (explorer.jobs), then run the page again to show what
    they made, failed ones included (settle refuses those)."""
    for job in list(at.session_state["_jobs"].values()):
        assert jobs.wait(job, timeout).done, f"{job.label} still running after {timeout} s"
    return at.run()


def plotly_figures(at: AppTest) -> list[dict]:
    """The JSON spec ({"data": [...], "layout": {...}}) of every st.plotly_chart on the page, in order."""
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.live: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "img", "iframe", "object", "embed") or any(name.startswith("on") for name, _ in attrs):
            self.live.append(tag)


def live_markup(body: str) -> list[str]:
    """The elements of an HTML body that could run or fetch something (script, img, on* handlers); escaped text
    such as '&lt;img onerror=...&gt;' is text and is not counted."""
    parser = _Tags()
    parser.feed(body)
    return parser.live
