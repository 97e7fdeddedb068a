"""Elman (1990), "Finding Structure in Time", recomputed: four of its simulations, each beside the paper's figure
described in words.

By default the page shows the tables cached under results/ (written by `python -m core.reproductions.elman1990
--out results/`); each section's button trains its network again (a background job, explorer.jobs), with the
same code and settings.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from core.reproductions import elman1990 as e90

from .. import recompute, render, settings, state
from ..charts import elman1990 as charts
from ..charts.style import fmt

MEASURE = settings.Setting("e90.measure", "squared_error", kind="radio", label="Error shown",
                           options=tuple(charts.MEASURES),
                           names={"squared_error": "squared error (what the paper plots)",
                                  "loss": "cross-entropy (what the network was trained on)"})
METHOD = settings.Setting("e90.method", "ward", kind="select", label="Linkage", options=e90.METHODS,
                          help="How the distance between two clusters is measured when the tree is grown.")
SEED = settings.Setting("e90.seed", e90.SEEDS[0], kind="select", label="Network (seed)", options=e90.SEEDS,
                        help="One network was trained per seed, on its own random sentences.",
                        in_url=False)  # options: the seeds of the table shown, built per run
SETTINGS = (MEASURE, METHOD, SEED)
SECTION = {"xor": "temporal XOR", "letters": "letter sequences", "words": "word boundaries",
           "lexicon": "lexical categories"}
SHOWN = {"letters": 45, "words": 60}  # test letters drawn: enough for a dozen consonant runs, or a few sentences


def table(name: str) -> tuple[pd.DataFrame | None, str]:
    """This session's recomputed table if there is one, else the cached CSV; and where it came from."""
    cached = state.read_results(state.RESULTS / e90.FILES[name])
    return recompute.table(job_key(name), cached, f"cached in results/{e90.FILES[name]}")


def job_key(name: str) -> str:
    """The key of a section's Recompute button and of the job it starts."""
    return f"e90.run.{name}"


def recompute_button(name: str) -> None:
    """Train this section's network again in the background; its table then replaces the cached one here."""
    recompute.button(job_key(name), f"Recompute {SECTION[name]}", f"Training the network for {SECTION[name]}",
                     lambda on_progress: e90.EXPERIMENTS[name](on_progress=on_progress),
                     help="Train the network again, here and now, with the code and settings of the cached table.")


def loaded(name: str) -> tuple[pd.DataFrame | None, str]:
    """The section's button, then its table (or a note saying how to make one)."""
    recompute_button(name)
    frame, source = table(name)
    if frame is None:
        st.info(f"No table for {SECTION[name]} yet: press the button above, or run "
                "`python -m core.reproductions.elman1990 --out results/`.", icon=":material/info:")
    return frame, source


def trained(frame: pd.DataFrame, source: str) -> str:
    """How the network behind a table was trained, from the table itself."""
    run = frame.iloc[0]
    return (f"Showing the table {source}: an Elman network with H = {run.hidden_size} sigmoid units and one-hot "
            f"inputs, trained with Adam (learning rate {run.lr:g}) for {run.train_steps} steps, "
            f"{run.passes:.0f} passes over its training stream, in {run.train_seconds:.1f} s (seed {run.seed}); "
            f"validation cross-entropy {run.valid_loss:.3f} nats.")


def errors(means: pd.DataFrame, key: str) -> dict:
    """Mean error of each group, in the chosen measure."""
    return dict(zip(means[key], means[settings.get(MEASURE.key)]))


def sequence_chart(name: str, frame: pd.DataFrame, kind: str, labels: dict, *, title: str, subtitle: str) -> None:
    """A section's error along the first SHOWN[name] letters of its test text (the download: the whole table)."""
    render.chart(charts.error_sequence(frame.head(SHOWN[name]), kind, labels, measure=settings.get(MEASURE.key),
                                       title=title, subtitle=subtitle), frame, f"elman 1990 {name}", key=f"e90.{name}")


