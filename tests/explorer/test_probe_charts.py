"""The probe figures on real ablation results: every plotted number is the frame's, each curve sits in its model's
column, the hover names the word that was taken away, and the lag sweep's bars are the spread across seeds."""

from __future__ import annotations

import statistics

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest

from core import ModelConfig, build_model
from core.probes import INTERVENTIONS, ablation, ablation_gradients
from explorer.charts.gradients import DISTANCE_AXIS
from explorer.charts.probes import (
    GRADIENT_NAME,
    INTERVENTION_COLOR,
    INTERVENTION_NAME,
    ablation_figure,
    lag_sweep_figure,
)
from explorer.charts.style import GREY, esc, fmt

from .helpers import DANCING, spec

MODELS = {"Elman": ModelConfig(hidden_size=8), "LSTM": ModelConfig(arch="lstm", hidden_size=8),
          "window": ModelConfig(arch="window", window=3, hidden_size=8)}


@pytest.fixture(scope="module")
def probed():
    frames, grads = [], []
    for name, config in MODELS.items():
        model = build_model(config)
        frames.append(ablation(model, DANCING).assign(model=name))
        grads.append(ablation_gradients(model, DANCING).assign(model=name))
    return pd.concat(frames, ignore_index=True), pd.concat(grads, ignore_index=True)


@pytest.fixture(scope="module")
def figure(probed):
    return spec(ablation_figure(*probed))


@pytest.fixture
def sweep():
    rng = np.random.default_rng(0)
    rows = [(arch, lag, seed, float(rng.uniform(0.1, 1.0)), 0.25)
            for arch in ("lstm", "elman") for lag in (1, 3, 10, 30) for seed in range(3)]
    return pd.DataFrame(rows, columns=["arch", "lag", "seed", "accuracy", "chance"])


def column_of(s: dict, trace: dict) -> int:
    """1-based subplot column of a trace, from its x axis ('x' = 1, 'x2' = 2, ...; row 2 continues the count)."""
    n = int(trace.get("xaxis", "x")[1:] or 1)
    return (n - 1) % len(MODELS) + 1


def row_of(trace: dict) -> int:
    return 1 + (int(trace.get("xaxis", "x")[1:] or 1) - 1) // len(MODELS)


def keeps_the_contract(s: dict) -> None:
    """Title, an x and a y axis title, a hover template on every trace with points, no theme of its own."""
    layout = s["layout"]
    assert layout["title"]["text"].strip()
    for letter in "xy":
        assert any(v.get("title", {}).get("text") for k, v in layout.items() if k.startswith(f"{letter}axis"))
    for trace in s["data"]:
        if any(v is not None for v in trace.get("x") or []) and trace.get("hoverinfo") != "skip":
            assert "hovertemplate" in trace, trace.get("name")
    assert "paper_bgcolor" not in layout and "plot_bgcolor" not in layout and "color" not in layout.get("font", {})


def test_ablation_figure_keeps_the_contract(probed, figure):
    keeps_the_contract(figure)
    keeps_the_contract(spec(ablation_figure(probed[0][probed[0]["model"] == "LSTM"])))
    assert ablation_figure(*probed).layout.template == pio.templates[pio.templates.default]


def test_every_curve_is_its_frame_in_its_models_column(probed, figure):
    frame, _ = probed
    word = frame["target_token"].iloc[0]
    assert f"“{word}”" in figure["layout"]["title"]["text"]
    assert [a["text"] for a in figure["layout"]["annotations"]][:3] == list(MODELS)  # the column titles
    for c, (name, g) in enumerate(frame.groupby("model", sort=False), start=1):
        for kind in INTERVENTIONS:
            traces = [t for t in figure["data"] if t["name"] == INTERVENTION_NAME[kind] and column_of(figure, t) == c]
            assert len(traces) == 1 and row_of(traces[0]) == 1
            trace, expect = traces[0], g[g["intervention"] == kind].sort_values("distance")
            assert trace["x"] == expect["distance"].tolist()
            assert trace["y"] == pytest.approx(expect["delta"].tolist(), abs=0)
            assert trace["line"]["color"] == INTERVENTION_COLOR[kind]
            assert trace["showlegend"] == (c == 1)  # one legend entry per intervention
            first = expect.iloc[0]  # k = 1: the word just before the target
            hover = trace["hovertext"][0]
            word_at = f"“{esc(first['token'])}” (position {first['position']}, k = 1)"
            assert hover.startswith(f"{name}<br>") and word_at in hover
            assert f"Δ log P = {fmt(first['delta'])}" in hover and f"{fmt(first['baseline_logprob'])} intact" in hover


