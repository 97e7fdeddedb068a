"""The Elman network's gradient curves drawn by the strip in the browser: every target's numbers, axis and bound
are those of the Plotly chart they replace (explorer.charts.gradient_vs_distance)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from core import ModelConfig, build_model, unroll
from core.gradients import (
    decay_rate,
    gradient_vs_distance,
    jacobian_log_norms,
    loss_reach_map,
    spectrum,
    step_factors,
    verdict,
)
from explorer import captions, charts, reach_strip, state, target_panel

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


@pytest.mark.parametrize("radius", [0.6, 1.4, 3.0])
def test_the_panel_drawn_in_the_browser_says_what_one_backward_pass_of_each_target_says(radius):
    """Every target's verdict, factor and sentences, made once per text from every target's curves, equal what the
    server-drawn page computes from that target's own backward pass (a vanishing, an edge and an exploding net)."""
    cfg = ModelConfig(hidden_size=8, spectral_radius=radius, seed=5)
    tokens = state.get_trace(cfg, TEXT).tokens
    spec = state.get_spectrum(cfg)
    panel = target_panel.panel_data(tokens, state.get_loss_reach(cfg, TEXT), spec, tokenizer="word",
                                    cue_of=lambda t: 2 if t > 2 else None)
    assert sorted(map(int, panel["facts"])) == list(range(1, len(tokens)))
    assert panel["options"][0] == [0, f"the last word: {len(tokens) - 1} · {tokens[-1]}"]
    for t in (1, 7, 15):
        one = state.get_gradients(cfg, TEXT, t)
        rate = decay_rate(one.distance, one.grad_norm)
        facts = panel["facts"][str(t)]
        assert facts["rate"] == target_panel.rate_text(rate)
        assert (facts["verdict"], facts["reason"]) == tuple(vars(verdict(spec, rate)).values())
        cue = 2 if t > 2 else None
        head = captions.gradients_intro_head(tokens, t, cue)
        assert facts["intro"] == target_panel.markdown_html(head) and f"<b>“{tokens[t]}”</b>" in facts["intro"]
        assert facts["cue"] == cue and (facts["cue_note"] is None) == (cue is None)
        if cue is not None:
            assert f"sits {t - 2} tokens before" in facts["cue_note"]


def test_the_panels_markdown_is_escaped_before_it_is_bolded():
    assert target_panel.markdown_html("**“<b>”** & <i>") == "<b>“&lt;b&gt;”</b> &amp; &lt;i&gt;"
