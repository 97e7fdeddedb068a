"""Elman (1990), "Finding Structure in Time", recomputed: four of its simulations, each an Elman network with
sigmoid units and one-hot inputs (as in the paper) trained here to predict the next token of a stream.

1. Temporal XOR (paper Fig. 1): two random bits then their XOR; only every third bit can be predicted.
2. Letter sequences (Fig. 3): consonants b, d, g, each followed by its vowels (ba, dii, guuu).
3. Word boundaries (Fig. 6): sentences run together without spaces; error should peak where words begin.
4. Lexical categories (Fig. 7): the averaged hidden state of each word, clustered, should sort nouns from
   verbs and animate from inanimate nouns, though no word says what it is.

Not as in the paper: Adam on cross-entropy over a softmax readout (Elman: backprop on squared error with
sigmoid outputs); BPTT through chunks of `seq_len` steps (Elman copied the hidden layer into context units
and sent no error back through them); one-hot letters (Elman: 5- or 6-bit feature vectors). Every error is
reported both as cross-entropy and as the squared error of the output distribution, Σ_i (p_i − y_i)².

`python -m core.reproductions.elman1990 --out results/` rewrites the cached tables the page shows.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from scipy.cluster.hierarchy import fcluster, linkage, to_tree

from ..data.synthetic import VOWEL_RUNS, elman_grammar, letter_stream, unsegmented_text, xor_stream
from ..files import write_csv
from ..models import LanguageModel, build_model
from ..models.config import ModelConfig
from ..text import Vocab
from ..trace import unroll
from ..training import StreamData, TrainConfig, train
from .pascanu2013 import one_thread

Progress = Callable[[float], None]  # share of the work done, 0..1


@dataclass(frozen=True)
class Setup:
    """One network and its training: H sigmoid units, Adam for `steps` steps on batch_size streams read side
    by side, seq_len tokens per sequence (BPTT within it, the state carried across)."""

    hidden_size: int
    steps: int
    lr: float
    seed: int = 0
    batch_size: int = 32
    seq_len: int = 16


# The cached tables' settings. Each trains in seconds on one CPU core.
XOR = Setup(hidden_size=2, steps=2000, lr=0.1, seq_len=12)  # the paper's 2 hidden units
LETTERS = Setup(hidden_size=20, steps=1000, lr=0.02)  # the paper's 20
WORDS = Setup(hidden_size=20, steps=500, lr=0.02)  # the paper's 20
LEXICON = Setup(hidden_size=150, steps=500, lr=0.005)  # the paper's 150
SEEDS = (0, 1, 2)  # the lexical network is trained once per seed, to show whether its tree depends on it

XOR_ROLES = {1: "first random bit", 2: "second random bit", 3: "XOR of the two before"}
GROUPS = ("animate noun", "inanimate noun", "verb")  # the classes Fig. 7's tree should sort the words into
METHODS = ("ward", "average", "complete", "single")  # scipy's linkage methods that work on raw vectors
FILES = {"xor": "elman1990_xor.csv", "letters": "elman1990_letters.csv", "words": "elman1990_words.csv",
         "lexicon": "elman1990_lexicon.csv"}


def _fit(train_text: str, valid_text: str, tokenizer: str, setup: Setup,
         on_progress: Progress | None) -> tuple[LanguageModel, dict]:
    """Train an Elman network on one stream; returns it and a description of the run (one value per column)."""
    tokens = list(train_text) if tokenizer == "char" else train_text.split()
    vocab = Vocab(sorted(set(tokens)), lowercase=False)
    config = ModelConfig(arch="elman", tokenizer=tokenizer, one_hot=True, hidden_size=setup.hidden_size,
                         activation="sigmoid", init="gaussian", seed=setup.seed)
    model = build_model(config, vocab)
    ids = vocab.encode(tokens)
    data = StreamData(ids, model.tokens_and_ids(valid_text)[1])
    report = None if on_progress is None else (lambda p: on_progress(p.step / p.steps))
    started = time.perf_counter()
    result = train(model, data, TrainConfig(steps=setup.steps, batch_size=setup.batch_size, seq_len=setup.seq_len,
                                            lr=setup.lr, eval_every=setup.steps, seed=setup.seed), on_progress=report)
    return model, {"hidden_size": setup.hidden_size, "train_steps": setup.steps, "lr": setup.lr, "seed": setup.seed,
                   "passes": int(result.history["tokens"].iloc[-1]) / len(ids),
                   "valid_loss": float(result.history["valid_loss"].dropna().iloc[-1]),
                   "train_seconds": time.perf_counter() - started}


def _errors(model: LanguageModel, text: str) -> pd.DataFrame:
    """One row per token of `text` after the first: how badly the network predicted it from the ones before.

    step t is the token's position; loss is −log P(token t | tokens 0..t−1) and squared_error Σ_i (p_i − y_i)²
    over the output distribution p and the one-hot target y."""
    trace = unroll(model, text)
    probs, ids = trace.probs[:-1], trace.ids[1:]  # row t-1 predicts token t
    target = torch.nn.functional.one_hot(ids, probs.shape[1]).to(probs.dtype)
    return pd.DataFrame({
        "step": np.arange(1, len(trace)), "token": trace.tokens[1:], "previous": trace.tokens[:-1],
        "loss": trace.loss[:-1].numpy(), "squared_error": ((probs - target) ** 2).sum(1).numpy(),
        "p_target": probs.gather(1, ids[:, None])[:, 0].numpy(),
    })


def temporal_xor(setup: Setup = XOR, n_bits: int = 3000, n_test: int = 3600,
                 on_progress: Progress | None = None) -> pd.DataFrame:
    """Per bit of a fresh test stream: its place in its triple (1, 2: random; 3: the XOR) and the error.

    The paper trained on 3,000 bits and plotted error over 12 steps averaged over 1,200 trials."""
    with one_thread():
        model, run = _fit(xor_stream(n_bits, setup.seed), xor_stream(600, setup.seed + 1), "char", setup, on_progress)
        frame = _errors(model, xor_stream(n_test, setup.seed + 2))
    frame["position"] = frame["step"] % 3 + 1  # the stream's triples start at step 0
    frame["role"] = frame["position"].map(XOR_ROLES)
    return frame.assign(train_bits=n_bits, **run)


def letter_sequences(setup: Setup = LETTERS, n_consonants: int = 1000, n_test: int = 300,
                     on_progress: Progress | None = None) -> pd.DataFrame:
    """Per letter of a fresh test sequence: consonant or vowel, and the error (paper: 1,000 consonants)."""
    with one_thread():
        model, run = _fit(letter_stream(n_consonants, setup.seed), letter_stream(200, setup.seed + 1), "char",
                          setup, on_progress)
        frame = _errors(model, letter_stream(n_test, setup.seed + 2))
    frame["kind"] = np.where(frame["token"].isin(list(VOWEL_RUNS)), "consonant", "vowel")
    return frame.assign(train_consonants=n_consonants, **run)


def word_boundaries(setup: Setup = WORDS, n_sentences: int = 200, n_test: int = 100,
                    on_progress: Progress | None = None) -> pd.DataFrame:
    """Per letter of fresh unspaced sentences: the word it belongs to, whether it begins it, and the error.

    The paper trained on 200 sentences (4,963 letters)."""
    train_text = unsegmented_text(n_sentences, setup.seed)[0]
    with one_thread():
        model, run = _fit(train_text, unsegmented_text(20, setup.seed + 1)[0], "char", setup, on_progress)
        text, starts = unsegmented_text(n_test, setup.seed + 2)
        frame = _errors(model, text)
    word_index = np.searchsorted(starts, frame["step"], side="right") - 1
    bounds = [*starts, len(text)]
    frame["word"] = [text[bounds[i]:bounds[i + 1]] for i in word_index]
    frame["onset"] = frame["step"].isin(starts)
    frame["letter_in_word"] = frame["step"] - np.asarray(starts)[word_index] + 1
    return frame.assign(train_sentences=n_sentences, train_letters=len(train_text), **run)


def lexical_categories(setup: Setup = LEXICON, n_sentences: int = 10_000, n_test: int = 2000,
                       seeds: tuple[int, ...] = SEEDS, on_progress: Progress | None = None) -> pd.DataFrame:
    """Per seed and word: its class and its hidden state averaged over every occurrence in fresh sentences
    (columns h0 ... h{H-1}). One network per seed (setup.seed is replaced by each); the paper trained one,
    with 150 hidden units, on 10,000 sentences."""
    frames = []
    with one_thread():
        for i, seed in enumerate(seeds):
            def report(done: float, i=i) -> None:
                if on_progress is not None:
                    on_progress((i + done) / len(seeds))
            grammar = elman_grammar(n_sentences, seed)
            model, run = _fit(grammar.text, elman_grammar(500, seed + 1).text, "word", replace(setup, seed=seed),
                              report)
            trace = unroll(model, elman_grammar(n_test, seed + 2).text)
            tokens, h = np.array(trace.tokens), trace.h().numpy()
            words = sorted(grammar.categories)
            means = np.stack([h[tokens == w].mean(0) for w in words])  # (W, H)
            info = pd.DataFrame({
                "word": words, "group": [_group(grammar.categories[w]) for w in words],
                "classes": [" / ".join(grammar.categories[w]["classes"]) for w in words],
                "detail": [grammar.categories[w].get("kind") or grammar.categories[w]["transitivity"] for w in words],
                "count": [int((tokens == w).sum()) for w in words],
            })
            hidden = pd.DataFrame(means, columns=[f"h{j}" for j in range(means.shape[1])])
            frames.append(pd.concat([info, hidden], axis=1).assign(train_sentences=n_sentences, **run))
    return pd.concat(frames, ignore_index=True)


def _group(category: dict) -> str:
    return f"{category['animacy']} noun" if category["pos"] == "noun" else "verb"


def mean_errors(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Mean cross-entropy and squared error per value of `by`, with how many tokens each mean is over."""
    return (frame.groupby(by, sort=True)
            .agg(loss=("loss", "mean"), squared_error=("squared_error", "mean"), tokens=("loss", "size"))
            .reset_index())


