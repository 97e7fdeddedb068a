"""What each training step reads: chunks of token ids cut from long streams or from scored sequences.

Streams (language modelling): the ids are split into B contiguous streams read side by side, so the state
at the end of one sequence is the right starting state for the next sequence of the same stream.
Tasks: fixed-length sequences, each read from the zero state, scored only where the mask says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import torch


@dataclass(frozen=True)
class StreamData:
    """Language modelling on one long text: the model predicts every next token."""

    train: torch.Tensor  # (N,) long token ids
    valid: torch.Tensor  # (M,) long token ids


@dataclass(frozen=True)
class TaskData:
    """Scored sequence tasks, duck-typed: any objects with inputs, targets (N, T) long, mask (N, T) bool and
    vocab (core.data.synthetic.SequenceTask has them). The output at step t (read from h_t) is scored
    against targets[:, t] where mask[:, t] is True."""

    train: Any
    valid: Any


@dataclass(frozen=True)
class Chunk:
    """One step's worth of input: tBPTT's K steps, or a whole sequence under full BPTT."""

    x: torch.Tensor  # (B, K) input ids
    y: torch.Tensor  # (B, K) target ids
    mask: torch.Tensor | None  # (B, K) positions that count; None = all of them
    fresh: bool  # starts from the zero state; otherwise the previous chunk's final state is carried in


def is_stream(data) -> bool:
    return isinstance(data, StreamData) or (isinstance(data, torch.Tensor) and data.dim() == 1)


def check(data: StreamData | TaskData, vocab_size: int, batch_size: int) -> None:
    """Clear errors for data that cannot train this model, before any step is taken."""
    if isinstance(data, StreamData):
        for name, ids in (("train", data.train), ("valid", data.valid)):
            _check_ids(ids, vocab_size, f"the {name} stream")
            if ids.dim() != 1 or len(ids) < 2:
                raise ValueError(f"the {name} stream must be a 1-D tensor of at least 2 token ids")
        streams(data.train, batch_size)
    elif isinstance(data, TaskData):
        for name in ("train", "valid"):
            inputs, targets, mask = task_tensors(getattr(data, name))
            if inputs.dim() != 2 or inputs.shape != targets.shape or inputs.shape != mask.shape or not len(inputs):
                raise ValueError(f"the {name} task needs inputs, targets and mask of one shape (N, T), N >= 1")
            _check_ids(inputs, vocab_size, f"the {name} task's inputs")
            _check_ids(targets[mask], vocab_size, f"the {name} task's scored targets")
            if not mask.any():
                raise ValueError(f"the {name} task's mask marks no position: there is nothing to score")
    else:
        raise TypeError(f"train on StreamData or TaskData, not {type(data).__name__}")


def _check_ids(ids: torch.Tensor, vocab_size: int, what: str) -> None:
    if ids.dtype != torch.long:
        raise ValueError(f"{what} must hold token ids (torch.long), not {ids.dtype}")
    if ids.numel() and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(f"{what} holds ids outside 0..{vocab_size - 1}, the model's vocabulary")


def task_tensors(task) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    return (torch.as_tensor(task.inputs), torch.as_tensor(task.targets),
            torch.as_tensor(task.mask, dtype=torch.bool))


def streams(ids: torch.Tensor, batch_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(N,) -> inputs, targets (B, n): row b is the b-th contiguous piece, targets shifted by one token."""
    n = (len(ids) - 1) // batch_size
    if n < 1:
        raise ValueError(f"a stream of {len(ids)} tokens is too short for {batch_size} parallel streams")
    return ids[: batch_size * n].view(batch_size, n), ids[1: batch_size * n + 1].view(batch_size, n)


def stream_chunks(ids: torch.Tensor, batch_size: int, seq_len: int, truncate: int | None,
                  offset: int = 0) -> Iterator[Chunk]:
    """One pass over the stream from `offset`: sequences of seq_len tokens, each cut into chunks of K."""
    x, y = streams(ids[offset:], batch_size)
    first = True
    for start in range(0, x.shape[1], seq_len):
        stop = min(start + seq_len, x.shape[1])
        for a in range(start, stop, truncate or seq_len):
            b = min(a + (truncate or seq_len), stop)
            yield Chunk(x[:, a:b], y[:, a:b], None, first)
            first = False


def task_chunks(task, batch_size: int, truncate: int | None, generator: torch.Generator | None) -> Iterator[Chunk]:
    """One pass over the task's sequences (shuffled by `generator`, in order without one), B at a time."""
    inputs, targets, mask = task_tensors(task)
    order = torch.randperm(len(inputs), generator=generator) if generator is not None else torch.arange(len(inputs))
    T = inputs.shape[1]
    for i in range(0, len(order), batch_size):
        rows = order[i: i + batch_size]
        x, y, m = inputs[rows], targets[rows], mask[rows]  # (B, T)
        for a in range(0, T, truncate or T):
            b = min(a + (truncate or T), T)
            yield Chunk(x[:, a:b], y[:, a:b], m[:, a:b], a == 0)


def training_chunks(data: StreamData | TaskData, batch_size: int, seq_len: int, truncate: int | None,
                    generator: torch.Generator) -> Iterator[Chunk]:
    """Epoch after epoch, without end. A stream's first epoch starts at token 0, every later one at a random
    offset below seq_len, so the cuts between sequences move; a task's sequences are reshuffled each epoch."""
    epoch = 0
    while True:
        if isinstance(data, StreamData):
            high = min(seq_len, len(data.train) - batch_size)  # keeps at least one token in every stream
            offset = int(torch.randint(high, (), generator=generator)) if epoch else 0
            yield from stream_chunks(data.train, batch_size, seq_len, truncate, offset)
        else:
            yield from task_chunks(data.train, batch_size, truncate, generator)
        epoch += 1
