"""Bengio et al. (2003) against the recurrence (Reproductions): the fixed-window language model for n = 1…6
beside the Elman, LSTM and GRU models, all trained the same way on Shakespeare.

The page shows the word-level rows of results/pretrained.csv, written by `make pretrained` with the same code that
made the shipped models; the button retrains every model here for a few steps (a quick, rougher version), in the
background through explorer.jobs.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import pretrained
from core.reproductions.bengio2003 import compare

from .. import jobs, render, state
from ..charts.bengio import RECURRENT, window_vs_recurrence

SETTINGS = ()  # the page has none: it shows one table
JOB = "bengio.quick"

COLUMNS = {"model": "model", "parameters": "parameters", "valid_perplexity": "validation perplexity",
           "test_perplexity": "test perplexity", "steps": "steps", "seconds": "training seconds"}


def named(table: pd.DataFrame) -> pd.DataFrame:
    """One readable row per model: "window n = 3", "Elman", ..."""
    names = [f"fixed window, n = {int(w)}" if a == "window" else RECURRENT[a]
             for a, w in zip(table["arch"], table["window"])]
    rounded = table.round({"valid_perplexity": 1, "test_perplexity": 1, "seconds": 0})
    return rounded.assign(model=names)[list(COLUMNS)].rename(columns=COLUMNS)


def findings(table: pd.DataFrame) -> str:
    """What this table shows, in words, from its own numbers (core.reproductions.bengio2003.compare)."""
    c = compare(table)
    if c is None:  # `make pretrained` writes each row as it finishes: the window models may not be there yet
        return "- No fixed-window model in this table yet: `make pretrained` adds each model's row when it finishes."
    cost = "" if c.parameters_per_word is None else \
        f"; each extra word of window adds {c.parameters_per_word:,} parameters"
    lines = [f"The best fixed window is n = {c.window}, at perplexity {c.perplexity:.1f} with {c.parameters:,} "
             f"parameters{cost}."]
    lines += [f"{RECURRENT[r.arch]}: perplexity {r.perplexity:.1f} ({r.change:+.0%} against that window) with "
              f"{r.parameters:,} parameters, whatever the length of its history." for r in c.recurrent]
    return "\n".join(f"- {line}" for line in lines)


def quick_run(recipes: list[pretrained.Recipe], steps: int):
    """The work of the retrain: every model of the table for `steps` steps, one after the other (Stop takes effect
    between two models)."""

    def work(job: jobs.Job) -> pd.DataFrame:
        rows = []
        for i, recipe in enumerate(recipes):
            job.check()
            job.report(i / len(recipes), f"training {recipe.name} ({i + 1} of {len(recipes)})")
            rows.append(pretrained.make(recipe, steps, log=lambda _: None, save=False))
        return pretrained.bengio_table(rows)

    return work


def retrain() -> None:
    """The button, and the retrain's progress while it runs."""
    job = jobs.get(JOB)
    if job is not None and job.running:
        jobs.progress(job)
        return
    if st.button(f"Retrain every model here ({pretrained.QUICK_STEPS} steps each)", icon=":material/refresh:",
                 help="A quick, rougher version of the table, on this machine; the shipped table stays."):
        recipes = pretrained.bengio_recipes()
        jobs.progress(jobs.submit(JOB, f"Retraining {len(recipes)} models", quick_run(recipes, pretrained.QUICK_STEPS),
                                  data=pretrained.QUICK_STEPS))
    elif job is not None:
        jobs.said_why_not(job, "The retrain", "The retrain was stopped: the table is the one from before.")


def mine() -> tuple[pd.DataFrame, int] | None:
    """The table retrained in this session, with its steps per model, once the retrain has finished."""
    job = jobs.get(JOB)
    return (job.result, job.data) if job is not None and job.result is not None else None


def their_result() -> None:
    st.markdown(
        "**Their model.** Bengio, Ducharme, Vincent and Jauvin (2003) gave each of the previous n − 1 words a "
        "learned vector (an *embedding*, shared by all positions), concatenated them, and passed them through "
        "one tanh layer to a softmax over the vocabulary. It beat the best smoothed n-gram counts of the day, "
        "by about 24% in test perplexity on the Brown corpus and about 8% on AP News, and a window of five "
        "words did better than shorter ones."
    )
    st.markdown(
        "**The bottleneck.** The window is fixed: a word just outside it cannot matter, however important. Making "
        "the window wider adds one more block of weights per word. An Elman network instead folds the whole "
        "history into h_t with the same W_hh at every step, so its size does not depend on how far back it looks."
    )


def main() -> None:
    render.page_style()
    st.title("Bengio 2003: a fixed window against the recurrence")
    st.markdown("Does a longer window help the fixed-window language model, what does it cost in parameters, "
                "and how do recurrent models of the same width compare?")
    left, right = st.columns([3, 2], gap="large")
    with right:
        their_result()
        retrain()
    if (retrained := mine()) is not None:
        table, steps = retrained
        source = f"retrained here for {steps} steps each (a quick version: not converged)"
    elif (shipped := state.read_results(pretrained.RESULTS_CSV)) is not None:
        table = pretrained.bengio_table(shipped)
        source = f"cached in results/{pretrained.RESULTS_CSV.name}, made by `make pretrained`"
    else:
        with left:
            st.info("No table yet: `make pretrained` trains every model (under an hour on two cores) and writes "
                    "results/pretrained.csv; the button trains a quick version here.")
        return
    with left:
        render.chart(window_vs_recurrence(table), lambda: named(table), "bengio 2003 window against recurrence",
                     key="bengio.chart")
        st.caption(f"Word-level models with a {pretrained.WORD_VOCAB:,}-word vocabulary, embeddings of "
                   f"{pretrained.WORD.embed_dim} and {pretrained.WORD.hidden_size} hidden units; {source}.")
    st.subheader("Our numbers", anchor=False)
    st.markdown(findings(table))
    st.dataframe(named(table), hide_index=True)

