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

# Larger text for projection, yet the page's main chart on the first screen of a 1280×720 projector: the text
# grows with the screen's height (18.7 px at 720, capped at 22); the space above the title, the headings, the
# gaps between elements and the side margins shrink; the intro under the title is cut to two lines (the whole of
# it on hover); sidebar entries and metric labels wrap instead of ending in "…".
# Fixed text: nothing a user typed goes into it.
PRESENTER_CSS = """
<style>
html { font-size: clamp(18px, 2.6vh, 22px); }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.1rem; }
[data-testid="stCaptionContainer"] { font-size: 0.95rem; }
[data-testid="stMainBlockContainer"] { padding: 3.2rem 1.5rem 2rem 1.5rem; max-width: none; }
[data-testid="stMain"] [data-testid="stVerticalBlock"] { gap: 0.6rem; }
[data-testid="stMain"] h1 { font-size: 2rem; padding: 0 0 0.25rem 0; }
[data-testid="stMain"] h2 { font-size: 1.45rem; padding: 0.4rem 0 0.1rem 0; }
[data-testid="stMain"] h3 { font-size: 1.25rem; padding: 0.3rem 0 0.1rem 0; }
.stElementContainer:has(> [data-testid="stHeading"] h1) + .stElementContainer [data-testid="stMarkdownContainer"]
  { display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
.stElementContainer:has(> [data-testid="stHeading"] h1) + .stElementContainer:hover [data-testid="stMarkdownContainer"]
  { display: block; }
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *,
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] p { white-space: normal; overflow: visible; }
[data-testid="stSidebarNav"] a span, [data-testid="stSidebarNav"] a [data-testid="stMarkdownContainer"],
[data-testid="stSidebarNav"] a [data-testid="stMarkdownContainer"] p
  { white-space: normal; overflow: visible; text-overflow: clip; line-height: 1.2; }
[data-testid="stSidebarNav"] a { height: auto; min-height: 2rem; font-size: 0.9rem; }
</style>
"""


def page_style() -> None:
    """Presenter mode's layout for projection (see PRESENTER_CSS)."""
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
    row = st.container(horizontal=True, gap="small")  # buttons as wide as their labels: never "C." or "HT…"
    if data is not None:
        table = data if callable(data) else (lambda: data)
        row.download_button("CSV", lambda: table().to_csv(index=False), file_name=f"{slug}.csv", mime="text/csv",
                            on_click="ignore", icon=":material/download:", key=f"csv-{key or slug}",
                            help=f"The numbers behind “{name}”.", width="content")
    row.download_button("HTML", html, file_name=f"{slug}.html", mime="text/html", on_click="ignore",
                        icon=":material/download:", key=f"html-{key or slug}",
                        help="The interactive view, viewable offline.", width="content")


def folded(label: str, key: str, icon: str | None = None):
    """A collapsed expander whose body is built only once it is opened (`if box.open:` inside it).

    A table left folded then costs the page nothing: not its rows, nor the browser's table viewer, whose
    1.2 MB of JavaScript delayed a new session's first chart by about a second here.
    """
    return st.expander(label, icon=icon, key=key, on_change="rerun")


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
