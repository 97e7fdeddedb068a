"""Every page's view declares every setting they own once, as data, and draw them only through settings.control: their
widgets' defaults round-trip through the URL, and no view binds a widget by hand or caches on its own."""

from __future__ import annotations

import importlib
import inspect

import pytest

from explorer import navigation, settings

VIEWS = tuple(spec.view for spec in navigation.PAGES)


def module(name: str):
    return importlib.import_module(f"explorer.views.{name}")


@pytest.mark.parametrize("name", VIEWS)
def test_every_setting_is_declared_once_and_its_default_survives_a_link(name):
    view = module(name)
    assert callable(view.main)
    keys = [s.key for s in view.SETTINGS]
    assert len(keys) == len(set(keys)), "each setting once"
    for s in view.SETTINGS:
        assert isinstance(s, settings.Setting)
        if s.kind == "none":  # set by the page (a clicked target, lecture.step's 0 = "none chosen yet")
            continue
        assert s.label, f"{s.key} has a widget and no label"
        assert s.parse(s.encode(s.default)) == s.default, s.key
        if s.options:
            assert s.default in s.options, s.key
        if s.lo is not None:
            assert s.lo <= s.default <= s.hi, s.key


@pytest.mark.parametrize("name", VIEWS)
def test_no_view_binds_a_widget_by_hand_or_caches(name):
    source = inspect.getsource(module(name))
    for hand_made in ("settings.widget(", "widget_key(", "settings.on_change(", "st.cache_"):
        assert hand_made not in source, f"{name}: {hand_made}"
