"""A line drawn as a bound bounds every curve it is drawn with: random Elman networks (activation, size, scale and
initialisation of W_hh), random texts and targets, the Jacobian row in both norms, read back from the figure."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import ModelConfig, build_model, gradient_vs_distance, unroll
from core.gradients import bound_line, row_log_norms, spectrum, step_factors
from core.models.config import ACTIVATIONS, INITS
from explorer import charts

from .helpers import spec as spec_of

WORDS = ("the", "cat", "sat", "on", "mat", "dog", "ran", "jig", "dancing", "a", "zebra")
SLACK = 1e-9  # log10: rounding in float64 products


def figure(config: ModelConfig, text: str, target: int, norm: str) -> tuple[dict, float]:
    model = build_model(config)
    frame = gradient_vs_distance(model, text, target=target)
    trace = unroll(model, text)
    t = frame.position.max() + 1
    logs = row_log_norms(step_factors(model.core, trace.x), t - 1, ord=2 if norm == "2" else "fro")[:t]
    row = pd.DataFrame({"distance": range(t, 0, -1), "log10_norm": logs.numpy() / math.log(10)})
    spec = spectrum(model.core.cell(0, 0).W_hh, config.activation)
    fig = charts.gradient_vs_distance(frame, spectrum=spec, jacobian_row=row, row_norm=norm,
                                      hidden=config.hidden_size)
    return spec_of(fig), spec.bound_rate  # as the browser gets it


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(act=st.sampled_from(ACTIVATIONS), init=st.sampled_from(INITS), hidden=st.sampled_from((2, 4, 8, 16)),
       rho=st.floats(0.0, 3.0), seed=st.integers(0, 10_000), norm=st.sampled_from(("fro", "2")),
       words=st.lists(st.sampled_from(WORDS), min_size=3, max_size=16), back=st.integers(1, 3))
def test_the_bound_lies_above_every_curve_drawn_with_it(act, init, hidden, rho, seed, norm, words, back):
    config = ModelConfig(activation=act, init=init, hidden_size=hidden, spectral_radius=rho, seed=seed)
    target = max(1, len(words) - back)
    fig, _ = figure(config, " ".join(words), target, norm)
    (bound,) = [t for t in fig["data"] if t["name"].startswith("bound")]
    line = dict(zip(bound["x"], bound["y"]))
    curves = [t for t in fig["data"] if t.get("mode", "").startswith("lines") and t is not bound
              and not t["name"].startswith("ρ")]
    assert len(curves) == 2, [t["name"] for t in fig["data"]]  # the gradient and the Jacobian row
    checked = 0
    for curve in curves:
        for k, y in zip(curve["x"], curve["y"]):
            b = line.get(k)
            if y is None or b is None or not (np.isfinite(float(y)) and np.isfinite(float(b))):
                continue
            assert y <= b + SLACK, f"{curve['name']} at k = {k}: {y} above the bound {b}"
            checked += 1
    assert checked or not bound["y"], "the bound was compared with something"


def test_the_bound_is_tight_where_it_is_anchored():
    """The spectral row starts at the identity (norm 1) and the bound at 1: equal at k = 1, not just above."""
    config = ModelConfig(hidden_size=8, spectral_radius=0.5)
    text = "the cat sat on the mat and the dog ran"
    fig, rate = figure(config, text, 9, "2")
    bound = next(t for t in fig["data"] if t["name"].startswith("bound"))
    assert np.diff(bound["y"]) == pytest.approx(math.log10(rate))
    model = build_model(config)
    frame = gradient_vs_distance(model, text, target=9)
    line = bound_line(spectrum(model.core.cell(0, 0).W_hh), frame.distance, frame.log10_grad_norm, "2", 8)
    g1 = float(frame.loc[frame.distance == 1, "log10_grad_norm"].iloc[0])
    assert line.log10[0] == pytest.approx(max(g1, 0.0))
    fro = bound_line(spectrum(model.core.cell(0, 0).W_hh), frame.distance, frame.log10_grad_norm, "fro", 8)
    assert fro.log10[0] == pytest.approx(max(g1, 0.5 * math.log10(8)))
