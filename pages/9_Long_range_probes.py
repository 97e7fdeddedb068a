"""Long-range probes: which earlier words a prediction really uses, found by taking them away (Khandelwal et al.
2018) in Elman, LSTM and GRU networks beside the gradient at the same distances; then how far back each
architecture can learn to carry a cue (the lag sweep), from the cached run or trained here on demand."""

import pandas as pd
import streamlit as st

from core.probes import ablation, ablation_gradients
from core.probes import lag_sweep as ls
from explorer import context_story, render, settings, sidebar, state, text_input
from explorer.charts.context import context_use_figure
from explorer.charts.probes import ablation_figure, lag_sweep_figure
from explorer.targets import choose_target, target_setting

MODELS = {"Elman RNN": "elman", "LSTM": "lstm", "GRU": "gru"}
TARGET = target_setting("probe.target")
LOG_DISTANCE = settings.Setting("probe.logk", False, settings.flag)
MAX_CONTEXT = 100  # ablation reruns ~8t copies of the t words before the target: ~t² time and memory per model
LIVE = "probe.live"  # this session's own lag-sweep runs, keyed by (model, lag, seed)
HERE = " · trained here"


@st.cache_data(max_entries=64, show_spinner="Taking words away, one distance at a time…")
def probe(config, text: str, target: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Context ablation and the input gradient of one model, at one target."""
    model = state.get_model(config)
    return ablation(model, text, target), ablation_gradients(model, text, target)


def sweep_or_none() -> pd.DataFrame | None:
    frame = state.read_results(ls.RESULTS)
    if frame is None:
        st.info("No cached lag sweep yet: run `python -m core.probes.lag_sweep --out results/lag_sweep.csv` "
                "(3 to 15 minutes on two cores, depending on what else runs), or train single runs below.")
    return frame


def explain() -> None:
    st.markdown(
        "**Sharp nearby, fuzzy far away.** Khandelwal, He, Qi & Jurafsky (2018) asked which parts of the context "
        "trained LSTM language models actually use, by changing the context and watching the loss. The models drew "
        "on about 200 tokens, but word *order* mattered only within roughly the last 50: shuffling the words further "
        "back barely hurt, while deleting them did. Nearby words are used precisely (sharp); the distant past acts "
        "like a bag of topic words (fuzzy)."
    )
    st.markdown(
        "**Reading the chart.** One column per network. The x axis counts k words back from the target, earlier "
        "words on the left as on the other pages. Each curve is one way of taking context away, and its height is "
        "the change in log P(target): 0 means the network did not notice, below 0 means that context helped the "
        "prediction. *Word removed* and *word → &lt;unk&gt;* probe single words; *only the last k words* shows how "
        "much context the prediction needs at all (it reaches 0 once k covers everything it uses); *words beyond k "
        "shuffled* keeps the words but not their order, so a shuffle curve near 0 where truncation still hurts is "
        "the fuzzy regime. The bottom row is ‖∂ log P/∂x_s‖ at the same k: the gradient's answer to a tiny nudge, "
        "which need not match what happens when the word is really gone."
    )


def ablation_section(config) -> None:
    text = text_input.text_box(tokenizer=config.tokenizer)
    if not text.strip():
        st.info("Type a sentence above (or pick a preset) to take its words away one at a time.")
        return
    configs = {name: sidebar.sibling(config, arch) for name, arch in MODELS.items()}
    two_way = [name for name, cfg in configs.items() if cfg.bidirectional]
    if two_way:
        st.info(f"{', '.join(two_way)}: a bidirectional network reads the target and the words after it, so taking "
                "earlier words away cannot isolate what the past contributes. Pick a one-way model in the sidebar.")
        return
    try:
        tokens, _ = state.get_model(configs["LSTM"]).tokens_and_ids(text)
    except (ValueError, LookupError) as err:
        render.failure(err)
        return
    if len(tokens) < 2:
        st.info("Type at least two tokens: the target needs a word before it to take away.")
        return
    target = choose_target(tokens, TARGET, help="Its probability is read from the output one step earlier; every "
                                                "word before it is taken away in turn.")
    if target > MAX_CONTEXT:
        st.info(f"The target has {target} words before it. Ablation reruns each network on about {8 * target:,} "
                f"altered copies of that context, too slow here: pick a target within the first {MAX_CONTEXT} tokens.")
        return
    try:
        results = {name: probe(cfg, text, target) for name, cfg in configs.items()}
    except (ValueError, LookupError) as err:
        render.failure(err)
        return
    frame = pd.concat([r[0].assign(model=name) for name, r in results.items()], ignore_index=True)
    grads = pd.concat([r[1].assign(model=name) for name, r in results.items()], ignore_index=True)
    log_k = settings.widget(st.toggle, "Log distance axis", LOG_DISTANCE,
                            help="Spreads the nearest words, where most of the change happens, over more of the axis.")
    fig = ablation_figure(frame, grads, facet="model", log_distance=log_k)
    data = frame.merge(grads[["model", "distance", "grad_norm", "log10_grad_norm"]], on=["model", "distance"])
    render.chart(fig, data, "context ablation elman lstm gru", key="probe.ablation")
    caption = "; ".join(f"{name} {sidebar.describe(cfg)}, H = {cfg.hidden_size}" for name, cfg in configs.items())
    if any(not cfg.weights for cfg in configs.values()):
        caption += (". Untrained weights mix the context in some way, but there is nothing they have learned to use: "
                    "pick a trained model in the sidebar to see what training keeps sharp")
    st.caption(caption + ".")
    explain()


def context_section() -> None:
    """The shipped word models' context use on held-out text, from the table `python -m core.probes.context`
    wrote, with its sentence computed from the same table."""
    st.subheader("How much context do the trained networks use?", anchor=False)
    curves = state.read_results(state.RESULTS / "context_use.csv")
    reach = state.read_results(state.RESULTS / "context_reach.csv")
    if curves is None or reach is None:
        st.info("No context-use table yet: run `python -m core.probes.context` (about a minute).")
        return
    summary = context_story.table(curves)
    st.markdown(context_story.headline(summary))
    render.chart(context_use_figure(curves, reach, context_story.TOLERANCE), curves, "context use",
                 key="probe.context")
    st.caption(context_story.method(summary) + " Right: the gradient of the same losses (all tokens read) with "
               "respect to each input vector, averaged over the same targets. The shipped word models, whatever "
               "the sidebar holds.")


def live_runs() -> dict:
    return st.session_state.setdefault(LIVE, {})


def train_one() -> None:
    """One (model, lag, seed) run with the cached sweep's settings, trained now with a progress bar."""
    st.markdown("**Train one run here** with the same settings as the cached sweep, to check a point or try a lag "
                "it skipped.")
    left, middle, right, button = st.columns([2, 1, 1, 1], vertical_alignment="bottom")
    name = left.selectbox("Model", list(ls.BY_NAME), key="probe.live.model")
    lag = middle.number_input("Lag", 1, 100, 20, key="probe.live.lag",
                              help="Steps between the cue and the query. Long lags take longest when nothing is "
                                   "learned: up to a minute at 100.")
    seed = right.number_input("Seed", 0, 999, 0, key="probe.live.seed")
    if not button.button("Train", icon=":material/play_arrow:", key="probe.live.go"):
        return
    key = (name, int(lag), int(seed))
    if key in live_runs():  # the same run always gives the same row
        st.caption(f"{name} at lag {lag}, seed {seed} was already trained in this session: see the table below.")
        return
    bar = st.progress(0.0, text="Starting…")

    def show(p) -> None:
        if p.step % 10 == 0 or p.step == p.steps:
            accuracy = "–" if p.valid_accuracy is None else f"{p.valid_accuracy:.0%}"
            bar.progress(p.step / p.steps, text=f"Step {p.step} of at most {p.steps}; validation accuracy {accuracy}")

    live_runs()[key] = ls.run(ls.BY_NAME[name], int(lag), int(seed), ls.SweepConfig(), on_progress=show)
    bar.empty()


def sweep_section() -> None:
    st.subheader("How long can a network hold a cue?", anchor=False)
    st.markdown(
        "The dancing passage stripped to its dependency: a dance (“jig”), then filler words that say nothing about "
        "it, then “so”, where the network must name the dance's homeland (“ireland”). The cue is exactly *lag* "
        "steps back, and every cue is seen with the same fillers, so above chance the network must have carried "
        "the cue across the gap. Each run trains a fresh network and scores it on test sequences it never saw."
    )
    cached = sweep_or_none()
    chart_slot = st.container()  # filled after the controls below, so that a run trained now is already drawn
    train_one()
    live = pd.DataFrame(list(live_runs().values()), columns=ls.COLUMNS)
    parts = [f for f in (cached, live.assign(model=live["model"] + HERE)) if f is not None and len(f)]
    if parts:
        both = pd.concat(parts, ignore_index=True)
        with chart_slot:
            render.chart(lag_sweep_figure(both.assign(arch=both["model"])), both, "lag sweep", key="probe.sweep")
            if cached is not None:
                st.caption("Cached: " + ls.describe(cached))
    if len(live):
        shown = live.assign(source="trained here")
        if cached is not None:
            same = cached.merge(live[["model", "lag"]].drop_duplicates(), on=["model", "lag"])
            shown = pd.concat([same.assign(source="cached"), shown], ignore_index=True)
        st.dataframe(shown[["source", "model", "lag", "seed", "accuracy", "chance", "steps", "ended", "seconds"]],
                     hide_index=True, column_config={
                         "accuracy": st.column_config.NumberColumn(format="percent"),
                         "chance": st.column_config.NumberColumn(format="percent"),
                         "seconds": st.column_config.NumberColumn(format="%.1f")})


def main() -> None:
    render.page_style()
    st.title("Long-range probes")
    st.markdown(
        "The gradient pages show how strongly a prediction *could* respond to a word far back. Here we ask what it "
        "actually *uses*: take a word away, or blur the order of everything before it, and measure how the "
        "probability of the target changes."
    )
    config = sidebar.config()
    context_section()
    ablation_section(config)
    sweep_section()


main()
