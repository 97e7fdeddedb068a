"""Unroll: the Elman network read one word at a time, with the real numbers of every step."""

import pandas as pd
import streamlit as st

from core.trace import elman_terms
from explorer import charts, latex, render, settings, sidebar, state, text_input

STEP = settings.Setting("step", -1, settings.integer(-1, state.MAX_TOKENS))  # -1: the last step
PLAYING = "u.playing"
PLAY_SECONDS = 0.9


def set_step(value: int) -> None:
    settings.put("step", value)


def reset() -> None:
    st.session_state[PLAYING] = False
    settings.put("step", 0)


def toggle_play() -> None:
    st.session_state[PLAYING] = not st.session_state.get(PLAYING, False)


def step_controls(T: int) -> int:
    """Step / play / reset, Playground-style; returns the step to show."""
    settings.bind(STEP)
    if not 0 <= settings.get("step") < T:
        settings.put("step", T - 1)
    step = settings.get("step")
    playing = st.session_state.get(PLAYING, False)
    row = st.container(horizontal=True, vertical_alignment="center")
    row.button("Reset", icon=":material/first_page:", on_click=reset, help="Back to the first word (same seed).")
    row.button("Back", icon=":material/chevron_left:", on_click=set_step, args=(max(step - 1, 0),),
               disabled=step == 0)
    row.button("Step", icon=":material/chevron_right:", on_click=set_step, args=(min(step + 1, T - 1),),
               disabled=step == T - 1)
    row.button("Pause" if playing else "Play", icon=":material/pause:" if playing else ":material/play_arrow:",
               on_click=toggle_play)
    if T > 1:
        row.slider("Step t", 0, T - 1, key=settings.widget_key("step"), on_change=settings.on_change("step"),
                   label_visibility="collapsed")
    return step


def show_step(model, trace, step: int) -> None:
    tokens = trace.tokens
    probs, ids = trace.top_k(8)
    top1 = [trace.vocab[i] for i in ids[:, 0].tolist()]
    render.chart(charts.unroll_diagram(tokens, step, predictions=top1), trace.steps_frame(), "unrolled network",
                 key="u.diagram")
    st.caption("One column per word: x_t enters, h_t carries the memory forward through the same W_hh at every "
               "step, and z_t scores every word in the vocabulary as the next one.")
    left, right = st.columns([3, 2])
    with left:
        st.markdown(f"**Step {step}: reading “{tokens[step]}”**")
        if trace.config.arch == "elman":
            for line in latex.elman_step(elman_terms(model, trace, step), step, trace.config.activation):
                st.latex(line)
            st.caption("The first six of the hidden units. W_hx x_t brings in the new word, W_hh h_{t−1} brings in "
                       "everything read so far: that second term is the network's memory.")
        if not bool(trace.known[step]):
            st.caption(f"“{tokens[step]}” is not in the vocabulary: its input x_t is a fixed random vector made from "
                       "the word itself, and as a prediction target it counts as <unk>.")
    with right:
        words = [trace.vocab[i] for i in ids[step].tolist()]
        nxt = tokens[step + 1].lower() if step + 1 < len(tokens) else None
        recent = tokens[max(0, step - 4): step + 1]  # the title names the last few words; the rest is "…"
        history = ("…", *recent) if step > 4 else recent
        fig = charts.next_word_bars(words, probs[step].tolist(), history=history, highlight=nxt)
        render.chart(fig, pd.DataFrame({"word": words, "probability": probs[step].tolist()}),
                     "next word probabilities", key="u.next")
        st.caption("softmax(z_t): the probability of each word coming next. " + (
            "Trained on Shakespeare, the network puts its mass on words that fit what it has read; rare words all "
            "share <unk>, so <unk> is often near the top." if trace.config.weights else
            "An untrained network spreads it almost evenly; that is what “untrained” looks like."))


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
    model = state.get_model(config)
    T = len(trace)
    step = step_controls(T)

    @st.fragment(run_every=PLAY_SECONDS if st.session_state.get(PLAYING) else None)
    def animated() -> None:
        current = settings.get("step")
        if st.session_state.get(PLAYING):
            if current >= T - 1:
                st.session_state[PLAYING] = False
            else:
                current += 1
                settings.put("step", current)
        show_step(model, trace, current)

    if st.session_state.get(PLAYING):
        animated()
    else:
        show_step(model, trace, step)
    with st.expander("Every step as a table", icon=":material/table:"):
        frame = trace.steps_frame()
        st.dataframe(frame, hide_index=True)
        st.download_button("CSV", lambda: frame.to_csv(index=False), file_name="steps.csv", mime="text/csv",
                           on_click="ignore", icon=":material/download:")


main()
