"""Deeper and both ways: stacked layers read the layer below instead of the words, and a second network reads
the text right to left, which helps every task that has its whole input up front and breaks generation."""

from __future__ import annotations

import streamlit as st

from core.models.config import COMBINES

from .. import captions, charts, quiz, render, settings, sidebar, state, text_input
from ..targets import choose_target, target_setting

COMBINE_HELP = {"concat": "[h→; h←], twice as long", "mean": "(h→ + h←)/2", "max": "elementwise max"}
LAYERS = settings.Setting("deep.layers", 2, kind="slider", label="Layers L", lo=1, hi=4,
                          help="Layer l reads the states of layer l − 1 at the same step; layer 0 reads the words.")
BIDIRECTIONAL = settings.Setting("deep.bidir", True, kind="toggle", label="Bidirectional",
                                 help="Add a second network, with its own weights, that reads the text right to left.")
COMBINE = settings.Setting("deep.combine", "concat", kind="radio", label="Combine the two directions by",
                           options=COMBINES, names=lambda c: f"{c}: {COMBINE_HELP[c]}",
                           help="What the readout W_zh sees at each step.")
DIRECTION = settings.Setting("deep.dir", 0, kind="radio", label="Network shown", options=(0, 1),
                             names={0: "left to right (forward)", 1: "right to left (backward)"})  # of the heatmaps
TARGET = target_setting("deep.target")
SETTINGS = (LAYERS, BIDIRECTIONAL, COMBINE, DIRECTION, TARGET)

TASKS = quiz.Question(
    "For which of the following task types can we use a bidirectional RNN?",
    (
        quiz.Option("(a) classification", True,
                    "yes: the whole text (a review, an e-mail) is given before the one label is needed, so the "
                    "backward network can read all of it too."),
        quiz.Option("(b) sequence labelling", True,
                    "yes: tagging word t (part of speech, named entity) may use the words after it, and they are "
                    "all in the input already."),
        quiz.Option("(c) text generation", False,
                    "no: when word t is being generated, the words after it do not exist yet, so there is nothing "
                    "for the backward network to read (trained on full texts, it would learn to copy the answer)."),
    ),
)


def architecture(config):
    """Layers, directions and how the two directions are merged; returns the page's configuration."""
    if sidebar.presenter():  # on a projector one button, so that the heat map starts on the first screen
        cols = [st.popover("Layers, directions and how they combine", icon=":material/tune:")] * 3
    else:
        cols = st.columns(3)
    layers = settings.control(LAYERS, where=cols[0])
    bidirectional = settings.control(BIDIRECTIONAL, where=cols[1])
    combine = settings.control(COMBINE, where=cols[2], horizontal=True, disabled=not bidirectional)
    return config.replace(num_layers=layers, bidirectional=bidirectional,
                          combine=combine if bidirectional else "concat")


def sizes(cfg, trace) -> None:
    """What the layer and combine choices cost and change, in numbers (concat doubles the readout's input)."""
    cols = st.columns(3)
    cols[0].metric("Units per layer and direction, H", cfg.hidden_size)
    cols[1].metric("What the readout sees at each step", trace.output.shape[-1],
                   help="concat puts both directions side by side (2H); mean and max keep H.")
    cols[2].metric("Parameters", f"{state.parameter_count(cfg):,}", help="Each layer and direction has its own W_hx, "
                                                                         "W_hh and b_h.")


def heatmaps(cfg, text: str, trace) -> None:
    """One tab per layer: every unit's state at every step, for the chosen direction."""
    direction = 0
    if cfg.bidirectional:
        direction = settings.control(DIRECTION, horizontal=True,  # in presenter mode the options say it
                                     label_visibility="collapsed" if sidebar.presenter() else "visible")
    for layer, tab in enumerate(st.tabs([f"Layer {layer}" for layer in range(cfg.num_layers)])):
        with tab:
            render.chart(charts.hidden_heatmap(trace, layer=layer, direction=direction),
                         state.get_states_frame(cfg, text, ("h",), layer, direction), f"hidden states layer {layer}",
                         key=f"deep.heat{layer}")
    st.caption("Rows are units, columns are steps. Higher layers see the words only through the layers below; one "
               "text and random weights cannot tell what each layer would come to encode after training.")


def gradients(cfg, text: str, target: int, tokens) -> None:
    frame = state.get_gradients(cfg, text, target)
    render.chart(charts.gradient_vs_distance(frame), frame, "gradients by layer and direction", key="deep.grad")
    st.caption("One curve per layer and direction, for this one text, target and random weights: it shows which "
               "states the prediction depends on, not what a trained network would rely on.")
    if cfg.bidirectional:
        st.markdown(
            "**A bidirectional “language model” cheats.** The readout predicts word t from the states at step "
            "t − 1, and the right-to-left network's state there has already read word t and everything after it. "
            "That is why the curves continue to k ≤ 0 (the target and the words after it). Only the top layer's "
            "left-to-right curve is exactly zero there (no path runs backwards in time), and only the top "
            "right-to-left one is exactly zero before step t − 1; below the top, each layer's states feed both "
            "directions above it, so they reach the prediction from either side."
        )
        st.markdown(captions.backward_peek(frame, tokens[target]))


def main() -> None:
    render.page_style()
    st.title("Deeper and both ways")
    st.markdown(
        "Stacking recurrent layers lets each layer build on the states of the one below, the way deeper "
        "feed-forward networks build features on features. A bidirectional RNN runs a second network from the last "
        "word to the first and combines both states at every step, so each position knows its left and its right "
        "context: useful whenever the whole input is available before any output is needed."
    )
    st.latex(r"h^{(\ell)}_t = f\big(W^{(\ell)}_{hx} h^{(\ell-1)}_t + W^{(\ell)}_{hh} h^{(\ell)}_{t-1}"
             r" + b^{(\ell)}_h\big),\quad h^{(0)}_t \text{ reads } x_t"
             r"\qquad y_t = [\overrightarrow{h}_t; \overleftarrow{h}_t] \text{ (concat)}")
    config = sidebar.config()
    text = text_input.text_box(tokenizer=config.tokenizer)
    # On a projector the heat map comes right under the shape controls; the notes and the sizes follow it.
    order = ("arch", "heat", "notes", "sizes") if sidebar.presenter() else ("notes", "arch", "sizes", "heat")
    box = {name: st.container() for name in order}
    with box["notes"]:
        if config.weights:
            st.info("This page builds untrained networks of any shape, so it uses an untrained network of the "
                    "sidebar model's size: stacking and reversing are about structure, not about what was learned.",
                    icon=":material/science:")
        if not config.is_recurrent:
            st.info(captions.window_deeper_note(config), icon=":material/info:")
            config = config.replace(arch="elman")
    with box["arch"]:
        cfg = architecture(config.replace(weights="", w_hh_scale=1.0))
    with box["heat"]:
        trace = render.trace_or_message(cfg, text, "run the deeper network on it")
        if trace is None:
            return
        render.overflow_notice(trace)
        st.subheader("Hidden states, layer by layer", anchor=False)
        heatmaps(cfg, text, trace)
    with box["sizes"]:
        sizes(cfg, trace)

    st.subheader("Gradients per layer and direction", anchor=False)
    if len(trace) < 2:
        st.info("Type at least two tokens: the target needs a word before it to look back to.")
    else:
        gradients(cfg, text, choose_target(trace.tokens, TARGET, tokenizer=cfg.tokenizer), trace.tokens)

    st.subheader("Question from the lecture", anchor=False)
    quiz.ask(TASKS, "deep.quiz")
