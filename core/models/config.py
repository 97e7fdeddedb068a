"""One frozen description of a model: hashable (a cache key), printable, and saved beside weights."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from numbers import Integral, Real

ARCHS = ("elman", "lstm", "gru", "window")
ARCH_NAMES = {"elman": "Elman RNN", "lstm": "LSTM", "gru": "GRU", "window": "Fixed window"}  # the one display name
# The same names where room is short (the model picker, a legend): "Elman" for the Elman RNN.
SHORT_ARCH_NAMES = {arch: name.removesuffix(" RNN") for arch, name in ARCH_NAMES.items()}
RECURRENT_ARCHS = ("elman", "lstm", "gru")
ACTIVATIONS = ("tanh", "sigmoid", "relu", "identity")
INITS = ("gaussian", "orthogonal", "identity")
COMBINES = ("concat", "mean", "max")
TOKENIZERS = ("word", "char")
SEEDS = (-(2**63), 2**64 - 1)  # what torch.manual_seed accepts


@dataclass(frozen=True)
class ModelConfig:
    """Everything needed to rebuild a language model exactly (same seed, same weights)."""

    arch: str = "elman"  # elman | lstm | gru | window (Bengio et al. 2003)
    tokenizer: str = "word"  # word | char
    embed_dim: int = 16  # size of e_w; ignored when one_hot (then I = V)
    one_hot: bool = False  # Elman (1990) fed one-hot vectors instead of learned embeddings
    hidden_size: int = 32  # H
    num_layers: int = 1  # L, stacked: layer l reads layer l-1's states
    bidirectional: bool = False  # D = 2: a second network reads the text right to left
    combine: str = "concat"  # how the two directions are merged for the readout: concat | mean | max
    activation: str = "tanh"  # f in h_t = f(u_t); Elman only (LSTM/GRU use their own gates)
    init: str = "orthogonal"  # W_hh before rescaling: gaussian | orthogonal | identity
    spectral_radius: float = 1.0  # W_hh is rescaled so that max |eigenvalue| equals this
    window: int = 5  # n, the context window of the fixed-window model
    seed: int = 0  # every random choice (weights, hashed vectors) derives from it
    weights: str = ""  # "" = the seeded initial weights; else the digest of the checkpoint holding trained ones
    w_hh_scale: float = 1.0  # every W_hh is multiplied by this once the weights are made or loaded (what-ifs)

    def __post_init__(self) -> None:
        for name, allowed in (
            ("arch", ARCHS),
            ("activation", ACTIVATIONS),
            ("init", INITS),
            ("combine", COMBINES),
            ("tokenizer", TOKENIZERS),
        ):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name}={getattr(self, name)!r} is not one of {', '.join(allowed)}")
        for name in ("embed_dim", "hidden_size", "num_layers", "window", "seed"):  # 2.0 or "2" would fail later
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Integral):
                raise ValueError(f"{name} must be a whole number, got {value!r}")
            if name != "seed" and value < 1:
                raise ValueError(f"{name} must be at least 1, got {value}")
            if type(value) is not int:  # numpy's: torch's seeding and JSON want a Python int
                object.__setattr__(self, name, int(value))
        if not SEEDS[0] <= self.seed <= SEEDS[1]:
            raise ValueError(f"seed must lie in {SEEDS[0]}..{SEEDS[1]}, got {self.seed}")
        for name in ("w_hh_scale", "spectral_radius"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Real) or not 0 <= value < math.inf:  # NaN fails too
                raise ValueError(f"{name} must be a finite non-negative number, got {value!r}")
            if not isinstance(value, int | float):
                object.__setattr__(self, name, float(value))

    @property
    def is_recurrent(self) -> bool:
        """Whether the model carries a state through time (the fixed-window model does not)."""
        return self.arch in RECURRENT_ARCHS

    @property
    def arch_name(self) -> str:
        return ARCH_NAMES[self.arch]

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    def replace(self, **changes) -> ModelConfig:
        return replace(self, **changes)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ModelConfig:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)
