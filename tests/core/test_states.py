"""The hidden state's path and the PCA plane shared by several texts (core.states)."""

from __future__ import annotations

import numpy as np
import pytest

from core import ModelConfig, build_model, unroll
from core.states import project, state_path


def test_the_path_starts_at_the_initial_state_and_follows_the_reading_order():
    model = build_model(ModelConfig(hidden_size=4, bidirectional=True))
    trace = unroll(model, "the cat sat on")
    states, positions = state_path(trace)
    assert positions == [-1, 0, 1, 2, 3] and states.shape == (5, 4)
    np.testing.assert_allclose(states[1:], trace.h().double().numpy())
    back, positions = state_path(trace, direction=1)
    assert positions == [-1, 3, 2, 1, 0]
    np.testing.assert_allclose(back[1], trace.h(0, 1)[3].double().numpy())
    window = unroll(build_model(ModelConfig(arch="window", hidden_size=4)), "the cat sat")
    assert state_path(window)[1] == [0, 1, 2], "no state before the first step"


def test_two_paths_share_one_plane_fitted_on_both():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(6, 5)), rng.normal(size=(4, 5))
    p = project([a, b])
    X = np.vstack([a, b])
    X = X - X.mean(0)
    s = np.linalg.svd(X, compute_uv=False)
    np.testing.assert_allclose(p.ratios, (s**2 / (s**2).sum())[:2])
    assert p.components == 2 and p.exponent == 0 and p.fitted == 10
    same = project([a, a[:2]])  # the same state in two paths lands on the same point
    np.testing.assert_allclose(same.points[1], same.points[0][:2])
    alone = project([a])
    assert not np.allclose(alone.ratios, p.ratios), "the second path moves the plane"


def test_non_finite_states_are_left_out_and_huge_ones_rescaled():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(5, 3)) * 1e200
    a[2] = np.inf
    p = project([a])
    assert p.finite[0].tolist() == [True, True, False, True, True]
    assert p.points[0][2].tolist() == [0.0, 0.0] and np.isfinite(p.points[0]).all()
    assert p.exponent >= 200 and p.fitted == 4


def test_nothing_varies_with_one_state_or_one_unit():
    one = project([np.ones((1, 4))])
    assert one.components == 1 and one.ratios.tolist() == [0.0, 0.0] and not one.points[0].any()
    unit = project([np.arange(5.0)[:, None]])
    assert unit.components == 1 and unit.ratios[0] == pytest.approx(1.0)
    none = project([np.full((3, 2), np.nan)])
    assert none.fitted == 0 and not none.points[0].any()


def test_paths_of_different_widths_cannot_share_a_plane():
    with pytest.raises(ValueError, match="different hidden sizes"):
        project([np.zeros((2, 3)), np.zeros((2, 4))])
