"""Fixed window vs recurrence: a word outside Bengio et al.'s window has no path to the prediction at all,
while Elman's recurrent state keeps one open (however faint) to every earlier word."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.gradients.reach import reach_counts

from .. import captions, charts, render, settings, sidebar, state, text_input
from ..targets import choose_target, target_setting

WINDOWS = range(1, 11)
WINDOW = settings.Setting("fw.window", 5, kind="slider", label="Window n: how many words the fixed-window model sees",
                          lo=WINDOWS.start, hi=WINDOWS.stop - 1,
                          help="x = [e_{t−n}; …; e_{t−1}]: the n embeddings before the target, side by side.")
TARGET = target_setting("fw.target")
SETTINGS = (WINDOW, TARGET)


def reach(frames: dict[str, pd.DataFrame], target: int, tokenizer: str) -> None:
    """How many earlier words can move the prediction at all, per model: the claim the chart makes, in numbers."""
    cols = st.columns(len(frames))
    for col, (model, frame) in zip(cols, frames.items()):
        reaching, unknown = reach_counts(frame)
        col.metric(f"{model}: {captions.unit(tokenizer, True)} that reach the prediction", f"{reaching} of {target}"
                   + (f" ({unknown} NaN)" if unknown else ""))


def influence(rnn, window, text: str, target: int) -> None:
    """Both models' input gradients on one axis, with the window's edge drawn."""
    n = window.window
    frames = {f"{window.arch_name.lower()} n={n}": state.get_gradients(window, text, target, wrt="input"),
              rnn.arch_name: state.get_gradients(rnn, text, target, wrt="input")}
    reach(frames, target, rnn.tokenizer)
    data = pd.concat([f.assign(model=model) for model, f in frames.items()], ignore_index=True)
    render.chart(charts.influence_by_distance(frames, window=n), data, "influence by distance", key="fw.influence")
    st.caption(f"Each curve: how much the {captions.unit(rnn.tokenizer)} k tokens back moves the loss at the target "
               f"({sidebar.describe(rnn)} "
               f"Elman network, {sidebar.describe(window)} window model). The window's zeros beyond n hold for every "
               "text and every weight (no path exists); the RNN's non-zero reach only says a path exists, not how "
               "much the prediction relies on it.")


def sizes(rnn) -> None:
    """Parameters for every window size beside the RNN's, which do not depend on how much it has read."""
    windows = [rnn.replace(arch="window", window=n) for n in WINDOWS]
    counts = [(w.window, w.arch_name.lower(), state.parameter_count(w)) for w in windows]
    counts += [(n, rnn.arch_name, state.parameter_count(rnn)) for n in WINDOWS]
    frame = pd.DataFrame(counts, columns=["n", "model", "parameters"])
    st.markdown(captions.window_cost(frame, windows[0].arch_name.lower(), rnn.tokenizer))
    render.chart(charts.parameter_counts(frame, captions.unit(rnn.tokenizer, True)), frame, "parameter counts",
                 key="fw.params")
    st.caption("Parameters (embeddings and readout for the lecture's small vocabulary included) for this hidden size "
               "H. They show what a longer context costs, not which model predicts better: more weights also need "
               "more data to train.")


def main() -> None:
    render.page_style()
    st.title("Fixed window vs recurrence")
    st.markdown(
        "Bengio et al.'s (2003) neural language model glues the embeddings of the last n words into one vector and "
        "feeds it through a hidden layer; anything further back is simply not in its input. Elman's network instead "
        "carries a state h_t from word to word, so every earlier word has a path to the prediction, at the price "
        "of passing through many steps."
    )
    st.latex(r"x = [e_{t-n};\, \dots;\, e_{t-1}] \in \mathbb{R}^{nd} \qquad h = \tanh(Wx + b) \qquad z = Uh")
    config = sidebar.config()
    text = text_input.text_box(tokenizer=config.tokenizer)
    rnn = sidebar.sibling(config, "elman")
    trace = render.trace_or_message(rnn, text, "compare the two models on it")
    if trace is None:
        return
    tokens = trace.tokens
    if len(tokens) < 2:
        st.info("Type at least two tokens: the target needs a word before it to look back to.")
        return
    render.overflow_notice(trace)
    left, right = st.columns([1, 1])
    n = settings.control(WINDOW, where=left, label=f"Window n: how many {captions.unit(config.tokenizer, True)} the "
                                                    "fixed-window model sees")
    target = choose_target(tokens, TARGET, right, tokenizer=config.tokenizer)

    st.subheader(f"How far back can a {captions.unit(config.tokenizer)} reach the prediction?", anchor=False)
    window = sidebar.sibling(config, "window")
    if window.window != n:  # the shipped window model has one n; other sizes are untrained
        window = rnn.replace(arch="window", window=n, weights="", w_hh_scale=1.0)
    influence(rnn, window, text, target)
    st.subheader("What a longer context costs", anchor=False)
    sizes(rnn.replace(weights="", w_hh_scale=1.0))
