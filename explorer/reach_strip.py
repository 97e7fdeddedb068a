"""The text coloured by reach (Distill-style): hover a word and the sentence recolours by how strongly each
earlier word still reaches that word's prediction; click it and it becomes the target. For the Elman network the
strip also draws the target's gradient against distance (curve_data), so hovering or picking a word redraws that
curve at once too.

Every row of the all-pairs map is sent once and sliced in the browser, so hovering needs no script rerun. On
Gradients the strip also carries the target's panel (explorer.target_panel), so that a pick is drawn here at once
and the rerun it starts, bringing back the same data, redraws nothing. The
colour scale is fixed (REACH_LO..REACH_HI on log10), the same for every text, model and target: a network at
the edge of stability (×0.99 per step) keeps its colour over the whole text where a vanishing one fades.
"""

from __future__ import annotations

import math

import numpy as np

from core.gradients import Spectrum, bound_line

from . import components
from .charts.gradients import DISTANCE_AXIS
from .charts.style import log10_scale, pow10_ticks

REACH_LO, REACH_HI = -8.0, 1.0  # log10 ends of the fixed colour scale
TICKS = (-8, -6, -4, -2, 0, 1)  # at most six labels, evenly spread: they never pile up
ZERO, OVERFLOW = -1e300, 1e300  # how an exact 0 and an inf travel in the JSON (NaN travels as null): no finite
# log10 comes near them, however far below 1e-308 the chain carries a gradient


def _code(v: float, digits: int = 2) -> float | None:
    if math.isnan(v):
        return None
    if math.isinf(v):
        return OVERFLOW if v > 0 else ZERO
    return round(v, digits)


def reach_rows_of(values, digits: int = 2) -> list[float | None]:
    """One row of log10 values, coded for the JSON."""
    return [_code(float(v), digits) for v in values]


def reach_rows(log10_map: np.ndarray) -> list[list[float | None]]:
    """Row t: log10 ‖∂h_{t−1}/∂h_s‖ for s < t, the reach of word s into the prediction of word t (made from
    h_{t−1}); row 0 is empty (nothing predicts the first word). log10_map: (T, T), [t, s]."""
    L = np.asarray(log10_map, dtype=float)
    return [[]] + [reach_rows_of(L[t - 1, :t]) for t in range(1, L.shape[0])]


def reach_rows_by_target(log10_map: np.ndarray) -> list[list[float | None]]:
    """Row t: log10 of the reach of every word s < t into the prediction of word t, from a map already indexed by
    target, [t, s] (core.gradients.input_reach_map); row 0 is empty."""
    L = np.asarray(log10_map, dtype=float)
    return [[]] + [reach_rows_of(L[t, :t]) for t in range(1, L.shape[0])]


def char_level(tokens) -> bool:
    """Characters as tokens (spaces included): the strip then keeps each word on one line."""
    return len(tokens) > 1 and all(len(str(t)) == 1 for t in tokens) and " " in tokens


def strip_data(tokens, rows: dict[int, list] | list[list], *, target: int, cue: int | None, quantity: str,
               hover: bool, key: str = "") -> dict:
    """What the strip draws: rows[t] as reach_rows makes them (all of them when `hover`, else the target's).
    key: names everything but the target, so that a rerun bringing back the view the browser already drew (after
    a pick) redraws nothing."""
    rows = dict(enumerate(rows)) if isinstance(rows, list) else rows
    return {"key": key, "tokens": [str(t) for t in tokens], "rows": {str(t): r for t, r in rows.items()},
            "target": target, "cue": cue, "quantity": quantity, "hover": hover, "chars": char_level(tokens),
            "lo": REACH_LO, "hi": REACH_HI, "ticks": list(TICKS), "zero": ZERO, "overflow": OVERFLOW}


def curve_data(q_log10: np.ndarray, map_log10: np.ndarray, spec: Spectrum, *, hidden: int, quantity: str,
               row_name: str, presenter: bool = False) -> dict:
    """Every target's curve for the strip to draw: log10 ||dq_t/dh_s|| (q_log10, [t, s]) against k = t - s, beside
    the strip's own row of the map (log10 ||dh_{t-1}/dh_s||_F) and the bound, with each target's axis made here
    as explorer.charts.gradient_vs_distance makes it (the same scale, ticks and bound as the chart it replaces)."""
    Q, L = np.asarray(q_log10, dtype=float), np.asarray(map_log10, dtype=float)
    q, axes, bounds = {}, {}, {}
    for t in range(1, Q.shape[0]):
        k = np.arange(t, 0, -1)  # s = 0 .. t-1
        scale = log10_scale(Q[t, :t], L[t - 1, :t])
        vals, text = pow10_ticks(scale.lo, scale.hi)
        line = bound_line(spec, k, Q[t, :t], "fro", hidden)
        y0 = None if line is None else float(line.log10[0])
        q[str(t)] = reach_rows_of(Q[t, :t], digits=3)
        axes[str(t)] = {"range": scale.range, "ticks": [[v, s] for v, s in zip(vals, text, strict=True)],
                        "floor": scale.floor, "ceiling": scale.ceiling}
        bounds[str(t)] = None if y0 is None or not math.isfinite(y0) else [line.k0, round(y0, 4)]
    log_rate = math.log10(spec.bound_rate) if spec.bound_rate > 0 else None
    log_radius = math.log10(spec.spectral_radius) if spec.spectral_radius > 0 else None
    return {
        "q": q, "axes": axes, "bounds": bounds, "step": log_rate, "radius": log_radius,
        "names": {"q": quantity, "row": row_name,
                  "bound": f"bound ∝ (γ‖W<sub>hh</sub>‖₂)<sup>k</sup>, γ‖W<sub>hh</sub>‖₂ = {spec.bound_rate:.3g}: "
                           "every curve here stays below it",
                  "radius": f"ρ(W<sub>hh</sub>)<sup>k</sup>, ρ = {spec.spectral_radius:.3g}: a linear network's "
                            "long-run rate (not a bound)"},
        "title": "How strongly each earlier token still reaches the prediction of",
        "subtitle": "One text, one target: a steep fall means the network cannot learn from words that far back "
                    "(here; other texts may differ).",
        "x_title": DISTANCE_AXIS, "y_title": "gradient norm (log scale)",
        "font": 20 if presenter else 13, "height": 600 if presenter else 460,
    }


def show(data: dict, key: str, on_pick) -> int | None:
    """Mount the strip; returns the position clicked in this run (None when none was)."""
    result = components.component("reach_strip")(data=data, key=key, on_pick_change=on_pick)
    return getattr(result, "pick", None)


def standalone_html(data: dict) -> str:
    return components.standalone_html("reach_strip", data, "Reach by word")
