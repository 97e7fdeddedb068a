"""The Generate and Units views declare every setting once, as data a link can round-trip."""

import inspect

import pytest

from explorer import settings
from explorer.views import generate, units


@pytest.mark.parametrize("view", [generate, units], ids=lambda v: v.__name__)
def test_every_setting_is_declared_once_and_reads_back_its_default(view):
    keys = [s.key for s in view.SETTINGS]
    assert len(keys) == len(set(keys))
    assert all(isinstance(s, settings.Setting) and s.label for s in view.SETTINGS)
    for s in view.SETTINGS:
        assert s.parse(s.encode(s.default)) == s.default, s.key
    assert "settings.widget(" not in inspect.getsource(view)


def test_declared_ranges_refuse_what_the_widgets_would_not_allow():
    with pytest.raises(ValueError, match="outside"):
        generate.N.parse("0")
    with pytest.raises(ValueError, match="outside"):
        generate.TEMPERATURE.parse("9")
    with pytest.raises(ValueError, match="not one of"):
        units.FEATURE.parse("vowels")
    assert units.DIRECTION.parse("1") == 1 and units.THRESHOLD.parse("-0.25") == -0.25
    assert units.TARGET.parse("x" * 99) == "x" * 40
