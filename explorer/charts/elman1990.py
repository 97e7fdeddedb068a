"""Elman (1990) recomputed, drawn: prediction error along a test stream (his Figs. 1, 3 and 6) and the tree
his cluster analysis grows over the words' averaged hidden states (his Fig. 7)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from scipy.cluster.hierarchy import dendrogram as tree_layout

from core.reproductions.elman1990 import GROUPS

from .style import BLUE, GREEN, GREY, ORANGE, base_layout, esc, fmt

MEASURES = {"squared_error": "squared error Σ(p − y)²", "loss": "cross-entropy (nats)"}
KIND_STYLE = ({"color": BLUE, "symbol": "circle"}, {"color": ORANGE, "symbol": "diamond"},
              {"color": GREEN, "symbol": "square"})
GROUP_STYLE = dict(zip(GROUPS, KIND_STYLE))


def _hover_errors(row) -> str:
    return f"cross-entropy {fmt(row.loss)} nats<br>squared error {fmt(row.squared_error)}"


def xor_cycle(means: pd.DataFrame, measure: str = "squared_error", height: int = 400) -> go.Figure:
    """Mean error at each of 12 successive steps of the test stream: every third step, the XOR, should dip.

    means: cycle_step, position (1, 2, 3 in its triple), role, loss, squared_error, tokens (core's xor_cycle)."""
    means = means.sort_values("cycle_step")
    fig = go.Figure(go.Scatter(x=means["cycle_step"], y=means[measure], mode="lines", line={"color": GREY},
                               hoverinfo="skip", showlegend=False))
    for i, (label, d) in enumerate((("random bit (positions 1, 2)", means[means["position"] != 3]),
                                    ("XOR bit (position 3): predictable", means[means["position"] == 3]))):
        hover = [f"step {r.cycle_step} of 12: {esc(r.role)}<br>{_hover_errors(r)}<br>mean over {r.tokens} test bits"
                 for r in d.itertuples()]
        fig.add_trace(go.Scatter(x=d["cycle_step"], y=d[measure], mode="markers", name=label,
                                 marker={**KIND_STYLE[i], "size": 11}, hovertext=hover,
                                 hovertemplate="%{hovertext}<extra></extra>"))
    fig.update_xaxes(title="time step (the test stream, cut into runs of 12 bits and averaged)", dtick=1)
    fig.update_yaxes(title=f"mean {MEASURES[measure]}", rangemode="tozero")
    return base_layout(fig, "Temporal XOR: error over 12 time steps", height,
                       subtitle="Each point is the mean over the test stream; the third bit of each triple is the "
                                "XOR of the two before it.")


def error_sequence(frame: pd.DataFrame, kind: str, labels: dict, *, measure: str = "squared_error",
                   title: str, subtitle: str, height: int = 420) -> go.Figure:
    """Error at every token of a stretch of test text, the tokens written under the axis, points styled by
    `kind` (a column of frame; labels maps each of its values to a legend entry, in the order drawn).

    frame: step, token, previous, loss, squared_error, p_target, the `kind` column, optionally word."""
    frame = frame.sort_values("step")
    fig = go.Figure(go.Scatter(x=frame["step"], y=frame[measure], mode="lines", line={"color": GREY, "width": 1},
                               hoverinfo="skip", showlegend=False))
    for i, (value, label) in enumerate(labels.items()):
        d = frame[frame[kind] == value]
        hover = [f"step {r.step}: “{esc(r.token)}” after “{esc(r.previous)}”"
                 + (f" (in “{esc(r.word)}”)" if "word" in frame else "")
                 + f"<br>{esc(label)}<br>P(“{esc(r.token)}”) = {fmt(r.p_target)}<br>{_hover_errors(r)}"
                 for r in d.itertuples()]
        fig.add_trace(go.Scatter(x=d["step"], y=d[measure], mode="markers", name=esc(label),
                                 marker={**KIND_STYLE[i % len(KIND_STYLE)], "size": 8}, hovertext=hover,
                                 hovertemplate="%{hovertext}<extra></extra>"))
    fig.update_xaxes(title="the letter being predicted", tickmode="array", tickvals=frame["step"].tolist(),
                     ticktext=[esc(t) for t in frame["token"]], tickangle=0, showgrid=False)
    fig.update_yaxes(title=MEASURES[measure], rangemode="tozero")
    return base_layout(fig, title, height, subtitle=subtitle)


def dendrogram(centroids: pd.DataFrame, links: np.ndarray, *, method: str, height: int = 720) -> go.Figure:
    """The words' cluster tree, leaves coloured by class, with the cuts into 2 and 3 clusters marked.

    centroids: one row per word (word, group, classes, detail, count), in the order of the linkage's leaves;
    links: scipy's linkage matrix over those rows."""
    layout = tree_layout(links, no_plot=True)
    xs, ys = [], []
    for icoord, dcoord in zip(layout["icoord"], layout["dcoord"]):  # each link: a ⊐ from two children to a parent
        xs += [*dcoord, None]
        ys += [*icoord, None]
    fig = go.Figure(go.Scatter(x=xs, y=ys, mode="lines", line={"color": GREY, "width": 1.5}, hoverinfo="skip",
                               showlegend=False))
    leaves = (centroids[["word", "group", "classes", "detail", "count"]].iloc[layout["leaves"]]
              .assign(y=5 + 10 * np.arange(len(centroids))))  # scipy puts leaf i at 5 + 10 i
    for group, style in GROUP_STYLE.items():
        d = leaves[leaves["group"] == group]
        hover = [f"<b>{esc(r.word)}</b>: {esc(r.group)} ({esc(r.detail)})<br>Elman's class: {esc(r.classes)}"
                 f"<br>hidden state averaged over {r.count} occurrences" for r in d.itertuples()]
        fig.add_trace(go.Scatter(x=np.zeros(len(d)), y=d["y"], mode="markers", name=group,
                                 marker={**style, "size": 10}, hovertext=hover,
                                 hovertemplate="%{hovertext}<extra></extra>"))
    heights = np.sort(links[:, 2])
    for k in (2, 3):
        if len(heights) >= k:
            fig.add_vline(x=(heights[-k] + heights[-k + 1]) / 2,
                          line={"color": GREY, "dash": "dot"}, annotation_text=f"{k} clusters",
                          annotation_position="top")
    fig.update_yaxes(tickmode="array", tickvals=leaves["y"].tolist(), ticktext=[esc(w) for w in leaves["word"]],
                     showgrid=False, zeroline=False, range=[0, 10 * len(centroids)])
    top = float(heights[-1]) if len(heights) else 1.0
    fig.update_xaxes(title=f"distance between merged clusters ({method} linkage, Euclidean)",
                     range=[-0.02 * top, 1.02 * top])  # room for the leaf markers at 0
    return base_layout(fig, "Lexical categories: the words' hidden states, clustered", height,
                       subtitle="Each word is the network's hidden state averaged over all its occurrences; "
                                "branches join where their states are close.")
