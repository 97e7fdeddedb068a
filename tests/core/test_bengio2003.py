"""The Bengio (2003) comparison follows the table it is given: the best window moves with the numbers, the cost per
word is the median step, and the recurrent models are measured against that best window."""

from __future__ import annotations

import pandas as pd
import pytest

from core.reproductions.bengio2003 import compare


def table(perplexities=(300.0, 280.0, 290.0), elman=250.0) -> pd.DataFrame:
    rows = [{"arch": "window", "window": n, "parameters": 1000 + 500 * n, "valid_perplexity": p}
            for n, p in enumerate(perplexities, start=1)]
    rows.append({"arch": "elman", "window": None, "parameters": 1800, "valid_perplexity": elman})
    return pd.DataFrame(rows)


def test_the_best_window_and_the_recurrent_model_against_it():
    c = compare(table())
    assert (c.window, c.perplexity, c.parameters, c.parameters_per_word) == (2, 280.0, 2000, 500)
    (elman,) = c.recurrent
    assert elman.arch == "elman" and elman.parameters == 1800 and elman.change == pytest.approx(250 / 280 - 1)


def test_other_numbers_give_another_answer():
    c = compare(table(perplexities=(300.0, 280.0, 200.0), elman=300.0))
    assert c.window == 3 and c.recurrent[0].change == pytest.approx(0.5)


def test_without_windows_there_is_nothing_to_compare_and_one_window_has_no_cost_per_word():
    assert compare(table().query("arch != 'window'")) is None
    one = compare(table(perplexities=(300.0,)))
    assert one.window == 1 and one.parameters_per_word is None
