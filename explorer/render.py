"""Drawing helpers every page uses: a chart with its data and figure downloads, presenter sizing, errors."""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core import ModelConfig, Trace

from . import state
from .sidebar import presenter

PRESENTER_CSS = """
<style>
html { font-size: 21px; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.15rem; }
[data-testid="stCaptionContainer"] { font-size: 1rem; }
</style>
"""


def page_style() -> None:
    """Larger text for projection (the CSS is fixed text: nothing a user typed goes into it)."""
    if presenter():
        st.html(PRESENTER_CSS)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "chart"


def chart(fig: go.Figure, data: pd.DataFrame | Callable[[], pd.DataFrame] | None, name: str, *,
          key: str | None = None, **plotly_kwargs):
    """st.plotly_chart plus downloads of the data behind it (CSV) and of the figure (self-contained HTML).

    The downloads are built only when clicked (callables), so a rerun does not ship megabytes of plotly.js;
    `data` may itself be a callable, for tables too large to build on every rerun.
    """
    if presenter():
        fig.update_layout(font_size=20, height=(fig.layout.height or 450) * 1.25)
    event = st.plotly_chart(fig, key=key, **plotly_kwargs)
    downloads(data, lambda: fig.to_html(include_plotlyjs=True, full_html=True), name, key=key)
    return event


def downloads(data: pd.DataFrame | Callable[[], pd.DataFrame] | None, html: Callable[[], str], name: str, *,
              key: str | None = None) -> None:
    """CSV of the data behind a view and a self-contained HTML page of it, both built only when clicked."""
    slug = _slug(name)
    cols = st.columns([1, 1, 6])
    if data is not None:
        table = data if callable(data) else (lambda: data)
        cols[0].download_button("CSV", lambda: table().to_csv(index=False), file_name=f"{slug}.csv", mime="text/csv",
                                on_click="ignore", icon=":material/download:", key=f"csv-{key or slug}",
                                help=f"The numbers behind “{name}”.")
    cols[1].download_button("HTML", html, file_name=f"{slug}.html", mime="text/html", on_click="ignore",
                            icon=":material/download:", key=f"html-{key or slug}",
                            help="The interactive view, viewable offline.")


def failure(err: Exception) -> None:
    """A clear message instead of a stack trace, for input the computation refuses."""
    st.error(str(err), icon=":material/error:")


def overflow_notice(*traces: Trace) -> None:
    """Say why values read inf or NaN when a network has exploded (the charts draw them with their own markers)."""
    if not all(trace.finite for trace in traces):
        st.warning("The network has overflowed: some hidden states are inf or NaN, and so is every gradient that "
                   "passes through them. The charts mark those values (overflow, NaN) instead of leaving them out. "
                   "Lower the spectral radius, or pick tanh, whose outputs stay within ±1.", icon=":material/warning:")


def trace_or_message(config: ModelConfig, text: str, purpose: str) -> Trace | None:
    """The unrolled text, or None after telling the user why there is none (empty text, refused input)."""
    if not text.strip():
        st.info(f"Type a sentence above (or pick a preset) to {purpose}.")
        return None
    try:
        return state.get_trace(config, text)
    except ValueError as err:
        failure(err)
        return None
