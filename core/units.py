"""Reading single units: features of a text, units ranked by how well they follow one, and LSTMVis-style matching.

Karpathy, Johnson and Fei-Fei (2015) found character-model cells that track the position in a line or whether a
quote is open; LSTMVis (Strobelt et al., 2018) lets one select a span where some units are on and look for other
places where the same units are on together. Both are computed here from a Trace; nothing is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from .models.recurrent import record_name
from .text import get_tokenizer
from .trace import Trace

GOOD_R = 0.5  # |r| at which a unit "follows" a feature: r^2 = 0.25, a quarter of the feature's variance
SCALE_PERCENTILE = 99  # an unbounded quantity's colour scale: a few extreme units would leave the rest pale
PASSAGE_CHARS = 2500  # the held-out passage: about 70 lines, 2,500 character steps or 600 word steps
OPEN, CLOSE = "([{", ")]}"
QUOTES = "\"“”«»"  # ' is left out: Shakespeare's apostrophes ('tis, o'er) would open quotes that never close
PUNCTUATION = set(".,;:!?-")

FEATURES = {
    "line_position": "position in the line",
    "in_brackets": "inside brackets or quotes",
    "word_position": "position inside the word",
    "after_punctuation": "just after punctuation",
    "seen_recently": "a chosen word or character seen within the last k tokens",
}


@dataclass(frozen=True)
class Unit:
    """One number of the state: layer, direction (0 left to right, 1 right to left), quantity (h, or c for the
    LSTM's cell) and index."""

    layer: int
    direction: int
    key: str
    index: int

    def label(self) -> str:
        return f"{self.name}[{self.index}]"

    @property
    def name(self) -> str:
        """The recorded quantity this unit is one number of: 'l0.fwd.h'."""
        return record_name(self.layer, self.direction, self.key)


@lru_cache(maxsize=1)
def held_out_passage(chars: int = PASSAGE_CHARS) -> str:
    """The start of Shakespeare's test split, cut at a line end: text no shipped model was trained on."""
    from .data import shakespeare  # reads every play once (about a second): only when asked for

    test = shakespeare().test
    end = test.rfind("\n", 0, chars)
    return test[: end + 1 if end > 0 else chars]


def state_keys(trace: Trace) -> tuple[str, ...]:
    return ("h", "c") if trace.config.arch == "lstm" else ("h",)


def units_of(trace: Trace) -> list[Unit]:
    c = trace.config
    return [Unit(layer, d, key, i) for layer in range(c.num_layers) for d in range(c.num_directions)
            for key in state_keys(trace) for i in range(trace.get(key, layer, d).shape[1])]


def values(trace: Trace, layer: int = 0, direction: int = 0, key: str = "h") -> np.ndarray:
    """(T, H) one quantity of one layer and direction, as numpy."""
    return trace.get(key, layer, direction).numpy()


def spans(trace: Trace, text: str) -> list[tuple[int, int]]:
    """Each token's character offsets in the text it was unrolled from."""
    out = get_tokenizer(trace.config.tokenizer).spans(text)
    if len(out) != len(trace):
        raise ValueError("this trace was not unrolled from this text")
    return out


def gaps(text: str, token_spans: list[tuple[int, int]]) -> list[str]:
    """The text before each token, from the end of the one before it (the spaces and line breaks of a word model's
    text, as typed): gaps[t] + token t, for every t, spells the text out again up to the last token."""
    return [text[(token_spans[t - 1][1] if t else 0):a] for t, (a, _) in enumerate(token_spans)]


def feature(name: str, text: str, token_spans: list[tuple[int, int]], tokens: tuple[str, ...] | list[str],
            target: str = "", k: int = 10) -> np.ndarray:
    """(T,) the value of one feature at each token, computed from the text alone.

    line_position: characters between the line start and the token. in_brackets: 1 while a bracket or a double
    quote is open. word_position: letters between the start of the word and the token (0 for almost every token
    of a word model, whose tokens are whole words). after_punctuation: 1 if the last visible character before
    the token is punctuation. seen_recently: 1 if `target` is one of the last k tokens, this one included
    (case ignored).
    """
    T = len(token_spans)
    out = np.zeros(T)
    if name == "line_position":
        for t, (a, _) in enumerate(token_spans):
            out[t] = a - (text.rfind("\n", 0, a) + 1)
    elif name == "in_brackets":
        depth, quoted, pos = 0, False, 0
        for t, (_, b) in enumerate(token_spans):
            for ch in text[pos:b]:
                if ch in OPEN:
                    depth += 1
                elif ch in CLOSE:
                    depth = max(0, depth - 1)
                elif ch in QUOTES:
                    quoted = not quoted
            pos = b
            out[t] = float(depth > 0 or quoted)
    elif name == "word_position":
        for t, (a, _) in enumerate(token_spans):
            start = a
            while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "'") and text[a:a + 1].isalnum():
                start -= 1
            out[t] = a - start
    elif name == "after_punctuation":
        for t, (a, _) in enumerate(token_spans):
            before = text[:a].rstrip()
            out[t] = float(bool(before) and before[-1] in PUNCTUATION)
    elif name == "seen_recently":
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        hits = np.array([tok.lower() == target.lower() for tok in tokens], dtype=float) if target else np.zeros(T)
        window = np.convolve(hits, np.ones(k))[:T]  # how often target occurs in tokens t-k+1..t
        out = (window > 0).astype(float)
    else:
        raise ValueError(f"unknown feature {name!r}: use one of {', '.join(FEATURES)}")
    return out


