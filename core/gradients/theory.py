"""What the algebra promises: ||dh_t/dh_{t-k}|| <= (gamma ||W_hh||_2)^k, with gamma = sup f'.

Each factor diag(f'(u)) W_hh has spectral norm at most gamma * ||W_hh||_2, so if that is below 1 the
gradient must vanish geometrically. Above 1 the bound says nothing: saturation (f' near 0) may still
crush the gradient, or the spectral radius may let it grow; only a measurement can tell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from ..models.elman import GAMMA

EDGE = 0.05  # a per-step factor within 5% of 1 is "near the edge"


@dataclass(frozen=True)
class Spectrum:
    singular_values: torch.Tensor  # (H,) of W_hh, descending
    eigenvalues: torch.Tensor  # (H,) complex
    spectral_norm: float  # ||W_hh||_2, the largest singular value
    spectral_radius: float  # rho(W_hh) = max |eigenvalue|
    gamma: float  # sup f'
    bound_rate: float  # gamma * ||W_hh||_2: the bound's factor per step

    def log10_bound(self, k) -> torch.Tensor:
        """log10 of (gamma ||W_hh||_2)^k for distances k (kept in logs: 3^500 overflows)."""
        return torch.as_tensor(k, dtype=torch.float64) * math.log10(self.bound_rate) if self.bound_rate > 0 \
            else torch.full_like(torch.as_tensor(k, dtype=torch.float64), -math.inf)

    def log10_radius_curve(self, k) -> torch.Tensor:
        """log10 of rho(W_hh)^k: how a linear network would behave in the long run."""
        k = torch.as_tensor(k, dtype=torch.float64)
        return k * math.log10(self.spectral_radius) if self.spectral_radius > 0 else torch.full_like(k, -math.inf)


def spectrum(W_hh: torch.Tensor, activation: str = "tanh") -> Spectrum:
    W = W_hh.detach().to(torch.float64)
    sv = torch.linalg.svdvals(W)
    eig = torch.linalg.eigvals(W)
    gamma = GAMMA[activation]
    return Spectrum(sv, eig, sv[0].item(), eig.abs().max().item(), gamma, gamma * sv[0].item())


def decay_rate(distances, norms) -> float:
    """Measured factor per step: exp of the least-squares slope of ln(norm) against distance.

    Uses finite, positive norms only; NaN when fewer than two remain.
    """
    k = torch.as_tensor(distances, dtype=torch.float64)
    n = torch.as_tensor(norms, dtype=torch.float64)
    ok = torch.isfinite(n) & (n > 0)
    if ok.sum() < 2 or k[ok].unique().numel() < 2:
        return math.nan
    k, y = k[ok], torch.log(n[ok])
    slope = ((k - k.mean()) * (y - y.mean())).sum() / ((k - k.mean()) ** 2).sum()
    return math.exp(slope.item())


@dataclass(frozen=True)
class Verdict:
    label: str  # vanishing | exploding | edge
    reason: str  # one plain sentence


def verdict(spec: Spectrum | None, measured_rate: float = math.nan) -> Verdict:
    """Vanishing, exploding or near the edge, with the reason in words; the bound wins when it is conclusive.
    spec=None (LSTM, GRU, the fixed window: no single W_hh to bound) judges the measured rate alone."""
    if spec is None:
        m = measured_rate
        if m != m:
            return Verdict("edge", "too few finite gradients to measure a rate per step.")
        label = "exploding" if m > 1 + EDGE else "vanishing" if m < 1 - EDGE else "edge"
        return Verdict(label, f"measured: the gradient changes about ×{m:.3g} per step back.")
    b = spec.bound_rate
    if b < 1 - EDGE:
        return Verdict("vanishing", f"γ‖W_hh‖₂ = {b:.3g} < 1: every step back multiplies the gradient by at most "
                                    f"{b:.3g}, so it must shrink geometrically.")
    if measured_rate != measured_rate:  # NaN: nothing measured, fall back on the spectral radius
        r = spec.gamma * spec.spectral_radius
        label = "exploding" if r > 1 + EDGE else "vanishing" if r < 1 - EDGE else "edge"
        return Verdict(label, f"γρ(W_hh) = {r:.3g}; the bound γ‖W_hh‖₂ = {b:.3g} is not below 1, so it decides "
                              "nothing.")
    m = measured_rate
    if m > 1 + EDGE:
        return Verdict("exploding", f"measured: the gradient grows about ×{m:.3g} per step back "
                                    f"(the bound γ‖W_hh‖₂ = {b:.3g} allows it).")
    if m < 1 - EDGE:
        return Verdict("vanishing", f"measured: ×{m:.3g} per step back, although the bound γ‖W_hh‖₂ = {b:.3g} "
                                    "would allow more; saturated units (f′ ≈ 0) shrink it.")
    return Verdict("edge", f"measured: ×{m:.3g} per step back, close to 1: gradients neither die nor blow up "
                           f"quickly (bound γ‖W_hh‖₂ = {b:.3g}).")


@dataclass(frozen=True)
class BoundLine:
    """The line C (γ‖W_hh‖₂)^(k−1) for k = k0 .. k_max, placed so that it bounds every curve drawn with it."""

    k: np.ndarray  # (n,) distances
    log10: np.ndarray  # (n,) log10 of the bound, -inf where the rate is 0
    rate: float  # γ‖W_hh‖₂
    k0: int  # first distance drawn: the nearest finite gradient measurement


def bound_line(spec: Spectrum, distance, log10_grad, row_norm: str | None = None,
               hidden: int | None = None) -> BoundLine | None:
    """Where the bound (γ‖W_hh‖₂)^k must sit to hold for the curves of the gradients chart.

    distance, log10_grad: ‖∂q/∂h_s‖ at k = t − s (k = 1 is h_{t−1}, the state that predicts the target). Since
    ∂q/∂h_s = ∂q/∂h_{s'} ∂h_{s'}/∂h_s, ‖∂q/∂h_{t−k}‖ ≤ ‖∂q/∂h_{t−k0}‖ (γ‖W_hh‖₂)^(k−k0) for k ≥ k0.
    row_norm ("fro" or "2", None when no Jacobian row is drawn): the chart also shows ‖∂h_{t−1}/∂h_{t−k}‖, a
    product of k − 1 factors, at most (γ‖W_hh‖₂)^(k−1) in the spectral norm and √H times that in the Frobenius
    norm (‖A‖_F ≤ √H ‖A‖₂). The line takes the largest of these intercepts: a bound on each curve is then a
    bound on all. Valid for a one-layer, one-way Elman network only (its h_s reaches q through h_{t−1} alone).
    """
    k = np.asarray(distance, dtype=float)
    g = np.asarray(log10_grad, dtype=float)
    ok = (k >= 1) & np.isfinite(g)
    step = math.log10(spec.bound_rate) if spec.bound_rate > 0 else -math.inf
    if ok.any():
        k0 = int(k[ok].min())
        g0 = float(g[ok][k[ok] == k0].max())
        intercept = g0 - (k0 - 1) * step if k0 > 1 else g0  # C such that C + (k0 − 1) step = g0
    elif row_norm is not None and (k >= 1).any():  # every gradient exactly 0 (a saturated softmax): the row alone
        k0, intercept = int(k[k >= 1].min()), -math.inf
    else:
        return None
    if row_norm is not None:
        intercept = max(intercept, 0.5 * math.log10(hidden) if row_norm == "fro" else 0.0)
    ks = np.arange(k0, int(k.max()) + 1)
    with np.errstate(invalid="ignore"):
        line = intercept + np.where(ks > 1, (ks - 1) * step, 0.0)
    return BoundLine(ks, line, spec.bound_rate, k0)
