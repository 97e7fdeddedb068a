"""The Elman network's gradient curves drawn by the strip in the browser: every target's numbers, axis and bound
are those of the Plotly chart they replace (explorer.charts.gradient_vs_distance)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from core import ModelConfig, build_model, unroll
from core.gradients import decay_rate, gradient_vs_distance, jacobian_log_norms, loss_reach_map, spectrum, step_factors
from explorer import charts, reach_strip, state

TEXT = "the starving cat chased the mouse across the garden and back to the old stone wall"


def curves(cfg: ModelConfig):
    model = build_model(cfg)
    trace = unroll(model, TEXT)
    q = (loss_reach_map(model, trace) / math.log(10)).numpy()
    logmap = (jacobian_log_norms(step_factors(model.core, trace)) / math.log(10)).numpy()
    spec = spectrum(model.core.cell().W_hh, cfg.activation)
    data = reach_strip.curve_data(q, logmap, spec, hidden=cfg.hidden_size, quantity="q", row_name="row")
    return model, trace, logmap, spec, data


@pytest.mark.parametrize("rho", [0.5, 1.0, 3.0])
def test_every_targets_curve_has_the_axis_and_bound_of_the_chart_it_replaces(rho):
    cfg = ModelConfig(hidden_size=12, spectral_radius=rho, seed=2)
    model, trace, logmap, spec, data = curves(cfg)
    T = len(trace)
    assert sorted(map(int, data["q"])) == list(range(1, T))
    for t in (1, 5, T - 1):
        frame = gradient_vs_distance(model, trace, target=t)
        np.testing.assert_allclose(np.array(data["q"][str(t)], float), frame.log10_grad_norm, atol=6e-4)
        row = {"log10_norm": logmap[t - 1, :t], "distance": np.arange(t, 0, -1)}
        fig = charts.gradient_vs_distance(frame, spectrum=spec, jacobian_row=pd.DataFrame(row),
                                          hidden=cfg.hidden_size)
        axis = data["axes"][str(t)]
        assert axis["range"] == pytest.approx(list(fig.layout.yaxis.range))
        assert [v for v, _ in axis["ticks"]] == pytest.approx(list(fig.layout.yaxis.tickvals))
        assert [s for _, s in axis["ticks"]] == list(fig.layout.yaxis.ticktext)
        bound = next(tr for tr in fig.data if tr.name.startswith("bound"))
        k0, y0 = data["bounds"][str(t)]
        drawn = y0 + (np.asarray(bound.x) - k0) * data["step"]
        np.testing.assert_allclose(drawn, np.asarray(bound.y, float), atol=1e-3)
        radius = next(tr for tr in fig.data if tr.name.startswith("ρ"))
        np.testing.assert_allclose(y0 + (np.asarray(radius.x) - k0) * data["radius"], np.asarray(radius.y, float),
                                   atol=1e-3)
    assert f"{spec.bound_rate:.3g}" in data["names"]["bound"] and f"{spec.spectral_radius:.3g}" in \
        data["names"]["radius"]


def test_a_zero_gradient_travels_as_the_strips_zero_code_and_the_axis_grows_a_floor_row():
    q = np.full((3, 3), np.nan)
    q[1, 0], q[2, :2] = -np.inf, [-2.0, -1.0]
    logmap = np.tril(np.zeros((3, 3)))
    spec = spectrum(build_model(ModelConfig(hidden_size=4)).core.cell().W_hh)
    data = reach_strip.curve_data(q, logmap, spec, hidden=4, quantity="q", row_name="row")
    assert data["q"]["1"] == [reach_strip.ZERO] and data["axes"]["1"]["floor"] is not None
    assert data["axes"]["2"]["floor"] is None and data["q"]["2"] == [-2.0, -1.0]
    # A gradient of 1e-1241 (the chain keeps it exact) is a number on the curve, not a code for "exactly 0".
    assert reach_strip.ZERO < reach_strip.reach_rows_of([-1241.5])[0] < 0 < reach_strip.reach_rows_of([1500.0])[0] \
        < reach_strip.OVERFLOW


def test_the_metrics_read_from_every_targets_curves_equal_one_backward_pass():
    cfg = ModelConfig(hidden_size=8, spectral_radius=1.4, seed=5)
    for t in (1, 7, 15):
        tokens = state.get_trace(cfg, TEXT).tokens
        fast, one = state.get_reach_frame(cfg, TEXT, tokens, t), state.get_gradients(cfg, TEXT, t)
        assert list(fast.token) == list(one.token) and list(fast.distance) == list(one.distance)
        np.testing.assert_allclose(fast.log10_grad_norm, one.log10_grad_norm, rtol=1e-12)
        assert decay_rate(fast.distance, fast.grad_norm) == pytest.approx(decay_rate(one.distance, one.grad_norm),
                                                                          rel=1e-10, nan_ok=True)
