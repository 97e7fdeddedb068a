"""What the backprop review page says about its numbers: each derivative as the slide writes it, the same with
this network's values, and the claims about agreement and paths, all computed from one core Review (pure
strings: testable with any network, no streamlit)."""

from __future__ import annotations

from core.backprop_review import Review, Term

from .latex import number

SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def phi(unit: str) -> str:
    """φ₁₂ for the drawing's "phi12"."""
    return "φ" + unit[3:].translate(SUB)


def label(key: str) -> str:
    """A term's key as a plain name for pickers and tables: ∂L/∂φ₁₂, ∂L/∂φ₁₁ through φ₁₂, ∂L/∂φ₁₁ (all
    three paths): a first-layer unit without a path named is the sum over its paths."""
    unit, _, via = key.partition("@")
    name = f"∂L/∂{phi(unit)}"
    if via:
        return f"{name} through {phi(via)}"
    return name + (" (all three paths)" if unit.endswith("1") else "")


def slide_order(review: Review) -> list[str]:
    """The derivatives in the order the slides take them: φ_12, φ_22, φ_32, then φ_11, φ_21, φ_31 through φ_12,
    then the paths the slides leave out and the full sums."""
    keys = [t.key for t in review.terms]
    first = [k for k in keys if "@" not in k and k.endswith("2")]
    through_12 = [k for k in keys if k.endswith("@phi12")]
    rest = [k for k in keys if k not in first and k not in through_12]
    return first + through_12 + rest


def symbolic(term: Term, review: Review) -> str:
    """The slide's equation for this derivative, in LaTeX."""
    lhs = rf"\frac{{\partial \mathcal{{L}}(\hat y, y)}}{{\partial {term.of}}}"
    if term.paths:
        return lhs + " = " + " + ".join(_product(review.term(p), symbols=True) for p in term.paths)
    return lhs + " = " + _product(term, symbols=True)


def numeric(term: Term, review: Review) -> str:
    """The same equation with this network's numbers, ending in the hand-made value."""
    if term.paths:
        parts = " + ".join(rf"({number(review.term(p).hand)})" for p in term.paths)
    else:
        parts = _product(term, symbols=False)
    return rf"= {parts} = {number(term.hand)}"


def _product(term: Term, *, symbols: bool) -> str:
    if symbols:
        return r"\,".join(f.symbol for f in term.factors)
    return r" \cdot ".join(f"({number(f.value)})" for f in term.factors)


def agreement(review: Review) -> tuple[bool, str]:
    """Whether every chain-rule product matches autograd (to float64 rounding), and one sentence saying so."""
    worst = max(review.terms, key=lambda t: t.difference)
    scale = max(abs(t.autograd) for t in review.terms) or 1.0
    if worst.difference <= 1e-9 * scale:
        return True, (f"All {len(review.terms)} products agree with torch.autograd: the largest difference is "
                      f"{worst.difference:.1e} (float64 rounding).")
    return False, (f"{label(worst.key)} by hand differs from torch.autograd by {worst.difference:.3g}: the "
                   "chain-rule product misses part of the gradient.")


def paths_note(term: Term, review: Review) -> str:
    """For a deeper derivative: what the one path of the slide leaves out, in numbers."""
    unit, _, via = term.key.partition("@")
    full = review.term(unit) if via or term.paths else None
    if full is None:
        return (f"{phi(unit)} reaches ŷ along one edge only, w{unit[3].translate(SUB)}ᵒ, so this single product is its "
                "whole gradient.")
    shares = [review.term(p) for p in full.paths]
    listed = " + ".join(f"{t.hand:.3g}" for t in shares)
    biggest = max(shares, key=lambda t: abs(t.hand))
    return (f"{phi(unit)} reaches ŷ through all three units of the layer above, so its full gradient is the sum of "
            f"three products: {listed} = {full.hand:.3g} (autograd: {full.autograd:.3g}). The largest share here "
            f"runs {label(biggest.key).split(' ', 1)[1]}.")
