"""Context use (Khandelwal et al. 2018) beside the gradient over the same targets: what a model measurably
uses of the past, next to how strongly its gradient still reaches back."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .style import BLUE, GREEN, ORANGE, base_layout, esc

ARCH_COLOR = {"elman": BLUE, "lstm": ORANGE, "gru": GREEN}
ARCH_LABEL = {"elman": "Elman", "lstm": "LSTM", "gru": "GRU"}


def _arch(model: str) -> str:
    return model.split("-")[0]


def context_use_figure(curves: pd.DataFrame, reach: pd.DataFrame, effective: dict[str, int]) -> go.Figure:
    """Left: mean loss at the target against k, the tokens read (a dotted line at each model's effective
    context). Right: mean ‖∂loss/∂x_{t−k}‖ against k over the same targets. curves: model, k, loss, sem;
    reach: model, distance, grad_norm; effective: model -> effective context."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=("Loss when only the last k tokens are read",
                                        "Gradient of the same loss, k tokens back"))
    for model, g in curves.groupby("model", sort=False):
        arch = _arch(model)
        color, label = ARCH_COLOR.get(arch, "#555"), ARCH_LABEL.get(arch, esc(model))
        g = g.sort_values("k")
        fig.add_trace(go.Scatter(
            x=g["k"], y=g["loss"], mode="lines+markers", name=label, legendgroup=arch, line={"color": color},
            error_y={"type": "data", "array": g["sem"], "visible": True, "thickness": 1, "width": 0},
            hovertemplate=f"{label}<br>last %{{x}} tokens read<br>loss %{{y:.3f}} nats<extra></extra>"), 1, 1)
        k = effective.get(model)
        if k is not None:
            fig.add_vline(x=k, line={"color": color, "dash": "dot", "width": 1.5}, row=1, col=1)
        r = reach[reach["model"] == model].sort_values("distance")
        fig.add_trace(go.Scatter(
            x=r["distance"], y=r["grad_norm"], mode="lines", name=label, legendgroup=arch, showlegend=False,
            line={"color": color},
            hovertemplate=f"{label}<br>k = %{{x}}<br>mean ‖∂loss/∂x‖ %{{y:.2e}}<extra></extra>"), 1, 2)
    fig.update_xaxes(type="log", title_text="k, tokens before the target (log scale)")
    fig.update_yaxes(title_text="mean loss at the target (nats)", row=1, col=1)
    fig.update_yaxes(type="log", exponentformat="power", title_text="mean ‖∂loss/∂x<sub>t−k</sub>‖", row=1, col=2)
    return base_layout(fig, "How much of the past each trained network uses", 460,
                       subtitle="Dotted lines: each network's effective context, where more tokens stop helping.")
