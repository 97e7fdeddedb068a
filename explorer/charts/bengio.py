"""Bengio et al. (2003) against the recurrence: validation perplexity and parameter count by context window."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.models.config import RECURRENT_ARCHS, SHORT_ARCH_NAMES

from .style import SERIES, base_layout, esc

RECURRENT = {arch: SHORT_ARCH_NAMES[arch] for arch in RECURRENT_ARCHS}  # legend names


def window_vs_recurrence(table: pd.DataFrame, height: int = 440) -> go.Figure:
    """Left, validation perplexity; right, parameters; both against the window n of the fixed-window model,
    with each recurrent model as a flat line (its context is the whole history, whatever n is).

    table: core.pretrained's rows (arch, window, parameters, valid_perplexity; window empty for recurrent ones).
    """
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=("Validation perplexity (lower is better)", "Parameters"))
    windows = table[table["arch"] == "window"].sort_values("window")
    ns = windows["window"].astype(int).tolist()
    for col, column, fmt_y in ((1, "valid_perplexity", "%{y:.1f}"), (2, "parameters", "%{y:,}")):
        fig.add_trace(go.Scatter(x=ns, y=windows[column], mode="lines+markers", name="fixed window (Bengio 2003)",
                                 line={"color": SERIES[0], "width": 3}, showlegend=col == 1, legendgroup="window",
                                 hovertemplate=f"window n = %{{x}}<br>{column.replace('_', ' ')} {fmt_y}"
                                               "<extra>fixed window</extra>"), 1, col)
        for i, (arch, name) in enumerate(RECURRENT.items(), start=1):
            row = table[table["arch"] == arch]
            if row.empty or not ns:
                continue
            value = float(row[column].iloc[0])
            fig.add_trace(go.Scatter(x=[min(ns), max(ns)], y=[value, value], mode="lines", name=esc(name),
                                     line={"color": SERIES[i % len(SERIES)], "dash": "dash"}, showlegend=col == 1,
                                     legendgroup=arch,
                                     hovertemplate=f"{esc(name)}: {column.replace('_', ' ')} "
                                                   f"{value:,.1f} at every n<extra></extra>"), 1, col)
    fig.update_xaxes(title_text="window n (words)", tickmode="array", tickvals=ns)
    fig.update_yaxes(title_text="perplexity", row=1, col=1)
    fig.update_yaxes(title_text="parameters", rangemode="tozero", row=1, col=2)
    return base_layout(fig, "A wider window costs parameters; the recurrence does not", height,
                       subtitle="Same corpus, vocabulary, optimiser and step budget for every model.")
