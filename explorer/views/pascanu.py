"""Pascanu, Mikolov & Bengio (2013) recomputed: the bound that forces gradients to vanish, and gradient clipping.

By default the page shows the tables cached under results/ (written by `python -m core.reproductions.pascanu2013`);
the buttons recompute them here (a background job, explorer.jobs), with the same code, at full or quick size.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from core.reproductions import pascanu2013 as p13

from .. import recompute, render, settings, state
from ..charts import pascanu as charts

CONFIGS = {  # what each size computes: the cached tables are "full"
    "full": (p13.SweepConfig(), p13.ClipConfig()),
    "quick": (p13.SweepConfig(hidden_size=16, length=40, seeds=(0,), per_octave=2),
              p13.ClipConfig(steps=40, train_size=128, valid_size=64)),
}
_QUICK, _QUICK_CLIP = CONFIGS["quick"]
SIZE = settings.Setting(
    "p13.size", "full", kind="radio", label="Recompute at", options=("full", "quick"),
    names={"full": "full size (as cached; seconds to a minute)",
           "quick": "quick size (fewer, smaller networks; a few seconds)"},
    help=f"Quick: H = {_QUICK.hidden_size}, T = {_QUICK.length}, {len(_QUICK.seeds)} seed(s), "
         f"{_QUICK.per_octave} norms per doubling; {_QUICK_CLIP.steps} training steps instead of "
         f"{CONFIGS['full'][1].steps}.")
SETTINGS = (SIZE,)
SECTION = {"sweep": "the bound", "clipping": "clipping"}


def job_key(name: str) -> str:
    """The key of an experiment's Recompute button and of the job it starts."""
    return f"p13.run.{name}"


def table(name: str) -> tuple[pd.DataFrame | None, str]:
    """This session's recomputed table if there is one, else the cached CSV; and where it came from."""
    cached = state.read_results(state.RESULTS / p13.FILES[name])
    return recompute.table(job_key(name), cached, f"cached in results/{p13.FILES[name]} (full settings)")


def experiment(name: str, size: str) -> recompute.Experiment:
    """One experiment at one size, as a function of its progress callback."""
    sweep_config, clip_config = CONFIGS[size]
    if name == "sweep":
        return lambda on_progress: p13.sweep(sweep_config, on_progress)
    return lambda on_progress: p13.clipping(clip_config, on_progress)


def recompute_button(name: str) -> None:
    """Run one experiment at the chosen size in the background; its table then replaces the cached one here."""
    size = settings.get(SIZE.key)
    recompute.button(job_key(name), f"Recompute {SECTION[name]} ({size})", f"Recomputing {SECTION[name]} ({size})",
                     experiment(name, size), note=f" ({size} settings)")


def missing(name: str) -> None:
    st.info(f"No table for {SECTION[name]} yet: press the button above, or run "
            "`python -m core.reproductions.pascanu2013 --out results/`.", icon=":material/info:")


def measured(d: pd.DataFrame) -> str:
    """What one activation's rows show, in words (the numbers: core's pascanu2013.findings)."""
    found = p13.findings(d)
    gamma, top = found.gamma, found.top
    lines = [f"- All {found.networks} networks stay under the bound at every distance k: ‖∂h_T/∂h_(T−k)‖₂ never "
             f"exceeds (γ‖W_hh‖₂)^k (closest approach: {found.closest:.2g} below it, relative)."]
    if found.largest_below is not None:
        lines.append(f"- Below ‖W_hh‖₂ = 1/γ = {1 / gamma:g}: every factor is under 1 (the largest is "
                     f"×{found.largest_below:.3g} per step), as the theorem demands.")
    if found.first_growing is not None:
        lines.append(f"- The mean factor first exceeds 1 at ‖W_hh‖₂ ≈ {found.first_growing:.3g}; at {top:.3g} it is "
                     f"×{found.top_rate:.3g} per step while the bound allows ×{gamma * top:.3g}: saturated units "
                     "(f′ far below γ) keep the real gradient well under the bound.")
    else:
        lines.append("- The mean factor never exceeds 1 on this grid: saturation keeps the gradient vanishing "
                     "even where the bound would allow growth.")
    return "\n".join(lines)


