"""Training: the fused kernels train the very weights the traces read, truncated BPTT cuts exactly the
gradients it should, and clipping, weight decay, early stopping, seeding and the mask do what they claim."""

import copy
import math
import threading
from dataclasses import replace
from types import SimpleNamespace

import pandas as pd
import pytest
import torch
from torch.nn import functional as F
from torch.optim.optimizer import register_optimizer_step_pre_hook

from core import ModelConfig, build_model, checkpoint, gradient_vs_distance, unroll
from core.data import build_vocab, cue_task, encode, from_text
from core.models.fused import FusedCore, supports
from core.text import Vocab, get_tokenizer
from core.training import StreamData, TaskData, TrainConfig, clip_gradients, evaluate, train
from core.training.batches import streams
from core.training.cli import main


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """These tensors are tiny: a second intra-op thread only adds synchronisation, and stalls on a busy machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


TEXT = "the cat sat on the mat . the dog sat on the log . a cat saw a dog . " * 12


def corpus(tokenizer: str = "word") -> tuple[Vocab, torch.Tensor]:
    tok = get_tokenizer(tokenizer)
    vocab = Vocab.from_texts([TEXT], tok, lowercase=tokenizer == "word")
    return vocab, vocab.encode(tok.tokenize(TEXT))


def stream_data(split: int = 150) -> tuple[Vocab, StreamData]:
    vocab, ids = corpus()
    return vocab, StreamData(ids[:split], ids[split:])


def copy_task(n: int = 24, T: int = 6, seed: int = 0) -> SimpleNamespace:
    """Repeat the first token at the last step; only the last step is scored (as core.data.synthetic's tasks)."""
    g = torch.Generator().manual_seed(seed)
    inputs = torch.randint(1, 5, (n, T), generator=g)
    targets = torch.randint(1, 5, (n, T), generator=g)  # noise where unscored
    targets[:, -1] = inputs[:, 0]
    mask = torch.zeros(n, T, dtype=torch.bool)
    mask[:, -1] = True
    return SimpleNamespace(inputs=inputs, targets=targets, mask=mask, vocab=None)


def params_equal(a, b) -> bool:
    return all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))


FUSED_CONFIGS = [
    ModelConfig(hidden_size=8),
    ModelConfig(hidden_size=6, activation="relu", num_layers=2, bidirectional=True),
    ModelConfig(arch="lstm", hidden_size=6, num_layers=2, bidirectional=True, combine="max"),
    ModelConfig(arch="gru", hidden_size=6, bidirectional=True, combine="mean"),
    ModelConfig(arch="lstm", hidden_size=5, one_hot=True),
]


@pytest.mark.parametrize("config", FUSED_CONFIGS, ids=lambda c: f"{c.arch}-{c.activation}-{c.combine}")
def test_training_through_the_fused_kernel_moves_the_weights_the_trace_reads(config):
    vocab, data = stream_data()
    model = build_model(config, vocab)
    kernel = model._fused_kernel()
    assert isinstance(kernel, FusedCore)
    for cell, sfx in model.core.torch_cells():  # the very same Parameter objects, not copies
        assert getattr(kernel.rnn, "weight_hh" + sfx) is cell.W_hh
        assert getattr(kernel.rnn, "weight_ih" + sfx).data_ptr() == cell.W_hx.data_ptr()
    before = copy.deepcopy(model)
    train(model, data, TrainConfig(steps=4, batch_size=2, seq_len=10, lr=0.05, eval_every=100))
    assert model._fused_kernel() is kernel and not params_equal(model, before)
    ids = data.valid[:15]
    trace = unroll(model, ids)  # the explicit loop, step by step, in float64
    logits, _ = model(ids[None])  # the fused kernel, float32
    torch.testing.assert_close(logits[0].double(), trace.z, atol=2e-5, rtol=1e-5)