def correlations(acts: np.ndarray, f: np.ndarray) -> np.ndarray:
    """(H,) Pearson r between each column of acts (T, H) and f (T,); NaN where either never changes."""
    a = acts - acts.mean(0)
    g = f - f.mean()
    denom = np.sqrt((a**2).sum(0) * (g**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 1e-12, (a * g[:, None]).sum(0) / np.where(denom > 0, denom, 1), np.nan)


def rank_units(trace: Trace, f: np.ndarray) -> pd.DataFrame:
    """Every unit with its r against the feature, best |r| first (units that never change last, r = NaN)."""
    rows = []
    c = trace.config
    for layer in range(c.num_layers):
        for d in range(c.num_directions):
            for key in state_keys(trace):
                r = correlations(values(trace, layer, d, key), f)
                rows += [(Unit(layer, d, key, i).label(), layer, d, key, i, r[i]) for i in range(len(r))]
    frame = pd.DataFrame(rows, columns=["unit", "layer", "direction", "quantity", "index", "r"])
    frame["abs_r"] = frame["r"].abs()
    return frame.sort_values("abs_r", ascending=False, na_position="last", kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class Verdict:
    """What the ranking allows one to say, in numbers."""

    constant: bool  # the feature never changes over the passage: no unit can follow it
    best: str | None
    best_r: float  # NaN when constant
    good: int  # how many units reach |r| >= GOOD_R
    steps: int

    @property
    def follows(self) -> bool:
        return not self.constant and self.good > 0

    def sentence(self, feature_label: str) -> str:
        if self.constant:
            return (f"“{feature_label}” never changes over these {self.steps:,} steps, so no unit can follow it "
                    "here: pick another passage or feature.")
        if not self.follows:
            return (f"No unit follows “{feature_label}” well: the best is {self.best} with "
                    f"|r| = {abs(self.best_r):.2f}, below {GOOD_R}.")
        return (f"{self.good} unit{'s' if self.good != 1 else ''} follow{'s' if self.good == 1 else ''} "
                f"“{feature_label}” with |r| ≥ {GOOD_R}; the best is {self.best} with r = {self.best_r:+.2f}.")


def verdict(ranking: pd.DataFrame, f: np.ndarray) -> Verdict:
    constant = bool(np.ptp(f) == 0) if len(f) else True
    valid = ranking.dropna(subset=["r"])
    if constant or valid.empty:
        return Verdict(True, None, float("nan"), 0, len(f))
    top = valid.iloc[0]
    return Verdict(False, str(top["unit"]), float(top["r"]), int((valid["abs_r"] >= GOOD_R).sum()), len(f))


def units_on(acts: np.ndarray, start: int, end: int, threshold: float) -> list[int]:
    """The units (columns of acts, (T, H)) above threshold at every step of start..end-1: the selected pattern."""
    if not 0 <= start < end <= len(acts):
        raise ValueError(f"the span {start}..{end - 1} is not inside the {len(acts)} steps")
    return [int(i) for i in np.flatnonzero((acts[start:end] > threshold).all(0))]


def selection(raw: str, steps: int, v: np.ndarray) -> tuple[int, int]:
    """The first and last step of a selection written "a-b" (a link's), if it lies inside the passage's steps;
    otherwise five steps around v's largest value (v (T,), one unit over the passage), the place most worth a look."""
    try:
        a, b = (int(x) for x in raw.split("-"))
        if 0 <= a <= b < steps:
            return a, b
    except ValueError:
        pass
    top = int(np.nanargmax(v)) if np.isfinite(v).any() else 0
    return max(0, top - 2), min(steps - 1, top + 2)


def matches(acts: np.ndarray, units: list[int], threshold: float, length: int, limit: int = 10,
            selected: tuple[int, int] | None = None) -> pd.DataFrame:
    """Runs of steps where all the selected units are on together, LSTMVis's match: the runs whose length is
    closest to the selection's come first (then the earliest). Columns: start, end (exclusive), length.
    `selected` (first, last step) leaves out the run that holds the selection itself: it is no match."""
    if not units:
        return pd.DataFrame(columns=["start", "end", "length"])
    on = (acts[:, units] > threshold).all(1)
    padded = np.concatenate([[False], on, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(int)))
    runs = pd.DataFrame({"start": edges[0::2], "end": edges[1::2]})
    if selected is not None:
        runs = runs[~((runs["start"] <= selected[0]) & (runs["end"] > selected[1]))]
    runs["length"] = runs["end"] - runs["start"]
    runs["off_by"] = (runs["length"] - length).abs()
    return runs.sort_values(["off_by", "start"], kind="stable").head(limit).drop(columns="off_by").reset_index(
        drop=True)


def colour_bound(config, key: str, acts: np.ndarray) -> tuple[float, str]:
    """The fixed colour scale ±bound for one quantity, and why: the activation's own range where it has one (so a
    colour means the same value on every text and every unit), else a high percentile of |value| over all of
    `acts` (every unit and step of the passage)."""
    if key == "h" and (config.arch in ("lstm", "gru") or config.activation == "tanh"):
        return 1.0, "±1, the range of tanh: h_t can never leave it, so a colour means the same value everywhere."
    if key == "h" and config.activation == "sigmoid":
        return 1.0, "±1: the sigmoid keeps h_t between 0 and 1, so only the red half of the scale is used."
    finite = np.abs(acts[np.isfinite(acts)])
    top = float(np.percentile(finite, SCALE_PERCENTILE)) if finite.size else 0.0
    bound = top if top > 0 else (float(finite.max()) if finite.size and finite.max() > 0 else 1.0)
    what = "the LSTM's cell state c_t" if key == "c" else f"{config.activation} h_t"
    return bound, (f"±{bound:.3g}: {what} has no bound, so the scale is the {SCALE_PERCENTILE}th percentile of |value| "
                   "over every unit and step of this passage, the same for every unit (beyond it, the darkest colour).")
