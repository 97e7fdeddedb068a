"""The network unrolled in time, drawn as the lecture draws it, and its next-word prediction at one step."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .style import BLUE, GREEN, GREY, ORANGE, SKY, YELLOW, base_layout, esc, fmt, short

ROWS = {"x": 0.0, "h": 1.0, "z": 2.0}  # y of each row of boxes
ROW_COLOR = {"x": SKY, "h": ORANGE, "z": GREEN}
WEIGHT = {  # arrow colour and legend entry of each weight matrix
    "W_hh": (ORANGE, "W<sub>hh</sub>: one shared matrix, the same at every step"),
    "W_hx": (BLUE, "W<sub>hx</sub>: input → hidden (also shared)"),
    "W_zh": (GREEN, "W<sub>zh</sub>: hidden → next-word scores (also shared)"),
}
_BOX_W, _BOX_H = 0.62, 0.38
_FADED = 0.25  # opacity of the steps not taken yet


def _window(n: int, step: int, max_columns: int) -> range:
    """The positions drawn: all of them when they fit, else max_columns around `step`."""
    if n <= max_columns:
        return range(n)
    start = min(max(0, step - max_columns // 2), n - max_columns)
    return range(start, start + max_columns)


def _arrow(fig: go.Figure, x0, y0, x1, y1, weight: str, opacity: float, label: bool) -> None:
    color = WEIGHT[weight][0]
    fig.add_annotation(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y", text="",
                       showarrow=True, arrowhead=2, arrowsize=1.1, arrowwidth=2, arrowcolor=color, opacity=opacity)
    if label:
        sub = weight.split("_")[1]
        horizontal = y0 == y1
        fig.add_annotation(x=(x0 + x1) / 2 + (0 if horizontal else 0.06), y=(y0 + y1) / 2 + (0.09 if horizontal else 0),
                           xref="x", yref="y", text=f"W<sub>{sub}</sub>", showarrow=False, opacity=opacity,
                           font={"size": 10, "color": color}, xanchor="center" if horizontal else "left",
                           yanchor="bottom" if horizontal else "middle")


def unroll_diagram(tokens, step: int, *, predictions=None, max_columns: int = 24) -> go.Figure:
    """One column per token: x_t → h_t → z_t, with h_{t-1} → h_t through the one shared W_hh; steps up to
    `step` are drawn solid, later ones faded; `predictions[t]` (top next word) is written above z_t."""
    n = len(tokens)
    step = min(max(step, 0), n - 1)
    cols = _window(n, step, max_columns)
    fig = go.Figure()
    fig.add_shape(type="rect", x0=step - cols.start - 0.45, x1=step - cols.start + 0.45, y0=-0.35, y1=2.75,
                  fillcolor=YELLOW, opacity=0.18, line_width=0, layer="below")
    label = len(cols) <= 16  # weight names on every arrow while they fit; the legend names them always
    points = {True: [], False: []}  # active? -> (x, y, text, hover, position)
    for c, t in enumerate(cols):
        active = t <= step
        opacity = 1.0 if active else _FADED
        width = 3 if t == step else 1.5
        for row, y in ROWS.items():
            fig.add_shape(type="rect", x0=c - _BOX_W / 2, x1=c + _BOX_W / 2, y0=y - _BOX_H / 2, y1=y + _BOX_H / 2,
                          fillcolor=ROW_COLOR[row], opacity=0.35 * opacity + 0.05, line={"color": ROW_COLOR[row],
                                                                                         "width": width})
        tok = esc(tokens[t])
        points[active] += [
            (c, ROWS["x"], f"x<sub>{t}</sub>", f"x<sub>{t}</sub>: the vector of “{tok}” (position {t})", t),
            (c, ROWS["h"], f"h<sub>{t}</sub>", f"h<sub>{t}</sub> = f(W<sub>hx</sub> x<sub>{t}</sub> + "
                                               f"W<sub>hh</sub> h<sub>{t - 1 if t else 'init'}</sub> + b<sub>h</sub>)"
                                               f"<br>the memory after reading “{tok}”", t),
            (c, ROWS["z"], f"z<sub>{t}</sub>", f"z<sub>{t}</sub> = W<sub>zh</sub> h<sub>{t}</sub> + b<sub>z</sub>: "
                                               f"scores for the word after “{tok}”", t),
        ]
        _arrow(fig, c, ROWS["x"] + _BOX_H / 2, c, ROWS["h"] - _BOX_H / 2, "W_hx", opacity, label)
        _arrow(fig, c, ROWS["h"] + _BOX_H / 2, c, ROWS["z"] - _BOX_H / 2, "W_zh", opacity, label)
        _arrow(fig, c - 1 + _BOX_W / 2, ROWS["h"], c - _BOX_W / 2, ROWS["h"], "W_hh", opacity, True)
        if predictions is not None and active:
            fig.add_annotation(x=c, y=ROWS["z"] + _BOX_H / 2 + 0.05, xref="x", yref="y", showarrow=False,
                               text=f"<i>{short(predictions[t], 10)}</i>", yanchor="bottom", textangle=-30 if
                               len(cols) > 12 else 0, font={"size": 11})
    for active, pts in points.items():
        if pts:
            xs, ys, text, hover, pos = zip(*pts)
            fig.add_trace(go.Scatter(
                x=xs, y=ys, mode="text", text=text, hovertext=hover, customdata=pos, showlegend=False,
                opacity=1.0 if active else _FADED, hovertemplate="%{hovertext}<extra></extra>",
            ))
    if cols.start == 0:  # the state before the first word
        fig.add_shape(type="rect", x0=-1 - _BOX_W / 2, x1=-1 + _BOX_W / 2, y0=1 - _BOX_H / 2, y1=1 + _BOX_H / 2,
                      line={"color": ORANGE, "dash": "dot"})
        fig.add_trace(go.Scatter(x=[-1], y=[1], mode="text", text=["h<sub>init</sub>"], showlegend=False,
                                 hovertext=["the initial state, before any word is read (zeros by default)"],
                                 hovertemplate="%{hovertext}<extra></extra>"))
    else:
        fig.add_annotation(x=-1, y=1, xref="x", yref="y", text=f"… {cols.start} earlier", showarrow=False,
                           font={"color": GREY})
    if cols.stop < n:
        fig.add_annotation(x=len(cols), y=1, xref="x", yref="y", text=f"{n - cols.stop} more …", showarrow=False,
                           font={"color": GREY})
        _arrow(fig, len(cols) - 1 + _BOX_W / 2, 1, len(cols) - _BOX_W / 2 + 0.2, 1, "W_hh", _FADED, False)
    for color, name in WEIGHT.values():
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=name, line={"color": color, "width": 3}))
    fig.update_xaxes(title="the token read at each step (reading order →)", tickmode="array",
                     tickvals=list(range(len(cols))), ticktext=[short(tokens[t], 10) for t in cols],
                     range=[-1.6, len(cols) + (0.9 if cols.stop < n else -0.4)], showgrid=False, zeroline=False,
                     fixedrange=True)
    fig.update_yaxes(title="", tickmode="array", tickvals=list(ROWS.values()),
                     ticktext=["input x<sub>t</sub>", "hidden h<sub>t</sub>", "output z<sub>t</sub>"],
                     range=[-0.4, 2.95 if predictions is not None else 2.4], showgrid=False, zeroline=False,
                     fixedrange=True)
    return base_layout(fig, f"The RNN unrolled over {n} tokens: step {step} reads “{esc(tokens[step])}”",
                       height=430, subtitle="Every column is the same network; only the state h carries "
                                            "anything from one step to the next.")


def _history_text(history, max_chars: int = 48) -> str:
    text = " ".join(history) if not isinstance(history, str) else history
    return esc(text if len(text) <= max_chars else "…" + text[-(max_chars - 1):])


def next_word_bars(words, probs, *, history, highlight: str | None = None) -> go.Figure:
    """The top-k candidates for the next word and their probabilities, most likely on top."""
    p = np.asarray(probs, dtype=float)
    k = len(words)
    colors = [ORANGE if w == highlight else BLUE for w in words]
    labels = [fmt(v) if np.isfinite(v) else "NaN (the network overflowed)" for v in p]
    fig = go.Figure(go.Bar(
        x=np.nan_to_num(p, nan=0.0), y=np.arange(k), orientation="h", marker={"color": colors},
        text=labels, textposition="outside", cliponaxis=False,
        customdata=np.stack([np.array([esc(w) for w in words], dtype=object), labels], axis=-1),
        hovertemplate="P(“%{customdata[0]}”) = %{customdata[1]}<extra></extra>",
    ))
    if highlight is not None:
        fig.add_trace(go.Bar(x=[None], y=[None], name=f"“{esc(highlight)}”: the word that actually follows",
                             marker={"color": ORANGE}))
    top = float(np.nanmax(p)) if np.isfinite(p).any() else 1.0
    fig.update_xaxes(title="probability", range=[0, min(1.0, top * 1.25) if top > 0 else 1.0])
    fig.update_yaxes(title="candidate next word", tickmode="array", tickvals=list(range(k)),
                     ticktext=[short(w, 16) for w in words], autorange="reversed")
    return base_layout(fig, f"P(next word | {_history_text(history)})", height=140 + 32 * k)
