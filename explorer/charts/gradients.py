"""Gradients through time: how far back a prediction still reaches (the sentence coloured by reach and the
all-pairs map are in-browser views: explorer/reach_strip.py, explorer/pair_map.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.gradients import Spectrum, bound_line
from core.models.recurrent import DIRECTIONS

from .style import (
    GREY,
    SERIES,
    SKY,
    VERMILLION,
    base_layout,
    esc,
    fmt_log10,
    layer_label,
    log10_axis,
    log10_scale,
    log_curve,
)

DISTANCE_AXIS = "k = t − s: tokens back from the target (earlier tokens to the left)"


def series(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The curves in a gradient frame: one per (layer, direction) when it has those columns (named by them),
    else one, unnamed."""
    if {"layer", "direction"} <= set(frame.columns):
        groups = sorted(frame.groupby(["layer", "direction"]), key=lambda kv: (kv[0][0], DIRECTIONS.index(kv[0][1])))
        return [(layer_label(layer, DIRECTIONS.index(d)), g) for (layer, d), g in groups]
    return [("", frame)]


def _hover(frame: pd.DataFrame, what: str) -> list[str]:
    return [f"“{esc(tok)}” (position {pos})<br>k = {k} tokens back<br>{what} = {fmt_log10(v)}"
            for tok, pos, k, v in zip(frame["token"], frame["position"], frame["distance"], frame["log10_grad_norm"])]


def _theory(fig: go.Figure, spectrum: Spectrum, frame: pd.DataFrame, row_norm: str | None, hidden: int | None) -> None:
    """The bound (γ‖W_hh‖₂)^k, placed where it holds for every curve on the chart (core.gradients.bound_line), and
    ρ(W_hh)^k from the same first point: a linear network's long-run rate, which is no bound."""
    line = bound_line(spectrum, frame["distance"], frame["log10_grad_norm"], row_norm, hidden)
    if line is None:
        return
    covers = "every curve here" if row_norm else "‖∂q/∂h<sub>s</sub>‖"
    bound = (line.log10, f"bound ∝ (γ‖W<sub>hh</sub>‖₂)<sup>k</sup>, γ‖W<sub>hh</sub>‖₂ = {spectrum.bound_rate:.3g}: "
                         f"{covers} stays below it", "dash", VERMILLION)
    start = float(line.log10[0])  # the radius curve starts where the bound does
    steps = line.k - line.k0
    with np.errstate(invalid="ignore"):
        radius_y = start + np.where(steps > 0, spectrum.log10_radius_curve(steps).numpy(), 0.0)
    radius = (radius_y,
              f"ρ(W<sub>hh</sub>)<sup>k</sup>, ρ = {spectrum.spectral_radius:.3g}: a linear network's long-run rate "
              "(not a bound)", "dot", GREY)
    for y, name, dash, color in (bound, radius):
        fig.add_trace(go.Scatter(
            x=line.k, y=np.where(np.isfinite(y), y, np.nan), mode="lines", name=name,
            line={"color": color, "dash": dash}, customdata=[fmt_log10(v) for v in y],
            hovertemplate="k = %{x}<br>theory: %{customdata}<extra></extra>",
        ))


def gradient_vs_distance(frame: pd.DataFrame, *, spectrum: Spectrum | None = None,
                         jacobian_row: pd.DataFrame | None = None, row_norm: str = "fro", hidden: int | None = None,
                         title: str | None = None, quantity: str | None = None,
                         state_label: str = "h") -> go.Figure:
    """Gradient norm of the target's prediction against distance k back from it, on a log axis, optionally
    with the theory's curves (spectrum: a one-layer, one-way Elman network only) and the Jacobian norm
    ‖∂h_t/∂h_s‖ (jacobian_row: columns distance, log10_norm, optionally token; row_norm "fro" or "2"; hidden = the
    state's size, for the Frobenius bound). state_label "hc" names the LSTM's full state (h, c) in the row.
    quantity names what the frame measured (default ‖∂q/∂h_s‖ or ‖∂q/∂x_s‖ by its columns)."""
    groups = series(frame)
    of_states = groups[0][0] != ""
    quantity = quantity or ("‖∂q/∂h<sub>s</sub>‖" if of_states else "‖∂q/∂x<sub>s</sub>‖")
    extra = [] if jacobian_row is None else [jacobian_row["log10_norm"]]
    scale = log10_scale(frame["log10_grad_norm"], *extra)
    fig = go.Figure()
    for i, (where, g) in enumerate(groups):
        name = f"{quantity}, {where}" if len(groups) > 1 else quantity
        fig.add_traces(log_curve(g["distance"], g["log10_grad_norm"], scale, name=name, color=SERIES[i % len(SERIES)],
                                 hover=_hover(g, name), customdata=g["position"].to_numpy()))
    if jacobian_row is not None:
        tokens = jacobian_row["token"] if "token" in jacobian_row else [""] * len(jacobian_row)
        S = {"h": "h", "hc": "(h, c)"}[state_label]
        name = f"‖∂{S}<sub>t</sub>/∂{S}<sub>s</sub>‖{'₂' if row_norm == '2' else '<sub>F</sub>'}"
        hover = [f"{('“' + esc(tok) + '”, ') if tok else ''}k = {k}<br>{name} = "
                 f"{fmt_log10(v)}" for tok, k, v in zip(tokens, jacobian_row["distance"], jacobian_row["log10_norm"])]
        fig.add_traces(log_curve(jacobian_row["distance"], jacobian_row["log10_norm"], scale,
                                 name=name, color=SKY, hover=hover, dash="dashdot"))
    if spectrum is not None:
        _theory(fig, spectrum, groups[0][1], row_norm if jacobian_row is not None else None, hidden)
    log10_axis(fig, scale, title="gradient norm (log scale)")
    fig.update_xaxes(title=DISTANCE_AXIS, autorange="reversed")
    return base_layout(fig, title or "How strongly each earlier token still reaches the prediction of the target",
                       height=480, subtitle="One text, one target: a steep fall means the network cannot learn "
                                            "from words that far back (here; other texts may differ).")
