"""RNN Explorer's engine: the lecture's models, unrolled step by step, with exact gradients through time.

Plain PyTorch; never imports streamlit or plotly, so a notebook can use it alone.
"""

from .gradients import gradient_vs_distance, jacobian_norms
from .models import GRU, LSTM, ElmanRNN, LanguageModel, WindowCore, build_model, lecture_vocab
from .models.config import ModelConfig
from .text import CharTokenizer, Vocab, WordTokenizer
from .trace import Trace, unroll

__all__ = [
    "ModelConfig", "ElmanRNN", "LSTM", "GRU", "WindowCore", "LanguageModel", "build_model", "lecture_vocab",
    "Vocab", "WordTokenizer", "CharTokenizer", "Trace", "unroll", "jacobian_norms", "gradient_vs_distance",
]