@pytest.mark.parametrize("config", FUSED_CONFIGS, ids=lambda c: f"{c.arch}-{c.activation}-{c.combine}")
def test_fused_forward_state_and_gradients_equal_the_explicit_loop(config):
    vocab, data = stream_data()
    model = build_model(config, vocab)
    ids = data.train[:24].view(2, 12)
    L = config.num_layers * config.num_directions
    h0 = torch.randn(L, 2, config.hidden_size)
    h0 = (h0, torch.randn_like(h0)) if config.arch == "lstm" else h0
    outs = []
    for fused in (True, False):
        model.zero_grad()
        logits, state = model(ids, h0, fused=fused)
        final = state if isinstance(state, tuple) else (state,)
        (logits.square().mean() + sum(s.sum() for s in final)).backward()
        outs.append((logits, final, [p.grad.clone() for p in model.parameters()]))
    (z1, s1, g1), (z2, s2, g2) = outs
    torch.testing.assert_close(z1, z2, atol=1e-5, rtol=1e-5)
    for a, b in zip(s1, s2, strict=True):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5)
    for a, b in zip(g1, g2, strict=True):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("config", [ModelConfig(activation="sigmoid"), ModelConfig(activation="identity"),
                                    ModelConfig(arch="window")], ids=["sigmoid", "identity", "window"])
def test_models_without_a_torch_kernel_train_on_the_explicit_loop(config):
    vocab, data = stream_data()
    model = build_model(config, vocab)
    assert not supports(model.core) and model._fused_kernel() is None
    ids = data.train[:20].view(2, 10)
    assert torch.equal(model(ids)[0], model(ids, fused=False)[0])
    result = train(model, data, TrainConfig(steps=3, batch_size=2, seq_len=10, eval_every=100))
    assert result.reason == "steps" and len(result.history) == 4


def chunk_gradients(model, data, config) -> list[list[torch.Tensor]]:
    """The gradients each optimizer step saw, read by a hook just before the step."""
    seen = []

    def hook(optimizer, args, kwargs):
        seen.append([p.grad.clone() for p in optimizer.param_groups[0]["params"]])

    handle = register_optimizer_step_pre_hook(hook)
    try:
        train(model, data, config)
    finally:
        handle.remove()
    return seen


def reference_gradients(model, x, y, truncate):
    """Independent autograd on the explicit loop: sum over chunks of each chunk's mean loss, with the state
    cut between chunks (detach_every) or not (truncate=None gives full BPTT of the same sum)."""
    z, _ = model.run(model.embedding(x), detach_every=truncate)  # (B, T, V)
    K = truncate or x.shape[1]
    loss = sum(F.cross_entropy(z[:, a:a + K].flatten(0, 1), y[:, a:a + K].flatten()) for a in range(0, x.shape[1], K))
    return torch.autograd.grad(loss, list(model.parameters()))