def xor_section() -> None:
    st.header("1. Temporal XOR", anchor=False)
    frame, source = loaded("xor")
    if frame is None:
        return
    measure = settings.get(MEASURE.key)
    left, right = st.columns([3, 2])
    with left:
        cycle = e90.xor_cycle(frame)
        render.chart(charts.xor_cycle(cycle, measure), cycle, "elman 1990 xor", key="e90.xor")
    means = errors(e90.mean_errors(frame, "position"), "position")
    with right:
        st.markdown(
            "**The paper (Fig. 1).** A stream of 3,000 bits made of triples: two random bits, then their XOR. "
            "A network with 1 input, 2 hidden and 1 output unit, trained for 600 passes to predict the next bit, "
            "plots its root mean squared error over 12 consecutive inputs, averaged over 1,200 trials: the error "
            "is low on every third bit and high on the other two. Only the XOR can be predicted, and only by "
            "remembering the two bits before it."
        )
        cols = st.columns(3)
        for col, position in zip(cols, (1, 2, 3)):
            col.metric(f"bit {position}", f"{means[position]:.3f}", help=f"of each triple: {e90.XOR_ROLES[position]}")
        chance = "0.5" if measure == "squared_error" else f"ln 2 = {math.log(2):.3f}"
        st.markdown(f"**We measured** a mean {charts.MEASURES[measure]} of {means[3]:.3f} on the XOR bit against "
                    f"{means[1]:.3f} and {means[2]:.3f} on the random bits (a coin flip scores {chance}).")
    st.caption(trained(frame, source) + f" Error measured on {len(frame):,} bits of a fresh test stream. "
               "Squared error is summed over all outputs (here <unk>, 0 and 1), so a coin flip scores 0.5, twice "
               "the 0.25 of the paper's single output unit.")


def letters_section() -> None:
    st.header("2. Letter sequences", anchor=False)
    frame, source = loaded("letters")
    if frame is None:
        return
    measure = settings.get(MEASURE.key)
    left, right = st.columns([3, 2])
    with left:
        sequence_chart("letters", frame, "kind", {"consonant": "consonant", "vowel": "vowel"},
                       title="Letter sequences: error letter by letter",
                       subtitle="The start of a fresh test sequence; each point is the error in predicting the "
                                "letter written under it.")
    means = errors(e90.mean_errors(frame, "kind"), "kind")
    with right:
        st.markdown(
            "**The paper (Fig. 3).** Consonants b, d, g in random order, each followed by its vowels: ba, dii, "
            "guuu. Letters were 6-bit phonetic feature vectors; 20 hidden units, 200 passes. The error, drawn "
            "letter by letter, is high on every consonant and low on the vowels: once the consonant is seen, its "
            "vowels (and how many) are certain, and so is the moment the next consonant comes, though not which."
        )
        cols = st.columns(2)
        cols[0].metric("consonants", f"{means['consonant']:.3f}")
        cols[1].metric("vowels", fmt(means["vowel"], 3))
        st.markdown(f"**We measured** a mean {charts.MEASURES[measure]} of {means['consonant']:.3f} on consonants "
                    f"and {fmt(means['vowel'], 3)} on vowels. A network that knows a consonant comes but not which "
                    f"one scores ln 3 = {math.log(3):.3f} nats (squared error 2/3).")
    st.caption(trained(frame, source) + f" Here the letters are one-hot, not feature vectors. Means over "
               f"{len(frame):,} letters of a fresh test sequence; the chart shows the first {SHOWN['letters']}.")


def words_section() -> None:
    st.header("3. Word boundaries", anchor=False)
    frame, source = loaded("words")
    if frame is None:
        return
    measure = settings.get(MEASURE.key)
    left, right = st.columns([3, 2])
    with left:
        sequence_chart("words", frame, "onset", {True: "first letter of a word", False: "later letter"},
                       title="Word boundaries: error letter by letter",
                       subtitle="Sentences without spaces; the error should jump where a new word begins and fall "
                                "as the word goes on.")
    means = errors(e90.mean_errors(frame, "onset"), "onset")
    with right:
        st.markdown(
            "**The paper (Fig. 6).** 200 short sentences from a lexicon of 15 words, run together without spaces "
            "or punctuation (4,963 letters, 5-bit vectors); 20 hidden units, 10 passes. The error, letter by "
            "letter, draws a saw-tooth: high at the first letter of each word, falling as the word becomes "
            "predictable. Elman reads the peaks as a cue to where words begin, learned without being told."
        )
        cols = st.columns(3)
        cols[0].metric("word onsets", f"{means[True]:.3f}")
        cols[1].metric("within words", f"{means[False]:.3f}")
        cols[2].metric("ratio", f"{means[True] / means[False]:.1f}×")
        st.markdown(f"**We measured** a mean {charts.MEASURES[measure]} of {means[True]:.3f} on the first letter "
                    f"of a word and {means[False]:.3f} on the others: onsets are {means[True] / means[False]:.1f} "
                    "times harder to predict.")
    run = frame.iloc[0]
    st.caption(trained(frame, source) + f" Trained on {run.train_sentences} sentences ({run.train_letters:,} "
               f"letters, one-hot) from this app's own short story; means over {len(frame):,} letters of fresh "
               f"sentences, the chart shows the first {SHOWN['words']}.")


