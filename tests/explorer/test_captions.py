"""Each computed sentence changes when its data changes: other numbers, other words, another model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from core import ModelConfig
from core.gradients import Derivation, Factor
from explorer import captions


def derivation(norms, product: float, state: str = "h") -> Derivation:
    """A by-hand product whose factors have these norms and whose running product ends at `product`."""
    eye = torch.eye(2, dtype=torch.float64)
    factors = tuple(Factor(10 - i, None, eye, n, eye, product if i == len(norms) - 1 else 1.0)
                    for i, n in enumerate(norms))
    return Derivation(10, 10 - len(norms), factors, eye, eye, 0.0, 0.0, state=state)


def test_the_factor_caption_explains_a_product_that_shrinks_while_every_bar_exceeds_1():
    text = captions.factor_caption(derivation([1.5, 2.1, 1.8], 0.18))
    assert "All 3 bars exceed 1" in text and "yet the product shrinks to 0.18" in text
    assert "from 1.5 to 2.1" in text and "‖AB‖ ≤ ‖A‖ ‖B‖" in text
    assert "at most their product, 5.67" in text  # 1.5 * 2.1 * 1.8


def test_the_factor_caption_follows_the_bars():
    below = captions.factor_caption(derivation([0.5, 0.4], 0.1))
    assert "All 2 bars are below 1" in below and "yet" not in below and "shrinks to 0.1" in below
    mixed = captions.factor_caption(derivation([0.5, 3.0, 2.0], 2.5))
    assert "2 of 3 bars exceed 1 and 1 are below" in mixed and "the product's norm is 2.5" in mixed
    assert "∂(h, c)_i" in captions.factor_caption(derivation([0.5], 0.5, state="hc"))
    assert "overflowed" in captions.factor_caption(derivation([float("inf")], float("nan")))


def test_the_gradients_intro_speaks_of_the_text_shown():
    dancing = captions.gradients_intro(["jig", "a", "b", "dancing"], 3, 0)
    assert "“jig”" in dancing and "“dancing”" in dancing and "3 words later" in dancing
    own = captions.gradients_intro(["my", "grandmother", "kept", "bees"], 3, None)
    assert "jig" not in own and "dancing" not in own and "“bees”" in own and "“my”**, 3 words" in own
    chars = captions.gradients_intro(list("bees"), 3, None, tokenizer="char")
    assert "3 characters" in chars and "word" not in chars.split("backpropagation")[0]


def test_the_unknown_words_note_names_the_last_unknown_words_once_each():
    assert captions.unknown_words(["the", "cat"], [True, True]) == ""
    note = captions.unknown_words(["a", "zebra", "a", "zebra"], [True, False, True, False])
    assert note.startswith("“zebra” is not in the vocabulary:") and note.count("zebra") == 1
    words = [f"w{i}" for i in range(8)]
    note = captions.unknown_words(words, [False] * 8)
    assert "“w3”" in note and "“w2”" not in note and "(nor are 3 other words of this text)" in note
    chars = captions.unknown_words(list("ab😀cdefg😎"), [True, True, False] + [False] * 6 + [False], tokenizer="char")
    assert "other characters of this text" in chars and "such a character" in chars and "word" not in chars


def test_the_backward_peek_reads_the_gradient_at_the_target():
    def frame(norm: float) -> pd.DataFrame:
        return pd.DataFrame({"distance": [0, 0, 1], "layer": [0, 0, 0], "direction": ["fwd", "bwd", "bwd"],
                             "grad_norm": [0.0, norm, 9.0]})

    assert "**0.0123**, not zero" in captions.backward_peek(frame(0.0123), "dancing")
    assert "“dancing”" in captions.backward_peek(frame(0.0123), "dancing")
    zero = captions.backward_peek(frame(0.0), "dancing")
    assert "**0**" in zero and "not zero" not in zero


def test_the_window_cost_is_the_step_between_window_sizes():
    frame = pd.DataFrame({"n": [1, 2, 3, 1, 2, 3], "model": ["w"] * 3 + ["rnn"] * 3,
                          "parameters": [100, 1300, 2500, 700, 700, 700]})
    assert "H·d = 1,200 weights" in captions.window_cost(frame, "w")
    assert "H·d = 0 weights" in captions.window_cost(frame, "rnn")


def test_the_note_for_views_that_do_not_apply_names_the_model():
    lstm = captions.not_elman_note(ModelConfig(arch="lstm", hidden_size=128), (512, 128))
    assert "LSTM" in lstm and "4 gates (512×128)" in lstm and "(h, c)" in lstm
    gru = captions.not_elman_note(ModelConfig(arch="gru", hidden_size=16), (48, 16))
    assert "GRU" in gru and "3 gates (48×16)" in gru and "(h, c)" not in gru
    window = captions.not_elman_note(ModelConfig(arch="window", window=3, tokenizer="char"))
    assert "window of 3 characters" in window and "inputs x_s" in window
    deep = captions.not_elman_note(ModelConfig(num_layers=2, bidirectional=True))
    assert "2 layers in both directions" in deep


def test_the_lstm_page_says_trained_or_untrained_as_the_models_are():
    assert "all three trained" in captions.influence_caption({"Elman RNN": True, "LSTM": True, "GRU": True})
    assert "all three untrained" in captions.influence_caption({"Elman RNN": False, "LSTM": False, "GRU": False})
    mixed = captions.influence_caption({"Elman RNN": True, "LSTM": False, "GRU": True})
    assert "LSTM untrained" in mixed and "Elman RNN trained" in mixed
    f = np.full((6, 3), 0.5)
    f[:, 2] = 0.9
    trained = captions.forget_gate_sentence(f, 5, True)
    assert "These gates are trained" in trained and "untrained" not in trained
    assert "averages **0.63**" in trained and f"at most {0.9 ** 5:.1e}" in trained and "over the 5 steps" in trained
    assert "These gates are untrained" in captions.forget_gate_sentence(f, 5, False)
    assert "steps from the first character" in captions.forget_gate_sentence(f, 5, True, "char")


def test_the_reach_comparison_reads_the_chart_data():
    def frame(values):
        return pd.DataFrame({"distance": [3, 2, 1], "log10_grad_norm": np.log10(np.maximum(values, 1e-300))})
    more = captions.reach_comparison({"LSTM": frame([1e-2, 1e-1, 1]), "Elman RNN": frame([1e-5, 1e-3, 1])})
    assert "k = 3" in more and "0.01" in more and "1e-05" in more and "1,000 times more" in more
    less = captions.reach_comparison({"LSTM": frame([1e-6, 1e-1, 1]), "Elman RNN": frame([1e-4, 1e-3, 1])})
    assert "100 times less" in less
    close = captions.reach_comparison({"LSTM": frame([0.35, 1, 1]), "Elman RNN": frame([0.24, 1, 1])}, tokenizer="char")
    assert "responds 1.5 times more" in close and "the character k = 3" in close, "1.46 is not rounded to 1"
    assert captions.reach_comparison({"LSTM": frame([np.nan] * 3), "Elman RNN": frame([1, 1, 1])}) is None


@pytest.mark.parametrize(("means", "near"), [({"LSTM f": 0.52, "LSTM i": 0.9}, "LSTM f stay near 0.5"),
                                             ({"GRU z": 0.95}, "None stays near 0.5")])
def test_the_gate_caption_follows_the_means(means, near):
    text = captions.gates_caption(means, trained=True)
    assert near in text and "(trained;" in text
    for name, value in means.items():
        assert f"{name} {value:.2f}" in text


@pytest.mark.parametrize(("norms", "said"), [
    ([1e-6, 1e-3, 1.0, 0.0], "1.0e-06 of the nearest's (k = 1): the distant steps' terms are the ones that vanish"),
    ([1e4, 10.0, 1.0, 0.0], "1.0e+04 times the nearest's (k = 1): the distant steps dominate"),
    ([0.3, 0.5, 1.0, 0.0], "differ by a factor of 3.3: here the distant terms have neither vanished"),
    ([np.inf, 1.0, 1.0, 0.0], "overflowed"),
    ([0.0, 0.0, 1.0, 0.0], "Fewer than two steps"),
])
def test_the_bptt_sum_note_compares_the_farthest_term_with_the_nearest(norms, said):
    frame = pd.DataFrame({"distance": [3, 2, 1, 0], "grad_norm": norms})  # k = 0 adds nothing (h_{-1} = 0)
    assert said in captions.bptt_terms_note(frame)


def test_the_preset_notes_count_the_words_of_their_own_texts():
    """The notes are fixed sentences about fixed texts: the distances they state are those of the texts."""
    from explorer.presets import BY_KEY

    starving = BY_KEY["starving"].text.split()
    assert starving[-3:] == ["cat", "chased", "the"] and starving[0] == "the" and len(starving) > 4
    assert "3-word window still holds “cat chased the”" in BY_KEY["starving"].why
    fanatic = BY_KEY["fanatically"].text.split()
    assert len(fanatic) - fanatic.index("cat") == 5 and "five words before" in BY_KEY["fanatically"].why
    dancing = [w for w in BY_KEY["dancing"].text.lower().replace(".", " ").replace(",", " ").split()]
    assert len(dancing) - dancing.index("jig") > 40 and "more than forty words later" in BY_KEY["dancing"].why
