"""Context use (Khandelwal et al. 2018) beside the gradient over the same targets: what a model measurably
uses of the past, next to how strongly its gradient still reaches back."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.models.config import SHORT_ARCH_NAMES

from .style import BLUE, GREEN, ORANGE, base_layout, esc

ARCH_COLOR = {"elman": BLUE, "lstm": ORANGE, "gru": GREEN}


def _arch(model: str) -> str:
    return model.split("-")[0]


K_TICKS = [1, 2, 5, 10, 20, 50, 100, 200]
FLOOR = 1e-3  # nats: extra losses below this (or below zero) are drawn on the floor, their value in the hover


def context_use_figure(curves: pd.DataFrame, reach: pd.DataFrame, tolerance: float) -> go.Figure:
    """Left: how much worse the target's loss is when only the last k tokens are read than with the longest
    context (log scale, so the tail that decides the effective context is visible), with the tolerance line:
    a curve's effective context is where it drops below that line for good. Right: mean ‖∂loss/∂x_{t−k}‖
    over the same targets. curves: model, k, loss, saved (loss(k) − loss(longest)); reach: model, distance,
    grad_norm."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=("Extra loss when only the last k tokens are read",
                                        "Gradient of the loss, k tokens back"))
    for model, g in curves.groupby("model", sort=False):
        arch = _arch(model)
        color, label = ARCH_COLOR.get(arch, "#555"), SHORT_ARCH_NAMES.get(arch, esc(model))
        g = g.sort_values("k")
        longest = int(g["k"].max())
        shown = g["saved"].clip(lower=FLOOR)
        fig.add_trace(go.Scatter(
            x=g["k"], y=shown, mode="lines+markers", name=label, legendgroup=arch, line={"color": color},
            customdata=g[["saved", "loss"]].to_numpy(),
            hovertemplate=(f"{label}<br>last %{{x}} tokens read<br>loss %{{customdata[1]:.3f}} nats, "
                           f"%{{customdata[0]:+.4f}} against all {longest}<extra></extra>")), 1, 1)
        r = reach[reach["model"] == model].sort_values("distance")
        fig.add_trace(go.Scatter(
            x=r["distance"], y=r["grad_norm"], mode="lines", name=label, legendgroup=arch, showlegend=False,
            line={"color": color},
            hovertemplate=f"{label}<br>k = %{{x}}<br>mean ‖∂loss/∂x‖ %{{y:.2e}}<extra></extra>"), 1, 2)
    fig.add_hline(y=tolerance, line={"color": "#666", "dash": "dash", "width": 1}, row=1, col=1)
    fig.add_annotation(x=1, xref="x domain", xanchor="right", y=math.log10(tolerance), yref="y", yanchor="bottom",
                       text=f"{tolerance:g} nats: more context stops helping below this line", showarrow=False,
                       font={"size": 11})  # on a log axis an annotation's y is log10 of the value
    fig.update_xaxes(type="log", tickvals=K_TICKS, title_text="k, tokens before the target")
    fig.update_yaxes(type="log", exponentformat="power", row=1, col=1,
                     title_text=f"loss(k) − loss(all), nats (floor {FLOOR:g})")
    fig.update_yaxes(type="log", exponentformat="power", title_text="mean ‖∂loss/∂x<sub>t−k</sub>‖", row=1, col=2)
    return base_layout(fig, "How much of the past each trained network uses", 460,
                       subtitle="Each curve falls as more tokens are read; where it stays under the dashed line "
                                "is its effective context.")
