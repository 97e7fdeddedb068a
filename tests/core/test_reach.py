"""Counting the tokens that reach a prediction, from the gradient table the charts draw."""

from __future__ import annotations

import math

import pandas as pd

from core import ModelConfig, build_model, gradient_vs_distance
from core.gradients.reach import reach_counts


def table(statuses: list[str]) -> pd.DataFrame:
    norms = {"ok": 0.5, "zero": 0.0, "underflow": 0.0, "overflow": math.inf, "nan": math.nan}
    return pd.DataFrame({"grad_norm": [norms[s] for s in statuses], "status": statuses})


def test_only_exact_zeros_have_no_path_and_nans_are_counted_apart():
    assert reach_counts(table(["ok", "ok", "zero"])) == (2, 0)
    assert reach_counts(table(["underflow", "overflow", "nan", "zero"])) == (2, 1)
    assert reach_counts(table([])) == (0, 0)


def test_a_fixed_window_reaches_exactly_its_window_and_elman_every_earlier_word():
    text = "the cat sat on the mat and then the dog ran"
    target = len(text.split()) - 1
    for n in (2, 4):
        window = build_model(ModelConfig(arch="window", window=n, hidden_size=8))
        assert reach_counts(gradient_vs_distance(window, text, target, wrt="input")) == (n, 0)
    elman = build_model(ModelConfig(hidden_size=8))
    assert reach_counts(gradient_vs_distance(elman, text, target, wrt="input")) == (target, 0)