def xor_cycle(frame: pd.DataFrame, period: int = 12) -> pd.DataFrame:
    """The paper's Fig. 1: mean error at each of `period` successive steps (a multiple of 3), over the test."""
    cycle = frame.assign(cycle_step=(frame["step"] % period) + 1)
    means = mean_errors(cycle, "cycle_step")
    means["position"] = (means["cycle_step"] - 1) % 3 + 1
    means["role"] = means["position"].map(XOR_ROLES)
    return means


def hidden_matrix(centroids: pd.DataFrame) -> np.ndarray:
    """(W, H) averaged hidden states, in the rows' order."""
    return centroids.filter(regex=r"^h\d+$").to_numpy(dtype=float)


def cluster(centroids: pd.DataFrame, method: str = "ward") -> np.ndarray:
    """scipy's linkage matrix over the words' averaged hidden states (Euclidean distance)."""
    if method not in METHODS:
        raise ValueError(f"method={method!r} is not one of {', '.join(METHODS)}")
    return linkage(hidden_matrix(centroids), method=method)


def cut(centroids: pd.DataFrame, k: int, method: str = "ward") -> list[list[str]]:
    """The words of each of the k clusters the tree is cut into, largest cluster first."""
    labels = fcluster(cluster(centroids, method), k, "maxclust")
    words = [centroids["word"].to_numpy()[labels == label].tolist() for label in np.unique(labels)]
    return sorted(words, key=len, reverse=True)


