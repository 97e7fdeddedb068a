"""Pascanu et al. (2013) recomputed: the measurement agrees with autograd and with closed forms, the sweep obeys
the theorem, clipping does what Algorithm 1 says, and the cached tables are what the current code produces."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from core.models import ElmanRNN
from core.reproductions import pascanu2013 as p13

RESULTS = Path(__file__).resolve().parents[2] / "results"
SMALL = p13.SweepConfig(hidden_size=16, length=60, seeds=(0,), per_octave=2)
SMALL_CLIP = p13.ClipConfig(steps=20, train_size=128, valid_size=32)


def test_grid_hits_the_critical_norms_exactly():
    assert p13.norm_grid(0.25, 4.0, 4)[8] == 1.0 and p13.norm_grid(1.0, 32.0, 4)[8] == 4.0
    grid = p13.norm_grid(1.0, 32.0, 2)
    assert grid[0] == 1.0 and grid[-1] == pytest.approx(32.0) and len(grid) == 11


def test_backward_norms_match_autograd():
    """The chain's ‖∂h_T/∂h_(T−k)‖₂, in the order of k, against the Jacobian autograd builds by perturbing h_(T−k)."""
    H, T = 4, 12
    rnn = ElmanRNN(H, H, activation="tanh", init="gaussian", spectral_radius=1.5, seed=3).double()
    x = torch.randn(T, H, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    k, logs, _ = p13.backward_log_norms(rnn, x)
    for kk in (1, 5, T - 1):
        def last(delta, kk=kk):
            d = torch.zeros(1, T, H, dtype=torch.float64)
            d[0, T - 1 - kk] = delta
            return rnn.run(x[None], perturb={"l0.fwd.h": d}).output[0, -1]
        J = torch.autograd.functional.jacobian(last, torch.zeros(H, dtype=torch.float64))
        assert k[kk - 1] == kk
        assert math.exp(logs[kk - 1]) == pytest.approx(torch.linalg.matrix_norm(J, ord=2).item(), rel=1e-10)


@pytest.mark.parametrize("norm, length", [(0.7, 30), (1e-3, 200)])  # 1e-3 ** 199 = 1e-597, beyond float64
def test_linear_orthogonal_network_decays_at_exactly_its_norm(norm, length):
    """Identity f and orthogonal W: ‖W^k‖₂ = ‖W‖₂^k, so the fitted factor is ‖W_hh‖₂ itself."""
    row = p13.decay_point("identity", norm, 0, p13.SweepConfig(hidden_size=8, length=length))
    assert row["spectral_norm"] == pytest.approx(norm, rel=1e-6)
    assert row["rate"] == pytest.approx(norm, rel=1e-6)
    assert row["log10_worst_ratio"] == pytest.approx(0, abs=1e-6)


@pytest.fixture(scope="module")
def small_sweep() -> pd.DataFrame:
    return p13.sweep(SMALL)


def test_measured_factor_never_exceeds_the_bound(small_sweep):
    assert (small_sweep["rate"] <= small_sweep["bound_rate"] * (1 + 1e-9)).all()
    assert (small_sweep["log10_worst_ratio"] <= 1e-9).all(), "‖∂h_T/∂h_(T−k)‖₂ <= (γ‖W_hh‖₂)^k at every k"
    assert np.allclose(small_sweep["spectral_norm"], small_sweep["target_norm"], rtol=1e-6)


def test_below_one_over_gamma_the_gradient_vanishes_and_grows_with_the_norm(small_sweep):
    for activation, d in small_sweep.groupby("activation"):
        d = d.sort_values("target_norm")
        guaranteed = d[d["bound_rate"] < 1]
        assert len(guaranteed) >= 3 and (guaranteed["rate"] < 1).all()
        assert (guaranteed["regime"] != "exploding").all()
        up_to_critical = d[d["bound_rate"] <= 1 + 1e-9]["rate"].to_numpy()
        assert (np.diff(up_to_critical) > 0).all(), activation
    tanh = small_sweep[small_sweep["activation"] == "tanh"].sort_values("target_norm")
    assert (np.diff(tanh["rate"]) > 0).all(), "tanh: the factor grows with ‖W_hh‖₂ across the grid"
    assert tanh["rate"].iloc[-1] > 1.1, "and the largest norms explode"


@pytest.fixture(scope="module")
def clip_runs() -> pd.DataFrame:
    return p13.clipping(SMALL_CLIP)


def test_clipping_caps_the_applied_norm_and_leaves_the_rest_alone(clip_runs):
    clipped = clip_runs[(clip_runs["run"] != "no clipping") & (clip_runs["step"] >= 1)]
    theta = SMALL_CLIP.threshold
    assert len(clipped) == SMALL_CLIP.steps and clipped["clipped"].any()
    assert (clipped["applied_norm"] <= theta * (1 + 1e-6)).all()
    assert (clipped["clipped"] == (clipped["grad_norm"] > theta)).all()
    big = clipped[clipped["clipped"]]
    assert np.allclose(big["applied_norm"], theta, rtol=1e-6)
    small = clipped[~clipped["clipped"]]
    assert np.allclose(small["applied_norm"], small["grad_norm"], rtol=1e-5)


def test_without_clipping_the_exploding_network_diverges(clip_runs):
    runs = dict(tuple(clip_runs[clip_runs["step"] >= 1].groupby("run")))
    free, clipped = runs["no clipping"], runs[f"clipped at θ = {SMALL_CLIP.threshold:g}"]
    assert clip_runs["initial_rate"].iloc[0] > 1, "the chosen network's gradient grows per step back"
    assert free["train_loss"].iloc[0] == clipped["train_loss"].iloc[0], "same network, same first batch"
    last = free.iloc[-1]
    assert free["ended"].iloc[0] == "diverged"
    assert not (math.isfinite(last["train_loss"]) and math.isfinite(last["grad_norm"])), "it ends on inf or NaN"
    assert free["train_loss"].max() > 1e6
    assert clipped["ended"].iloc[0] == "steps" and math.isfinite(clipped["train_loss"].iloc[-1])
    assert clipped["train_loss"].iloc[-5:].mean() < clipped["train_loss"].iloc[0] / 10


def _cached(name: str) -> pd.DataFrame:
    path = RESULTS / p13.FILES[name]
    if not path.exists():
        pytest.skip(f"{path} not written yet (python -m core.reproductions.pascanu2013 --out results/)")
    return pd.read_csv(path)


def test_cached_sweep_is_what_the_current_code_computes(small_sweep):
    cached = _cached("sweep")
    assert list(cached.columns) == list(small_sweep.columns)
    config = p13.SweepConfig()
    assert len(cached) == sum(len(p13.norm_grid(lo, hi, config.per_octave)) for _, lo, hi in config.ranges) * len(
        config.seeds)
    for i in (0, 47, len(cached) - 1):
        row = cached.iloc[i]
        fresh = p13.decay_point(row["activation"], float(row["target_norm"]), int(row["seed"]), config)
        for col in ("spectral_norm", "bound_rate", "rate", "log10_worst_ratio"):
            assert fresh[col] == pytest.approx(row[col], rel=1e-9, abs=1e-12), (i, col)
        assert fresh["regime"] == row["regime"]


def test_cached_clipping_is_what_the_current_code_computes(clip_runs):
    cached = _cached("clipping")
    assert list(cached.columns) == list(clip_runs.columns)
    fresh = p13.clipping(p13.ClipConfig(steps=5))  # the first steps of the default runs, on the same batches
    for run, f in fresh.groupby("run"):
        c = cached[(cached["run"] == run) & (cached["step"] <= 5)]
        f = f[f["step"] <= 5]
        assert len(c) == len(f) and (c["ended"].iloc[0] == "diverged") == (f["ended"].iloc[0] == "diverged")
        for col in ("train_loss", "grad_norm", "applied_norm"):
            assert np.allclose(c[col], f[col], rtol=1e-4, equal_nan=True), (run, col)


def sweep_rows(rates: dict[float, tuple[float, ...]], gamma: float = 1.0) -> pd.DataFrame:
    """Sweep rows of our own for one activation: per grid norm, one measured factor per seed."""
    return pd.DataFrame([{"activation": "tanh", "target_norm": norm, "spectral_norm": norm * 1.01, "seed": seed,
                          "rate": rate, "bound_rate": gamma * norm, "gamma": gamma, "log10_worst_ratio": -0.5 - seed}
                         for norm, seeds in rates.items() for seed, rate in enumerate(seeds)])


def test_geometric_means_are_the_mean_of_the_logs_per_grid_norm():
    rows = sweep_rows({2.0: (0.5, 8.0), 0.5: (0.1, 0.001), 4.0: (0.0, 1.0)})
    means = p13.geometric_means(rows)
    assert list(means.index) == [0.5, 2.0, 4.0]
    assert means.loc[2.0, "rate"] == pytest.approx(2.0) and means.loc[0.5, "rate"] == pytest.approx(0.01)
    assert means.loc[2.0, "log10_rate"] == pytest.approx(math.log10(2.0))
    assert means.loc[4.0, "log10_rate"] == -math.inf, "a factor of 0 leaves no finite mean"
    assert means.loc[2.0, "norm"] == pytest.approx(2.02) and means.loc[2.0, "bound"] == 2.0
    assert (means["seeds"] == 2).all()
    with pytest.raises(ValueError, match="one activation"):
        p13.geometric_means(pd.concat([rows, rows.assign(activation="sigmoid")]))


def test_findings_are_read_from_the_rows():
    found = p13.findings(sweep_rows({0.5: (0.4, 0.45), 1.0: (0.9, 0.99), 2.0: (0.5, 8.0), 4.0: (3.0, 3.0)}))
    assert (found.networks, found.gamma, found.top, found.top_rate) == (8, 1.0, 4.0, pytest.approx(3.0))
    assert found.closest == pytest.approx(1 - 10 ** -0.5)
    assert found.largest_below == 0.45, "only the networks with γ‖W_hh‖₂ < 1"
    assert found.first_growing == 2.0
    none = p13.findings(sweep_rows({2.0: (0.5, 0.9), 4.0: (0.1, 0.2)}, gamma=0.25))
    assert none.first_growing is None and none.largest_below == 0.9 and none.gamma == 0.25
    assert p13.findings(sweep_rows({2.0: (0.5,)})).largest_below is None
