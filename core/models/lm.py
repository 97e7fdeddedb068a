"""The language model around any core: embedding e_w in, readout z_t = W_zh h_t + b_z out.

    P(w_{t+1} = i | w_1..w_t) = softmax_i(z_t)
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ..text import Vocab, get_tokenizer, hashed_vector
from .config import ModelConfig
from .fused import FusedCore, supports
from .init import uniform
from .recurrent import RunResult


class LanguageModel(nn.Module):
    """Embedding (or one-hot, as Elman 1990) -> recurrent or fixed-window core -> readout.

    A word missing from the vocabulary still gets its own vector: a fixed random one derived from the
    word and the seed (see text.hashed_vector), so any sentence can be unrolled before any training.
    Its prediction target stays <unk>, since the readout only knows the vocabulary.
    """

    def __init__(self, config: ModelConfig, vocab: Vocab, core: nn.Module):
        super().__init__()
        self.config, self.vocab, self.core = config, vocab, core
        self.tokenizer = get_tokenizer(config.tokenizer)
        V = len(vocab)
        # A generator of its own, never torch's global one: sessions build models in parallel threads, and
        # global draws interleaved between them would hand one model another's numbers.
        gen = torch.Generator().manual_seed(config.seed)
        self.embedding = None if config.one_hot else nn.Embedding(V, config.embed_dim)
        if self.embedding is not None:
            with torch.no_grad():
                nn.init.normal_(self.embedding.weight, generator=gen)
        self.W_zh = nn.Parameter(uniform((V, core.output_size), core.output_size**-0.5, gen))  # (V, O)
        self.b_z = nn.Parameter(torch.zeros(V))  # (V,)

    @property
    def is_recurrent(self) -> bool:
        return self.core.is_recurrent

    @property
    def input_size(self) -> int:
        return len(self.vocab) if self.config.one_hot else self.config.embed_dim

    def tokens_and_ids(self, text_or_ids: str | Sequence[int] | torch.Tensor) -> tuple[list[str], torch.Tensor]:
        if isinstance(text_or_ids, str):
            try:
                text_or_ids.encode("utf-8")
            except UnicodeEncodeError as err:  # Python strings may hold lone surrogates; no file or browser can
                raise ValueError(f"the text holds {text_or_ids[err.start]!r} at position {err.start}, half of a "
                                 "UTF-16 surrogate pair and not a character: pass valid Unicode text") from None
            tokens = self.tokenizer.tokenize(text_or_ids)
            return tokens, self.vocab.encode(tokens)
        try:
            ids = torch.as_tensor(text_or_ids, dtype=torch.long).reshape(-1)
        except (TypeError, ValueError, RuntimeError, OverflowError):  # None, 2**70, ragged lists, ...
            raise ValueError(f"expected a text or token ids in 0..{len(self.vocab) - 1}") from None
        if len(ids) and (ids.min() < 0 or ids.max() >= len(self.vocab)):
            raise ValueError(f"token ids must lie in 0..{len(self.vocab) - 1}")
        return self.vocab.decode(ids), ids

    def embed(self, tokens: Sequence[str], ids: torch.Tensor, dtype=torch.float64) -> torch.Tensor:
        """(T,) ids -> x (1, T, I). Unknown words get their hashed vector (one-hot models use <unk>)."""
        if self.embedding is None:
            return nn.functional.one_hot(ids, len(self.vocab)).to(dtype).unsqueeze(0)
        x = self.embedding.weight.to(dtype)[ids].clone()  # (T, I)
        for t, tok in enumerate(tokens):
            if ids[t] == 0 and tok.lower() != "<unk>":
                x[t] = hashed_vector(tok, self.config.embed_dim, self.config.seed).to(dtype)
        return x.unsqueeze(0)

    def run(self, x: torch.Tensor, h0=None, *, record: bool = False, perturb=None,
            detach_every: int | None = None) -> tuple[torch.Tensor, RunResult]:
        """x (B, T, I) -> logits z (B, T, V) and the core's RunResult (see RecurrentCore.run)."""
        res = self.core.run(x, h0, record=record, perturb=perturb, detach_every=detach_every)
        z = res.output @ self.W_zh.to(x.dtype).T + self.b_z.to(x.dtype)  # (B, T, V)
        return z, res

    def forward(self, ids: torch.Tensor, h0=None, fused: bool = True):
        """ids (B, T) -> logits (B, T, V) and the final state: the training path, known words only.

        The state is what truncated BPTT carries into the next chunk: h_n (L*D, B, H), (h_n, c_n) for the
        LSTM, None for the fixed-window model (it has none). fused=True runs torch's C++ kernel on these same
        Parameters where one exists (Elman tanh/relu, LSTM, GRU; see models.fused), else the explicit loop.
        """
        output, state = self.outputs(ids, h0, fused)
        return self.readout(output), state  # (B, T, V)

    def outputs(self, ids: torch.Tensor, h0=None, fused: bool = True):
        """ids (B, T) -> the core's output (B, T, O) before the readout, and the final state (as forward).

        Separate from forward so that a probe scoring only the last position need not pay the (B, T, V) readout.
        """
        x = (nn.functional.one_hot(ids, len(self.vocab)).to(self.W_zh.dtype) if self.embedding is None
             else self.embedding(ids))  # (B, T, I)
        return self.core_outputs(x, h0, fused)

    def core_outputs(self, x: torch.Tensor, h0=None, fused: bool = True):
        """Input vectors x (B, T, I) -> the core's output (B, T, O) and final state: the fused kernel where
        there is one. Takes vectors, not ids, so that a probe can differentiate with respect to them."""
        if not self.core.is_recurrent:
            return self.core.run(x).output, None
        kernel = self._fused_kernel() if fused else None
        if kernel is not None:
            return kernel(x, h0)
        res = self.core.run(x, h0)
        return res.output, (res.h_n if res.c_n is None else (res.h_n, res.c_n))

    def readout(self, output: torch.Tensor) -> torch.Tensor:
        """z = W_zh h + b_z over the last axis of the core's output."""
        return nn.functional.linear(output, self.W_zh, self.b_z)

    def _fused_kernel(self) -> FusedCore | None:
        """The cached kernel, rebuilt only when the core's Parameters were replaced or changed dtype."""
        if not supports(self.core):
            return None
        kernel = self.__dict__.get("_fused")  # kept out of nn.Module's registries: see FusedCore
        if kernel is None or not kernel.is_current(self.core):
            kernel = self.__dict__["_fused"] = FusedCore(self.core)
        return kernel
