"""One trace and one backward pass per (model, text, target): the Gradients page's table and its W_hh
contributions come from the same cached pass, and equal what the core computes from the text alone."""

from __future__ import annotations

import pandas as pd
import pytest

import core
from core import ModelConfig, lecture
from core.gradients import gradient_vs_distance, target_gradients, w_hh_contributions
from explorer import state

CONFIG = ModelConfig(hidden_size=8, spectral_radius=1.1)
TEXT = lecture.DANCING


@pytest.fixture
def counted(monkeypatch):
    """Counts the backward passes and unrolls explorer.state makes, from clear caches."""
    calls = {"backward": 0, "unroll": 0}
    original_unroll = core.unroll

    def backward(*args, **kwargs):
        calls["backward"] += 1
        return target_gradients(*args, **kwargs)

    def unroll(*args, **kwargs):
        calls["unroll"] += 1
        return original_unroll(*args, **kwargs)

    monkeypatch.setattr(state, "target_gradients", backward)
    monkeypatch.setattr(state.core, "unroll", unroll)
    for cached in (state.get_trace, state.get_target_gradients, state.get_gradients, state.get_w_hh_contributions,
                   state.get_jacobian_row):
        cached.clear()
    yield calls
    monkeypatch.undo()
    for cached in (state.get_trace, state.get_target_gradients, state.get_gradients, state.get_w_hh_contributions,
                   state.get_jacobian_row):
        cached.clear()


def test_the_table_the_contributions_and_the_row_share_one_trace_and_one_backward_pass(counted):
    for truncate in (None, 7):
        hidden = state.get_gradients(CONFIG, TEXT, 60, "hidden", truncate=truncate)
        contributions, _ = state.get_w_hh_contributions(CONFIG, TEXT, 60, truncate)
        state.get_jacobian_row(CONFIG, TEXT, 60)
        inputs = state.get_gradients(CONFIG, TEXT, 60, "input", truncate=truncate)
        model = state.get_model(CONFIG)
        pd.testing.assert_frame_equal(hidden, gradient_vs_distance(model, TEXT, 60, "hidden", truncate=truncate))
        pd.testing.assert_frame_equal(inputs, gradient_vs_distance(model, TEXT, 60, "input", truncate=truncate))
        pd.testing.assert_frame_equal(contributions,
                                      w_hh_contributions(target_gradients(model, TEXT, 60, truncate=truncate)))
    assert counted == {"backward": 2, "unroll": 1}, "one backward pass per truncation, one trace for the text"
    state.get_gradients(CONFIG, TEXT, 30, "hidden")
    assert counted["backward"] == 3, "another target is another backward pass"
