"""The backprop review's sentences and drawing, computed from a core Review: change the network (or tamper with
autograd's answer) and they change with it."""

from __future__ import annotations

import dataclasses

import pytest

from core import backprop_review as br
from explorer import backprop_review as text
from explorer.charts import network_diagram
from explorer.charts.style import ORANGE

from .helpers import spec


@pytest.fixture(scope="module")
def review() -> br.Review:
    return br.review(br.lecture_network(0))


def test_labels_and_the_slides_order(review):
    order = text.slide_order(review)
    assert order[:6] == ["phi12", "phi22", "phi32", "phi11@phi12", "phi21@phi12", "phi31@phi12"]
    assert sorted(order) == sorted(t.key for t in review.terms)
    assert text.label("phi12") == "∂L/∂φ₁₂"
    assert text.label("phi11@phi12") == "∂L/∂φ₁₁ through φ₁₂"
    assert text.label("phi21") == "∂L/∂φ₂₁ (all three paths)"


def test_the_equations_carry_the_slides_symbols_and_this_networks_numbers(review):
    t = review.term("phi12")
    assert "w_1^o" in text.symbolic(t, review) and r"\partial \phi_{12}" in text.symbolic(t, review)
    numbers = text.numeric(t, review)
    assert f"{t.factors[2].value:.3f}" in numbers and numbers.endswith(f"{t.hand:.3f}")
    other = br.review(br.lecture_network(1)).term("phi12")
    assert text.numeric(other, review) != numbers
    full = review.term("phi11")
    assert text.symbolic(full, review).count("+") == 2
    assert text.numeric(full, review).count("+") == 2


def test_agreement_follows_the_numbers(review):
    ok, sentence = text.agreement(review)
    assert ok and f"All {len(review.terms)} products agree" in sentence
    bad = dataclasses.replace(review.terms[4], autograd=review.terms[4].autograd + 0.5)
    tampered = dataclasses.replace(review, terms=(*review.terms[:4], bad, *review.terms[5:]))
    ok, sentence = text.agreement(tampered)
    assert not ok and text.label(bad.key) in sentence and "0.5" in sentence


def test_the_paths_note_adds_up_this_networks_paths(review):
    note = text.paths_note(review.term("phi11@phi12"), review)
    full = review.term("phi11")
    assert f"= {full.hand:.3g}" in note and f"autograd: {full.autograd:.3g}" in note
    for p in full.paths:
        assert f"{review.term(p).hand:.3g}" in note
    biggest = max(full.paths, key=lambda p: abs(review.term(p).hand))
    assert f"through {text.phi(biggest.split('@')[1])}" in note
    assert "one edge only, w₂ᵒ" in text.paths_note(review.term("phi22"), review)


def test_the_drawing_highlights_the_chain(review):
    s = spec(network_diagram(review, "phi11@phi12"))
    hot = [t for t in s["data"] if t.get("mode") == "lines" and t["line"]["color"] == ORANGE]
    assert len(hot) == 2, "φ_11 → φ_12 and φ_12 → ŷ"
    ends = {(tuple(t["x"]), tuple(t["y"])) for t in hot}
    assert ((1.0, 2.0), (2.0, 2.0)) in ends and ((2.0, 3.0), (2.0, 1.0)) in ends
    lines = [t for t in s["data"] if t.get("mode") == "lines"]
    assert len(lines) == 9 + 9 + 3, "every weight is an edge"
    weights = next(t for t in s["data"] if t.get("name") == "weights")
    w11 = float(review.network.W_1[0, 0])
    assert any(f"{w11:.3g}" in label for label in weights["text"] if label), "the chain's weights are written on it"
    assert sum(bool(label) for label in weights["text"]) == 2
    assert "φ<sub>11</sub> through φ<sub>12</sub>" in s["layout"]["title"]["text"]
    full = spec(network_diagram(review, "phi11"))
    assert sum(t.get("mode") == "lines" and t["line"]["color"] == ORANGE for t in full["data"]) == 6
    units = next(t for t in full["data"] if t.get("name") == "units")
    assert any(f"{review.y_hat:.4g}" in c for c in units["customdata"]), "the units' values come from the review"
