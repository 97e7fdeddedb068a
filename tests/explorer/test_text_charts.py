"""The coloured text carries the trace's own values and colours them on the stated scale; markup stays text; the
ranking chart draws the ranking's r."""

from __future__ import annotations

import re

import numpy as np

from core import ModelConfig, build_model, unroll
from core import units as U
from explorer.charts.style import BLUE, VERMILLION
from explorer.charts.text import coloured_text, diverging, probability_text, ranking_bars

TEXT = "the cat sat on the mat"


def spans(html: str) -> list[tuple[str, float, str]]:
    """(background, data-v, text) of every token span."""
    return [(bg, float(v), tok) for bg, v, tok in
            re.findall(r'background: ([^"]+)" title="[^"]*" data-v="([^"]+)">([^<]*)</span>', html)]


def rgb(hex_colour: str) -> str:
    return "rgb({},{},{})".format(*(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)))


def test_the_colouring_is_the_traces_values_for_that_unit():
    trace = unroll(build_model(ModelConfig(hidden_size=6)), TEXT)
    for i in (0, 5):
        v = trace.h()[:, i].numpy()
        shown = spans(coloured_text(trace.tokens, v, 1.0))
        assert [s[1] for s in shown] == v.tolist()
        assert [s[2] for s in shown] == list(trace.tokens)
        assert [s[0] for s in shown] == [diverging(x, 1.0) for x in v]
    other = spans(coloured_text(trace.tokens, trace.h()[:, 1].numpy(), 1.0))
    assert [s[0] for s in other] != [s[0] for s in spans(coloured_text(trace.tokens, trace.h()[:, 0].numpy(), 1.0))]


def test_the_scale_ends_are_blue_and_vermillion_and_values_beyond_are_clipped():
    assert diverging(1.0, 1.0) == rgb(VERMILLION) == diverging(7.0, 1.0)
    assert diverging(-2.0, 2.0) == rgb(BLUE)
    assert diverging(0.0, 1.0) == "rgb(242,242,242)"
    assert diverging(0.5, 1.0) == diverging(1.0, 2.0), "the same value relative to the bound, the same colour"
    assert diverging(float("nan"), 1.0) == diverging(float("inf"), 1.0) not in (rgb(BLUE), rgb(VERMILLION))


def test_markup_in_tokens_and_gaps_is_escaped():
    html = coloured_text(["<script>", "a\"b"], [0.1, -0.1], 1.0, gaps=["", " <img> "])
    assert "<script>" not in html and "&lt;script&gt;" in html and "<img>" not in html
    shown = probability_text("<b>", ["<i>"], [0.5], ["P('<i>') = 0.5"], [" "])
    assert "<b>" not in shown and "<i>" not in shown and 'data-p="0.5"' in shown


def test_the_ranking_chart_draws_the_ranking():
    trace = unroll(build_model(ModelConfig(hidden_size=8)), TEXT + "\n" + TEXT)
    text = TEXT + "\n" + TEXT
    f = U.feature("line_position", text, U.spans(trace, text), trace.tokens)
    ranking = U.rank_units(trace, f)
    fig = ranking_bars(ranking, "position in the line", len(f), n=5)
    bars = fig.data[0]
    assert list(bars.y) == ranking["unit"].head(5).tolist()[::-1]
    assert np.allclose(bars.x, ranking["r"].head(5).to_numpy()[::-1])
