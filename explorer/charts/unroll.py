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
_LABELLED = 12  # up to this many columns every arrow carries its matrix's name


def _window(n: int, step: int, max_columns: int) -> range:
    """The positions drawn: all of them when they fit, else max_columns around `step`."""
    if n <= max_columns:
        return range(n)
    start = min(max(0, step - max_columns // 2), n - max_columns)
    return range(start, start + max_columns)


def _arrow(x0, y0, x1, y1, weight: str, opacity: float, label: bool) -> list[dict]:
    """An arrow in its matrix's colour, with the matrix's name beside it when `label`."""
    color = WEIGHT[weight][0]
    notes = [{"x": x1, "y": y1, "ax": x0, "ay": y0, "axref": "x", "ayref": "y", "text": "", "showarrow": True,
              "arrowhead": 2, "arrowsize": 1.1, "arrowwidth": 2, "arrowcolor": color, "opacity": opacity}]
    if label:
        horizontal = y0 == y1
        notes.append({"x": (x0 + x1) / 2 + (0 if horizontal else 0.06),
                      "y": (y0 + y1) / 2 + (0.09 if horizontal else 0), "text": f"W<sub>{weight.split('_')[1]}</sub>",
                      "showarrow": False, "opacity": opacity,
                      "font": {"size": 10, "color": color}, "xanchor": "center" if horizontal else "left",
                      "yanchor": "bottom" if horizontal else "middle"})
    return notes


def _box(x: float, row: str, opacity: float, width: float, dash: str | None = None) -> dict:
    y = ROWS[row]
    return {"type": "rect", "x0": x - _BOX_W / 2, "x1": x + _BOX_W / 2, "y0": y - _BOX_H / 2, "y1": y + _BOX_H / 2,
            "fillcolor": ROW_COLOR[row], "opacity": 0.35 * opacity + 0.05,
            "line": {"color": ROW_COLOR[row], "width": width, "dash": dash}}


def _labels(points: list[tuple], opacity: float) -> go.Scatter:
    """The box names as one text trace, hoverable, with customdata = position (clickable in Streamlit)."""
    xs, ys, text, hover, pos = zip(*points)
    return go.Scatter(x=xs, y=ys, mode="text", text=text, hovertext=hover, customdata=pos, showlegend=False,
                      opacity=opacity, hovertemplate="%{hovertext}<extra></extra>")


def _cut(x: float, count: str) -> list[dict]:
    """'…' where columns were left out, with how many."""
    return [{"x": x, "y": ROWS["h"], "text": "…", "showarrow": False, "font": {"color": GREY, "size": 18}},
            {"x": x, "y": ROWS["h"] - 0.3, "text": count, "showarrow": False, "font": {"color": GREY, "size": 10}}]


def unroll_diagram(tokens, step: int, *, predictions=None, max_columns: int = 24) -> go.Figure:
    """One column per token: x_t → h_t → z_t, with h_{t-1} → h_t through the one shared W_hh; steps up to
    `step` are drawn solid, later ones faded; `predictions[t]` (top next word) is written above z_t."""
    n = len(tokens)
    step = min(max(step, 0), n - 1)
    cols = _window(n, step, max_columns)
    here = step - cols.start
    shapes = [{"type": "rect", "x0": here - 0.45, "x1": here + 0.45, "y0": -0.35, "y1": 2.75, "fillcolor": YELLOW,
               "opacity": 0.18, "line": {"width": 0}, "layer": "below"}]
    notes = []  # annotations, collected and set once: adding them one by one costs O(n²)
    label = len(cols) <= _LABELLED  # weight names on every arrow while they fit; the legend names them always
    points = {True: [], False: []}  # step taken? -> [(x, y, text, hover, position)]
    for c, t in enumerate(cols):
        active = t <= step
        opacity = 1.0 if active else _FADED
        shapes += [_box(c, row, opacity, 3 if t == step else 1.5) for row in ROWS]
        tok = esc(tokens[t])
        points[active] += [
            (c, ROWS["x"], f"x<sub>{t}</sub>", f"x<sub>{t}</sub>: the vector of “{tok}” (position {t})", t),
            (c, ROWS["h"], f"h<sub>{t}</sub>", f"h<sub>{t}</sub> = f(W<sub>hx</sub> x<sub>{t}</sub> + "
                                               f"W<sub>hh</sub> h<sub>{t - 1 if t else 'init'}</sub> + b<sub>h</sub>)"
                                               f"<br>the memory after reading “{tok}”", t),
            (c, ROWS["z"], f"z<sub>{t}</sub>", f"z<sub>{t}</sub> = W<sub>zh</sub> h<sub>{t}</sub> + b<sub>z</sub>: "
                                               f"scores for the word after “{tok}”", t),
        ]
        notes += _arrow(c, ROWS["x"] + _BOX_H / 2, c, ROWS["h"] - _BOX_H / 2, "W_hx", opacity, label)
        notes += _arrow(c, ROWS["h"] + _BOX_H / 2, c, ROWS["z"] - _BOX_H / 2, "W_zh", opacity, label)
        notes += _arrow(c - 1 + _BOX_W / 2, ROWS["h"], c - _BOX_W / 2, ROWS["h"], "W_hh", opacity, label)
        if predictions is not None and active:
            notes.append({"x": c, "y": ROWS["z"] + _BOX_H / 2 + 0.05, "showarrow": False, "yanchor": "bottom",
                          "text": f"<i>{short(predictions[t], 10)}</i>", "font": {"size": 11},
                          "textangle": -30 if len(cols) > _LABELLED else 0})
    fig = go.Figure([_labels(pts, 1.0 if active else _FADED) for active, pts in points.items() if pts])
    if cols.start == 0:  # the state before the first word
        shapes.append(_box(-1, "h", 0.0, 1.5, dash="dot"))
        fig.add_trace(go.Scatter(x=[-1], y=[1], mode="text", text=["h<sub>init</sub>"], showlegend=False,
                                 hovertext=["the initial state, before any word is read (zeros by default)"],
                                 hovertemplate="%{hovertext}<extra></extra>"))
    else:
        notes += _cut(-1, f"{cols.start} earlier")
    if cols.stop < n:
        notes += _cut(len(cols), f"{n - cols.stop} more")
        notes += _arrow(len(cols) - 1 + _BOX_W / 2, 1, len(cols) - 0.25, 1, "W_hh", _FADED, False)
    for color, name in WEIGHT.values():
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=name, line={"color": color, "width": 3}))
    fig.update_layout(shapes=shapes, annotations=[{"xref": "x", "yref": "y", **a} for a in notes])
    fig.update_xaxes(title="the token read at each step (reading order →)", tickmode="array",
                     tickvals=list(range(len(cols))), ticktext=[short(tokens[t], 10) for t in cols],
                     range=[-1.7, len(cols) + (0.7 if cols.stop < n else -0.4)], showgrid=False, zeroline=False,
                     fixedrange=True)
    fig.update_yaxes(title="layer", tickmode="array", tickvals=list(ROWS.values()),
                     ticktext=["input x<sub>t</sub>", "hidden h<sub>t</sub>", "output z<sub>t</sub>"],
                     range=[-0.4, 2.95 if predictions is not None else 2.4], showgrid=False, zeroline=False,
                     fixedrange=True)
    return base_layout(fig, f"The RNN unrolled over {n} tokens: step {step} reads “{esc(tokens[step])}”",
                       height=430, subtitle="Every column is the same network; only the state h carries "
                                            "anything from one step to the next.")


