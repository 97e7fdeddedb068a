"""Unroll: the Elman network read one word at a time, with the real numbers of every step."""

from __future__ import annotations

import streamlit as st

from core.trace import elman_terms_all

from .. import captions, render, settings, sidebar, state, text_input, unroll_player

STEP = settings.Setting(
    "step", -1, lo=-1, hi=state.MAX_TOKENS, label="Step",
    help="The step the player opens at (-1: the last); the player's own buttons and slider move it in the browser.")
SETTINGS = (STEP,)


def show_steps(model, trace) -> None:
    """The step player: Step, Back, the slider and Play run in the browser from every step's numbers, sent once.
    The step is read from the link when the session starts; from then on the browser keeps it (and the link)."""
    T = len(trace)
    settings.bind(STEP)
    if not 0 <= settings.get(STEP.key) < T:
        settings.put(STEP.key, T - 1)
    terms = elman_terms_all(model, trace) if trace.config.arch == "elman" else None
    data = unroll_player.player_data(trace, terms, settings.get(STEP.key), trained=bool(trace.config.weights))
    unroll_player.show(data, key="u.player")
    note = captions.unknown_words(trace.tokens, trace.known.tolist(), tokenizer=trace.config.tokenizer)
    if note:
        st.caption(note)
    render.downloads(trace.steps_frame, lambda: unroll_player.standalone_html(data), "unrolled network",
                     key="u.player")


def main() -> None:
    render.page_style()
    st.title("Unroll the network")
    st.markdown(
        "A recurrent network reads a sentence one word at a time. Unrolling draws each time step as its own column, "
        "so the loop becomes a deep feed-forward network whose layers all share the same weights. Step through "
        "the sentence and watch the hidden state h_t carry what has been read so far."
    )
    config = sidebar.config()
    text = text_input.text_box(tokenizer=config.tokenizer)
    trace = render.trace_or_message(config, text, "unroll the network over it")
    if trace is None:
        return
    if not trace.finite:
        st.warning("The hidden state has overflowed (inf or NaN) somewhere: this network explodes. Lower the "
                   "spectral radius or pick tanh, whose outputs stay within ±1.", icon=":material/warning:")
    show_steps(state.get_model(config), trace)
    box = render.folded("Every step as a table", key="u.table", icon=":material/table:")
    with box:
        if box.open:
            st.dataframe(trace.steps_frame(), hide_index=True)  # its CSV is the player's, above