def bound_section() -> None:
    st.header("1. Below ‖W_hh‖₂ = 1/γ, gradients must vanish", anchor=False)
    recompute_button("sweep")
    frame, source = table("sweep")
    if frame is None:
        missing("sweep")
        return
    first = frame.iloc[0]
    st.caption(f"Showing the table {source}: Elman networks with H = {first.hidden_size}, W_hh {first.init} "
               f"rescaled to each ‖W_hh‖₂, {frame.seed.nunique()} seeds, random inputs x_t ~ N(0, "
               f"{first.input_scale:g}²) for T = {first.length} steps; factor = exp of the least-squares slope of "
               "ln ‖∂h_T/∂h_(T−k)‖₂ against k = 1 … T−1.")
    for activation, d in frame.groupby("activation", sort=False):
        left, right = st.columns([3, 2])
        with left:
            render.chart(charts.decay_vs_norm(frame, activation), d, f"pascanu sweep {activation}",
                         key=f"p13.sweep.{activation}")
        with right:
            gamma = float(d["gamma"].iloc[0])
            st.markdown(f"**{activation}** (γ = sup f′ = {gamma:g}, so 1/γ = {1 / gamma:g})\n\n"
                        f"**We measured:**\n{measured(d)}")
    st.markdown(
        "**The paper (Sec. 2.1).** ∂h_t/∂h_(t−k) is a product of k factors diag(f′(u_i)) W_hh, and each has norm "
        "at most γ‖W_hh‖₂, with γ = sup f′ (1 for tanh, 1/4 for sigmoid). If ‖W_hh‖₂ < 1/γ, every factor "
        "shrinks the gradient, so it vanishes geometrically: the condition is *sufficient* for vanishing. "
        "Inverted, ‖W_hh‖₂ > 1/γ is *necessary* for exploding, not sufficient: above 1/γ the gradient may grow "
        "or still vanish, and only a measurement tells which. (They write x_t = W_rec σ(x_(t−1)) + W_in u_t + b; "
        "the same bound holds for this app's h_t = f(W_hh h_(t−1) + W_hx x_t + b_h).)"
    )


def clipping_section() -> None:
    st.header("2. Clipping the gradient's norm (Algorithm 1)", anchor=False)
    left, right = st.columns([3, 2])
    with right:
        st.markdown("**The paper (Sec. 3.2, Algorithm 1):**")
        st.code("ĝ ← ∂E/∂θ\nif ‖ĝ‖ ≥ threshold then\n    ĝ ← (threshold / ‖ĝ‖) ĝ\nend if", language=None)
        st.markdown(
            "Their figure of the error surface of a one-unit recurrent network shows flat stretches broken by steep "
            "walls (a “cliff”). A step that lands on the wall meets a huge gradient and is thrown far away, "
            "undoing what was learned; rescaled to the threshold (their dashed arrows), the step stays short and "
            "descent carries on. Only the step's length changes, never its direction."
        )
    with left:
        recompute_button("clipping")
        frame, source = table("clipping")
        if frame is None:
            missing("clipping")
            return
        render.chart(charts.clipping_curves(frame), frame, "pascanu clipping", key="p13.clip")
    first = frame.iloc[0]
    st.caption(f"Showing the table {source}: {first.activation} Elman network, H = {first.hidden_size}, ‖W_hh‖₂ = "
               f"{first.w_hh_norm:.3g} (orthogonal), task: {first.task}; plain SGD with learning rate "
               f"{first.lr:g}, batches of {first.batch_size}, the same seed and batches in both runs. ‖g‖ applied "
               "is read back from the parameters' gradients after each step.")
    cols = st.columns(len(frame["run"].unique()))
    for col, (run, g) in zip(cols, frame.groupby("run", sort=False)):
        col.markdown(f"**{run}**: {summary(g)}")


def summary(g: pd.DataFrame) -> str:
    """One run's outcome in words, from its rows."""
    steps = g[g["step"] >= 1]
    end = g["ended"].iloc[0]
    finite = steps[steps["train_loss"].map(math.isfinite)]
    peak = f"largest loss {finite['train_loss'].max():.3g}" if len(finite) else "no finite loss"
    if end == "diverged":
        return (f"diverged at step {int(steps['step'].max())} (loss {steps['train_loss'].iloc[-1]:.3g}; "
                f"{peak}, ‖g‖ up to {finite['grad_norm'].max():.3g}).")
    tail = steps["train_loss"].iloc[-20:].mean()
    clipped = int(steps["clipped"].astype(bool).sum())
    valid = g.dropna(subset=["valid_loss"]).iloc[-1]
    return (f"trained all {len(steps)} steps; {clipped} of them clipped (‖g‖ applied ≤ "
            f"{steps['applied_norm'].max():.3g}); mean loss over the last 20 steps {tail:.3g} "
            f"(start {steps['train_loss'].iloc[0]:.3g}; answer frequencies alone give {g['prior_loss'].iloc[0]:.3g}), "
            f"validation loss {valid.valid_loss:.3g}, accuracy {valid.valid_accuracy:.0%} (always answering the "
            f"most common sum: {g['chance'].iloc[0]:.0%}).")


def main() -> None:
    render.page_style()
    st.title("Pascanu, Mikolov & Bengio (2013): exploding and vanishing gradients")
    st.markdown(
        "*On the difficulty of training recurrent neural networks* (ICML 2013) explains why plain RNNs are hard "
        "to train: the gradient of a late output with respect to an early state is a product of one Jacobian per "
        "step, which shrinks or grows geometrically. They bound that product, and tame the growing case by "
        "rescaling any gradient longer than a threshold. Both results are recomputed below with this app's own "
        "code, by default from the tables cached with the app."
    )
    settings.control(SIZE, horizontal=True)
    bound_section()
    clipping_section()
