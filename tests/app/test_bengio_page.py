"""The Bengio (2003) page: the cached table drawn as it is, words that follow from its numbers, a quick retrain
that replaces the table for this session only, and a message when no table exists."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from core import pretrained
from explorer.charts.bengio import window_vs_recurrence
from tests.app.conftest import plotly_figures, run_page, session_job, settle
from tests.explorer.helpers import spec

PAGE = "pages/12_Bengio_2003.py"


def table() -> pd.DataFrame:
    rows = [{"arch": "window", "window": n, "parameters": 1000 * n, "valid_perplexity": 300 - 10 * n}
            for n in (1, 2, 3)]
    rows.append({"arch": "elman", "window": None, "parameters": 1500, "valid_perplexity": 250.0})
    return pd.DataFrame(rows)


def trace(fig: dict, name: str, axis: str = "x") -> dict:
    (found,) = [t for t in fig["data"] if t["name"] == name and t.get("xaxis", "x") == axis]
    return found


def test_the_figure_plots_the_table_as_given():
    fig = spec(window_vs_recurrence(table()))
    window = trace(fig, "fixed window (Bengio 2003)")
    assert window["x"] == [1, 2, 3] and window["y"] == [290, 280, 270]
    assert trace(fig, "fixed window (Bengio 2003)", "x2")["y"] == [1000, 2000, 3000]
    elman = trace(fig, "Elman", "x2")
    assert elman["x"] == [1, 3] and elman["y"] == [1500, 1500], "flat: the recurrence costs the same at every n"


def test_the_page_shows_the_cached_table_and_what_it_says():
    cached = pretrained.bengio_table(pd.read_csv(pretrained.RESULTS_CSV))
    at = run_page(PAGE)
    assert not at.exception, at.exception[0].message
    (fig,) = plotly_figures(at)
    fig = spec(go.Figure(fig))  # plotly's binary arrays back to lists
    windows = cached[cached["arch"] == "window"].sort_values("window")
    assert trace(fig, "fixed window (Bengio 2003)")["y"] == pytest.approx(windows["valid_perplexity"].tolist())
    assert list(windows["window"]) == [1, 2, 3, 4, 5, 6]
    shown = at.dataframe[0].value
    assert len(shown) == len(cached) == 9
    best = windows.loc[windows["valid_perplexity"].idxmin()]
    text = " ".join(m.value for m in at.markdown)
    assert f"The best fixed window is n = {int(best['window'])}, at perplexity {best['valid_perplexity']:.1f}" in text
    assert any("cached in results/pretrained.csv" in c.value for c in at.caption)
    assert len(at.download_button) == 2


def test_a_quick_retrain_replaces_the_table_here(monkeypatch):
    chosen = {"window1-word", "window2-word", "elman-word-bengio"}
    monkeypatch.setattr(pretrained, "QUICK_STEPS", 2)
    monkeypatch.setattr(pretrained, "bengio_recipes", lambda: [r for r in pretrained.recipes() if r.name in chosen])
    before = {p: p.stat().st_mtime for p in (pretrained.ROOT / "models").glob("*.safetensors")}
    at = run_page(PAGE, timeout=180)
    at.button[0].click().run()
    assert not at.exception, at.exception[0].message
    assert session_job(at, "bengio.quick") is not None and at.get("progress"), "it trains in the background"
    settle(at)
    assert not at.exception, at.exception[0].message
    assert len(at.dataframe[0].value) == 3
    assert any("retrained here for 2 steps" in c.value for c in at.caption)
    assert {p: p.stat().st_mtime for p in before} == before, "a quick retrain never replaces a shipped model"


def test_a_missing_table_is_explained(monkeypatch, tmp_path):
    monkeypatch.setattr(pretrained, "RESULTS_CSV", tmp_path / "pretrained.csv")
    at = run_page(PAGE)
    assert not at.exception, at.exception[0].message
    assert "make pretrained" in at.info[0].value and not plotly_figures(at)
