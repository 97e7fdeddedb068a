"""Training by backpropagation through time, full or truncated, with the lecture's remedies: gradient
clipping against exploding gradients, L2 weight decay to keep W_hh small, and early stopping.

Dropout (Zaremba et al. 2014) drops units on the non-recurrent connections only, the input vectors x_t and the
core's outputs h_t before the readout, so the memory carried from step to step is never cut; validation, the
trace and every page see the whole network.

Truncated BPTT here is tBPTT(K, K): every sequence is read in chunks of K steps, the state crosses from
one chunk to the next with its graph cut (values kept, no gradient), and the weights move after every chunk.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
import torch
from torch.nn import functional as F

from ..gradients import gradient_vs_distance
from ..models.lm import LanguageModel
from .batches import Chunk, StreamData, TaskData, check, is_stream, stream_chunks, task_chunks, training_chunks
from .config import TrainConfig


@dataclass(frozen=True)
class Evaluation:
    """How well a model does on held-out data."""

    loss: float  # mean cross-entropy per scored token, in nats
    tokens: int  # how many tokens were scored
    perplexity: float | None = None  # exp(loss): language modelling (streams)
    accuracy: float | None = None  # share of scored positions whose most likely token is the target (tasks)


@dataclass(frozen=True)
class Progress:
    """What a progress bar needs after a step; cheap to build, so it is sent after every step."""

    step: int  # optimizer steps taken
    steps: int  # the most that will be taken (TrainConfig.steps)
    tokens: int  # input tokens read so far
    train_loss: float  # training loss, exponentially smoothed
    valid_loss: float | None  # from the latest validation
    valid_perplexity: float | None  # streams
    valid_accuracy: float | None  # tasks
    grad_norm: float  # ||g|| of this step, before clipping
    clipped: bool  # whether this step's gradient was rescaled
    elapsed: float  # seconds since training began
    tokens_per_second: float  # training throughput (validation and probes not counted)
    probes: tuple[pd.DataFrame, ...] = ()  # the gradient-vs-distance curves recorded so far (TrainResult.probes)


@dataclass
class TrainResult:
    history: pd.DataFrame  # one row per step (and step 0): train_loss, valid_*, grad_norm, clipped, elapsed, tokens
    probes: pd.DataFrame  # step + gradient_vs_distance's columns, for each probed step
    best_step: int  # the step with the lowest validation loss
    reason: str  # why it ended: steps | time | stopped | early stopping | diverged
    tokens_per_second: float


def clip_gradients(params: Sequence[torch.nn.Parameter], threshold: float | None) -> tuple[float, bool]:
    """||g|| over every parameter's gradient, then Pascanu et al. (2013): if ||g|| > θ then g <- θ g / ||g||,
    the same direction with norm θ (exactly, up to rounding; torch's clip_grad_norm_ divides by ||g|| + 1e-6).

    Returns (||g|| before clipping, whether it clipped). A non-finite norm is left alone for the caller.
    """
    grads = [p.grad for p in params if p.grad is not None]
    norm = torch.nn.utils.get_total_norm(grads).item()
    if threshold is None or not math.isfinite(norm) or norm <= threshold:
        return norm, False
    for g in grads:
        g.mul_(threshold / norm)
    return norm, True


def evaluate(model: LanguageModel, data, *, batch_size: int = 32, seq_len: int = 64, fused: bool = True) -> Evaluation:
    """Loss and perplexity (streams) or loss and accuracy on the masked positions (tasks), without gradients.

    data: StreamData or TaskData (their valid split is used), a 1-D tensor of ids (e.g. a test split) or a
    task. A stream is read as up to batch_size parallel streams, fewer when it is short so that each holds
    at least seq_len tokens; the state is carried across sequences as in training.
    """
    if isinstance(data, StreamData | TaskData):
        data = data.valid
    was_training = model.training
    model.eval()
    total, correct, count = 0.0, 0, 0
    try:
        with torch.no_grad():
            if is_stream(data):
                ids = torch.as_tensor(data, dtype=torch.long)
                streams = max(1, min(batch_size, (len(ids) - 1) // seq_len))
                state = None
                for chunk in stream_chunks(ids, streams, seq_len, None):
                    logits, state = model(chunk.x, _carried(model, state), fused=fused)
                    total += _loss(logits, chunk.y, None, "sum").item()
                    count += chunk.y.numel()
            else:
                for chunk in task_chunks(data, batch_size, None, None):
                    logits, _ = model(chunk.x, fused=fused)
                    total += _loss(logits, chunk.y, chunk.mask, "sum").item()
                    correct += int((logits[chunk.mask].argmax(-1) == chunk.y[chunk.mask]).sum())
                    count += int(chunk.mask.sum())
    finally:
        model.train(was_training)
    loss = total / count
    if is_stream(data):
        return Evaluation(loss, count, perplexity=math.inf if loss > 709 else math.exp(loss))
    return Evaluation(loss, count, accuracy=correct / count)


def train(model: LanguageModel, data: StreamData | TaskData, config: TrainConfig = TrainConfig(), *,
          on_progress: Callable[[Progress], None] | None = None, stop: threading.Event | None = None,
          probe: tuple[Sequence[int] | torch.Tensor | str, int] | None = None,
          on_snapshot: Callable[[dict], None] | None = None, snapshot_every: int = 0,
          resume: dict | None = None) -> TrainResult:
    """Train `model` in place and leave it in eval mode; the same call always gives the same weights.

    Validates at step 0, every eval_every steps and at the end; with `probe=(ids, target)` records
    gradient_vs_distance(model, ids, target) at step 0, every probe_every steps and at the end (eval mode,
    float64, no effect on the weights or on any random choice). Ends on: the step budget ("steps"),
    max_seconds ("time"), `stop` being set ("stopped"), patience ("early stopping", and then, as whenever
    patience is set, the best validated weights are restored), or a non-finite loss or gradient ("diverged":
    that step is recorded but not applied).

    Long runs can be interrupted and resumed: every `snapshot_every` steps `on_snapshot` receives a dict of
    tensors and plain values (weights, optimizer, schedule, carried state, log); `resume=` that dict continues
    the run exactly where it was, with the same weights at the end as an uninterrupted run.
    """
    check(data, len(model.vocab), config.batch_size)
    params = [p for p in model.parameters() if p.requires_grad]
    if config.optimizer == "adam":
        optimizer = torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay)
    else:
        optimizer = torch.optim.SGD(params, lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, _schedule(config))
    chunks = training_chunks(data, config.batch_size, config.seq_len, config.truncate,
                             torch.Generator().manual_seed(config.seed))
    log = _Log(model, data, config, probe)
    state = None
    if resume is not None:
        if not isinstance(data, StreamData) or probe is not None:
            raise ValueError("only language-model training on a stream, without a probe, can be resumed")
        state = _restore(resume, model, optimizer, schedule, log, chunks)
    with torch.random.fork_rng():  # nothing global is drawn today; this keeps it so if a layer ever does
        torch.manual_seed(config.seed)
        if resume is None:  # a resumed run was validated where its snapshot left off
            log.validate()
            log.probe()
        reason = "steps"
        model.train()  # validation and probes switch to eval mode and back
        try:
            while True:
                if stop is not None and stop.is_set():
                    reason = "stopped"
                    break
                if config.max_seconds is not None and log.elapsed() >= config.max_seconds:
                    reason = "time"
                    break
                if log.step >= config.steps:
                    break
                started = time.perf_counter()
                chunk = next(chunks)
                loss, norm, clipped, state = _step(model, optimizer, params, chunk, _carried(model, state, chunk),
                                                   config, log.dropout_rng)
                if loss is None:  # nothing scored in this chunk: the state moved on, the weights did not
                    log.train_seconds += time.perf_counter() - started
                    log.tokens += chunk.x.numel()
                    continue
                log.record(loss, norm, clipped, chunk.x.numel(), time.perf_counter() - started)
                if not (math.isfinite(loss) and math.isfinite(norm)):
                    reason = "diverged"
                    break
                schedule.step()
                if log.step % config.eval_every == 0:
                    log.validate()
                    if config.patience is not None and log.since_best >= config.patience:
                        reason = "early stopping"
                if config.probe_every is not None and log.step % config.probe_every == 0:
                    log.probe()
                if on_progress is not None:
                    on_progress(log.progress())
                if on_snapshot is not None and snapshot_every and log.step % snapshot_every == 0 and reason == "steps":
                    on_snapshot(_snapshot(model, optimizer, schedule, log, state))
                if reason != "steps":
                    break
            if reason != "stopped":
                log.validate()
                log.probe()
            if config.patience is not None and log.best_state is not None:
                model.load_state_dict(log.best_state)
        finally:
            optimizer.zero_grad(set_to_none=True)
            model.eval()
    return TrainResult(pd.DataFrame(log.rows), log.probe_frame(), log.best_step, reason, log.tokens_per_second())


def _schedule(config: TrainConfig) -> Callable[[int], float]:
    """The learning rate's factor after `step` optimizer steps."""
    if config.lr_schedule == "cosine":
        return lambda step: 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(step, config.steps) / config.steps))
    return lambda step: 1.0


