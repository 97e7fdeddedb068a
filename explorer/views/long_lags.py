"""Long time lags (Reproductions): Hochreiter & Schmidhuber's (1997) finding that gradient-trained recurrent nets
lose a cue within a few tens of steps while LSTM carries it across a hundred, beside our own lag sweep (read from
the cached table; single runs of one's own train on the Long-range probes page)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.probes import lag_sweep as ls

from .. import render, settings, state
from ..charts.probes import lag_sweep_figure

SETTINGS: tuple[settings.Setting, ...] = ()  # the page has no settings of its own


def their_finding() -> None:
    st.markdown(
        "**Their experiment.** Hochreiter & Schmidhuber fed a network one symbol at a time. Each sequence began "
        "with one of two marker symbols, continued through a long stretch of symbols that said nothing about the "
        "marker, and ended with a prediction that depended on the marker alone. The knob was the time lag: how many "
        "steps separate the evidence from the moment it is needed. In the easiest version the stretch in between "
        "was always the same; in harder ones it was random."
    )
    st.markdown(
        "**What they found.** Networks trained with the gradient methods of the day, backpropagation through time "
        "and real-time recurrent learning, only managed very short lags: from a lag of about 10 they found no "
        "solution even after millions of training sequences. The LSTM, whose cells keep their content unchanged "
        "unless a gate lets something in (the *constant error carousel*), solved a lag of 100 reliably within a "
        "few thousand sequences and, in a harder variant, lags of 1000. The reason is the lecture's: back through "
        "an ordinary recurrent layer the error is multiplied by diag(f′) W_hh at every step and fades geometrically "
        "(Hochreiter 1991; Bengio, Simard & Frasconi 1994), while along the carousel it is multiplied by 1."
    )


def ours() -> None:
    st.markdown(
        "**Ours.** The cue task is their random-filler version with four markers (dances) instead of two: a dance, "
        "lag − 1 filler words, then “so”, where the network must name the dance's homeland. Every network has the "
        "same size, optimiser and step budget, and is scored on fresh test sequences. One difference matters: "
        "today's LSTM has a *forget gate* (Gers, Schmidhuber & Cummins 2000), which the 1997 LSTM did not. "
        "PyTorch starts it half shut, so at first the cell halves its content every step; “LSTM” here starts it "
        "open (the closest to the 1997 carousel) and “LSTM, default init” shows what the half-shut start does."
    )


def verdicts(frame: pd.DataFrame) -> list[str]:
    """For each model, in words: up to which lag it held the cue, and from which lag it only guessed (the lags:
    core's lag_sweep.reaches)."""
    lines = []
    for reach in ls.reaches(frame):
        said = (f"held the cue at every lag tried, up to {reach.longest}" if reach.held_all else
                f"held the cue up to lag {reach.held_to}" if reach.held_to
                else "did not reliably hold the cue even at the shortest lag")
        if reach.lost_from is not None and not reach.held_all:
            said += f"; at chance from lag {reach.lost_from}"
        lines.append(f"- **{reach.model}** {said}.")
    return lines


def table(frame: pd.DataFrame) -> pd.DataFrame:
    """Mean test accuracy over seeds by model and lag, with how many seeds held the cue (core's lag_sweep.by_lag)."""
    stats = ls.by_lag(frame)
    cells = stats.apply(lambda r: f"{r['mean']:.0%} ({r['held']:.0f}/{r['runs']:.0f})", axis=1)
    out = cells.unstack("lag")
    out.columns = [f"lag {lag}" for lag in out.columns]
    return out.reindex(frame["model"].unique())


def main() -> None:
    render.page_style()
    st.title("Long time lags")
    st.markdown(
        "Reproducing Hochreiter & Schmidhuber (1997), *Long Short-Term Memory*: can a recurrent network learn to "
        "use a clue that lies many steps back, and does the LSTM change the answer?"
    )
    frame = state.read_results(ls.RESULTS)
    if frame is None:
        st.info("No lag sweep has been run yet: `python -m core.probes.lag_sweep --out results/lag_sweep.csv` "
                "trains every network (3 to 15 minutes on two cores, depending on what else runs) and writes the "
                "table this page shows.")
        their_finding()
        return
    left, right = st.columns([3, 2], gap="large")
    with left:
        render.chart(lag_sweep_figure(frame.assign(arch=frame["model"])), frame, "long time lags sweep",
                     key="lags.sweep")
        st.caption(ls.describe(frame))
    with right:
        their_finding()
    ours()

    st.subheader("Our numbers", anchor=False)
    st.markdown("\n".join(verdicts(frame)))
    st.dataframe(table(frame))
    chance = frame["chance"].mean()
    seconds = frame["seconds"].sum()
    st.caption(f"Mean test accuracy over seeds; in brackets, how many seeds reached {ls.HELD:.0%}. Chance is "
               f"{chance:.0%}: a network that ignores the cue names the right homeland once in {1 / chance:.0f}. "
               f"The {len(frame)} runs took {seconds / 60:.1f} minutes of training (wall clock, on the machine that "
               "ran the sweep). Train single runs of your own on the Long-range probes page.")
