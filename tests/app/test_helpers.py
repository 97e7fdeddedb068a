"""The AppTest helpers themselves work: query parameters reach the script and figures come back as JSON."""

from __future__ import annotations

import textwrap

from tests.app.conftest import plotly_figures, run_page

SCRIPT = textwrap.dedent(
    """
    import plotly.graph_objects as go
    import streamlit as st

    n = int(st.query_params.get("n", 2))
    st.plotly_chart(go.Figure(go.Bar(x=list(range(n)), y=[1] * n), layout_title_text="bars"))
    """
)


def test_run_page_passes_query_and_returns_figures(tmp_path):
    script = tmp_path / "page.py"
    script.write_text(SCRIPT)
    at = run_page(script, query={"n": 3}, timeout=30)
    assert not at.exception
    assert at.query_params["n"] == "3"
    (fig,) = plotly_figures(at)
    assert fig["data"][0]["type"] == "bar"
    assert fig["data"][0]["x"] == [0, 1, 2]
    assert fig["layout"]["title"]["text"] == "bars"


def test_run_page_without_query(tmp_path):
    script = tmp_path / "page.py"
    script.write_text(SCRIPT)
    assert len(plotly_figures(run_page(script))[0]["data"][0]["x"]) == 2
