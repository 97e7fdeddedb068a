"""Pages 1-4 through the whole app (sidebar included): default input, the dancing passage, empty and huge
inputs, and widgets that change the data behind the charts."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import ROOT, plotly_figures

PAGES = ["pages/1_Unroll.py", "pages/2_Hidden_states.py", "pages/3_Gradients_through_time.py",
         "pages/4_BPTT_by_hand.py"]


def open_page(path: str, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update({"model": "untrained", "hidden": "16", **(query or {})})  # the vanishing-gradient lab
    at.run()
    if path != PAGES[0]:
        at.switch_page(path).run()
    return at


def set_text(at: AppTest, text: str) -> AppTest:
    return at.text_area(key="w.text").set_value(text).run()


def figure(at: AppTest, title_start: str) -> dict:
    for fig in plotly_figures(at):
        if fig["layout"].get("title", {}).get("text", "").startswith(title_start):
            return fig
    raise AssertionError(f"no chart titled {title_start!r}")


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_the_dancing_passage_and_edge_inputs(path):
    at = open_page(path)
    assert not at.exception, at.exception[0].message
    views = len(plotly_figures(at)) + len(at.get("bidi_component"))  # Plotly charts and in-browser views
    assert views, "the default view draws charts"
    assert len(at.download_button) == 2 * views, "every chart offers CSV and HTML"
    set_text(at, "")
    assert not at.exception
    assert at.info or at.error, "an empty text gets a friendly message"
    set_text(at, "word " * 5000)
    assert not at.exception
    assert any("5,000 tokens" in w.value for w in at.warning), [w.value for w in at.warning]
    set_text(at, "the zebra 🦓 chased the <script>alert(1)</script>")
    assert not at.exception


def player(at: AppTest) -> dict:
    return json.loads(at.get("bidi_component")[0].proto.json)


def test_unroll_sends_every_step_once_and_starts_at_the_linked_step():
    at = open_page(PAGES[0], {"preset": "cat-sat", "step": "1"})
    data = player(at)
    assert data["step"] == 1 and data["tokens"] == ["the", "cat", "sat", "on", "the"]
    terms = {name: np.array(rows, dtype=float) for name, rows in data["terms"].items()}
    assert all(t.shape == (5, 6) for t in terms.values()), "every step's equation, six units each"
    # u_t = W_hx x_t + W_hh h_{t-1} + b_h, to the 4 significant digits sent
    np.testing.assert_allclose(terms["u_t"], terms["W_hx x_t"] + terms["W_hh h_prev"] + terms["b_h"], atol=2e-3)
    assert len(data["top_words"]) == 5 and data["next"][:2] == ["cat", "sat"]
    set_text(at, "a dog ran")
    assert player(at)["tokens"] == ["a", "dog", "ran"] and player(at)["step"] == 1
    assert player(at)["terms"]["h_t"] != data["terms"]["h_t"][:3]


def strip(at: AppTest) -> dict:
    """The data of the text coloured by reach (the in-browser view that carries a "rows" field)."""
    return next(d for d in (json.loads(c.proto.json) for c in at.get("bidi_component")) if "hover" in d)


def test_gradient_page_target_and_truncation_change_the_curve():
    at = open_page(PAGES[2])
    # The Elman network's curves and panel travel with the strip, every target's at once: no Plotly curve, no
    # server-drawn picker, verdict or numbers, so a pick is drawn in the browser before any rerun.
    data = strip(at)
    panel = data["panel"]
    assert panel["setting"] == 0 and panel["options"][0] == [0, "the last word: 69 · dancing"]  # not the full stop
    assert data["target"] == 69 and len(data["curve"]["q"]) == len(data["tokens"]) - 1 == len(panel["facts"])
    assert not any(f["layout"]["title"]["text"].startswith("How strongly") for f in plotly_figures(at))
    assert "w.target" not in [s.key for s in at.selectbox] and not at.metric
    words = data["tokens"]
    assert "<b>“dancing”</b> likely 56 words later" in panel["facts"]["69"]["intro"]
    assert f"<b>“{words[20]}”</b> likely {20 - words.index('jig')} words later" in panel["facts"]["20"]["intro"]
    at.session_state["target"] = 20  # what a pick in the browser reports (reach_strip.js: setTriggerValue)
    at.run()
    assert strip(at)["target"] == 20 and strip(at)["panel"]["setting"] == 20
    assert strip(at)["curve"]["q"] == data["curve"]["q"] and strip(at)["key"] == data["key"], "the same view"
    assert at.query_params["target"] == "20"
    at.number_input(key="w.tbptt").set_value(5).run()  # truncated BPTT: the target's own curve, as a Plotly chart
    assert not at.exception
    assert at.selectbox(key="w.target").value == 20 and at.metric, "drawn by the server now"
    assert at.query_params["tbptt"] == "5" and at.query_params["target"] == "20"
    zeros = [tr for tr in figure(at, "How strongly")["data"] if tr["name"].endswith("exactly 0")]
    assert len(zeros) == 1 and len(zeros[0]["x"]["bdata"]) > 0, "exact zeros beyond the chunk, on the floor row"
    assert "curve" not in strip(at)


def test_cue_distance_slider_moves_jig_back():
    def cue_note(at):
        data = strip(at)
        return data["panel"]["facts"][str(data["target"])]["cue_note"]

    at = open_page(PAGES[2])
    assert "sits 56 tokens before" in cue_note(at)
    at.slider(key="w.pad").set_value(100).run()
    assert "sits 156 tokens before" in cue_note(at)
    at.radio(key="w.wrt").set_value("input").run()  # drawn by the server: the same sentence, as a caption
    assert any("“jig” sits 156 tokens before" in c.value for c in at.caption)


def test_a_shared_link_reopens_the_same_view():
    at = open_page(PAGES[2], {"act": "sigmoid", "rho": "2.5", "target": "30", "wrt": "input"})
    assert at.selectbox(key="w.target").value == 30
    assert at.radio(key="w.wrt").value == "input"
    assert at.query_params["act"] == "sigmoid" and at.query_params["rho"] == "2.5"
    assert not at.warning


@pytest.mark.parametrize("query, needle", [({"hidden": "10000000"}, "hidden"), ({"rho": "abc"}, "rho"),
                                           ({"act": "softplus"}, "act"), ({"seed": "-4"}, "seed"),
                                           ({"seed": "inf"}, "seed"), ({"step": "1e999"}, "step")])
def test_bad_link_settings_are_refused_with_a_message(query, needle):
    at = open_page(PAGES[0], query)
    assert not at.exception
    assert any(needle in w.value for w in at.warning)


def test_bptt_by_hand_agrees_with_autograd_and_says_when_it_cannot():
    at = open_page(PAGES[3])
    assert any("agree" in s.value for s in at.success)
    exploded = open_page(PAGES[3], {"act": "relu", "init": "identity", "rho": "4", "tok": "char",
                                    "preset": "custom", "text": "word " * 290})  # 4^1450 overflows: NaN
    assert not exploded.exception and not exploded.success
    assert any("overflowed" in w.value for w in exploded.warning)
    at.selectbox(key="w.bs").set_value(40).run()
    assert figure(at, "∂h")["layout"]["title"]["text"].startswith("∂h<sub>70</sub>/∂h<sub>40</sub>")


def test_sidebar_change_reaches_the_page_data():
    at = open_page(PAGES[1])
    heat = figure(at, "hidden state")
    at.selectbox(key="w.act").set_value("relu").run()
    assert figure(at, "hidden state") != heat
    assert at.query_params["act"] == "relu"


@pytest.mark.parametrize("query", [{"act": "identity", "rho": "4", "pad": "300"},  # infinite norm
                                   {"act": "relu", "hidden": "2", "seed": "11"}])  # often an exactly zero gradient
def test_clipping_never_crashes_on_infinite_or_zero_gradients(query):
    at = open_page(PAGES[2], {"clip": "1", **query})
    at.toggle(key="w.g.show_whh").set_value(True).run()
    assert not at.exception


def test_what_bptt_sums_and_clipping():
    at = open_page(PAGES[2], {"clip": "0.001"})
    assert not any(f["layout"]["title"]["text"].startswith("Each step") for f in plotly_figures(at))
    at.toggle(key="w.g.show_whh").set_value(True).run()
    contributions = figure(at, "Each step")
    assert any("Clipping rescaled the whole gradient" in c.value for c in at.caption)
    y = contributions["data"][0]["y"]  # log10 of each drawn term, as Plotly's typed array
    drawn = np.sum(10 ** np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]))
    said = next(c.value for c in at.caption if "sum of their norms" in c.value)
    assert f"sum of their norms: {drawn:.3g})" in said, "the sum is of the clipped terms the chart draws"
    at.number_input(key="w.clip").set_value(0.0).run()
    assert figure(at, "Each step") != contributions  # unclipped: every share is larger by the same factor


def test_the_table_of_steps_is_built_only_when_opened():
    """A folded table costs a new session nothing (not even the browser's table viewer); opened, it holds every
    step of the text."""
    at = open_page(PAGES[0])
    assert not at.dataframe, "folded: no table sent"
    at.session_state["u.table"] = True
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table["step"].tolist() == list(range(len(table))), "one row per step"
    assert table["token"].tolist()[-2:] == ["dancing", "."], "the text shown, to its last token"


def test_a_character_model_pads_the_passage_only_as_far_as_it_fits():
    at = open_page(PAGES[2], {"tok": "char", "pad": "400"})
    assert not at.exception and not at.warning, "nothing is cut off"
    note = next(c.value for c in at.caption if "filler words would push" in c.value)
    used = int(note.split(": ")[1].split()[0])
    assert 0 < used < 400 and "2,000 characters" in note
    assert "the last character" in at.selectbox(key="w.target").format_func(0)  # too long for the map: server-drawn
    assert at.selectbox(key="w.target").format_func(0).endswith("· g"), "the final “dancing” is still there"
