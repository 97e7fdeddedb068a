"""Models of the lecture: Elman, LSTM, GRU and the fixed-window network, plus the language-model wrapper."""

from .build import build_model, lecture_vocab, scale_w_hh
from .elman import ElmanRNN
from .gated import GRU, LSTM
from .lm import LanguageModel
from .window import WindowCore

__all__ = ["ElmanRNN", "LSTM", "GRU", "WindowCore", "LanguageModel", "build_model", "lecture_vocab", "scale_w_hh"]
