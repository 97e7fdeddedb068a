"""Reading the all-pairs map: the unreachable triangle, and blocks that keep each one's strongest pair."""

import numpy as np
import pytest

from core import ModelConfig, build_model, jacobian_norms, lecture, unroll
from core.gradients.pairs import block_max, unreachable


def test_the_unreachable_triangle_follows_the_direction_of_reading():
    model = build_model(ModelConfig(hidden_size=6, bidirectional=True))
    x = unroll(model, lecture.CAT_SAT).x
    forward = jacobian_norms(model.core, x, ord="fro", log=True).numpy()
    backward = jacobian_norms(model.core, x, ord="fro", log=True, direction=1).numpy()
    assert (unreachable(forward) == np.triu(np.ones(forward.shape, bool), 1)).all()  # s after t: no path
    assert (unreachable(backward) == np.tril(np.ones(backward.shape, bool), -1)).all()
    assert not unreachable(np.zeros((4, 4))).any() and not unreachable(np.zeros((1, 1))).any()


def test_blocks_keep_the_strongest_pair_and_any_nan():
    L = np.log(np.arange(1.0, 26.0).reshape(5, 5))
    L[4, 0] = np.nan
    blank = np.zeros((5, 5), bool)
    blank[0, 1:] = True
    M, B, starts = block_max(L, blank, 2)
    assert M.shape == (3, 3) and list(starts) == [0, 2, 4]
    assert M[1, 1] == pytest.approx(np.log(19.0))  # rows 2-3, columns 2-3: the largest entry, 4 * 5 + 3 + 1
    assert M[0, 0] == pytest.approx(np.log(7.0))  # the blank entry 2 is left out, 7 is the block's largest
    assert np.isnan(M[2, 0]) and not B.any()
    all_blank = np.ones((5, 5), bool)
    assert block_max(L, all_blank, 2)[1].all()


@pytest.mark.parametrize(("tokens", "target", "expected"), [
    ("a jig b c dancing".split(), 4, 1), ("a jig b".split(), 1, None), ("jig jig dancing".split(), 2, 0),
    (list("jig dancing"), 10, None),
])
def test_the_cue_counts_only_when_it_comes_before_the_target(tokens, target, expected):
    assert lecture.cue_position(tokens, target) == expected
