"""The backprop review's network, drawn as on the slides: inputs x, two hidden layers φ_i1 and φ_i2, the output
ŷ; each weight an edge (its width its size, its colour its sign), and the chain of one derivative highlighted."""

from __future__ import annotations

import plotly.graph_objects as go

from core.backprop_review import N, Review, node

from .style import BLUE, GREY, ORANGE, VERMILLION, base_layout, fmt

X = {0: 0.0, 1: 1.0, 2: 2.0, "out": 3.0}  # column of each layer
NAMES = {0: "x<sub>{i}</sub>", 1: "φ<sub>{i}1</sub>", 2: "φ<sub>{i}2</sub>"}


def _pos(name: str) -> tuple[float, float]:
    if name == "out":
        return X["out"], (N - 1) / 2
    layer = 0 if name.startswith("x") else int(name[-1])
    unit = int(name[1]) - 1 if layer == 0 else int(name[3]) - 1
    return X[layer], float(N - 1 - unit)  # unit 1 on top


def _label_side(src: tuple[float, float], dst: tuple[float, float]) -> str:
    """Where an edge's label goes so that it clears the line: above it, on the side the line slopes away from
    (centred above a sloped line, the line would run through the text)."""
    rise = dst[1] - src[1]
    return "top center" if rise == 0 else "top left" if rise > 0 else "top right"


def _weights(review: Review) -> list[tuple[str, str, str, float]]:
    """(from, to, lecture's name, value) for every edge: W_ℓ[j, i] = w_ij^ℓ runs from unit i to unit j."""
    net = review.network
    out = []
    for layer, W in ((0, net.W_0), (1, net.W_1)):
        for i in range(N):
            for j in range(N):
                out.append((node(layer, i), node(layer + 1, j), f"w<sub>{i + 1}{j + 1}</sub><sup>ℓ={layer}</sup>",
                            float(W[j, i])))
    for j in range(N):
        out.append((node(2, j), "out", f"w<sub>{j + 1}</sub><sup>o</sup>", float(net.W_out[j])))
    return out


def network_diagram(review: Review, highlight: str | None = None) -> go.Figure:
    """Every unit with its value and every weight as an edge; the edges and units of `highlight`'s chain (a
    Term's key) drawn thick in orange, with the weights it multiplies written on them."""
    term = review.term(highlight) if highlight else None
    chain = set(term.edges) if term else set()
    on_chain = {n for edge in chain for n in edge}
    fig = go.Figure()
    weights = _weights(review)
    biggest = max(abs(w) for *_, w in weights) or 1.0
    for src, dst, _, w in weights:  # one trace per edge: Plotly gives one width per trace
        (x0, y0), (x1, y1) = _pos(src), _pos(dst)
        hot = (src, dst) in chain
        fig.add_trace(go.Scatter(
            x=[x0, x1], y=[y0, y1], mode="lines", showlegend=False, hoverinfo="skip",
            line={"color": ORANGE if hot else (VERMILLION if w > 0 else BLUE),
                  "width": 7 if hot else 0.8 + 3.2 * abs(w) / biggest},
            opacity=1.0 if hot or not chain else 0.35))
    fig.add_trace(go.Scatter(  # hover targets (and labels on the chain) near each edge's middle
        x=[(_pos(s)[0] * 0.4 + _pos(d)[0] * 0.6) for s, d, *_ in weights],
        y=[(_pos(s)[1] * 0.4 + _pos(d)[1] * 0.6) for s, d, *_ in weights],
        mode="markers+text", marker={"size": 10, "color": "rgba(0,0,0,0)"}, showlegend=False, name="weights",
        text=[f"{name} = {fmt(w, 3)}" if (s, d) in chain else "" for s, d, name, w in weights],
        textposition=[_label_side(_pos(s), _pos(d)) for s, d, *_ in weights], textfont={"color": ORANGE, "size": 16},
        hovertemplate="%{customdata}<extra></extra>",
        customdata=[f"{name} = {fmt(w)}" for _, _, name, w in weights]))
    units = [(node(layer, i), NAMES[layer].format(i=i + 1), value)
             for layer, values in ((0, review.network.x), (1, review.h_1), (2, review.h_2))
             for i, value in enumerate(values.tolist())]
    units.append(("out", "ŷ", review.y_hat))
    fig.add_trace(go.Scatter(
        x=[_pos(n)[0] for n, *_ in units], y=[_pos(n)[1] for n, *_ in units], mode="markers+text", name="units",
        marker={"size": 46, "color": "white",
                "line": {"width": [5 if n in on_chain else 2 for n, *_ in units],
                         "color": [ORANGE if n in on_chain else GREY for n, *_ in units]}},
        text=[label for _, label, _ in units], textfont={"size": 17, "color": "#222222"}, showlegend=False,
        customdata=[f"{label} = {fmt(v)}" for _, label, v in units], hovertemplate="%{customdata}<extra></extra>"))
    for n, _, value in units:  # each unit's value under it
        x, y = _pos(n)
        fig.add_annotation(x=x, y=y - 0.3, text=fmt(value, 3), showarrow=False, font={"size": 13})
    fig.add_annotation(x=X["out"] + 0.35, y=(N - 1) / 2, xanchor="left", showarrow=False, align="left",
                       text=f"L = {fmt(review.loss, 3)}<br>y = {review.network.y:g}", font={"size": 15})
    title = "The lecture's network" + (f": the chain of {_title(term)} in orange" if term else "")
    base_layout(fig, title, height=430,
                subtitle="Edge width: the size of the weight; red positive, blue negative. Hover for every value.")
    fig.update_xaxes(title_text="layer", range=[-0.35, X["out"] + 0.9], showgrid=False, zeroline=False,
                     tickvals=[X[0], X[1], X[2], X["out"]],
                     ticktext=["input x", "h<sub>1</sub> = φ<sub>1</sub>(W<sub>0</sub>x)",
                               "h<sub>2</sub> = φ<sub>2</sub>(W<sub>1</sub>h<sub>1</sub>)",
                               "ŷ = φ<sub>o</sub>(W<sub>out</sub>h<sub>2</sub>)"])
    fig.update_yaxes(title_text="unit", range=[-0.6, N - 0.5], showgrid=False, zeroline=False,
                     tickvals=list(range(N)), ticktext=[f"{N - i}" for i in range(N)])
    fig.update_layout(margin={"l": 60, "r": 10, "t": 80, "b": 70})
    return fig


def _title(term) -> str:
    """∂L/∂φ_12 (or one path of it) in Plotly's HTML."""
    unit = term.key.split("@")[0]
    sub = unit[3:]
    base = f"∂L/∂φ<sub>{sub}</sub>"
    if "@" in term.key:
        return f"{base} through φ<sub>{term.key.split('@')[1][3:]}</sub>"
    return base
