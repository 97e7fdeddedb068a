"""Long-range probes: which earlier words a prediction really uses, found by taking them away (Khandelwal et al.
2018) in Elman, LSTM and GRU networks beside the gradient at the same distances; then how far back each
architecture can learn to carry a cue (the lag sweep), from the cached run or trained here on demand. Both the
ablation and a run trained here go through explorer.jobs: the page shows their progress and never computes them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import ModelConfig
from core.models.config import ARCH_NAMES, RECURRENT_ARCHS
from core.probes import lag_sweep as ls

from .. import captions, context_story, jobs, render, settings, sidebar, state, text_input
from ..charts.context import context_use_figure
from ..charts.probes import ablation_figure, lag_sweep_figure
from ..targets import choose_target, target_setting

TARGET = target_setting("probe.target")
LOG_DISTANCE = settings.Setting(
    "probe.logk", False, kind="toggle", label="Log distance axis",
    help="Spreads the nearest words, where most of the change happens, over more of the axis.")
LIVE_MODEL = settings.Setting("probe.live.model", next(iter(ls.BY_NAME)), kind="select", label="Model",
                              options=tuple(ls.BY_NAME), in_url=False)
LIVE_LAG = settings.Setting(
    "probe.live.lag", 20, kind="number", label="Lag", lo=1, hi=100, in_url=False,
    help="Steps between the cue and the query. Long lags take longest when nothing is learned: up to a minute at 100.")
LIVE_SEED = settings.Setting("probe.live.seed", 0, kind="number", label="Seed", lo=0, hi=999, in_url=False)
SETTINGS = (TARGET, LOG_DISTANCE, LIVE_MODEL, LIVE_LAG, LIVE_SEED)
MAX_CONTEXT = 100  # ablation reruns ~8t copies of the t words before the target: ~t² time and memory per model
ABLATION_JOB, LIVE_JOB = "probe.ablation", "probe.live.run"
LIVE = "probe.live"  # this session's own lag-sweep runs, keyed by (model, lag, seed)
HERE = " · trained here"


def ablations(configs: dict[str, ModelConfig], text: str, target: int):
    """The ablation job's work: each network in turn (Stop takes effect between two of them)."""

    def work(job: jobs.Job) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
        results = {}
        for i, (name, config) in enumerate(configs.items()):
            job.check()
            job.report(i / len(configs), f"the {name} network ({i + 1} of {len(configs)})")
            results[name] = state.get_ablation(config, text, target)
        return results

    return work


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
    configs = {ARCH_NAMES[arch]: sidebar.sibling(config, arch) for arch in RECURRENT_ARCHS}
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
    target = choose_target(tokens, TARGET, tokenizer=config.tokenizer,
                           help="Its probability is read from the output one step earlier; every "
                                "word before it is taken away in turn.")
    if target > MAX_CONTEXT:
        st.info(f"The target has {target} {captions.unit(config.tokenizer, True)} before it. Ablation reruns each "
                f"network on about {8 * target:,} "
                f"altered copies of that context, too slow here: pick a target within the first {MAX_CONTEXT} tokens.")
        return
    job = jobs.for_data(ABLATION_JOB, (tuple(configs.values()), text, target),
                        "Taking words away, one distance at a time", ablations(configs, text, target))
    if not job.done:
        settings.bind(LOG_DISTANCE)  # drawn with the chart; kept in the link meanwhile
        jobs.progress(job)
        return
    if jobs.said_why_not(job, "The ablation", "Stopped: change the text or the target to take words away again."):
        return
    frame = pd.concat([r[0].assign(model=name) for name, r in job.result.items()], ignore_index=True)
    grads = pd.concat([r[1].assign(model=name) for name, r in job.result.items()], ignore_index=True)
    log_k = settings.control(LOG_DISTANCE)
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
    targets = state.read_results(state.RESULTS / "context_targets.csv")
    st.caption(context_story.method(summary) + ("" if targets is None else " " + context_story.precision(targets))
               + " Right: the gradient of the same losses (all tokens read) with respect to each input vector, "
               "averaged over the same targets. The shipped word models, whatever the sidebar holds.")


def live_runs() -> dict:
    return st.session_state.setdefault(LIVE, {})


def lag_run(name: str, lag: int, seed: int):
    """The work of one lag-sweep run trained here: one row of the sweep, with the cached sweep's settings."""

    def work(job: jobs.Job) -> dict:
        def show(p) -> None:
            job.check()  # raises Stopped between two training steps
            accuracy = "–" if p.valid_accuracy is None else f"{p.valid_accuracy:.0%}"
            job.report(p.step / p.steps, f"step {p.step} of at most {p.steps}; validation accuracy {accuracy}")

        job.report(0.0, "making the cue task and a fresh network, then scoring it before the first step")
        return ls.run(ls.BY_NAME[name], lag, seed, ls.SweepConfig(), on_progress=show)

    return work


def train_one() -> None:
    """One (model, lag, seed) run with the cached sweep's settings, trained in the background with a progress bar;
    its row joins this session's table when it ends."""
    st.markdown("**Train one run here** with the same settings as the cached sweep, to check a point or try a lag "
                "it skipped.")
    left, middle, right, button = st.columns([2, 1, 1, 1], vertical_alignment="bottom")
    name = settings.control(LIVE_MODEL, where=left)
    lag, seed = int(settings.control(LIVE_LAG, where=middle)), int(settings.control(LIVE_SEED, where=right))
    job = jobs.get(LIVE_JOB)
    busy = job is not None and job.running
    if button.button("Train", icon=":material/play_arrow:", key="probe.live.go", disabled=busy):
        if (name, lag, seed) in live_runs():  # the same run always gives the same row
            st.caption(f"{name} at lag {lag}, seed {seed} was already trained in this session: see the table below.")
        else:
            job = jobs.submit(LIVE_JOB, f"Training {name} at lag {lag}, seed {seed}", lag_run(name, lag, seed),
                              data=(name, lag, seed))
    if job is None:
        return
    if job.running:
        jobs.progress(job)
    elif not jobs.said_why_not(job, "Training", "Stopped: the table keeps the runs that finished."):
        live_runs().setdefault(job.data, job.result)


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