_LOG_FIELDS = ("step", "tokens", "train_seconds", "smoothed", "weight", "best_loss", "best_step", "since_best",
               "validated_at", "probed_at")


def _snapshot(model, optimizer, schedule, log: _Log, state) -> dict:
    """Everything a resumed run needs, as tensors and plain values (torch.load(weights_only=True) reads it)."""
    return {"model": {k: v.detach().clone() for k, v in model.state_dict().items()},
            "optimizer": optimizer.state_dict(), "schedule": schedule.state_dict(),
            "state": state, "rows": [dict(r) for r in log.rows], "best_state": log.best_state,
            "log": {name: getattr(log, name) for name in _LOG_FIELDS},
            "last": None if log.last is None else vars(log.last), "dropout_rng": log.dropout_rng.get_state()}


def _restore(snap: dict, model, optimizer, schedule, log: _Log, chunks) -> object:
    """Put a snapshot back and move the chunk stream on to where it was; returns the carried state."""
    model.load_state_dict(snap["model"])
    optimizer.load_state_dict(snap["optimizer"])
    schedule.load_state_dict(snap["schedule"])
    log.rows, log.best_state = [dict(r) for r in snap["rows"]], snap["best_state"]
    for name, value in snap["log"].items():
        setattr(log, name, value)
    log.last = None if snap["last"] is None else Evaluation(**snap["last"])
    if "dropout_rng" in snap:  # absent from snapshots written before dropout existed (none drew from it)
        log.dropout_rng.set_state(snap["dropout_rng"])
    log.start -= log.rows[-1]["elapsed"]  # the clock goes on from the snapshot's elapsed time
    for _ in range(log.step):  # every step read one chunk (streams score every chunk)
        next(chunks)
    return snap["state"]