def test_zero_lines_and_the_reversed_distance_axis(figure):
    zero = [sh for sh in figure["layout"]["shapes"] if sh["y0"] == 0 == sh["y1"]]
    assert len(zero) == len(MODELS) and {sh["line"]["color"] for sh in zero} == {GREY}
    xaxes = [v for k, v in figure["layout"].items() if k.startswith("xaxis")]
    assert len(xaxes) == 2 * len(MODELS) and all(a["autorange"] == "reversed" for a in xaxes)
    assert all("type" not in a for a in xaxes)


def test_the_gradient_row_plots_the_norms_and_marks_the_windows_exact_zeros(probed, figure):
    _, grads = probed
    for c, (name, g) in enumerate(grads.groupby("model", sort=False), start=1):
        curves = [t for t in figure["data"] if row_of(t) == 2 and column_of(figure, t) == c]
        line = next(t for t in curves if t["name"] == GRADIENT_NAME)
        finite = g[np.isfinite(g["log10_grad_norm"])].sort_values("distance")
        assert line["x"] == finite["distance"].tolist()
        assert line["y"] == pytest.approx(finite["log10_grad_norm"].tolist(), abs=0)
        assert all(h.startswith(f"{name}<br>“") and GRADIENT_NAME in h for h in line["hovertext"])
        zeros = [t for t in curves if t["name"].endswith("exactly 0")]
        if name == "window":  # n = 3: the inputs at k = 1..3 reach the prediction, nothing further back does
            assert sorted(zeros[0]["x"]) == list(range(4, int(g["distance"].max()) + 1))
            assert sorted(line["x"]) == [1, 2, 3]
        else:
            assert not zeros
    y2 = figure["layout"][f"yaxis{len(MODELS) + 1}"]
    assert y2["title"]["text"] == f"{GRADIENT_NAME} (log scale)" and "0" in y2["ticktext"]  # the exact-zero row


def test_a_missing_value_is_marked_not_dropped():
    frame = ablation(build_model(ModelConfig(hidden_size=4)), "the cat", 1)  # removing the only word: no prediction
    s = spec(ablation_figure(frame))
    marker = [t for t in s["data"] if t["name"] == f"{INTERVENTION_NAME['remove']}: no value"]
    assert len(marker) == 1 and marker[0]["x"] == [1] and marker[0]["y"] == [0]
    assert "without “the” (position 0, k = 1)" in marker[0]["hovertext"][0] and "NaN" in marker[0]["hovertext"][0]
    assert s["layout"]["xaxis"]["title"]["text"] == DISTANCE_AXIS and "annotations" not in s["layout"]


def test_log_distance_puts_k_on_a_log_axis(probed):
    s = spec(ablation_figure(*probed, log_distance=True))
    xaxes = [v for k, v in s["layout"].items() if k.startswith("xaxis")]
    assert all(a["type"] == "log" and a["tickvals"] == [1, 2, 5, 10, 20, 50] for a in xaxes)  # k runs to 69
    assert any(a.get("title", {}).get("text", "").endswith("(log scale)") for a in xaxes)


def test_lag_sweep_plots_the_mean_and_spread_over_seeds(sweep):
    s = spec(lag_sweep_figure(sweep))
    keeps_the_contract(s)
    for arch in ("lstm", "elman"):
        trace = next(t for t in s["data"] if t["name"] == arch)
        assert trace["x"] == [1, 3, 10, 30]
        for lag, y, err, custom in zip(trace["x"], trace["y"], trace["error_y"]["array"], trace["customdata"]):
            values = [a for r, lg, a in zip(sweep["arch"], sweep["lag"], sweep["accuracy"]) if r == arch and lg == lag]
            assert y == pytest.approx(statistics.fmean(values), abs=1e-15)
            assert err == pytest.approx(statistics.stdev(values), abs=1e-15)
            assert custom == ["3", f"{statistics.stdev(values):.1%}"]  # seeds and spread, for the hover
        assert trace["hovertemplate"].startswith(f"{arch}<br>lag %{{x}}: accuracy %{{y:.1%}} ± %{{customdata[1]}}")
    assert [t["name"] for t in s["data"]] == ["lstm", "elman", "chance"]  # the frame's order
    chance = s["data"][-1]
    assert chance["line"]["dash"] == "dash" and chance["y"] == [0.25] * 4
    assert s["layout"]["xaxis"]["type"] == "log" and s["layout"]["xaxis"]["tickvals"] == [1, 3, 10, 30]
    assert s["layout"]["yaxis"]["tickformat"] == ".0%"


def test_lag_sweep_with_one_seed_has_no_error_bars_and_refuses_lag_zero(sweep):
    one = sweep[sweep["seed"] == 0]
    s = spec(lag_sweep_figure(one))
    trace = next(t for t in s["data"] if t["name"] == "elman")
    assert trace["error_y"]["array"] == [0, 0, 0, 0]
    assert trace["y"] == pytest.approx(one[one["arch"] == "elman"].sort_values("lag")["accuracy"].tolist())
    with pytest.raises(ValueError, match="positive"):
        lag_sweep_figure(sweep.assign(lag=sweep["lag"] - 1))
