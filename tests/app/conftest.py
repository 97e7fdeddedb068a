"""Helpers for AppTest page tests: run a page script headlessly and read back the Plotly figures it drew."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def run_page(path: str | Path, *, query: dict[str, Any] | None = None, timeout: float = 60) -> AppTest:
    """Run one script (relative paths are from the repository root) with optional URL query parameters."""
    at = AppTest.from_file(str(ROOT / path), default_timeout=timeout)
    at.query_params.update(query or {})  # sent as the URL's query string: str() of each value, lists repeat
    return at.run()


def plotly_figures(at: AppTest) -> list[dict]:
    """The JSON spec ({"data": [...], "layout": {...}}) of every st.plotly_chart on the page, in order."""
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
