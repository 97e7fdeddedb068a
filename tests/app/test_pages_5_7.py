"""Pages 5-7 through the whole app (sidebar included): default, empty and huge inputs, widgets that change the
data behind the charts, and the teaching claims checked on that data."""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from explorer.charts.style import SPECIAL_LABEL
from tests.app.conftest import ROOT, plotly_figures

WINDOW, DEEP, GATED = "pages/5_Fixed_window_vs_RNN.py", "pages/6_Deeper_and_bidirectional.py", "pages/7_LSTM_and_GRU.py"
TARGET = 69  # the last "dancing" of the default passage
H = 16


def open_page(path: str, query: dict | None = None) -> AppTest:
    """The whole app, landing on an empty text (the Unroll page then returns at once instead of drawing the
    passage), switched to `path` and given the dancing passage: only the page under test computes."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update({"model": "untrained", "hidden": str(H), "preset": "custom", "text": "", **(query or {})})
    at.run()
    at.switch_page(path).run()
    return at.selectbox(key="w.preset").set_value("dancing").run()


def set_text(at: AppTest, text: str) -> AppTest:
    return at.text_area(key="w.text").set_value(text).run()


def figure(at: AppTest, title_start: str) -> dict:
    for fig in plotly_figures(at):
        if fig["layout"]["title"]["text"].startswith(title_start):
            return fig
    raise AssertionError(f"no chart titled {title_start!r}")


def values(trace: dict, axis: str) -> np.ndarray:
    """A trace's x or y: plotly sends numeric arrays as base64 typed arrays, other lists as JSON."""
    v = trace[axis]
    if isinstance(v, dict):
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
    return np.asarray(v)


def reach(fig: dict) -> dict[str, set]:
    """Curve name -> the distances k where its gradient is finite and non-zero (drawn as a line)."""
    return {tr["name"]: set(values(tr, "x").tolist()) for tr in fig["data"] if tr.get("mode") == "lines+markers"}


def zeros(fig: dict) -> dict[str, set]:
    """Curve name -> the distances k where its gradient is exactly 0 (markers of their own on the floor row)."""
    return {tr["legendgroup"]: set(values(tr, "x").tolist()) for tr in fig["data"]
            if tr.get("name", "").endswith(SPECIAL_LABEL["zero"])}


def one(curves: dict[str, set], *words: str) -> set:
    """The distances of the one curve whose name mentions all the words."""
    (ks,) = [ks for name, ks in curves.items() if all(w in name for w in words)]
    return ks


@pytest.mark.parametrize("path", [WINDOW, DEEP, GATED])
def test_page_renders_the_dancing_passage_and_edge_inputs(path):
    at = open_page(path)
    assert not at.exception, at.exception[0].message
    figures = plotly_figures(at)
    assert figures, "the default view draws charts"
    views = len(figures) + len(at.get("bidi_component"))  # Plotly charts and in-browser views
    assert len(at.download_button) == 2 * views, "every chart offers CSV and HTML"
    if path == GATED:
        assert len(at.get("bidi_component")) == 3, "Elman, LSTM and GRU each colour the text by reach"
    set_text(at, "")
    assert not at.exception
    assert at.info, "an empty text gets a friendly message"
    set_text(at, "word " * 5000)
    assert not at.exception, at.exception[0].message
    assert any("5,000 tokens" in w.value for w in at.warning), [w.value for w in at.warning]
    assert plotly_figures(at)


def test_window_gradient_is_exactly_zero_beyond_n():
    at = open_page(WINDOW)
    fig = figure(at, "How far back")
    assert one(reach(fig), "fixed window n=5") == {1, 2, 3, 4, 5}
    assert one(zeros(fig), "fixed window n=5") == set(range(6, TARGET + 1))
    assert one(reach(fig), "Elman") == set(range(1, TARGET + 1)), "every earlier word reaches the RNN's prediction"
    assert not any("Elman" in name for name in zeros(fig))
    assert [m.value for m in at.metric] == [f"5 of {TARGET}", f"{TARGET} of {TARGET}"]
    at.slider(key="w.fw.window").set_value(2).run()
    fig = figure(at, "How far back")
    assert one(reach(fig), "fixed window n=2") == {1, 2}
    assert one(zeros(fig), "fixed window n=2") == set(range(3, TARGET + 1))
    assert at.query_params["fw.window"] == "2"


def test_window_parameters_grow_with_n_and_the_rnns_do_not():
    at = open_page(WINDOW, {"fw.window": "3"})
    assert at.slider(key="w.fw.window").value == 3, "the link reopens the same window"
    assert at.latex, "the slide's formula is shown"
    sizes = {tr["name"]: values(tr, "y") for tr in figure(at, "Model size")["data"]}
    assert set(np.diff(sizes["fixed window"])) == {H * 16}, "each word adds H·d weights (d = 16)"
    assert len(set(sizes["Elman RNN"])) == 1


