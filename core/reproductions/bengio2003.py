"""Bengio et al. (2003) against the recurrence, read from a table of trained models (core.pretrained's word-level
rows: arch, window, parameters, valid_perplexity): which window is best, what a wider window costs, and how each
recurrent model of the same width compares. The numbers behind the Bengio page's sentences."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

RECURRENT_ORDER = ("elman", "lstm", "gru")


@dataclass(frozen=True)
class Recurrent:
    arch: str
    perplexity: float
    parameters: int
    change: float  # perplexity / the best window's - 1: below 0, the recurrent model predicts better


@dataclass(frozen=True)
class Comparison:
    window: int  # the best fixed window n (lowest validation perplexity)
    perplexity: float
    parameters: int
    parameters_per_word: int | None  # the median growth per extra word of window; None with one window only
    recurrent: tuple[Recurrent, ...]


def compare(table: pd.DataFrame) -> Comparison | None:
    """The best fixed window and each recurrent model against it; None while the table has no scored window row
    (`make pretrained` writes each row as it finishes)."""
    windows = table[table["arch"] == "window"].dropna(subset=["valid_perplexity"]).sort_values("window")
    if windows.empty:
        return None
    best = windows.loc[windows["valid_perplexity"].idxmin()]
    steps = windows["parameters"].diff().dropna()
    recurrent = []
    for arch in RECURRENT_ORDER:
        rows = table[(table["arch"] == arch)].dropna(subset=["valid_perplexity"])
        if not rows.empty:
            r = rows.iloc[0]
            recurrent.append(Recurrent(arch, float(r["valid_perplexity"]), int(r["parameters"]),
                                       float(r["valid_perplexity"] / best["valid_perplexity"] - 1)))
    return Comparison(int(best["window"]), float(best["valid_perplexity"]), int(best["parameters"]),
                      int(steps.median()) if len(steps) else None, tuple(recurrent))
