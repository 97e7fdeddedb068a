"""Reading a (T, T) map of pairs [t, s] (log norms of dh_t/dh_s): which triangle no path reaches, and the map
coarsened to blocks when it has more cells than a screen has pixels."""

from __future__ import annotations

import math

import numpy as np


def unreachable(L: np.ndarray) -> np.ndarray:
    """The triangle with no dependence at all: where s comes after t for the left-to-right network (before it for
    the right-to-left one), -inf everywhere. A map with any path in both triangles has none."""
    upper = np.triu(np.ones(L.shape, bool), 1)
    lower = upper.T
    if L.shape[0] > 1 and np.isneginf(L[upper]).all():
        return upper
    if L.shape[0] > 1 and np.isneginf(L[lower]).all():
        return lower
    return np.zeros(L.shape, bool)


def block_max(L: np.ndarray, blank: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shrink a (T, T) map to blocks of size x size positions, keeping each block's largest value (its strongest
    path) and NaN wherever a NaN occurs; a block is blank only when all of it is. Returns map, blank, starts."""
    T = L.shape[0]
    n = math.ceil(T / size)
    pad = n * size - T
    Lp = np.pad(np.where(blank, -np.inf, L), ((0, pad), (0, pad)), constant_values=-np.inf)
    Bp = np.pad(blank, ((0, pad), (0, pad)), constant_values=True)
    Lb = Lp.reshape(n, size, n, size)  # (n, size, n, size): block row, offset, block column, offset
    has_nan = np.isnan(Lb).any(axis=(1, 3))
    M = np.where(has_nan, np.nan, np.where(np.isnan(Lb), -np.inf, Lb).max(axis=(1, 3)))
    return M, Bp.reshape(n, size, n, size).all(axis=(1, 3)), np.arange(0, T, size)
