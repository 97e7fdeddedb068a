"""The shared helpers: number formats beyond float64, the log10 axis with its 0 / inf rows, thinned ticks,
and heatmap bands for non-finite cells."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from explorer.charts.bands import banded
from explorer.charts.style import (
    DIVERGING,
    SPECIAL_COLOR,
    SPECIAL_COLOR_DIVERGING,
    esc,
    fmt,
    fmt_log10,
    kinds,
    log10_scale,
    pow10,
    pow10_ticks,
    thin_ticks,
)


def test_the_charts_never_import_streamlit():
    """Pure functions, testable without a running app (checked in the source: importing torch again in a
    subprocess would take seconds)."""
    sources = list((Path(__file__).parents[2] / "explorer" / "charts").glob("*.py"))
    assert len(sources) >= 7
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.split(".")[0] == "streamlit" for n in names), path.name


@pytest.mark.parametrize(("l10", "text"), [
    (-400 + math.log10(3.1416), "3.142e-400"), (0.0, "1.000e+00"), (60.0, "1.000e+60"), (-7.0, "1.000e-07"),
    (math.log10(9.99996), "1.000e+01"), (-math.inf, "0 (exactly)"), (math.inf, "inf (overflow)"), (math.nan, "NaN"),
])
def test_fmt_log10_writes_any_magnitude_in_scientific_notation(l10, text):
    assert fmt_log10(l10) == text


@given(st.floats(min_value=-300, max_value=300))
def test_fmt_log10_agrees_with_python_inside_float64(l10):
    assert float(fmt_log10(l10)) == pytest.approx(10**l10, rel=6e-4)


def test_fmt_keeps_small_and_huge_numbers_readable():
    assert (fmt(0.12345), fmt(1.2345e-60), fmt(math.inf), fmt(-math.inf), fmt(math.nan)) == \
        ("0.1235", "1.235e-60", "inf", "-inf", "NaN")


def test_powers_of_ten_use_superscripts():
    assert (pow10(-60), pow10(0), pow10(300)) == ("10⁻⁶⁰", "10⁰", "10³⁰⁰")


def test_pow10_ticks_stay_few_over_hundreds_of_decades_and_fill_in_short_axes():
    vals, text = pow10_ticks(-400, 5)
    assert 3 <= len(vals) <= 9 and all(v == int(v) for v in vals) and text[-1] == "10⁰"
    vals, text = pow10_ticks(-0.5, 0.5)
    assert text == ["5×10⁻¹", "10⁰", "2×10⁰"]


def test_log10_scale_puts_zeros_below_and_overflow_and_nan_above_the_finite_range():
    values = np.array([-3.0, -1.0, -np.inf, np.inf, np.nan])
    scale = log10_scale(values)
    assert scale.floor < scale.lo <= -3 and scale.ceiling > scale.hi >= -1
    y = scale.place(values)
    assert y.tolist() == [-3.0, -1.0, scale.floor, scale.ceiling, scale.ceiling]
    assert list(kinds(values)) == ["ok", "ok", "zero", "overflow", "nan"]
    plain = log10_scale(np.array([-3.0, -1.0]))
    assert plain.floor is None and plain.ceiling is None


def test_log10_scale_survives_nothing_finite():
    scale = log10_scale(np.full(4, np.nan))
    assert np.isfinite(scale.range).all() and scale.ceiling is not None


def test_thin_ticks_keeps_every_short_label_and_thins_long_ones():
    vals, text = thin_ticks(["the", "cat", "the"])
    assert vals == [0, 1, 2] and text == ["the", "cat", "the"]  # duplicates stay distinct: ticks are positions
    vals, text = thin_ticks([f"w{i}" for i in range(2000)])
    assert len(vals) <= 40 and vals[0] == 0 and text[1] == f"{vals[1]}:w{vals[1]}"


def test_tokens_are_escaped_for_plotly_html():
    assert esc("<unk>") == "&lt;unk&gt;" and esc("a&b") == "a&amp;b"


def test_banded_gives_each_non_finite_kind_its_own_colour_and_label():
    values = np.array([[0.0, 0.5, 1.0], [np.inf, np.nan, -np.inf]])
    b = banded(values, lo=0.0, hi=1.0, scale="Viridis", ticks=([0.0, 1.0], ["0", "1"]), log=False)
    assert b.z[0].tolist() == [0.0, 0.5, 1.0]  # finite values: [lo, hi] -> [0, 1]
    assert b.z[1, 0] == b.z[1, 2] > 1 and b.z[1, 1] > b.z[1, 0]  # ±inf share the overflow band, NaN above it
    assert "overflow (inf)" in b.ticktext and "NaN" in b.ticktext
    colours = {c for _, c in b.colorscale}
    assert SPECIAL_COLOR["overflow"] in colours and SPECIAL_COLOR["nan"] in colours
    positions = [p for p, _ in b.colorscale]
    assert positions == sorted(positions) and positions[0] == 0 and positions[-1] == 1


def test_banded_special_colours_stay_off_the_scale_they_sit_beside():
    values = np.array([np.inf, np.nan, 0.0])
    diverging = banded(values, lo=-1.0, hi=1.0, scale=DIVERGING, ticks=([0.0], ["0"]), log=False)
    assert {c for _, c in diverging.colorscale} >= {SPECIAL_COLOR_DIVERGING["overflow"], SPECIAL_COLOR_DIVERGING["nan"]}
    assert SPECIAL_COLOR["overflow"] not in {c for _, c in diverging.colorscale}


def test_banded_log_values_put_exact_zeros_in_a_band_below():
    values = np.array([[-2.0, -np.inf], [-np.inf, 0.0]])
    b = banded(values, lo=-2.0, hi=0.0, scale="Viridis", ticks=([-2.0, 0.0], ["a", "b"]), log=True)
    assert b.z[0, 1] == b.z[1, 0] < 0 and b.ticktext[0] == "exactly 0"
    assert b.z[0, 0] == 0 and b.z[1, 1] == 1


def test_banded_rescales_without_overflow_near_the_float64_limit():
    values = np.array([0.0, 1e308, -1e308, 1.7e308])
    b = banded(values, lo=-1.7e308, hi=1.7e308, scale="Viridis", ticks=([0.0], ["0"]), log=False)
    assert np.isfinite(b.z).all() and b.z[0] == pytest.approx(0.5)
