"""LSTM and GRU: the same text through Elman, LSTM and GRU networks of one size and seed, how far back each
one's inputs still reach, and what their gates do step by step."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core.models.config import ARCH_NAMES, RECURRENT_ARCHS

from .. import captions, charts, context_story, reach_strip, render, settings, sidebar, state, text_input
from ..charts.compare import GATES
from ..targets import choose_target, target_setting

MODELS = {ARCH_NAMES[arch]: arch for arch in RECURRENT_ARCHS}  # "Elman RNN", "LSTM", "GRU"
SHOWN = {  # what the heatmap can show: "arch.key" -> label
    "lstm.f": "LSTM forget gate f", "lstm.i": "LSTM input gate i", "lstm.o": "LSTM output gate o",
    "lstm.c": "LSTM cell state c", "gru.z": "GRU update gate z", "gru.r": "GRU reset gate r",
}
HEATMAP = settings.Setting("lg.gate", "lstm.f", kind="select", label="Show every unit of", options=tuple(SHOWN),
                           names=SHOWN)
TARGET = target_setting("lg.target")
SETTINGS = (HEATMAP, TARGET)


def influence(configs: dict, text: str, target: int) -> dict:
    frames = {name: state.get_gradients(cfg, text, target, wrt="input") for name, cfg in configs.items()}
    fig = charts.influence_by_distance(frames)
    fig.update_layout(title_subtitle_text="Input gradients: every path from token s to the prediction, the LSTM's cell "
                                          "path included.")
    data = pd.concat([f.assign(model=name) for name, f in frames.items()], ignore_index=True)
    render.chart(fig, data, "elman lstm gru influence", key="lg.influence")
    st.caption(captions.influence_caption({name: bool(cfg.weights) for name, cfg in configs.items()}))
    return frames


def pick_from_strip(key: str):
    def pick() -> None:
        picked = st.session_state[key].get("pick")
        if picked is not None:
            settings.put(TARGET.key, int(picked))
    return pick


def reach_strips(configs: dict, text: str, tokens, target: int) -> None:
    """The text coloured by reach for each network: every word's row of input gradients goes to the browser
    once, so hovering a word recolours the three sentences' own strip without a rerun."""
    if len(tokens) > state.MAX_REACH_TOKENS:
        st.info(f"The sentences coloured by reach are drawn for texts up to {state.MAX_REACH_TOKENS} tokens "
                f"(this one has {len(tokens)}): every word needs its own backward pass through each network.")
        return
    for name, cfg in configs.items():
        log10_map = state.get_input_reach(cfg, text)
        data = reach_strip.strip_data(tokens, reach_strip.reach_rows_by_target(log10_map), target=target, cue=None,
                                      hover=True, quantity="‖∂loss<sub>t</sub>/∂x<sub>s</sub>‖")
        key = f"lg.strip.{MODELS[name]}"
        st.markdown(f"**{name}** ({sidebar.describe(cfg)})")
        reach_strip.show(data, key=key, on_pick=pick_from_strip(key))
        render.downloads(lambda m=log10_map: state.map_frame(m * np.log(10), tokens),
                         lambda d=data: reach_strip.standalone_html(d), f"{name} reach by word", key=key)


def why_gates(lstm_trace, target: int, trained: bool, frames: dict) -> None:
    """The additive cell update in symbols, then the honest caveat with this trace's own forget gate."""
    st.markdown(
        "An Elman network rewrites its whole state at every step, so the gradient is multiplied by "
        "diag(f′(u_t)) W_hh per step. The LSTM adds to a separate cell state instead: along the path from "
        "c_{t−1} to c_t the factor is just the forget gate f_t, elementwise, with no weight matrix and no squashing "
        "slope. Where f_t stays near 1 the gradient passes almost unchanged over many steps. The GRU's update gate "
        "z_t plays the same part: h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}."
    )
    st.latex(r"c_t = f_t \odot c_{t-1} + i_t \odot g_t \quad\Rightarrow\quad "
             r"\frac{\partial c_t}{\partial c_{t-1}} = \operatorname{diag}(f_t) + \text{(paths through } h_{t-1})")
    st.latex(r"\text{Elman: } \frac{\partial h_t}{\partial h_{t-1}} = \operatorname{diag}(f'(u_t))\, W_{hh}")
    tokenizer = lstm_trace.config.tokenizer
    st.markdown(captions.forget_gate_sentence(lstm_trace.get("f").numpy(), target, trained, tokenizer)
                + (" " + (captions.reach_comparison(frames, tokenizer=tokenizer) or "")))


