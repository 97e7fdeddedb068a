"""BPTT by hand: the lecture's chain of Jacobians dh_t/dh_s, factor by factor, checked against autograd; the
LSTM's and GRU's full-state Jacobians the same way; the fixed-window model's input gradient instead."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import captions, charts, render, settings, sidebar, state, text_input
from ..positions import default_target

MAX_FACTORS = 60  # each factor is shown with its exact spectral norm (one SVD each)
# Steps of the text: the choices are its positions, built per run (-1: not chosen yet, the defaults below).
T_SET = settings.Setting("bt", -1, settings.integer(-1, state.MAX_TOKENS), kind="select", label="Later step t")
S_SET = settings.Setting("bs", -1, settings.integer(-1, state.MAX_TOKENS), kind="select", label="Earlier step s",
                         help=f"Up to {MAX_FACTORS} steps back: each factor gets its own exact spectral norm.")
SETTINGS = (T_SET, S_SET)


def positions(T: int) -> tuple[int, int]:
    """Valid (t, s) from the URL or defaults: the last step, and up to 10 steps before it."""
    for s in (T_SET, S_SET):
        settings.bind(s)
    t = settings.get(T_SET)
    if not 1 <= t < T:
        t = T - 1
    s = settings.get(S_SET)
    if not (0 <= s < t and t - s <= MAX_FACTORS):
        s = max(0, t - 10)
    settings.put(T_SET, t)
    settings.put(S_SET, s)
    return t, s


def window(config, text: str, tokens) -> None:
    """The fixed-window model has no chain to write out: what does apply is its input gradient."""
    st.info(captions.not_elman_note(config), icon=":material/info:")
    target = default_target(tokens)
    frame = state.get_gradients(config, text, target, "input")
    render.chart(charts.gradient_vs_distance(frame, title=f"How strongly each input x_s reaches the prediction of "
                                                          f"“{tokens[target]}”"), frame, "input gradient",
                 key="b.window")


def main() -> None:
    render.page_style()
    st.title("Backpropagation through time, by hand")
    st.markdown(
        "Unrolled, the network is a deep feed-forward net, so the chain rule applies step by step. How much h_t "
        "depends on an earlier h_s is a product of one Jacobian per step in between, each the same W_hh scaled "
        "row by row by the slopes f′(u_i):"
    )
    st.latex(r"\frac{\partial h_t}{\partial h_s} = \prod_{i=t}^{s+1} \frac{\partial h_i}{\partial h_{i-1}}"
             r" = \prod_{i=t}^{s+1} \operatorname{diag}\big(f'(u_i)\big)\, W_{hh}")
    config = sidebar.config()
    text = text_input.text_box(tokenizer=config.tokenizer)
    trace = render.trace_or_message(config, text, "take its derivative by hand")
    if trace is None:
        return
    T = len(trace)
    if T < 2:
        st.info("Type at least two tokens: the derivation needs a later step t and an earlier step s.")
        return
    if not config.is_recurrent:
        window(config, text, trace.tokens)
        return
    if config.arch != "elman":
        st.caption(captions.state_chain_note(config))
    t, s = positions(T)
    label = {p: f"{p} · {trace.tokens[p]}" for p in range(T)}
    left, right = st.columns(2)
    settings.control(T_SET.with_options(range(1, T)), where=left, format_func=label.get)
    settings.control(S_SET.with_options(range(max(0, t - MAX_FACTORS), t)), where=right, format_func=label.get)
    d = state.get_derivation(config, text, t, s)
    frame = state.factor_frame(d, trace.tokens)
    render.chart(charts.factor_norms(d), frame, "bptt factors", key="b.factors")
    st.caption(captions.factor_caption(d))
    m = st.columns(3)
    S = "(h, c)" if d.state == "hc" else "h"
    m[0].metric(f"‖∂{S}_{t}/∂{S}_{s}‖₂ by hand", f"{d.factors[-1].running_norm:.3g}")
    m[1].metric("max |hand − autograd|", f"{d.max_abs_diff:.1e}")
    m[2].metric("factors", len(d.factors))
    if d.agrees:
        st.success(f"The hand-written product and torch.autograd agree: the largest difference is "
                   f"{d.relative_diff:.1e} of the largest entry (float64).", icon=":material/check_circle:")
    else:
        st.warning(f"The two differ by {d.relative_diff:.1e} of the largest entry: the network has overflowed or "
                   "the products are too large for float64 to carry exactly.", icon=":material/warning:")
    pick = st.select_slider("Show factor i", [f.step for f in reversed(d.factors)], value=d.factors[0].step)
    factor = next(f for f in d.factors if f.step == pick)
    cols = st.columns(3)
    name = f"diag(f′(u_{pick})) W_hh" if factor.fprime is not None else f"∂{S}_{pick}/∂{S}_{pick - 1}"
    for col, matrix, title, key in ((cols[0], factor.matrix, name, "b.factor"),
                                    (cols[1], d.product, f"∂{S}_{t}/∂{S}_{s} by hand", "b.product"),
                                    (cols[2], d.autograd, f"∂{S}_{t}/∂{S}_{s} by autograd", "b.autograd")):
        with col:
            render.chart(charts.matrix_heatmap(matrix, title=title), pd.DataFrame(matrix.numpy()), title, key=key)
