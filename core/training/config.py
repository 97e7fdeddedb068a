"""One frozen description of a training run: hashable, printable, and saved beside the weights it produced."""

from __future__ import annotations

from dataclasses import asdict, dataclass

OPTIMIZERS = ("adam", "sgd")
SCHEDULES = ("constant", "cosine")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides how the weights move; the same config on the same data gives the same weights."""

    steps: int = 1000  # the most optimizer steps (truncated BPTT takes one per chunk)
    batch_size: int = 32  # B: parallel streams (language modelling) or sequences (tasks) per step
    seq_len: int = 64  # tokens per training sequence of a stream; tasks bring their own length
    truncate: int | None = None  # tBPTT chunk length K: the state crosses chunks detached; None = full BPTT
    optimizer: str = "adam"  # adam | sgd
    lr: float = 3e-3  # learning rate
    lr_schedule: str = "constant"  # constant | cosine: lr falls to lr / 10 by the last step (bold early, fine late)
    momentum: float = 0.0  # SGD's momentum (Adam has its own moment estimates and ignores it)
    clip: float | None = None  # θ: if ||g|| > θ then g <- θ g / ||g|| over all grads (Pascanu et al. 2013); None = off
    weight_decay: float = 0.0  # L2 penalty added to every gradient (λ w): the lecture's way to keep W_hh small
    dropout: float = 0.0  # p: training drops this share of the core's inputs and outputs, never h_{t-1} -> h_t
    eval_every: int = 100  # validate every this many steps (and before the first and after the last)
    patience: int | None = None  # early stopping after this many validations without a better loss; keeps the best
    probe_every: int | None = None  # gradient-vs-distance curve every this many steps (always at the start and end)
    seed: int = 0  # batch order and anything else random in training
    max_seconds: float | None = None  # wall-time cap; None = no cap
    fused: bool = True  # torch's C++ kernel on the model's own Parameters where one exists; False = explicit loop

    def __post_init__(self) -> None:
        for name in ("steps", "batch_size", "seq_len", "eval_every"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("truncate", "patience", "probe_every"):
            value = getattr(self, name)
            if value is not None and int(value) < 1:
                raise ValueError(f"{name} must be at least 1 (or None), got {value}")
        if self.lr_schedule not in SCHEDULES:
            raise ValueError(f"lr_schedule={self.lr_schedule!r} is not one of {', '.join(SCHEDULES)}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer={self.optimizer!r} is not one of {', '.join(OPTIMIZERS)}")
        for name in ("lr", "momentum", "weight_decay"):
            if not getattr(self, name) >= 0:  # also rejects NaN
                raise ValueError(f"{name} must be a non-negative number, got {getattr(self, name)}")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must lie in [0, 1), got {self.dropout}")
        for name in ("clip", "max_seconds"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"{name} must be positive (or None), got {value}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
