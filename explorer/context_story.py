"""What the context-use table (results/context_use.csv, core.probes.context) says, in words computed from it.

The lecture's claim is that gated cells use far more of the past than an Elman network. These sentences say
what the shipped models measurably do, whichever way the numbers fall, so they can never go stale.
"""

from __future__ import annotations

import pandas as pd

from core.models.config import SHORT_ARCH_NAMES
from core.probes.context import TOLERANCE

GATED_FACTOR = 5  # "far more": at least this many times the Elman network's effective context
NEAR = 20  # tokens: what lies further back than this is "far" context


def table(curves: pd.DataFrame) -> pd.DataFrame:
    """One row per model (in the CSV's order): name, arch, effective_context, longest, loss at 1 and at the
    longest k, and the nats saved by the tokens beyond 20 back."""
    rows = []
    for name, g in curves.groupby("model", sort=False):
        g = g.sort_values("k")
        longest = int(g["k"].iloc[-1])
        at = dict(zip(g["k"].astype(int), g["loss"]))
        near = max((k for k in at if k <= NEAR), default=int(g["k"].iloc[0]))
        rows.append({"model": name, "arch": name.split("-")[0], "longest": longest,
                     "effective_context": int(g["effective_context"].iloc[0]), "positions": int(g["positions"].iloc[0]),
                     "loss_k1": at[int(g["k"].iloc[0])], "loss_longest": at[longest], "near": near,
                     "saved_beyond_near": at[near] - at[longest]})
    return pd.DataFrame(rows)


def _nats(value: float) -> str:
    """Three decimals, with a saving that rounds to zero written 0.000, never −0.000."""
    return f"{round(value, 3) + 0.0:.3f}"


def _name(arch: str) -> str:
    return SHORT_ARCH_NAMES.get(arch, arch)


def headline(summary: pd.DataFrame) -> str:
    """Which network uses how much context, and whether that bears the lecture's claim out."""
    by = {row.arch: row for row in summary.itertuples()}
    parts = [f"the {_name(row.arch)} network's loss stops falling at k = {row.effective_context} tokens "
             f"(the tokens beyond {row.near} back save {_nats(row.saved_beyond_near)} nats)"
             for row in summary.itertuples()]
    text = "Reading only the last k tokens of held-out Shakespeare, " + "; ".join(parts) + "."
    if "elman" not in by:
        return text
    elman = by["elman"].effective_context
    gated = [by[a] for a in ("lstm", "gru") if a in by]
    far = [g for g in gated if g.effective_context >= GATED_FACTOR * elman]
    if gated and len(far) == len(gated):
        names = " and ".join(_name(g.arch) for g in gated)
        text += (f" So the {names} use at least {GATED_FACTOR}× the Elman network's context, as the lecture "
                 "predicts for gated cells.")
    elif far:
        text += (f" The {_name(far[0].arch)} uses at least {GATED_FACTOR}× the Elman network's context; the "
                 + " and ".join(_name(g.arch) for g in gated if g not in far) + " does not.")
    elif gated:
        text += (f" Neither gated network reaches {GATED_FACTOR}× the Elman network's context here: on this text "
                 "and at this size, the lecture's claim is not borne out by what the models use.")
    return text


def method(summary: pd.DataFrame) -> str:
    """How the numbers were measured (counts from the table itself)."""
    positions = int(summary["positions"].max()) if len(summary) else 0
    longest = int(summary["longest"].max()) if len(summary) else 0
    return (f"Khandelwal et al.'s (2018) probe: {positions} targets in the test split, each read from a fresh "
            f"state after only its last k tokens, k = 1 … {longest}. The effective context is the smallest k whose "
            f"mean loss is within {TOLERANCE} nats of the loss with all {longest}.")


def paired_error(targets: pd.DataFrame, beyond: int = NEAR) -> float:
    """The largest standard error of loss(k) − loss(longest) over the targets, across every model and every k
    beyond `beyond` (targets: results/context_targets.csv, a column k<n> of losses per k). Paired, since every k
    reads the same targets; it says how finely the table can place an effective context."""
    errors = [0.0]
    for _, g in targets.groupby("model", sort=False):
        ks = sorted(int(c[1:]) for c in g.columns if c.startswith("k") and c[1:].isdigit())
        longest = g[f"k{ks[-1]}"]
        errors += [(g[f"k{k}"] - longest).std() / len(g) ** 0.5 for k in ks if beyond < k < ks[-1]]
    return float(max(errors))


def precision(targets: pd.DataFrame) -> str:
    """How much to trust an effective context read from this table, in a sentence."""
    error = paired_error(targets)
    n = int(targets.groupby("model").size().min())
    verdict = ("close to the tolerance itself, so read each effective context as a rough figure"
               if error >= TOLERANCE / 2 else "well under the tolerance, so the effective contexts are firm")
    return (f"With {n} targets, the saving at each k beyond {NEAR} is known to ±{error:.3f} nats at worst (one "
            f"standard error of the paired difference): {verdict}.")
