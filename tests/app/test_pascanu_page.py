"""The Pascanu (2013) page draws the cached tables, recomputes them at quick size, and its figures plot exactly
the numbers they are given (NaN and overflow included)."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import pytest

from core.reproductions import pascanu2013 as p13
from explorer.charts import pascanu as charts
from tests.app.conftest import ROOT, finish_jobs, plotly_figures, run_page
from tests.explorer.helpers import spec

PAGE = "pages/11_Pascanu_2013.py"  # runs explorer.views.pascanu


def titles(at) -> list[str]:
    return [f["layout"]["title"]["text"] for f in plotly_figures(at)]


def trace(fig: dict, name: str) -> dict:
    found = [t for t in fig["data"] if t.get("name") == name]
    assert len(found) == 1, [t.get("name") for t in fig["data"]]
    return found[0]


def test_page_draws_the_cached_tables():
    if not all((ROOT / "results" / f).exists() for f in p13.FILES.values()):
        pytest.skip("results/pascanu2013_*.csv not written yet")
    at = run_page(PAGE)
    assert not at.exception, at.exception[0].message
    assert [t.split(":")[0] for t in titles(at)] == ["tanh", "sigmoid", "Training an exploding network with and "
                                                                        "without clipping"]
    assert len(at.download_button) == 2 * 3, "every chart offers CSV and HTML"
    assert sum("cached in results/" in c.value for c in at.caption) == 2
    text = " ".join(m.value for m in at.markdown)
    assert "All 85 networks stay under the bound" in text and "All 105 networks" in text
    assert "no clipping**: diverged at step" in text and "clipped at θ = 10**: trained all 200 steps" in text


def test_quick_recompute_replaces_the_cache_for_this_session():
    at = run_page(PAGE, query={"p13.size": "quick"})
    at.button(key="p13.run.sweep").click().run()
    assert not at.exception, at.exception[0].message
    at = finish_jobs(at)
    assert not at.exception, at.exception[0].message
    assert any("recomputed here" in c.value and "quick" in c.value for c in at.caption)
    tanh = spec(go.Figure(plotly_figures(at)[0]))
    assert len(trace(tanh, "one network (seed)")["x"]) == 9, "one seed, two grid points per octave from 1/4 to 4"
    at.button(key="p13.run.clipping").click().run()
    at = finish_jobs(at)
    assert not at.exception, at.exception[0].message
    assert sum("recomputed here" in c.value for c in at.caption) == 2
    assert any("trained all 40 steps" in m.value for m in at.markdown)


def test_both_experiments_recompute_in_the_background_and_each_keeps_its_table():
    at = run_page(PAGE, query={"p13.size": "quick"})
    at.button(key="p13.run.sweep").click().run()
    at.button(key="p13.run.clipping").click().run()
    assert not at.exception, at.exception[0].message
    started = at.session_state["_jobs"]
    assert set(started) == {"p13.run.sweep", "p13.run.clipping"} and all(j.label.endswith("(quick)")
                                                                          for j in started.values())
    at = finish_jobs(at)
    assert not at.exception, at.exception[0].message
    assert sum("recomputed here" in c.value and "(quick settings)" in c.value for c in at.caption) == 2


@pytest.fixture(scope="module")
def small():
    return (p13.sweep(p13.SweepConfig(hidden_size=8, length=20, seeds=(0, 1), per_octave=1)),
            p13.clipping(p13.ClipConfig(steps=10, train_size=64, valid_size=32)))


def test_sweep_figure_plots_the_geometric_mean_and_the_bound(small):
    sweep, _ = small
    fig = spec(charts.decay_vs_norm(sweep, "sigmoid"))
    d = sweep[sweep["activation"] == "sigmoid"]
    means = d.groupby("target_norm")["rate"].apply(lambda r: math.exp(np.log(r).mean()))
    assert np.allclose(trace(fig, "measured (geometric mean)")["y"], np.log10(means.to_numpy()))
    bound = trace(fig, "bound γ‖W<sub>hh</sub>‖₂ (γ = 0.25)")
    assert np.allclose(bound["y"], np.log10(0.25 * d.groupby("target_norm")["spectral_norm"].mean().to_numpy()))
    assert np.allclose(bound["x"], np.log10(means.index.to_numpy()), atol=1e-6)
    assert len(trace(fig, "one network (seed)")["y"]) == len(d)


def test_clipping_figure_marks_the_divergence_and_caps_the_applied_norm(small):
    _, runs = small
    fig = spec(charts.clipping_curves(runs))
    free = runs[(runs["run"] == "no clipping") & (runs["step"] >= 1)]
    bad = free[~np.isfinite(free["grad_norm"])]
    assert len(bad), "the unclipped run ends on a non-finite gradient"
    ceiling = fig["layout"]["yaxis2"]["tickvals"][-1]
    assert fig["layout"]["yaxis2"]["ticktext"][-1] == "inf / NaN"
    markers = [t for t in fig["data"] if t["name"].startswith("no clipping: ‖g‖ before clipping: ")]
    assert markers and all(y == ceiling for t in markers for y in t["y"])
    applied = trace(fig, "clipped at θ = 10: ‖g‖ applied")
    assert max(applied["y"]) <= 1 + 1e-6, "log10 θ = 1"
    legend = [t["name"] for t in fig["data"] if t.get("showlegend", True)]
    assert len(legend) == runs["run"].nunique() + 2, legend  # one colour per run, two line styles
