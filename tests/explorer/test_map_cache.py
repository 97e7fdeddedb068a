"""The kept all-pairs maps: a text that extends or shortens one mapped lately reuses its rows, and gets the map a
fresh computation gives."""

from __future__ import annotations

import torch

from core import ElmanRNN
from core.gradients import Steps, jacobian_log_norms, step_factors
from explorer import map_cache


def test_a_longer_or_shorter_text_reuses_the_kept_rows_and_gets_the_same_map(monkeypatch):
    rnn = ElmanRNN(3, 5, init="gaussian", spectral_radius=1.3, seed=4)
    steps = step_factors(rnn, torch.randn(40, 3, generator=torch.Generator().manual_seed(1)))
    first = Steps(steps.fprime[:30], steps.W_hh)
    full = []
    monkeypatch.setattr(map_cache, "jacobian_log_norms", lambda J, ord: full.append(len(J)) or jacobian_log_norms(J))
    key = ("a test network", 0, 0)
    map_cache.frobenius_map(key, first)
    longer = map_cache.frobenius_map(key, steps)  # ten more tokens: only their rows are formed
    shorter = map_cache.frobenius_map(key, Steps(steps.fprime[:12], steps.W_hh))  # rows already known
    assert full == [30], "the whole map was formed once, for the first text"
    torch.testing.assert_close(longer, jacobian_log_norms(steps), rtol=1e-9, atol=1e-12)
    torch.testing.assert_close(shorter, jacobian_log_norms(Steps(steps.fprime[:12], steps.W_hh)), rtol=1e-9,
                               atol=1e-12)
    other = Steps(steps.fprime[:30].flip(0), steps.W_hh)  # different factors from the first step: no reuse
    torch.testing.assert_close(map_cache.frobenius_map(key, other), jacobian_log_norms(other))
    assert full == [30, 30]


def test_the_kept_maps_are_bounded_and_never_handed_out_to_be_changed(monkeypatch):
    monkeypatch.setattr(map_cache, "_MAPS", type(map_cache._MAPS)())
    rnn = ElmanRNN(3, 4, init="gaussian", spectral_radius=1.1, seed=2)
    for seed in range(map_cache.KEPT + 5):  # more texts than are kept
        x = torch.randn(6, 3, generator=torch.Generator().manual_seed(seed))
        map_cache.frobenius_map(("net", 0, 0), step_factors(rnn, x)).fill_(7.0)  # a caller scribbling on its copy
    assert len(map_cache._MAPS) == map_cache.KEPT
    assert all((m != 7.0).any() for _, _, m in map_cache._MAPS.values())
