"""Hidden states as points: a text's path through the state space, and one 2-D projection (PCA) shared by
several texts, so that their paths can be compared in the same plane."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .trace import Trace

HUGE = 1e6  # states larger than this are projected in units of a power of ten


def state_path(trace: Trace, layer: int = 0, direction: int = 0) -> tuple[np.ndarray, list[int]]:
    """The states in reading order (right to left for direction 1), led by the initial state when the model has
    one: (N, H) float64, and the position each row belongs to (-1 for the initial state)."""
    h = trace.h(layer, direction).double().numpy()  # (T, H)
    order = list(range(len(trace))) if direction == 0 else list(range(len(trace) - 1, -1, -1))
    try:
        h0 = trace.get("h0", layer, direction).double().numpy()  # (H,)
    except KeyError:  # the fixed-window model has no state before its first step
        return h[order], order
    return np.vstack([h0[None], h[order]]), [-1, *order]


@dataclass(frozen=True)
class Projection:
    """Every path's points in the plane of the first two principal components of all their finite states."""

    points: tuple[np.ndarray, ...]  # per path (N_i, 2); a state that is not finite sits at 0 and is not drawn
    finite: tuple[np.ndarray, ...]  # per path (N_i,) bool: which states could be projected
    ratios: np.ndarray  # (2,) share of the variance along PC1 and PC2 (0 where a direction does not exist)
    components: int  # directions in the plane: 2, fewer with one unit or one state
    exponent: int  # the states were projected in units of 10**exponent (an exploding network)
    fitted: int  # finite states the projection was fitted on


def project(paths: Sequence[np.ndarray]) -> Projection:
    """Fit PCA on the finite states of every path together and project each path into that plane.

    States at inf or NaN are left out (their rows stay 0 and `finite` says so). Past HUGE the states are divided
    by a power of ten first, else their covariance overflows float64. With fewer than two distinct states nothing
    varies and every point sits at the origin. Raises ValueError for paths of different widths."""
    widths = {p.shape[1] for p in paths}
    if len(widths) > 1:
        raise ValueError(f"these traces have different hidden sizes {sorted(widths)}: one projection needs one H")
    finite = tuple(np.isfinite(p).all(1) for p in paths)
    X = np.vstack([p[ok] for p, ok in zip(paths, finite)])  # (N, H), finite states of every path
    peak = float(np.abs(X).max()) if X.size else 0.0
    exponent = math.floor(math.log10(peak)) if peak > HUGE else 0
    X = X / 10.0**exponent
    n_comp = min(2, X.shape[1], X.shape[0])
    ratios = np.zeros(2)
    pca = None
    if X.shape[0] >= 2 and X.var(0).sum() > 0:
        from sklearn.decomposition import PCA  # here, not at the top: scikit-learn takes 1.5 s to import, and every
        # page imports this module, so a new server's first page would wait for it

        pca = PCA(n_components=n_comp).fit(X)
        ratios[:n_comp] = pca.explained_variance_ratio_
    points = []
    for states, ok in zip(paths, finite):
        xy = np.zeros((len(states), 2))
        if ok.any() and pca is not None:
            xy[ok, :n_comp] = pca.transform(states[ok] / 10.0**exponent)
        points.append(xy)
    return Projection(tuple(points), finite, ratios, n_comp, exponent, X.shape[0])