def purity(clusters, classes) -> float:
    """Share of items whose class is the most common one in their cluster (1 = every cluster is pure)."""
    table = pd.crosstab(np.asarray(clusters), np.asarray(classes))
    return float(table.max(axis=1).sum() / table.to_numpy().sum())


def category_purity(centroids: pd.DataFrame, method: str = "ward") -> dict[str, float]:
    """How well one network's tree recovers Elman's classes (his Fig. 7 scores 1 on each).

    top split: the tree cut into 2 clusters against noun / verb. nouns' split: the smallest subtree holding
    every noun, cut into its two branches, against animate / inanimate (nouns only). three clusters: the tree
    cut into 3 against animate noun / inanimate noun / verb."""
    links = cluster(centroids, method)
    groups = centroids["group"].to_numpy()
    nouns = np.flatnonzero(groups != "verb")
    node = to_tree(links)
    while True:  # down to the smallest subtree that holds every noun
        inside = [c for c in (node.get_left(), node.get_right()) if set(nouns) <= set(c.pre_order())]
        if not inside:
            break
        node = inside[0]
    left = set(node.get_left().pre_order())
    return {
        "top split vs noun / verb": purity(fcluster(links, 2, "maxclust"), groups == "verb"),
        "nouns' split vs animate / inanimate": purity([i in left for i in nouns], groups[nouns]),
        "three clusters vs animate / inanimate / verb": purity(fcluster(links, 3, "maxclust"), groups),
    }


def purity_by_seed(centroids: pd.DataFrame, method: str = "ward") -> pd.DataFrame:
    """category_purity for each seed's network: one row per seed."""
    return pd.DataFrame([{"seed": seed, **category_purity(d, method)} for seed, d in centroids.groupby("seed")])


EXPERIMENTS: dict[str, Callable[..., pd.DataFrame]] = {
    "xor": temporal_xor, "letters": letter_sequences, "words": word_boundaries, "lexicon": lexical_categories,
}


def write(out: Path) -> dict[str, pd.DataFrame]:
    """Recompute every table with the default settings and save it as CSV under `out`."""
    out.mkdir(parents=True, exist_ok=True)
    tables = {}
    for name, experiment in EXPERIMENTS.items():
        started = time.perf_counter()
        tables[name] = experiment()
        write_csv(tables[name], out / FILES[name], float_format="%.6g")  # float32's precision
        print(f"{out / FILES[name]}: {len(tables[name])} rows in {time.perf_counter() - started:.1f} s")
    return tables


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("results"), help="folder for the CSV tables")
    args = parser.parse_args(argv)
    tables = write(args.out)
    print(mean_errors(tables["xor"], "position").to_string(index=False))
    print(mean_errors(tables["letters"], "kind").to_string(index=False))
    print(mean_errors(tables["words"], "onset").to_string(index=False))
    print(purity_by_seed(tables["lexicon"]).to_string(index=False))


if __name__ == "__main__":
    main()
