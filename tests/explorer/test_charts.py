"""Figure builders on real core results: the plotted numbers are the inputs, nothing non-finite is dropped,
long inputs stay readable, and every figure keeps the shared contract (title, axis titles, hover, theme)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest
import torch
from sklearn.decomposition import PCA

import core
from core import ModelConfig, backprop_review, build_model, unroll
from core.gradients import safe_norm
from explorer import charts

from .helpers import nan_frame, spec

LN10 = math.log(10)


def main(s: dict, name: str) -> dict:
    """The one trace called `name` in a figure spec."""
    found = [t for t in s["data"] if t.get("name") == name]
    assert len(found) == 1, [t.get("name") for t in s["data"]]
    return found[0]


def annotations(s: dict) -> list[str]:
    return [a.get("text", "") for a in s["layout"].get("annotations", [])]


# ---------------------------------------------------------------- the contract every figure keeps

@pytest.fixture(scope="session")
def figures(dancing, grad_frame, logmap, elman_spectrum, derivation, exploding, window_frame, input_frame, lstm, gru):
    return {
        "hidden_heatmap": charts.hidden_heatmap(dancing),
        "state_norms": charts.state_norms(exploding),
        "pca_trajectory": charts.pca_trajectory([("exploded", exploding)]),
        "gradient_vs_distance": charts.gradient_vs_distance(grad_frame, spectrum=elman_spectrum),
        "factor_norms": charts.factor_norms(derivation),
        "matrix_heatmap": charts.matrix_heatmap(derivation.product, title="∂h30/∂h10"),
        "influence_by_distance": charts.influence_by_distance({"window": window_frame, "Elman": input_frame},
                                                              window=5),
        "parameter_counts": charts.parameter_counts(pd.DataFrame({"n": [1, 2, 1, 2], "model": ["w", "w", "r", "r"],
                                                                  "parameters": [10, 20, 15, 15]})),
        "gate_activations": charts.gate_activations(lstm),
        "gate_heatmap": charts.gate_heatmap(gru, "z"),
        "training_curves": charts.training_curves(pd.DataFrame(
            {"step": [1, 2, 3], "train_loss": [2.0, 1.5, 1.2], "grad_norm": [3.0, 9.0, 1.0],
             "clipped": [False, True, False], "valid_loss": [np.nan, 1.4, np.nan],
             "valid_perplexity": [np.nan, math.exp(1.4), np.nan]})),
        "probe_curves": charts.probe_curves(grad_frame.assign(step=100)),
        "network_diagram": charts.network_diagram(backprop_review.review(backprop_review.lecture_network(0)),
                                                  "phi11@phi12"),
    }


BUILDERS = ["hidden_heatmap", "state_norms", "pca_trajectory",
            "gradient_vs_distance", "factor_norms", "matrix_heatmap",
            "influence_by_distance", "parameter_counts", "gate_activations", "gate_heatmap",
            "training_curves", "probe_curves", "network_diagram"]


def test_every_builder_is_exported_and_covered():
    assert sorted(BUILDERS) == sorted(charts.__all__)


@pytest.mark.parametrize("name", BUILDERS)
def test_every_figure_has_a_title_axis_titles_and_hover_on_its_points(figures, name):
    s = spec(figures[name])
    layout = s["layout"]
    assert layout["title"]["text"].strip()
    for letter in "xy":
        titles = [v.get("title", {}).get("text") for k, v in layout.items() if k.startswith(f"{letter}axis")]
        assert any(titles), f"{name}: no {letter} axis title"
    for trace in s["data"]:
        has_points = any(v is not None for v in (trace.get("x") or trace.get("z") or []))
        if has_points and trace.get("hoverinfo") != "skip":
            assert "hovertemplate" in trace, f"{name}: trace {trace.get('name')} has no hover template"


@pytest.mark.parametrize("name", BUILDERS)
def test_every_figure_leaves_the_theme_to_streamlit(figures, name):
    fig = figures[name]
    assert fig.layout.paper_bgcolor is None and fig.layout.plot_bgcolor is None and fig.layout.font.color is None
    assert fig.layout.template == pio.templates[pio.templates.default]  # whatever is active, not one of ours


def test_the_active_default_template_is_the_one_a_figure_gets(dancing):
    before = pio.templates.default
    try:
        pio.templates.default = "plotly_dark"  # Streamlit does the same with its own theme on import
        fig = charts.hidden_heatmap(dancing)
    finally:
        pio.templates.default = before
    assert fig.layout.template.layout.paper_bgcolor == pio.templates["plotly_dark"].layout.paper_bgcolor


# ---------------------------------------------------------------- states.py

def test_hidden_heatmap_plots_every_value_by_position_with_tanh_centred_at_zero(dancing):
    s = spec(charts.hidden_heatmap(dancing))
    heat = s["data"][0]
    h = dancing.h().T.numpy()  # (H, T)
    assert np.array(heat["z"]).shape == h.shape and heat["x"] == list(range(len(dancing)))
    assert np.allclose(np.array(heat["z"]) * 2 - 1, h)  # [-1, 1] -> [0, 1]: 0 sits mid-scale
    assert heat["customdata"][3][13] == ["jig", f"{h[3, 13]:.4g}"]
    assert len(s["layout"]["xaxis"]["tickvals"]) <= 40  # 71 tokens: thinned


def test_hidden_heatmap_gives_overflow_and_nan_their_own_colours(exploding):
    s = spec(charts.hidden_heatmap(exploding))
    heat = s["data"][0]
    h = exploding.h().T.numpy()
    z = np.array(heat["z"], dtype=float)
    assert np.isfinite(z).all()  # not one cell left blank
    bar = heat["colorbar"]
    nan_z = bar["tickvals"][bar["ticktext"].index("NaN")]
    inf_z = bar["tickvals"][bar["ticktext"].index("overflow (inf)")]
    assert (z == nan_z).sum() == np.isnan(h).sum() > 0 and (z == inf_z).sum() == np.isinf(h).sum() > 0
    assert f"{int((~np.isfinite(h)).sum())} values overflowed" in s["layout"]["title"]["subtitle"]["text"]


def test_hidden_heatmap_shows_gates_and_slopes_on_a_zero_to_one_scale(lstm, dancing):
    gate = spec(charts.hidden_heatmap(lstm, key="f"))["data"][0]
    assert np.allclose(gate["z"], lstm.get("f").T.numpy())
    slope = spec(charts.hidden_heatmap(dancing, key="fprime"))["data"][0]
    assert np.allclose(slope["z"], dancing.get("fprime").T.numpy())  # tanh: f' in [0, 1]


def test_state_norms_plots_the_norm_and_the_saturated_share(dancing):
    s = spec(charts.state_norms(dancing))
    h = dancing.h()
    assert main(s, "‖h<sub>t</sub>‖")["y"] == pytest.approx(safe_norm(h).tolist())
    share = next(t for t in s["data"] if t["name"].startswith("units saturated"))
    assert share["y"] == pytest.approx((100 * (h.abs() > 0.95).double().mean(1)).tolist())


def test_state_norms_of_an_exploding_network_marks_every_overflow_and_nan(exploding):
    s = spec(charts.state_norms(exploding))
    norms = safe_norm(exploding.h()).numpy()
    line = main(s, "‖h<sub>t</sub>‖")
    inf = main(s, "‖h<sub>t</sub>‖: overflow (inf)")
    nan = main(s, "‖h<sub>t</sub>‖: NaN")
    assert inf["x"] == np.flatnonzero(np.isinf(norms)).tolist() and nan["x"] == np.flatnonzero(np.isnan(norms)).tolist()
    assert len(line["x"]) + len(inf["x"]) + len(nan["x"]) == len(exploding)  # nothing dropped
    assert "inf / NaN" in s["layout"]["yaxis"]["ticktext"]
    assert main(s, "units at inf or NaN")["y"][-1] == 100


def test_pca_trajectory_puts_two_texts_in_one_coordinate_system(elman, dancing):
    other = unroll(elman, core.lecture.CAT_SAT + " mat")
    s = spec(charts.pca_trajectory([("dancing", dancing), ("cat", other)]))
    a, b = main(s, "dancing"), main(s, "cat")
    assert len(a["x"]) == len(dancing) + 1 and a["customdata"][0] == ["h<sub>init</sub>", -1]
    # both start from the same zero state: one shared projection maps it to one point
    assert (a["x"][0], a["y"][0]) == pytest.approx((b["x"][0], b["y"][0]))
    h0 = dancing.get("h0").numpy()[None]
    X = np.vstack([h0, dancing.h().numpy(), h0, other.h().numpy()])  # every state of both texts
    expected = PCA(n_components=2).fit(X).transform(X)
    got = np.array([a["x"] + b["x"], a["y"] + b["y"]]).T
    assert np.allclose(np.abs(got), np.abs(expected))  # the same axes, up to each axis's sign
    assert "% of the variance" in s["layout"]["xaxis"]["title"]["text"]


def test_pca_trajectory_follows_the_right_to_left_network_in_its_reading_order():
    trace = unroll(build_model(ModelConfig(hidden_size=4, bidirectional=True)), core.lecture.CAT_SAT)
    path = main(spec(charts.pca_trajectory([("back", trace)], direction=1)), "back")
    assert [p for _, p in path["customdata"]] == [-1, 4, 3, 2, 1, 0]
    assert "right to left" in charts.pca_trajectory([("back", trace)], direction=1).layout.title.text


def test_pca_trajectory_copes_with_one_token_one_unit_and_no_initial_state():
    tiny = unroll(build_model(ModelConfig(hidden_size=1)), "cat")
    s = spec(charts.pca_trajectory([("tiny", tiny)]))
    assert main(s, "tiny")["y"] == [0, 0] and "none" in s["layout"]["yaxis"]["title"]["text"]
    window = unroll(build_model(ModelConfig(arch="window", hidden_size=3)), core.lecture.CAT_SAT)
    assert len(main(spec(charts.pca_trajectory([("w", window)])), "w")["x"]) == len(window)


def test_pca_trajectory_leaves_out_overflowed_states_and_says_so(exploding):
    s = spec(charts.pca_trajectory([("boom", exploding)]))
    finite = int(torch.isfinite(exploding.h()).all(1).sum()) + 1  # + the initial state
    path = main(s, "boom")
    assert len(path["x"]) == finite
    assert all(isinstance(v, float) and math.isfinite(v) for v in path["x"] + path["y"])  # states near 1e308
    assert "in units of 10" in s["layout"]["xaxis"]["title"]["text"]
    assert "cannot be projected" in s["layout"]["title"]["subtitle"]["text"]
    with pytest.raises(ValueError, match="different hidden sizes"):
        charts.pca_trajectory([("a", exploding), ("b", unroll(build_model(ModelConfig(hidden_size=3)), "a cat"))])


# ---------------------------------------------------------------- bptt.py and the matrix heatmap

def test_factor_norms_plots_each_factor_and_the_running_product(derivation):
    s = spec(charts.factor_norms(derivation))
    bars = next(t for t in s["data"] if t["type"] == "bar")
    assert bars["x"] == list(range(30, 10, -1)) and bars["y"] == pytest.approx([f.norm for f in derivation.factors])
    run = next(t for t in s["data"] if t["name"].startswith("running product"))
    assert run["y"] == pytest.approx([math.log10(f.running_norm) for f in derivation.factors])
    assert s["layout"]["xaxis"]["autorange"] == "reversed"  # in the order multiplied: t first


def test_matrix_heatmap_shows_the_matrix_centred_on_zero_and_marks_nan(derivation):
    M = derivation.product.numpy()
    heat = spec(charts.matrix_heatmap(derivation.product, title="P"))["data"][0]
    peak = np.abs(M).max()
    assert np.allclose(np.array(heat["z"]) * 2 * peak - peak, M)
    assert heat["customdata"][1][2] == f"{M[1, 2]:.4g}"
    broken = M.copy()
    broken[0, 0] = np.nan
    bar = spec(charts.matrix_heatmap(broken, title="P"))["data"][0]["colorbar"]
    assert "NaN" in bar["ticktext"]


# ---------------------------------------------------------------- compare.py

def test_influence_by_distance_shows_the_windows_exact_zeros_and_its_edge(window_frame, input_frame):
    s = spec(charts.influence_by_distance({"fixed window n=5": window_frame, "Elman": input_frame}, window=5))
    zeros = main(s, "fixed window n=5: exactly 0")
    assert sorted(zeros["x"]) == sorted(window_frame.loc[window_frame.grad_norm == 0, "distance"].tolist())
    assert min(zeros["x"]) == 6 and zeros["y"] == [s["layout"]["yaxis"]["tickvals"][0]] * len(zeros["x"])
    assert s["layout"]["yaxis"]["ticktext"][0] == "0"
    assert main(s, "Elman")["y"] == pytest.approx(input_frame["log10_grad_norm"].tolist())
    band = next(sh for sh in s["layout"]["shapes"] if sh["type"] == "rect")
    assert (band["x0"], band["x1"]) == (0.5, 5.5)


def test_parameter_counts_plots_the_counts():
    frame = pd.DataFrame({"n": [1, 2, 3] * 2, "model": ["fixed window"] * 3 + ["RNN"] * 3,
                          "parameters": [100, 200, 300, 150, 150, 150]})
    s = spec(charts.parameter_counts(frame))
    assert main(s, "fixed window")["y"] == [100, 200, 300] and main(s, "RNN")["y"] == [150] * 3
    assert s["layout"]["xaxis"]["tickvals"] == [1, 2, 3]


def test_gate_activations_plots_each_gates_mean_over_units(lstm, gru, dancing):
    s = spec(charts.gate_activations(lstm))
    assert [t["name"] for t in s["data"]] == [f"mean {charts.states.KEY_NAMES[k]}" for k in "ifoc"]
    assert s["data"][1]["y"] == pytest.approx(lstm.get("f").mean(1).tolist())
    assert len(spec(charts.gate_activations(gru))["data"]) == 2
    with pytest.raises(ValueError, match="no gates"):
        charts.gate_activations(dancing)
    with pytest.raises(ValueError, match="records no 'r'"):
        charts.gate_heatmap(lstm, "r")


# ---------------------------------------------------------------- long inputs

def test_long_inputs_get_thinned_ticks(long_trace):
    for fig in (charts.hidden_heatmap(long_trace), charts.state_norms(long_trace)):
        s = spec(fig)
        ticks = [v["ticktext"] for k, v in s["layout"].items() if k.startswith("xaxis") and "ticktext" in v]
        assert ticks and all(len(t) <= 40 for t in ticks)


# ---------------------------------------------------------------- gradients.py

def test_gradient_vs_distance_plots_the_frame_and_anchors_theory_at_k1(grad_frame, elman_spectrum):
    s = spec(charts.gradient_vs_distance(grad_frame, spectrum=elman_spectrum))
    curve = main(s, "‖∂q/∂h<sub>s</sub>‖")
    assert curve["x"] == grad_frame["distance"].tolist()
    assert curve["y"] == pytest.approx(grad_frame["log10_grad_norm"].tolist())
    assert curve["customdata"] == grad_frame["position"].tolist()
    assert s["layout"]["xaxis"]["autorange"] == "reversed"
    anchor = float(grad_frame.loc[grad_frame.distance == 1, "log10_grad_norm"].iloc[0])
    bound = next(t for t in s["data"] if t["name"].startswith("bound"))
    radius = next(t for t in s["data"] if t["name"].startswith("ρ"))
    assert bound["x"][0] == 1 and bound["y"][0] == pytest.approx(anchor)
    assert np.diff(bound["y"]) == pytest.approx(math.log10(elman_spectrum.bound_rate))
    assert np.diff(radius["y"]) == pytest.approx(math.log10(elman_spectrum.spectral_radius))
    assert all("e-" in h or "e+" in h for h in curve["hovertext"])


def test_gradient_vs_distance_marks_zero_overflow_and_nan_instead_of_dropping_them(grad_frame):
    frame = nan_frame(grad_frame, {0: 0.0, 1: math.inf, 2: math.nan, 3: 1e-320})  # 1e-320: subnormal, still > 0
    s = spec(charts.gradient_vs_distance(frame))
    axis = s["layout"]["yaxis"]
    floor, ceiling = axis["tickvals"][0], axis["tickvals"][-1]
    assert axis["ticktext"][0] == "0" and axis["ticktext"][-1] == "inf / NaN"
    zero = main(s, "‖∂q/∂h<sub>s</sub>‖: exactly 0")
    over = main(s, "‖∂q/∂h<sub>s</sub>‖: overflow (inf)")
    nan = main(s, "‖∂q/∂h<sub>s</sub>‖: NaN")
    assert (zero["x"], zero["y"]) == ([frame.distance[0]], [floor])
    assert (over["y"], nan["y"]) == ([ceiling], [ceiling])
    assert over["customdata"] == [1] and nan["customdata"] == [2]  # positions, for click-to-select
    line = main(s, "‖∂q/∂h<sub>s</sub>‖")
    assert len(line["x"]) == len(frame) - 3 and min(line["y"]) == pytest.approx(math.log10(1e-320))
    assert any("1.000e-320" in h for h in line["hovertext"])


def test_gradient_vs_distance_of_an_exploded_network_is_all_nan_markers(exploding):
    frame = core.gradient_vs_distance(build_model(core.ModelConfig(activation="relu", init="identity",
                                                                   spectral_radius=3.0, hidden_size=8)),
                                      exploding.ids[:700], target=-1)
    assert set(frame.status) == {"nan"}
    s = spec(charts.gradient_vs_distance(frame))
    assert len(main(s, "‖∂q/∂h<sub>s</sub>‖: NaN")["x"]) == len(frame)


def test_gradient_vs_distance_draws_one_curve_per_layer_and_direction(deep_frame):
    s = spec(charts.gradient_vs_distance(deep_frame, quantity="‖∂L/∂h<sub>s</sub>‖"))
    names = [t["name"] for t in s["data"] if t["name"].startswith("‖∂L") and ":" not in t["name"]]
    assert names == [f"‖∂L/∂h<sub>s</sub>‖, layer {layer}, {d}" for layer in (0, 1)
                     for d in ("left to right", "right to left")]


def test_gradient_vs_distance_adds_the_jacobian_row(grad_frame, logmap):
    t = int(grad_frame.position.max()) + 1  # the target
    row = pd.DataFrame({"distance": range(t, 0, -1), "log10_norm": (logmap[t - 1, :t] / LN10).numpy()})
    s = spec(charts.gradient_vs_distance(grad_frame, jacobian_row=row))
    jac = main(s, "‖∂h<sub>t</sub>/∂h<sub>s</sub>‖<sub>F</sub>")
    assert jac["y"] == pytest.approx(row["log10_norm"].tolist()) and jac["line"]["dash"] == "dashdot"


def test_network_diagram_sets_each_chain_label_beside_its_sloped_edge_not_across_it():
    """Centred above a sloped edge (as w_1^o once was), the line runs through the label: it goes to the side the
    line slopes away from."""
    review = backprop_review.review(backprop_review.lecture_network(0))
    fig = charts.network_diagram(review, "phi11@phi12")
    weights = next(t for t in fig.data if t.name == "weights")
    edges = [t for t in fig.data if t.mode == "lines"]
    assert len(edges) == len(weights.text)
    labelled = 0
    for edge, text, side in zip(edges, weights.text, weights.textposition):
        rise = edge.y[1] - edge.y[0]
        assert side == ("top center" if rise == 0 else "top left" if rise > 0 else "top right"), (text, side)
        labelled += bool(text)
    assert labelled and any(rise != 0 for rise in (e.y[1] - e.y[0] for e in edges))
