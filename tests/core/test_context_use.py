"""The context-use probe (Khandelwal et al. 2018): closed forms where the answer is known by construction,
parity with core.unroll and core.gradient_vs_distance, and the recorded tables recomputed from the shipped
checkpoints on a few of their targets."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch

from core import ModelConfig, build_model, checkpoint, gradient_vs_distance, pretrained, unroll
from core.probes import context
from core.probes.context import context_use, effective_context, gradient_reach, sample_positions
from core.text import Vocab, get_tokenizer

TEXT = "the cat sat on the mat . the dog sat on the log . a cat saw a dog . " * 20
KS = (1, 2, 3, 5, 8, 12)


@pytest.fixture(scope="module")
def stream() -> tuple[Vocab, torch.Tensor]:
    tok = get_tokenizer("word")
    vocab = Vocab.from_texts([TEXT], tok, lowercase=True)
    return vocab, vocab.encode(tok.tokenize(TEXT))


def test_effective_context_is_the_first_k_within_the_tolerance_of_the_longest():
    curve = pd.DataFrame({"k": [1, 5, 10, 50, 200], "loss": [5.0, 4.6, 4.508, 4.505, 4.5]})
    assert effective_context(curve) == 10
    assert effective_context(curve, tolerance=0.001) == 200
    assert effective_context(curve.assign(loss=4.5)) == 1  # flat: one token is as good as all


def test_positions_are_seeded_distinct_and_leave_room_for_the_longest_context():
    p = sample_positions(1000, 50, longest=200, seed=3)
    assert torch.equal(p, sample_positions(1000, 50, longest=200, seed=3)) and len(p.unique()) == 50
    assert int(p.min()) >= 200 and not torch.equal(p, sample_positions(1000, 50, longest=200, seed=4))
    with pytest.raises(ValueError, match="no target"):
        sample_positions(100, longest=200)


@pytest.mark.parametrize("n", [1, 3])
def test_a_fixed_window_of_n_uses_exactly_n_tokens(stream, n):
    vocab, ids = stream
    model = build_model(ModelConfig(arch="window", window=n, hidden_size=8, embed_dim=4), vocab)
    use = context_use(model, ids, sample_positions(len(ids), 40, longest=KS[-1]), ks=KS)
    per = use.per_target
    for k in KS:
        if k >= n:  # everything beyond the window is dropped anyway: the very same loss, not just close
            assert torch.equal(torch.tensor(per[k].values), torch.tensor(per[KS[-1]].values))
    assert use.effective_context <= n
    reach = gradient_reach(model, ids, sample_positions(len(ids), 8, longest=KS[-1]), longest=KS[-1])
    assert (reach.loc[reach.distance > n, "grad_norm"] == 0).all()
    assert (reach.loc[reach.distance <= n, "grad_norm"] > 0).all()


def test_an_elman_network_without_recurrence_uses_one_token(stream):
    vocab, ids = stream
    model = build_model(ModelConfig(hidden_size=8, embed_dim=4, spectral_radius=0.0), vocab)
    use = context_use(model, ids, sample_positions(len(ids), 30, longest=KS[-1]), ks=KS)
    assert use.effective_context == 1 and use.curve["saved"].abs().max() < 1e-6


@pytest.mark.parametrize("arch", ["elman", "lstm", "gru"])
def test_each_loss_is_what_unroll_gives_for_the_same_window(stream, arch):
    vocab, ids = stream
    model = build_model(ModelConfig(arch=arch, hidden_size=8, embed_dim=4, seed=1), vocab)
    positions = sample_positions(len(ids), 6, longest=KS[-1])
    use = context_use(model, ids, positions, ks=KS)
    for t in positions.tolist()[:3]:
        for k in (1, 5, 12):
            expected = unroll(model, ids[t - k: t + 1]).loss[-2].item()  # the output at t-1 scores ids[t]
            assert use.per_target.loc[t, k] == pytest.approx(expected, rel=1e-5)
    assert use.curve["loss"].tolist() == pytest.approx(use.per_target.mean().tolist())


@pytest.mark.parametrize("arch", ["elman", "lstm", "gru"])
def test_gradient_reach_is_the_mean_of_gradient_vs_distance_over_the_targets(stream, arch):
    vocab, ids = stream
    model = build_model(ModelConfig(arch=arch, hidden_size=8, embed_dim=4, seed=2), vocab)
    longest = 10
    positions = sample_positions(len(ids), 5, longest=longest)
    reach = gradient_reach(model, ids, positions, longest=longest)
    norms = []
    for t in positions.tolist():
        frame = gradient_vs_distance(model, ids[t - longest: t + 1], target=-1, wrt="input", quantity="loss")
        norms.append(frame.set_index("distance")["grad_norm"].loc[range(1, longest + 1)].to_numpy())
    assert reach["grad_norm"].to_numpy() == pytest.approx(np.mean(norms, axis=0), rel=1e-4)


def test_a_bidirectional_model_is_refused(stream):
    vocab, ids = stream
    model = build_model(ModelConfig(hidden_size=4, bidirectional=True), vocab)
    with pytest.raises(ValueError, match="bidirectional"):
        context_use(model, ids, ks=(1, 2))


RESULTS = pretrained.ROOT / "results"


@pytest.mark.slow
def test_the_recorded_tables_recompute_from_the_shipped_checkpoints():
    curves = pd.read_csv(RESULTS / "context_use.csv")
    targets = pd.read_csv(RESULTS / "context_targets.csv")
    gen = torch.Generator().manual_seed(0)
    for name, rows in targets.groupby("model"):
        per = rows.set_index("position").drop(columns="model").rename(columns=lambda c: int(c[1:]))
        curve = curves[curves.model == name].sort_values("k")
        # the recorded curve is the mean of the recorded per-target losses, and says the same effective context
        assert curve["loss"].tolist() == pytest.approx(context.curve_of(per)["loss"].tolist(), abs=1e-9)
        assert int(curve["effective_context"].iloc[0]) == effective_context(curve)
        model = checkpoint.load(pretrained.ROOT / "models" / f"{name}.safetensors").model
        _, _, _, test = pretrained.corpus_ids(model.config.tokenizer)
        assert per.index.tolist() == sample_positions(len(test), len(per)).tolist()
        some = torch.tensor(per.index.to_numpy())[torch.randperm(len(per), generator=gen)[:8]].sort().values
        for k in (1, 20, 200):
            again = context.target_losses(model, test, some, k)
            assert again.tolist() == pytest.approx(per.loc[some.tolist(), k].tolist(), rel=1e-4), (name, k)
    assert math.isfinite(curves["loss"].max())
