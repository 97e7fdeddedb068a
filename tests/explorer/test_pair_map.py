"""The all-pairs map's data (drawn in the browser by explorer/web/pair_map.js): the cells, the blank triangle, the
special values and the blocks of a long text, against the map they come from."""

import math

import numpy as np
import pytest
from plotly.colors import sample_colorscale

from explorer import pair_map
from explorer.charts.style import SEQUENTIAL
from explorer.reach_strip import OVERFLOW, ZERO

LN10 = math.log(10)


def data(L, tokens):
    return pair_map.map_data(L, tokens)


def test_each_row_holds_its_log10_norms_from_the_first_state_to_its_own(logmap, dancing):
    d = data(logmap, dancing.tokens)
    T = len(dancing)
    L = logmap.numpy() / LN10
    assert d["first"] == [0] * T and [len(r) for r in d["rows"]] == list(range(1, T + 1)), "blank above the diagonal"
    for t in (1, 40, T - 1):
        np.testing.assert_allclose(d["rows"][t], L[t, : t + 1], atol=5e-6)
    assert d["where"][13] == "“jig” (13)" and d["where"][40] == f"“{dancing.tokens[40]}” (40)"
    finite = L[np.tril(np.ones((T, T), bool))]
    assert d["lo"] <= finite.min() and d["hi"] >= finite.max() - 0.15, "the scale spans the cells"
    assert all(label.startswith("10") for _, label in d["bar"]) and d["special"] == {}
    assert d["colors"] == sample_colorscale(SEQUENTIAL, list(np.linspace(0, 1, pair_map.STOPS)))


def test_exact_zeros_and_nan_are_coded_and_get_their_bands(logmap, dancing):
    L = logmap.clone()
    L[30, 5], L[31, 6], L[32, 7] = -math.inf, math.nan, math.inf
    d = data(L, dancing.tokens)
    assert (d["rows"][30][5], d["rows"][31][6], d["rows"][32][7]) == (ZERO, None, OVERFLOW)
    assert set(d["special"]) == {"zero", "nan", "overflow"} and d["special"]["zero"]["label"] == "exactly 0"
    assert math.isfinite(d["lo"]) and math.isfinite(d["hi"]), "the special cells leave the scale alone"


def test_the_right_to_left_network_is_blank_below_the_diagonal(logmap, dancing):
    d = data(logmap.T, dancing.tokens)
    T = len(dancing)
    assert d["first"] == list(range(T)) and [len(r) for r in d["rows"]] == list(range(T, 0, -1))


def test_a_long_text_is_drawn_in_blocks_keeping_each_blocks_strongest_pair():
    T = 401
    t, s = np.indices((T, T))
    L = np.where(s <= t, -(t - s) * 0.5, -np.inf)  # natural logs: fades with distance
    d = data(L, [f"w{i}" for i in range(T)])
    assert len(d["rows"]) == 134 and d["where"][:2] == ["positions 0–2", "positions 3–5"]
    assert d["rows"][1][0] == pytest.approx(-0.5 / LN10, abs=1e-5)  # block t 3..5, s 0..2: nearest pair k = 1
    assert "blocks of 3" in d["subtitle"] and "3×3 block" in d["quantity"]


def test_the_lstm_map_names_its_whole_state():
    d = pair_map.map_data(np.zeros((3, 3)), list("abc"), state="(h, c)")
    assert d["quantity"].startswith("‖∂(h, c)<sub>t</sub>") and "(h, c)<sub>t</sub>" in d["subtitle"]


def test_presenter_mode_draws_larger():
    L = np.zeros((3, 3))
    small, large = (pair_map.map_data(L, list("abc"), presenter=p) for p in (False, True))
    assert large["font"] > small["font"] and large["height"] > small["height"]


def test_the_map_download_is_one_offline_page_whatever_the_text_says():
    tokens = ["a", "</script><b>x</b>", "c"]
    page = pair_map.standalone_html(data(np.zeros((3, 3)), tokens))
    assert page.count("</script>") == 1 and "http" not in page.split("<script>")[1]
    d = data(np.zeros((3, 3)), tokens)
    assert all("<b>" not in label for _, label in d["ticks"]), "tick labels arrive escaped (they are set as HTML)"
