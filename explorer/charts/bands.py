"""Heatmap colours that keep non-finite cells visible: exact zeros, overflows and NaNs each get a band of
their own colour beside the colour scale, labelled on the colour bar, instead of a silent blank cell."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from plotly.colors import sample_colorscale

from .style import DIVERGING, SPECIAL_COLOR, SPECIAL_COLOR_DIVERGING, SPECIAL_LABEL, kinds

_SAMPLES = 11  # stops taken from the base colour scale; enough for a smooth gradient
_BAND = 0.15  # width of each special band, as a share of the colour scale


@dataclass(frozen=True)
class Banded:
    """What a go.Heatmap needs: z rescaled so that [lo, hi] is [0, 1] (exact even for lo, hi near ±1e308),
    special cells moved into their bands; the colour scale with those bands, its limits,
    and the colour bar's ticks, labelled in the original units."""

    z: np.ndarray
    colorscale: list
    zmin: float
    zmax: float
    tickvals: list[float]
    ticktext: list[str]
    kinds: np.ndarray  # 'ok' | 'zero' | 'overflow' | 'nan' per cell, as in the input

    def colorbar(self, title: str) -> dict:
        return {"title": {"text": title}, "tickmode": "array", "tickvals": self.tickvals, "ticktext": self.ticktext}


def banded(values, *, lo: float, hi: float, scale, ticks: tuple[list[float], list[str]], log: bool) -> Banded:
    """Colour `values` on `scale` between lo and hi.

    log=True: values are log10, so -inf is an exact zero (a band below the scale); log=False: -inf and
    +inf are both overflows. Overflow and NaN bands sit above the scale. Finite values outside [lo, hi]
    are clipped to the ends of the scale.
    """
    v = np.asarray(values, dtype=float)
    k = kinds(v)
    if not log:
        k = np.where(k == "zero", "overflow", k)
    present = [kind for kind in ("zero", "overflow", "nan") if (k == kind).any()]
    below = ["zero"] if "zero" in present else []
    above = [kind for kind in ("overflow", "nan") if kind in present]
    centre = {"zero": -_BAND / 2} | {kind: 1 + _BAND * (i + 0.5) for i, kind in enumerate(above)}
    zmin, zmax = -_BAND * len(below), 1 + _BAND * len(above)
    colors = SPECIAL_COLOR_DIVERGING if scale == DIVERGING else SPECIAL_COLOR

    def unit(a):
        """[lo, hi] -> [0, 1], divided by the larger end first so that nothing overflows."""
        m = max(abs(lo), abs(hi))
        return (np.asarray(a, dtype=float) / m - lo / m) / (hi / m - lo / m)

    def pos(z: float) -> float:
        return (z - zmin) / (zmax - zmin)

    stops = []
    for kind in below:
        stops += [[0.0, colors[kind]], [pos(0.0), colors[kind]]]
    samples = list(np.linspace(0, 1, _SAMPLES))
    stops += [[pos(s), color] for s, color in zip(samples, sample_colorscale(scale, samples))]
    for kind in above:
        stops += [[pos(centre[kind] - _BAND / 2), colors[kind]],
                  [pos(centre[kind] + _BAND / 2), colors[kind]]]
    at = np.minimum(np.maximum.accumulate([p for p, _ in stops]), 1.0)  # rounding must not break the order
    stops = [[float(p), color] for p, (_, color) in zip(at, stops)]

    with np.errstate(invalid="ignore"):
        z = np.clip(unit(v), 0.0, 1.0)
    for kind in present:
        z = np.where(k == kind, centre[kind], z)
    main = [float(t) for t in unit(ticks[0])]
    tickvals = [centre[kind] for kind in below] + main + [centre[kind] for kind in above]
    ticktext = [SPECIAL_LABEL[kind] for kind in below] + list(ticks[1]) + [SPECIAL_LABEL[kind] for kind in above]
    return Banded(z, stops, zmin, zmax, tickvals, ticktext, k)
