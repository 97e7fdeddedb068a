"""The backprop review page through the whole app: it draws the network, shows each derivative with autograd's
answer, follows its settings (and the link), and its numbers move with the label and the weights."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core import backprop_review as br
from tests.app.conftest import ROOT, plotly_figures

PAGE = "pages/14_Backprop_review.py"


def open_page(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update(query or {})
    at.run()
    return at.switch_page(PAGE).run()


def autograd_metric(at: AppTest) -> float:
    return float(next(m for m in at.metric if m.label == "torch.autograd").value)


def test_the_page_draws_the_network_and_agrees_with_autograd():
    at = open_page()
    assert not at.exception, at.exception[0].message
    assert at.title[0].value == "Backpropagation review"
    (fig,) = plotly_figures(at)
    assert "the chain of ∂L/∂φ<sub>12</sub>" in fig["layout"]["title"]["text"]
    expected = br.review(br.lecture_network(0, 1.0, "sigmoid")).term("phi12")
    assert autograd_metric(at) == pytest.approx(expected.autograd, rel=1e-5)
    assert any("w_1^o" in el.value for el in at.latex), "the slide's equation"
    assert at.success and "agree with torch.autograd" in at.success[0].value
    assert len(at.download_button) == 2


@pytest.mark.parametrize("key", ["phi11@phi12", "phi21", "phi32"])
def test_every_derivative_can_be_picked_and_shown(key):
    at = open_page()
    at.selectbox(key="w.bp.term").set_value(key).run()
    assert not at.exception
    expected = br.review(br.lecture_network(0)).term(key)
    assert autograd_metric(at) == pytest.approx(expected.autograd, rel=1e-5)
    at.run()
    assert at.query_params["bp.term"] == key


def test_label_activation_and_seed_change_the_numbers_and_a_link_opens_them():
    at = open_page()
    first = autograd_metric(at)
    at.selectbox(key="w.bp.y").set_value(0).run()
    assert autograd_metric(at) * first < 0, "the label flips the sign of ∂L/∂ŷ"
    at = open_page({"bp.seed": "5", "bp.act": "tanh", "bp.term": "phi11@phi12"})
    expected = br.review(br.lecture_network(5, 1.0, "tanh")).term("phi11@phi12")
    assert autograd_metric(at) == pytest.approx(expected.autograd, rel=1e-5)
    assert not any("Link setting" in w.value for w in at.warning)


def test_a_bad_link_gets_a_message():
    at = open_page({"bp.term": "phi99", "bp.seed": "-3"})
    assert not at.exception
    messages = [w.value for w in at.warning if "Link setting" in w.value]
    assert len(messages) == 2, messages