def context_use() -> None:
    """What the shipped word models measurably use of the past (results/context_use.csv), in computed words."""
    curves = state.read_results(state.RESULTS / "context_use.csv")
    if curves is None:
        return
    st.markdown("**What the trained word models use.** A gradient says what *could* reach the prediction; "
                "taking context away says what is used. " + context_story.headline(context_story.table(curves))
                + " The curves are on the *Long-range probes* page.")


def gate_charts(configs: dict, text: str, traces: dict) -> None:
    trained = {name: bool(configs[name].weights) for name in ("LSTM", "GRU")}
    for name, tab in zip(("LSTM", "GRU"), st.tabs(["LSTM gates", "GRU gates"])):
        keys = GATES[MODELS[name]] + (("c",) if name == "LSTM" else ())
        with tab:
            render.chart(charts.gate_activations(traces[name]), state.get_states_frame(configs[name], text, keys),
                         f"{name} gate activations", key=f"lg.gates.{name}")
    means = {f"{name} {gate}": float(traces[name].get(gate).mean()) for name in ("LSTM", "GRU")
             for gate in GATES[MODELS[name]]}
    st.caption(captions.gates_caption(means, all(trained.values())) if len(set(trained.values())) == 1 else
               " ".join(captions.gates_caption({k: v for k, v in means.items() if k.startswith(name)}, t)
                        for name, t in trained.items()))
    arch, key = settings.control(HEATMAP).split(".")
    name = ARCH_NAMES[arch]
    render.chart(charts.gate_heatmap(traces[name], key), state.get_states_frame(configs[name], text, (key,)),
                 f"{name} {key} heatmap", key="lg.heatmap")
    st.caption("Rows are units, columns are steps. " + (
        "One text shows which units open and close on these words, not what each would do on every text."
        if configs[name].weights else "With random weights the pattern follows the input words, not what they mean: "
                                      "one text cannot show which units a trained network would use as memory."))


def main() -> None:
    render.page_style()
    st.title("LSTM and GRU")
    st.markdown(
        "LSTMs (Hochreiter & Schmidhuber, 1997) and GRUs (Cho et al., 2014) were built against vanishing gradients. "
        "Small sigmoid gates, computed from the current word and the previous state, decide at every step how much "
        "of the memory to keep, how much new input to write and how much to show, so information can be carried "
        "forward by addition rather than rewritten."
    )
    config = sidebar.config()
    text = text_input.text_box(tokenizer=config.tokenizer)
    if not text.strip():
        st.info("Type a sentence above (or pick a preset) to run the three networks on it.")
        return
    # The sidebar's model stands for its own architecture (one trained in this session included).
    configs = {name: config if config.arch == arch else sidebar.sibling(config, arch) for name, arch in MODELS.items()}
    try:
        traces = {name: state.get_trace(cfg, text) for name, cfg in configs.items()}
    except ValueError as err:
        render.failure(err)
        return
    tokens = traces["LSTM"].tokens
    render.overflow_notice(*traces.values())
    if config.weights:
        st.caption("All three: " + "; ".join(f"{name} {sidebar.describe(cfg)} ({sidebar.label_of(cfg)}), "
                                            f"H = {cfg.hidden_size}" for name, cfg in configs.items()) + ".")
    else:
        st.caption(f"All three: H = {config.hidden_size} units, seed {config.seed}, untrained. The sidebar's "
                   "activation, initialisation and spectral radius apply to the Elman network only.")

    st.subheader("How far back does each model reach?", anchor=False)
    if len(tokens) < 2:
        st.info("Type at least two tokens: the target needs a word before it to look back to.")
    else:
        target = choose_target(tokens, TARGET, tokenizer=config.tokenizer)
        frames = influence(configs, text, target)
        reach_strips(configs, text, tokens, target)
        why_gates(traces["LSTM"], target, bool(configs["LSTM"].weights), frames)
    context_use()

    st.subheader("The gates, step by step", anchor=False)
    gate_charts(configs, text, traces)
