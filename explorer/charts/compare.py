"""Models side by side: how far back each one's inputs reach, what each costs in parameters, and how the
gates of an LSTM or GRU open and close."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core import Trace

from .gradients import DISTANCE_AXIS, series
from .states import KEY_NAMES, hidden_heatmap
from .style import (
    GREY,
    SERIES,
    SPECIAL_COLOR,
    base_layout,
    esc,
    fmt,
    fmt_log10,
    layer_label,
    log10_axis,
    log10_scale,
    log_curve,
    thin_ticks,
)

GATES = {"lstm": ("i", "f", "o"), "gru": ("r", "z")}


def influence_by_distance(frames: dict[str, pd.DataFrame], *, window: int | None = None) -> go.Figure:
    """Several models' input-gradient norm against distance on one log axis; the fixed window's edge marked."""
    curves = [(f"{model}, {where}" if where else model, g) for model, f in frames.items() for where, g in series(f)]
    scale = log10_scale(*[g["log10_grad_norm"] for _, g in curves])
    fig = go.Figure()
    for i, (name, g) in enumerate(curves):
        hover = [f"{esc(name)}<br>“{esc(tok)}” (position {p}), k = {k}<br>‖∂q/∂x<sub>s</sub>‖ = {fmt_log10(v)}"
                 for tok, p, k, v in zip(g["token"], g["position"], g["distance"], g["log10_grad_norm"])]
        fig.add_traces(log_curve(g["distance"], g["log10_grad_norm"], scale, name=esc(name),
                                 color=SERIES[i % len(SERIES)], hover=hover, customdata=g["position"].to_numpy()))
    if window is not None:
        fig.add_vrect(x0=0.5, x1=window + 0.5, fillcolor=GREY, opacity=0.15, line_width=0, layer="below")
        fig.add_vline(x=window + 0.5, line={"color": GREY, "dash": "dash"},
                      annotation_text=f"window n = {window}: nothing further back can reach", annotation_position="top")
    log10_axis(fig, scale, title="‖∂q/∂x<sub>s</sub>‖, input-gradient norm (log scale)")
    fig.update_xaxes(title=DISTANCE_AXIS, autorange="reversed")
    return base_layout(fig, "How far back each model's inputs still reach the prediction", height=480,
                       subtitle="A fixed window's gradient is exactly 0 beyond n (no path); an RNN's only fades.")


def parameter_counts(frame: pd.DataFrame, units: str = "words") -> go.Figure:
    """Parameters against window size n: the fixed window's grow with n, the RNN's do not depend on it."""
    fig = go.Figure()
    for i, (model, g) in enumerate(frame.groupby("model", sort=False)):
        g = g.sort_values("n")
        fig.add_trace(go.Scatter(
            x=g["n"], y=g["parameters"], mode="lines+markers", name=esc(model), line={"color": SERIES[i % len(SERIES)]},
            hovertemplate=f"{esc(model)}<br>n = %{{x}}: %{{y:,}} parameters<extra></extra>",
        ))
    ns = sorted(frame["n"].unique())
    fig.update_xaxes(title=f"context window n ({units})")
    if len(ns) <= 20:  # whole windows only: no tick at n = 2.5
        fig.update_xaxes(tickmode="array", tickvals=ns)
    fig.update_yaxes(title="number of parameters", rangemode="tozero")
    return base_layout(fig, "Model size against context length", height=420,
                       subtitle="The RNN reuses one W<sub>hh</sub> at every step, so a longer context costs no "
                                "parameters.")


def gate_activations(trace: Trace, *, layer: int = 0, direction: int = 0) -> go.Figure:
    """Each gate's mean over units at every step (0 = closed, 1 = open); the LSTM's mean cell state below."""
    arch = trace.config.arch
    if arch not in GATES:
        raise ValueError(f"a {arch} network has no gates; gate charts need arch='lstm' or 'gru'")
    has_c = arch == "lstm"
    fig = make_subplots(rows=2 if has_c else 1, cols=1, shared_xaxes=True, vertical_spacing=0.1,
                        row_heights=[0.65, 0.35] if has_c else None)
    tokens = np.array([esc(t) for t in trace.tokens], dtype=object)
    x = np.arange(len(trace))
    keys = [(k, 1, SERIES[i]) for i, k in enumerate(GATES[arch])] + ([("c", 2, SERIES[3])] if has_c else [])
    broken = np.zeros(len(trace), bool)
    for key, row, color in keys:
        v = trace.get(key, layer, direction).double().numpy()  # (T, H)
        broken |= ~np.isfinite(v).all(1)
        mean = v.mean(1)  # (T,) NaN where any unit is NaN: shown as a gap and marked below
        fig.add_trace(go.Scatter(
            x=x, y=np.where(np.isfinite(mean), mean, np.nan), mode="lines", name=f"mean {KEY_NAMES[key]}",
            line={"color": color}, customdata=np.stack([tokens, [fmt(m) for m in mean]], axis=-1),
            hovertemplate="“%{customdata[0]}” (position %{x})<br>mean over units %{customdata[1]}<extra>"
                          + KEY_NAMES[key] + "</extra>",
        ), row=row, col=1)
    if broken.any():
        fig.add_trace(go.Scatter(
            x=x[broken], y=np.full(broken.sum(), 1.05), mode="markers", name="inf or NaN at this step",
            marker={"symbol": "x", "color": SPECIAL_COLOR["nan"], "size": 9}, customdata=tokens[broken],
            hovertemplate="“%{customdata}” (position %{x}): some units are inf or NaN<extra></extra>",
        ), row=1, col=1)
    fig.update_yaxes(title="mean gate value (0 closed, 1 open)", range=[-0.03, 1.1], row=1, col=1)
    if has_c:
        fig.update_yaxes(title="mean c<sub>t</sub>", row=2, col=1)
    vals, labels = thin_ticks(trace.tokens)
    fig.update_xaxes(tickmode="array", tickvals=vals, ticktext=labels)
    fig.update_xaxes(title="token (position t)", row=2 if has_c else 1, col=1)
    if has_c:
        fig.update_xaxes(showticklabels=False, row=1, col=1)
    what = "forget gate f near 1 keeps the cell state" if has_c else "update gate z near 1 keeps the old state"
    return base_layout(fig, f"How open the {arch.upper()}'s gates are, step by step ({layer_label(layer, direction)})",
                       height=520 if has_c else 400, subtitle=f"Averages over units hide single units: a {what}.")


def gate_heatmap(trace: Trace, key: str, *, layer: int = 0, direction: int = 0) -> go.Figure:
    """One gate (or the cell state) of every unit at every step, 0..1 for gates."""
    try:
        trace.get(key, layer, direction)
    except KeyError:
        raise ValueError(f"this {trace.config.arch} trace records no '{key}'; its gates are "
                         f"{', '.join(GATES.get(trace.config.arch, ())) or 'none'}") from None
    return hidden_heatmap(trace, layer=layer, direction=direction, key=key)