def lexicon_section() -> None:
    st.header("4. Lexical categories", anchor=False)
    frame, source = loaded("lexicon")
    if frame is None:
        return
    seeds = tuple(int(s) for s in sorted(frame["seed"].unique()))
    seed_setting = SEED.with_options(seeds, seeds[0])
    if settings.bind(seed_setting) not in seeds:  # a recomputed table may hold other seeds than the one shown
        settings.put(SEED.key, seeds[0])
    controls = st.columns([1, 1, 2])
    seed = settings.control(seed_setting, where=controls[0])
    method = settings.control(METHOD, where=controls[1])
    centroids = frame[frame["seed"] == seed].reset_index(drop=True)
    scores = e90.category_purity(centroids, method)
    left, right = st.columns([3, 2])
    with left:
        render.chart(charts.dendrogram(centroids, e90.cluster(centroids, method), method=method), centroids,
                     f"elman 1990 lexicon seed {seed}", key="e90.lexicon")
    with right:
        st.markdown(
            "**The paper (Fig. 7).** 10,000 two- and three-word sentences from 16 templates over 29 words "
            "(“man eat cookie”, “dragon smash glass”), one-hot and without sentence boundaries; 150 hidden units, "
            "6 passes. The hidden state is averaged over every occurrence of each word and the averages are "
            "clustered. In the tree, the top split separates nouns from verbs; the nouns split into animate and "
            "inanimate, the animates into humans and animals, and the verbs group by whether they take an "
            "object. No word was ever labelled: the classes come from where words occur."
        )
        top = e90.cut(centroids, 2, method)
        st.markdown("**We measured** the purity of the tree's clusters (the share of words whose class is the "
                    "most common one in their cluster; Elman's tree scores 100% on each):\n"
                    + "".join(f"- {name}: **{value:.0%}**\n" for name, value in scores.items())
                    + f"\nThe top split here separates {composition(top[0], centroids)} ({', '.join(top[0])}) from "
                    f"{composition(top[1], centroids)} ({', '.join(top[1])}).")
    by_seed = e90.purity_by_seed(frame, method)
    st.dataframe(by_seed, hide_index=True, column_config={c: st.column_config.NumberColumn(format="percent")
                                                          for c in by_seed.columns if c != "seed"})
    run = centroids.iloc[0]
    st.caption(trained(centroids, source) + f" {run.train_sentences:,} sentences of the same grammar; hidden "
               f"states averaged over fresh sentences (each word seen {centroids['count'].min()} to "
               f"{centroids['count'].max()} times). Nouns' split: the two branches of the smallest subtree that holds "
               "every noun, scored on the nouns alone. The table scores every seed's tree with the linkage chosen.")


def composition(words: list[str], centroids: pd.DataFrame) -> str:
    """'8 inanimate nouns and 11 verbs': which classes a cluster holds."""
    counts = centroids[centroids["word"].isin(words)]["group"].value_counts()
    parts = [f"{n} {group}{'s' if n > 1 else ''}" for group, n in counts.items()]
    return " and ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else parts[0]


def main() -> None:
    render.page_style()
    st.title("Elman (1990): finding structure in time")
    st.markdown(
        "*Finding Structure in Time* (Cognitive Science, 1990) gave a network a memory by feeding its previous "
        "hidden state back in beside the next input, then asked it only to predict what comes next. Four of its "
        "simulations are recomputed below with this app's own Elman network, by default from tables cached with "
        "the app. The differences are on purpose and named in each section: Adam on cross-entropy instead of "
        "plain backpropagation on squared error, the gradient followed back through a dozen steps or more "
        "instead of one, one-hot letters, and as many passes as it takes to train in seconds."
    )
    settings.control(MEASURE, horizontal=True)
    xor_section()
    letters_section()
    words_section()
    lexicon_section()
