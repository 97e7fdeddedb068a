"""Hidden states: what h_t looks like at every step, and how two sentences move through the same space."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import lecture

from .. import charts, render, settings, sidebar, state, text_input

OTHER = settings.Setting("other", lecture.CAT_SAT + " mat", settings.text(text_input.URL_TEXT_LIMIT), kind="text",
                         label="Second sentence", url_limit=text_input.URL_TEXT_LIMIT)
SETTINGS = (OTHER,)


def main() -> None:
    render.page_style()
    st.title("Hidden states")
    st.markdown(
        "The hidden state h_t is everything the network keeps about the words it has read: one number per unit. "
        "Each column of the heatmap is one step. Saturated units (tanh near ±1) have a slope f′ near 0, and a "
        "gradient passing through them is all but stopped."
    )
    config = sidebar.config()
    text = text_input.text_box(tokenizer=config.tokenizer)
    trace = render.trace_or_message(config, text, "see its hidden states")
    if trace is None:
        return
    if not trace.finite:
        st.warning("Some hidden states are inf or NaN: the network has exploded. They are marked in the charts.",
                   icon=":material/warning:")
    render.chart(charts.hidden_heatmap(trace), state.get_states_frame(config, text), "hidden states",
                 key="hs.heatmap")
    st.caption("Rows are units, columns are steps; hover for the exact value. One text shows one path through the "
               "state space, not what each unit means in general.")
    render.chart(charts.state_norms(trace), trace.steps_frame().assign(
        h_norm=trace.h().norm(dim=1).tolist()), "state norms", key="hs.norms")
    st.caption("‖h_t‖ and the share of units close to saturation at each step.")

    st.subheader("Two sentences in one picture", anchor=False)
    st.markdown("PCA finds the two directions along which the states of both sentences vary most; each sentence "
                "becomes a path through that plane. Similar contexts land close together.")
    other_text = text_input.cap_tokens(settings.control(OTHER), config.tokenizer)
    if not other_text.strip():
        st.info("Type a second sentence to compare.")
        return
    other = state.get_trace(config, other_text)
    both = pd.concat([state.get_states_frame(config, text).assign(sentence="first"),
                      state.get_states_frame(config, other_text).assign(sentence="second")], ignore_index=True)
    render.chart(charts.pca_trajectory([("first", trace), ("second", other)]), both, "pca trajectory",
                 key="hs.pca")
    st.caption("Axes are the first two principal components of all states of both sentences; the percentages say "
               "how much of the variation each one keeps. What lies off the plane is not shown.")
    left, right = st.columns(2)
    for col, name, tr, txt, key in ((left, "First", trace, text, "hs.first"),
                                    (right, "Second", other, other_text, "hs.second")):
        with col:
            render.chart(charts.hidden_heatmap(tr, title=f"{name} sentence: h<sub>t</sub> of every unit", max_ticks=10),
                         state.get_states_frame(config, txt), f"{name.lower()} sentence states", key=key)