def test_bidirectional_model_sees_the_target_and_what_follows():
    at = open_page(DEEP)  # 2 layers, both directions; the passage ends "dancing ." so k runs down to -1
    fig = figure(at, "How strongly")
    assert {0, -1} <= one(reach(fig), "layer 1", "right to left"), "it has read the target and what follows"
    assert one(zeros(fig), "layer 1", "left to right") == {0, -1}, "no path runs backwards in time"
    assert set(range(2, TARGET + 1)) == one(zeros(fig), "layer 1", "right to left")
    assert {0, -1} <= one(reach(fig), "layer 0", "left to right"), "layer 1's backward network reads it"
    assert any("not zero" in m.value for m in at.markdown)
    assert at.metric[1].value == str(2 * H), "concat doubles what the readout sees"

    at.toggle(key="w.deep.bidir").set_value(False).run()
    curves = reach(figure(at, "How strongly"))
    assert len(curves) == 2 and not any("right to left" in name for name in curves)
    assert all(ks == set(range(1, TARGET + 1)) for ks in curves.values())
    assert at.metric[1].value == str(H)
    assert at.query_params["deep.bidir"] == "0"


def test_layers_and_combine_change_the_network():
    at = open_page(DEEP)
    assert len(at.tabs) == 2
    at.slider(key="w.deep.layers").set_value(3).run()
    assert len(at.tabs) == 3
    assert len(reach(figure(at, "How strongly"))) == 6, "one curve per layer and direction"
    at.radio(key="w.deep.combine").set_value("mean").run()
    assert at.metric[1].value == str(H)
    assert at.query_params["deep.combine"] == "mean"


def test_quiz_explains_every_answer():
    at = open_page(DEEP)
    quiz = at.button_group(key="deep.quiz")
    quiz.set_value(["(a) classification", "(b) sequence labelling"]).run()
    assert not at.success, "no verdict before checking"
    at.button(key="deep.quiz.button").click().run()
    assert at.success
    feedback = at.markdown[-1].value
    assert "whole text" in feedback and "words after it" in feedback and "do not exist yet" in feedback
    at.button_group(key="deep.quiz").set_value(["(c) text generation"]).run()
    assert not at.success and not at.warning, "a new answer hides the old verdict"
    at.button(key="deep.quiz.button").click().run()
    assert any("Not quite" in w.value for w in at.warning)
    assert "you ticked it" in at.markdown[-1].value


def test_three_models_on_one_plot_and_their_gates():
    at = open_page(GATED)
    curves = reach(figure(at, "How far back"))
    for model in ("Elman", "LSTM", "GRU"):
        assert one(curves, model) == set(range(1, TARGET + 1))
    lstm = [tr["name"] for tr in figure(at, "How open the LSTM")["data"]]
    assert any("forget gate" in name for name in lstm) and any("cell state" in name for name in lstm)
    assert any("update gate" in tr["name"] for tr in figure(at, "How open the GRU")["data"])
    assert any("untrained" in m.value for m in at.markdown)

    heat = figure(at, "forget gate")
    at.selectbox(key="w.lg.gate").set_value("gru.z").run()
    assert figure(at, "update gate")["data"] != heat["data"]
    assert at.query_params["lg.gate"] == "gru.z"
    at.selectbox(key="w.lg.target").set_value(20).run()
    assert one(reach(figure(at, "How far back")), "LSTM") == set(range(1, 21))


def test_the_gated_page_states_what_the_trained_word_models_use_from_the_context_table():
    from explorer import context_story

    curves = pd.read_csv(ROOT / "results" / "context_use.csv")
    at = open_page(GATED)
    assert not at.exception, at.exception[0].message
    headline = context_story.headline(context_story.table(curves))
    assert any(headline in m.value for m in at.markdown), "the sentence is the one computed from the table"


def test_a_character_model_is_described_in_characters():
    """Every label that counts tokens says what a token is for this model: a character, not a word."""
    at = AppTest.from_file(str(ROOT / WINDOW), default_timeout=120)
    at.query_params.update({"model": "untrained", "tok": "char", "hidden": str(H), "preset": "cat-sat"})
    at.run()
    assert not at.exception
    assert at.selectbox(key="w.fw.target").label.startswith("Target character")
    assert "characters the fixed-window model sees" in at.slider(key="w.fw.window").label
    assert [m.label.split(": ")[1] for m in at.metric] == ["characters that reach the prediction"] * 2
    assert figure(at, "Model size")["layout"]["xaxis"]["title"]["text"] == "context window n (characters)"
    assert any("every extra character of context adds" in m.value for m in at.markdown)
    assert any("how much the character k tokens back" in c.value for c in at.caption)
    assert "How far back can a character reach the prediction?" in [h.value for h in at.subheader]
