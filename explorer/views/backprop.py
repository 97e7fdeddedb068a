"""Backprop review: the lecture's two-layer feed-forward network with 3×3 weights, each partial derivative of the
slides as its chain-rule product with live numbers, the chain highlighted on the drawing, and autograd beside it.
The lecture builds backpropagation through time on exactly this."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import backprop_review as core_review

from .. import backprop_review as text
from .. import charts, render, settings, state

# The order the slides take the derivatives in; the same keys for every network, so one small review lists them.
KEYS = tuple(text.slide_order(core_review.review(core_review.lecture_network())))
TERM = settings.Setting("bp.term", "phi12", kind="select", label="Derivative", options=KEYS, names=text.label,
                        help="The slides' derivatives first, then the paths they leave out and the full sums.")
LABEL = settings.Setting("bp.y", 1, kind="select", label="Label y", options=(0, 1),
                         help="∂L/∂ŷ depends on the label.")
ACTIVATION = settings.Setting("bp.act", "sigmoid", kind="select", label="φ₁, φ₂",
                              options=tuple(core_review.ACTIVATIONS),
                              help="The hidden layers' activation; φ_o is the sigmoid, L the cross-entropy.")
SEED = settings.Setting("bp.seed", 0, kind="number", label="Weights seed", lo=0, hi=9999, step=1,
                        help="New random weights W_0, W_1, W_out and input x.")
SETTINGS = (TERM, LABEL, ACTIVATION, SEED)


def controls() -> core_review.Review:
    """The derivative to follow, the label, the activation and the weights; returns the network they describe."""
    cols = st.columns([3, 1, 1, 1], vertical_alignment="bottom")
    y = settings.control(LABEL, where=cols[1])
    activation = settings.control(ACTIVATION, where=cols[2])
    seed = settings.control(SEED, where=cols[3])
    review = state.get_review(seed, y, activation)
    settings.control(TERM, where=cols[0])
    return review


def derivation(review: core_review.Review, term: core_review.Term) -> None:
    """The slide's equation, the same with numbers, and autograd's answer beside it."""
    left, right = st.columns([3, 1], vertical_alignment="center")
    with left:
        st.latex(text.symbolic(term, review))
        st.latex(text.numeric(term, review))
    right.metric("torch.autograd", f"{term.autograd:.6g}", help="The same derivative by loss.backward().")
    right.caption(f"|hand − autograd| = {term.difference:.1e}")
    st.caption(text.paths_note(term, review))


def table(review: core_review.Review) -> pd.DataFrame:
    return pd.DataFrame([{"derivative": text.label(k), "chain rule by hand": review.term(k).hand,
                          "autograd": review.term(k).autograd, "|difference|": review.term(k).difference}
                         for k in text.slide_order(review)])


def main() -> None:
    render.page_style()
    st.title("Backpropagation review")
    st.markdown(
        "Before the recurrent case, the lecture reviews backpropagation on a small feed-forward network: three "
        "inputs, two hidden layers of three units, one output ŷ. Each derivative is a product of local factors "
        "along the path from a unit to the loss; pick one and follow its path on the drawing."
    )
    review = controls()
    term = review.term(settings.get(TERM.key))
    render.chart(charts.network_diagram(review, term.key), table(review), "backprop review", key="bp.net")
    derivation(review, term)
    agree, sentence = text.agreement(review)
    if agree:
        st.success(sentence, icon=":material/check_circle:")
    else:
        st.warning(sentence, icon=":material/warning:")
    derivatives = render.folded("Every derivative, by hand and by autograd", key="bp.table", icon=":material/table:")
    with derivatives:
        if derivatives.open:
            st.dataframe(table(review), hide_index=True)
    weights = render.folded("The network's weights", key="bp.weights", icon=":material/grid_on:")
    with weights:
        if weights.open:
            net = review.network
            cols = st.columns(3)
            for col, name, matrix in ((cols[0], "W_0", net.W_0), (cols[1], "W_1", net.W_1),
                                      (cols[2], "W_out", net.W_out[None, :])):
                col.markdown(f"**{name}** (row j holds the weights into unit j)")
                col.dataframe(pd.DataFrame(matrix.numpy()).round(3))
    st.caption("From here the lecture asks how to extend this to a recurrent network: unrolled, it is such a "
               "feed-forward network, one layer per step, with the same W_hh in every layer (next: BPTT by hand).")
