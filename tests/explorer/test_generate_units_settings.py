"""The Generate and Units views declare every setting once, as data a link can round-trip."""


import pytest

from explorer.views import generate, units


def test_declared_ranges_refuse_what_the_widgets_would_not_allow():
    with pytest.raises(ValueError, match="outside"):
        generate.N.parse("0")
    with pytest.raises(ValueError, match="outside"):
        generate.TEMPERATURE.parse("9")
    with pytest.raises(ValueError, match="not one of"):
        units.FEATURE.parse("vowels")
    assert units.DIRECTION.parse("1") == 1 and units.THRESHOLD.parse("-0.25") == -0.25
    assert units.TARGET.parse("x" * 99) == "x" * 40


def test_the_continuation_caption_is_computed_from_the_steps():
    from core.generate import Step
    from explorer import captions

    steps = [Step("a", 1, 0.5, (("b", 0.2),)), Step("b", 2, 0.1, (("a", 0.6),))]
    text = captions.continuation_caption(steps, 50)
    assert "chosen tokens 0.300" in text and "0.0200 for a uniform guess over its 50 tokens" in text
    assert "most likely one at 1 of 2 steps" in text
    assert "at 0 of 1 steps" in captions.continuation_caption(steps[1:], 4)


def test_the_unit_caption_states_the_range_of_the_values_shown():
    import numpy as np

    from explorer import captions

    text = captions.unit_caption("l0.fwd.h[3]", "±1, why.", np.array([0.25, np.nan, -0.5]))
    assert text.startswith("Unit l0.fwd.h[3] at every step") and "Scale ±1, why." in text
    assert "these 3 steps it ranges from -0.500 to 0.250" in text
