"""The Gradients, BPTT by hand and LSTM/GRU views: their declared settings, and the weight-decay sentence computed
from the numbers it states."""

from __future__ import annotations

from core import ModelConfig
from core.gradients import weight_decay_shrink
from explorer.views import gradients


def test_the_weight_decay_sentence_states_this_models_numbers():
    assert gradients.decay_note(ModelConfig(), 1.0, 2.0) is None  # no decay, nothing to say
    shrink = weight_decay_shrink(0.004)
    note = gradients.decay_note(ModelConfig(), shrink, 1.7)
    assert f"{shrink:.3g}" in note and f"{1.7 * shrink:.3g}" in note and "instead of 1.7" in note
    gru = gradients.decay_note(ModelConfig(arch="gru"), shrink, None)
    assert gru == f"Weight decay has scaled W_hh by {shrink:.3g}."
    assert "no W_hh" in gradients.decay_note(ModelConfig(arch="window"), shrink, None)
