"""The sentences about context use are computed from the table: change the numbers, the words follow."""

from __future__ import annotations

import pandas as pd
import pytest

from explorer import context_story
from explorer.charts.context import context_use_figure
from tests.explorer.helpers import spec

KS = [1, 10, 20, 100, 200]


def curves(effective: dict[str, int], saved: float = 0.05) -> pd.DataFrame:
    rows = []
    for model, eff in effective.items():
        for k in KS:
            loss = 4.5 + (saved if k < eff else 0.0) + (1.0 if k == 1 else 0.0)
            rows.append({"model": model, "k": k, "loss": loss, "sem": 0.01, "effective_context": eff,
                         "positions": 64})
    frame = pd.DataFrame(rows)
    last = frame.groupby("model")["loss"].transform("last")
    return frame.assign(saved=frame["loss"] - last)


def test_the_headline_names_each_model_and_its_measured_context():
    summary = context_story.table(curves({"elman-word": 10, "lstm-word": 100, "gru-word": 200}))
    text = context_story.headline(summary)
    assert "Elman network's loss stops falling at k = 10 tokens" in text
    assert "LSTM network's loss stops falling at k = 100 tokens" in text
    assert "LSTM and GRU use at least 5× the Elman network's context" in text


def test_the_headline_says_so_when_the_gated_networks_do_not_use_more():
    text = context_story.headline(context_story.table(curves({"elman-word": 20, "lstm-word": 20, "gru-word": 30})))
    assert "Neither gated network reaches 5×" in text and "not borne out" in text
    text = context_story.headline(context_story.table(curves({"elman-word": 10, "lstm-word": 20, "gru-word": 200})))
    assert "The GRU uses at least 5×" in text and "LSTM does not" in text


def test_saved_nats_and_the_method_come_from_the_table():
    summary = context_story.table(curves({"elman-word": 100}, saved=0.125))
    assert "the tokens beyond 20 back save 0.125 nats" in context_story.headline(summary)
    assert "64 targets" in context_story.method(summary) and "k = 1 … 200" in context_story.method(summary)


def test_the_figure_draws_each_curve_and_its_reach():
    c = curves({"elman-word": 10, "gru-word": 100})
    reach = pd.DataFrame({"model": ["elman-word"] * 3 + ["gru-word"] * 3, "distance": [1, 2, 3] * 2,
                          "grad_norm": [1.0, 0.1, 0.01, 1.0, 0.9, 0.8]})
    fig = spec(context_use_figure(c, reach, 0.01))
    names = [t["name"] for t in fig["data"]]
    assert names == ["Elman", "Elman", "GRU", "GRU"]
    assert fig["data"][1]["y"] == [1.0, 0.1, 0.01]
    elman = c[c.model == "elman-word"]
    assert fig["data"][0]["y"] == pytest.approx(elman["saved"].clip(lower=1e-3).tolist()), "floored, not dropped"
    assert [s["y0"] for s in fig["layout"]["shapes"]] == [0.01]


def test_a_saving_that_rounds_to_zero_reads_0_000_and_a_loss_reads_negative():
    summary = context_story.table(curves({"elman-word": 100}, saved=-0.0002))
    assert "save 0.000 nats" in context_story.headline(summary)
    summary = context_story.table(curves({"elman-word": 100}, saved=-0.004))
    assert "save -0.004 nats" in context_story.headline(summary), "further context that hurts is said"


def targets(noise: float, n: int = 400) -> pd.DataFrame:
    """Per-target losses whose differences from the longest context have standard deviation `noise`."""
    import numpy as np

    rng = np.random.default_rng(0)
    rows = {"position": range(n), "model": "gru-word", "k200": 4.0}
    for k in (10, 30, 100):
        rows[f"k{k}"] = 4.0 + rng.normal(0.0, noise, n)
    return pd.DataFrame(rows)


def test_the_precision_sentence_is_computed_from_the_targets():
    rough = context_story.precision(targets(0.2))  # standard error 0.2 / 20 = 0.01
    assert "With 400 targets" in rough and "±0.01" in rough and "rough figure" in rough
    firm = context_story.precision(targets(0.02))  # 0.001
    assert "±0.001" in firm and "firm" in firm
    assert context_story.paired_error(targets(0.2)) == pytest.approx(0.01, rel=0.15), "the mean's standard error"
