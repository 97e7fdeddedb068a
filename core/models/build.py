"""One entry point from a ModelConfig to a model with reproducible weights."""

from __future__ import annotations

import torch

from .. import lecture
from ..text import CharTokenizer, Vocab, get_tokenizer
from .config import ModelConfig
from .elman import ElmanRNN
from .gated import GRU, LSTM
from .lm import LanguageModel
from .window import WindowCore


def lecture_vocab(tokenizer: str = "word") -> Vocab:
    """The vocabulary of an untrained model: the lecture's own sentences (other words get hashed vectors)."""
    if tokenizer == "char":
        chars = "".join(lecture.SENTENCES) + "abcdefghijklmnopqrstuvwxyz0123456789 .,;:!?'-"
        return Vocab.from_texts([chars], CharTokenizer(), lowercase=False)
    return Vocab.from_texts(lecture.SENTENCES, get_tokenizer(tokenizer))


def build_model(config: ModelConfig, vocab: Vocab | None = None) -> LanguageModel:
    """A language model for `config`, in eval mode; the same config and vocab always give the same weights."""
    vocab = vocab or lecture_vocab(config.tokenizer)
    input_size = len(vocab) if config.one_hot else config.embed_dim
    seed = config.seed  # every draw below comes from generators seeded with it: nothing global is touched
    if config.arch == "elman":
        core = ElmanRNN(input_size, config.hidden_size, config.num_layers, config.activation,
                        config.bidirectional, config.combine, config.init, config.spectral_radius, seed)
    elif config.arch in ("lstm", "gru"):
        cls = LSTM if config.arch == "lstm" else GRU
        core = cls(input_size, config.hidden_size, config.num_layers, config.bidirectional, config.combine, seed)
    else:
        core = WindowCore(input_size, config.hidden_size, config.window, seed)
    model = LanguageModel(config, vocab, core)
    return scale_w_hh(model, config.w_hh_scale).eval()


def scale_w_hh(model: LanguageModel, scale: float) -> LanguageModel:
    """Multiply every recurrent matrix W_hh in place: what weight decay does to it, step after step."""
    if scale != 1:
        with torch.no_grad():
            for cell in getattr(model.core, "cells", ()):
                cell.W_hh.mul_(scale)
    return model