def _step(model: LanguageModel, optimizer: torch.optim.Optimizer, params: list, chunk: Chunk, state,
          config: TrainConfig, rng: torch.Generator):
    """One chunk: forward from the carried state, backward, clip, update. Returns (loss, ||g||, clipped, state),
    the state detached so that no gradient ever crosses into the next chunk; loss is None where the chunk
    scores nothing (the forward pass only carries the state on)."""
    if chunk.mask is not None and not chunk.mask.any():
        with torch.no_grad():
            return None, math.nan, False, model(chunk.x, state, fused=config.fused)[1]
    logits, state = _forward(model, chunk.x, state, config, rng)  # (B, K, V)
    loss = _loss(logits, chunk.y, chunk.mask, "mean")
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    norm, clipped = clip_gradients(params, config.clip)
    value = loss.item()
    if math.isfinite(value) and math.isfinite(norm):
        optimizer.step()
    return value, norm, clipped, _detach(state)


def _forward(model: LanguageModel, ids: torch.Tensor, state, config: TrainConfig, rng: torch.Generator):
    """The training forward pass: model(ids, state), with dropout on x_t and on the core's output when p > 0."""
    if not config.dropout:
        return model(ids, state, fused=config.fused)
    x = (F.one_hot(ids, len(model.vocab)).to(model.W_zh.dtype) if model.embedding is None
         else model.embedding(ids))  # (B, K, I)
    output, state = model.core_outputs(_drop(x, config.dropout, rng), state, config.fused)
    return model.readout(_drop(output, config.dropout, rng)), state


def _drop(x: torch.Tensor, p: float, rng: torch.Generator) -> torch.Tensor:
    """Inverted dropout with masks from the run's own generator, so that a resumed run draws the same masks."""
    keep = torch.rand(x.shape, generator=rng, dtype=x.dtype) >= p
    return x * keep / (1 - p)