@pytest.mark.parametrize("arch", ["elman", "lstm"])
def test_truncated_bptt_gradients_match_autograd_with_detached_states(arch):
    vocab, ids = corpus()
    T, B, K = 12, 2, 4
    data = StreamData(ids[: B * T + 1], ids[:40])
    model = build_model(ModelConfig(arch=arch, hidden_size=8, spectral_radius=1.3), vocab)
    x, y = streams(data.train, B)  # (B, T): the one sequence of the first epoch
    sgd = dict(batch_size=B, seq_len=T, optimizer="sgd", lr=0.0, eval_every=100)  # lr 0: every chunk sees the same W
    seen = chunk_gradients(model, data, TrainConfig(steps=T // K, truncate=K, **sgd))
    assert len(seen) == T // K
    summed = [sum(g) for g in zip(*seen, strict=True)]
    for ours, ref in zip(summed, reference_gradients(model, x, y, K), strict=True):
        torch.testing.assert_close(ours, ref, atol=1e-6, rtol=1e-4)
    full = reference_gradients(model, x, y, None)  # the same losses without the cuts: W_hh's gradient differs
    w_hh = [n for n, _ in model.named_parameters()].index("core.cells.0.W_hh")
    assert (summed[w_hh] - full[w_hh]).norm() > 1e-3 * full[w_hh].norm()


def test_truncation_at_least_the_sequence_length_is_full_bptt():
    vocab, ids = corpus()
    T, B = 12, 2
    data = StreamData(ids[: B * T + 1], ids[:40])
    x, y = streams(data.train, B)
    models = [build_model(ModelConfig(hidden_size=8), vocab) for _ in range(3)]
    config = TrainConfig(steps=1, batch_size=B, seq_len=T, optimizer="sgd", lr=0.5, eval_every=100)
    ref = reference_gradients(models[0], x, y, None)
    seen = chunk_gradients(models[0], data, config)
    for ours, r in zip(seen[0], ref, strict=True):
        torch.testing.assert_close(ours, r, atol=1e-6, rtol=1e-4)
    train(models[1], data, replace(config, truncate=T))
    train(models[2], data, replace(config, truncate=5 * T))
    assert params_equal(models[0], models[1]) and params_equal(models[0], models[2])


def test_validation_loss_falls_on_a_tiny_corpus():
    vocab, data = stream_data()
    model = build_model(ModelConfig(hidden_size=32), vocab)
    result = train(model, data, TrainConfig(steps=60, batch_size=4, seq_len=12, lr=0.01, eval_every=20))
    valid = result.history.dropna(subset=["valid_loss"])
    assert list(valid.step) == [0, 20, 40, 60]
    assert valid.valid_loss.iloc[-1] < 0.5 * valid.valid_loss.iloc[0]
    assert valid.valid_perplexity.iloc[-1] == pytest.approx(math.exp(valid.valid_loss.iloc[-1]))
    assert result.reason == "steps" and not model.training and result.tokens_per_second > 0
    assert evaluate(model, data, batch_size=4, seq_len=12).loss == pytest.approx(valid.valid_loss.iloc[-1])


def test_evaluate_carries_the_state_like_one_long_unroll():
    vocab, ids = corpus()
    model = build_model(ModelConfig(hidden_size=8), vocab)
    ids = ids[:15]  # one stream of 14 predictions, read as chunks of 8 and 6 with the state carried across
    ev = evaluate(model, ids, seq_len=8)
    assert ev.tokens == 14
    assert ev.loss == pytest.approx(unroll(model, ids).loss[:-1].mean().item(), rel=1e-5)


def test_clipping_hands_the_optimizer_a_gradient_of_norm_exactly_theta():
    vocab, data = stream_data()
    model = build_model(ModelConfig(hidden_size=16, spectral_radius=1.5), vocab)
    theta = 0.05
    seen = chunk_gradients(model, data, TrainConfig(steps=5, batch_size=2, seq_len=10, clip=theta, eval_every=100))
    for grads in seen:
        assert torch.nn.utils.get_total_norm(grads).item() == pytest.approx(theta, rel=1e-5)
    model = build_model(ModelConfig(hidden_size=16, spectral_radius=1.5), vocab)
    history = train(model, data, TrainConfig(steps=5, batch_size=2, seq_len=10, clip=theta, eval_every=100)).history
    assert history.clipped.iloc[1:].all() and (history.grad_norm.iloc[1:] > theta).all()


def test_clip_gradients_leaves_small_gradients_alone():
    p = torch.nn.Parameter(torch.zeros(2))
    p.grad = torch.tensor([3.0, 4.0])
    assert clip_gradients([p], 10.0) == (5.0, False) and torch.equal(p.grad, torch.tensor([3.0, 4.0]))
    assert clip_gradients([p], 1.0) == (5.0, True)
    torch.testing.assert_close(p.grad, torch.tensor([0.6, 0.8]))


def test_weight_decay_keeps_w_hh_smaller():
    vocab, data = stream_data()
    norms = []
    for decay in (0.0, 0.05):
        model = build_model(ModelConfig(hidden_size=16), vocab)
        train(model, data, TrainConfig(steps=30, batch_size=2, seq_len=10, optimizer="sgd", lr=0.5,
                                       weight_decay=decay, eval_every=100))
        norms.append(model.core.cell().W_hh.norm().item())
    assert norms[1] < 0.9 * norms[0]


def test_same_seed_same_weights_and_the_seed_decides_the_batch_order():
    vocab, _ = corpus()
    data = TaskData(copy_task(), copy_task(seed=1))
    config = TrainConfig(steps=8, batch_size=4, eval_every=4)
    runs = []
    for seed in (0, 0, 1):
        model = build_model(ModelConfig(hidden_size=8), vocab)
        train(model, data, replace(config, seed=seed))
        runs.append(model)
    assert params_equal(runs[0], runs[1]) and not params_equal(runs[0], runs[2])


@pytest.mark.parametrize("arch", ["elman", "lstm", "window"])
def test_dropout_masks_the_core_inputs_and_outputs_and_never_the_recurrence(arch):
    """The training forward pass equals the whole network run on masked x_t, its output masked again: the
    recurrent state inside the core is computed from the masked inputs, never masked itself."""
    from core.training.loop import _forward

    vocab, ids = corpus()
    model = build_model(ModelConfig(arch=arch, hidden_size=8, window=2), vocab)
    x_ids = ids[:20].reshape(2, 10)
    config = TrainConfig(dropout=0.4)
    logits, _ = _forward(model, x_ids, None, config, torch.Generator().manual_seed(5))
    rng = torch.Generator().manual_seed(5)
    x = model.embedding(x_ids)
    keep_x = (torch.rand(x.shape, generator=rng) >= 0.4) / 0.6
    output, _ = model.core_outputs(x * keep_x, None)
    keep_h = (torch.rand(output.shape, generator=rng) >= 0.4) / 0.6
    torch.testing.assert_close(logits, model.readout(output * keep_h))
    assert 0.3 < (keep_x == 0).float().mean() < 0.5  # about p of the units are dropped
    plain, _ = _forward(model, x_ids, None, TrainConfig(), rng)
    torch.testing.assert_close(plain, model(x_ids)[0])  # p = 0 is the plain forward pass


def test_dropout_changes_training_reproducibly_and_validation_sees_the_whole_network():
    vocab, data = stream_data()
    config = TrainConfig(steps=6, batch_size=3, seq_len=7, eval_every=3)
    runs = {}
    for name, p in (("plain", 0.0), ("a", 0.3), ("b", 0.3)):
        model = build_model(ModelConfig(hidden_size=8), vocab)
        runs[name] = (model, train(model, data, replace(config, dropout=p)))
    assert params_equal(runs["a"][0], runs["b"][0]) and not params_equal(runs["a"][0], runs["plain"][0])
    model, result = runs["a"]
    last = result.history.dropna(subset=["valid_loss"]).iloc[-1]
    assert evaluate(model, data, batch_size=3, seq_len=7).loss == pytest.approx(last["valid_loss"])
    with pytest.raises(ValueError, match="dropout"):
        TrainConfig(dropout=1.0)


def test_stop_event_ends_training_at_once():
    vocab, data = stream_data()
    stop = threading.Event()
    seen = []

    def on_progress(p):
        seen.append(p)
        if p.step == 3:
            stop.set()

    model = build_model(ModelConfig(hidden_size=8), vocab)
    result = train(model, data, TrainConfig(steps=1000, batch_size=2, seq_len=8, eval_every=2),
                   on_progress=on_progress, stop=stop)
    assert result.reason == "stopped" and result.history.step.max() == 3 and not model.training
    assert [p.step for p in seen] == [1, 2, 3] and seen[-1].tokens == 3 * 2 * 8 and seen[-1].steps == 1000
    assert seen[-1].valid_loss == result.history.valid_loss.iloc[2] and seen[-1].tokens_per_second > 0


def test_time_cap():
    vocab, data = stream_data()
    model = build_model(ModelConfig(hidden_size=8), vocab)
    result = train(model, data, TrainConfig(steps=10**6, batch_size=2, seq_len=8, max_seconds=0.3, eval_every=50))
    assert result.reason == "time" and 0 < result.history.step.max() < 10**6
    assert result.history.elapsed.iloc[-1] < 3


def test_early_stopping_restores_the_best_weights():
    vocab, ids = corpus()
    # Train on one sentence pattern, validate on text it does not contain: validation soon gets worse.
    data = StreamData(ids[:60], torch.flip(ids[:60], [0]))
    model = build_model(ModelConfig(hidden_size=16), vocab)
    result = train(model, data, TrainConfig(steps=400, batch_size=2, seq_len=10, lr=0.03, eval_every=3, patience=3))
    valid = result.history.dropna(subset=["valid_loss"])
    assert result.reason == "early stopping" and result.history.step.max() < 400
    assert result.best_step == valid.step[valid.valid_loss.idxmin()] < result.history.step.max()
    assert valid.valid_loss.iloc[-1] > valid.valid_loss.min()  # the last weights were worse ...
    assert evaluate(model, data, batch_size=2, seq_len=10).loss == pytest.approx(valid.valid_loss.min())  # not kept


def test_task_is_scored_only_on_masked_positions():
    vocab, _ = corpus()
    task = copy_task()
    noisy = copy.deepcopy(task)
    noisy.targets[~task.mask] = 0  # change every unscored target
    assert not torch.equal(noisy.targets, task.targets)
    models = [build_model(ModelConfig(hidden_size=8), vocab) for _ in range(2)]
    config = TrainConfig(steps=6, batch_size=4, truncate=4, eval_every=3)
    results = [train(m, TaskData(t, t), config) for m, t in zip(models, (task, noisy), strict=True)]
    assert params_equal(*models)
    assert results[0].history.train_loss.equals(results[1].history.train_loss)
    ev = evaluate(models[0], task)
    assert ev.tokens == len(task.inputs) and ev.accuracy is not None and ev.perplexity is None
    z, _ = models[0](task.inputs)
    torch.testing.assert_close(ev.loss, F.cross_entropy(z[:, -1], task.targets[:, -1]).item())
    assert "valid_accuracy" in results[0].history and results[0].history.valid_accuracy.notna().sum() == 3


def test_trains_on_the_synthetic_tasks_of_core_data():
    task, valid = cue_task(3, 64, seed=0), cue_task(3, 40, seed=1)
    model = build_model(ModelConfig(arch="gru", hidden_size=8), task.vocab)
    result = train(model, TaskData(task, valid), TrainConfig(steps=4, batch_size=16, truncate=2, eval_every=2))
    assert result.reason == "steps" and list(result.history.step) == [0, 1, 2, 3, 4]
    z, _ = model(valid.inputs)
    expected = (z[valid.mask].argmax(-1) == valid.targets[valid.mask]).double().mean().item()
    assert evaluate(model, valid, batch_size=16).accuracy == pytest.approx(expected)
    assert result.history.valid_accuracy.iloc[-1] == pytest.approx(expected)


def test_probes_record_the_gradient_curve_without_changing_training():
    vocab, data = stream_data()
    config = TrainConfig(steps=6, batch_size=2, seq_len=8, eval_every=100, probe_every=4)
    plain, probed = build_model(ModelConfig(hidden_size=8), vocab), build_model(ModelConfig(hidden_size=8), vocab)
    train(plain, data, config)
    result = train(probed, data, config, probe=(data.valid[:12], -1))
    assert params_equal(plain, probed)
    assert sorted(result.probes.step.unique()) == [0, 4, 6]
    assert set(result.probes.distance) == set(range(1, 12))
    final = result.probes[result.probes.step == 6].grad_norm.to_numpy()
    expected = gradient_vs_distance(probed, data.valid[:12], target=-1).grad_norm.to_numpy()
    assert final.tolist() == pytest.approx(expected.tolist())


def test_divergence_stops_training_without_applying_the_step():
    vocab, data = stream_data()
    config = ModelConfig(hidden_size=8, activation="identity", init="identity", spectral_radius=1e6)
    model = build_model(config, vocab)
    before = copy.deepcopy(model)
    result = train(model, data, TrainConfig(steps=50, batch_size=2, seq_len=12, eval_every=100))
    assert result.reason == "diverged" and result.history.step.max() == 1
    assert not math.isfinite(result.history.train_loss.iloc[-1]) and params_equal(model, before)


def test_bad_data_is_refused_before_training():
    vocab, data = stream_data()
    model = build_model(ModelConfig(hidden_size=8), vocab)
    with pytest.raises(ValueError, match="outside"):
        train(model, StreamData(data.train + len(vocab), data.valid))
    with pytest.raises(ValueError, match="too short"):
        train(model, StreamData(data.train[:5], data.valid), TrainConfig(batch_size=8))
    empty = copy_task()
    empty.mask[:] = False
    with pytest.raises(ValueError, match="nothing to score"):
        train(model, TaskData(empty, empty))
    with pytest.raises(ValueError, match="optimizer"):
        TrainConfig(optimizer="rmsprop")


def test_command_line_trains_and_writes_a_checkpoint_with_its_metrics(tmp_path, capsys):
    (tmp_path / "book.txt").write_text(TEXT, encoding="utf-8")
    out = tmp_path / "m.safetensors"
    assert main(["--text", str(tmp_path / "book.txt"), "--arch", "gru", "--hidden", "12", "--steps", "20",
                 "--batch-size", "2", "--seq-len", "10", "--truncate", "5", "--clip", "1", "--eval-every", "10",
                 "--log-every", "10", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "step 10/20" in printed and "step 20/20" in printed and "validation perplexity" in printed
    loaded = checkpoint.load(out)
    meta = loaded.meta
    assert meta["corpus"] == "book.txt" and meta["steps"] == 20 and meta["train_config"]["truncate"] == 5
    assert loaded.model.config.arch == "gru" and loaded.model.config.hidden_size == 12
    corpus = from_text(TEXT, "book.txt")
    vocab = build_vocab(corpus, "word", max_size=4000)
    assert loaded.model.vocab.itos == vocab.itos
    valid = evaluate(loaded.model, encode(corpus.valid, "word", vocab), batch_size=2, seq_len=10)
    assert valid.perplexity == pytest.approx(meta["valid_perplexity"]) and f"{valid.perplexity:.2f}" in printed


@pytest.mark.parametrize("arch,dropout", [("elman", 0.0), ("lstm", 0.0), ("gru", 0.3)])
def test_an_interrupted_run_resumed_from_its_snapshot_ends_with_the_same_weights(arch, dropout, tmp_path):
    """Snapshots go through torch.save / torch.load(weights_only=True), as core.pretrained keeps them; with
    dropout the resumed run must also draw the masks the uninterrupted one drew."""
    vocab, data = stream_data()
    config = TrainConfig(steps=12, batch_size=3, seq_len=7, lr=0.01, eval_every=5, patience=9, lr_schedule="cosine",
                         dropout=dropout)
    whole = build_model(ModelConfig(arch=arch, hidden_size=8), vocab)
    full = train(whole, data, config)

    snaps = []
    first = build_model(ModelConfig(arch=arch, hidden_size=8), vocab)
    stop = threading.Event()

    def keep(snap):
        torch.save(snap, tmp_path / "snap.pt")
        snaps.append(snap["log"]["step"])
        stop.set()  # "killed" right after the snapshot at step 4

    train(first, data, config, on_snapshot=keep, snapshot_every=4, stop=stop)
    assert snaps == [4]
    resumed = build_model(ModelConfig(arch=arch, hidden_size=8), vocab)
    again = train(resumed, data, config, resume=torch.load(tmp_path / "snap.pt", weights_only=True))
    assert params_equal(whole, resumed)
    assert again.best_step == full.best_step
    cols = ["step", "train_loss", "valid_loss", "grad_norm"]
    pd.testing.assert_frame_equal(again.history[cols], full.history[cols])


def test_cosine_schedule_ends_at_a_tenth_of_the_learning_rate():
    vocab, data = stream_data()
    model = build_model(ModelConfig(hidden_size=8), vocab)
    seen = []
    hook = register_optimizer_step_pre_hook(lambda opt, *_: seen.append(opt.param_groups[0]["lr"]))
    try:
        train(model, data, TrainConfig(steps=10, batch_size=3, seq_len=7, lr=0.02, lr_schedule="cosine"))
    finally:
        hook.remove()
    last = 0.002 + 0.018 * 0.5 * (1 + math.cos(math.pi * 0.9))  # the lr of the tenth step, taken after nine
    assert seen[0] == pytest.approx(0.02) and seen[-1] == pytest.approx(last)
    assert all(a > b for a, b in zip(seen, seen[1:]))
    with pytest.raises(ValueError, match="lr_schedule"):
        TrainConfig(lr_schedule="linear")


def test_the_command_line_says_what_a_bidirectional_perplexity_and_an_ignored_radius_mean():
    from core.training.cli import caveats

    assert caveats(ModelConfig()) == []
    (bidir,) = caveats(ModelConfig(bidirectional=True))
    assert "read the word it predicts" in bidir and "not a language model's" in bidir
    (radius,) = caveats(ModelConfig(arch="lstm", spectral_radius=2.0))
    assert "Elman network only" in radius and "LSTM ignored it" in radius
    assert caveats(ModelConfig(arch="elman", spectral_radius=2.0)) == []