def _history_text(history, max_chars: int = 48) -> str:
    """The context as words, cut at the start (at a word boundary) when long: '… up a lively'."""
    words = history.split() if isinstance(history, str) else [str(w) for w in history]
    kept = []
    while words and len(" ".join([words[-1], *kept])) <= max_chars:
        kept.insert(0, words.pop())
    if not kept and words:  # the last word alone is too long: keep its end
        return esc("…" + words[-1][-(max_chars - 1):])
    return esc(("… " if words else "") + " ".join(kept))


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
        hovertemplate="P(“%{customdata[0]}”) = %{customdata[1]}<extra></extra>", showlegend=False,
    ))
    if highlight is not None:
        where = "" if highlight in list(words) else f" (not among these {k})"
        fig.add_trace(go.Bar(x=[None], y=[None], name=f"“{esc(highlight)}”: the word that actually follows{where}",
                             marker={"color": ORANGE}))
    top = float(np.nanmax(p)) if np.isfinite(p).any() else 1.0
    fig.update_xaxes(title="probability", range=[0, min(1.0, top * 1.25) if top > 0 else 1.0])
    fig.update_yaxes(title="candidate next word", tickmode="array", tickvals=list(range(k)),
                     ticktext=[short(w, 16) for w in words], autorange="reversed")
    return base_layout(fig, f"P(next word | {_history_text(history)})", height=140 + 32 * k)