def _loss(logits: torch.Tensor, y: torch.Tensor, mask: torch.Tensor | None, reduction: str) -> torch.Tensor:
    """Cross-entropy of the output at step t against y[:, t], at the masked positions only (all without a mask)."""
    if mask is not None:
        return F.cross_entropy(logits[mask], y[mask], reduction=reduction)
    return F.cross_entropy(logits.flatten(0, 1), y.flatten(), reduction=reduction)


def _carried(model: LanguageModel, state, chunk: Chunk | None = None):
    """The state a chunk starts from: None (zeros) at a fresh start, and always for a bidirectional model,
    whose right-to-left state ends at the start of a chunk and so means nothing to the next one."""
    if (chunk is not None and chunk.fresh) or getattr(model.core, "bidirectional", False):
        return None
    return state


def _detach(state):
    if state is None:
        return None
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


class _Log:
    """The bookkeeping of one training run: counters and clocks, history rows, probes and the best weights."""

    def __init__(self, model: LanguageModel, data, config: TrainConfig, probe):
        self.model, self.data, self.config, self.probe_input = model, data, config, probe
        self.metric = "valid_perplexity" if isinstance(data, StreamData) else "valid_accuracy"
        self.start = time.perf_counter()
        self.step, self.tokens, self.train_seconds = 0, 0, 0.0
        self.rows: list[dict] = []
        self.probes: list[pd.DataFrame] = []
        self.smoothed, self.weight = 0.0, 0.0  # exponential moving average of the loss, and its bias correction
        self.last: Evaluation | None = None
        self.best_loss, self.best_step, self.best_state, self.since_best = math.inf, 0, None, 0
        self.validated_at, self.probed_at = -1, -1
        self.dropout_rng = torch.Generator().manual_seed(config.seed)
        self.rows.append(self._row(math.nan, math.nan, False))

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def tokens_per_second(self) -> float:
        return self.tokens / self.train_seconds if self.train_seconds > 0 else 0.0

    def record(self, loss: float, norm: float, clipped: bool, tokens: int, seconds: float) -> None:
        self.step += 1
        self.tokens += tokens
        self.train_seconds += seconds
        if math.isfinite(loss):
            self.smoothed, self.weight = 0.9 * self.smoothed + 0.1 * loss, 0.9 * self.weight + 0.1
        self.rows.append(self._row(loss, norm, clipped))

    def validate(self) -> None:
        if self.validated_at == self.step:
            return
        c = self.config
        self.last = ev = evaluate(self.model, self.data, batch_size=c.batch_size, seq_len=c.seq_len, fused=c.fused)
        self.validated_at = self.step
        self.rows[-1].update(valid_loss=ev.loss, **{self.metric: ev.perplexity if ev.accuracy is None
                                                    else ev.accuracy})
        if ev.loss < self.best_loss:
            self.best_loss, self.best_step, self.since_best = ev.loss, self.step, 0
            if c.patience is not None:
                self.best_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
        else:
            self.since_best += 1

    def probe(self) -> None:
        if self.probe_input is None or self.probed_at == self.step:
            return
        ids, target = self.probe_input
        was_training = self.model.training
        self.model.eval()
        try:
            wrt = "hidden" if self.model.core.is_recurrent else "input"
            frame = gradient_vs_distance(self.model, ids, target=target, wrt=wrt)
        finally:
            self.model.train(was_training)
        frame.insert(0, "step", self.step)
        self.probes.append(frame)
        self.probed_at = self.step

    def probe_frame(self) -> pd.DataFrame:
        if not self.probes:
            return pd.DataFrame(columns=["step", "distance", "grad_norm"])
        return pd.concat(self.probes, ignore_index=True)

    def progress(self) -> Progress:
        row, ev = self.rows[-1], self.last
        return Progress(self.step, self.config.steps, self.tokens,
                        self.smoothed / self.weight if self.weight else math.nan,
                        ev.loss if ev else None, ev.perplexity if ev else None, ev.accuracy if ev else None,
                        row["grad_norm"], row["clipped"], row["elapsed"], self.tokens_per_second(), tuple(self.probes))

    def _row(self, loss: float, norm: float, clipped: bool) -> dict:
        return {"step": self.step, "train_loss": loss, "valid_loss": math.nan, self.metric: math.nan,
                "grad_norm": norm, "clipped": clipped, "elapsed": self.elapsed(), "tokens": self.tokens}
