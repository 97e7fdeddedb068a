"""In Chromium: the character model continues the text by 200 characters, the continuation goes into the text box,
and the Units page colours that very text token by token with the unit's values."""

from __future__ import annotations

import pytest

from explorer import catalogue
from tests.e2e import harness

MODEL = "elman-char"
N = 200


@pytest.mark.e2e
def test_generate_then_colour_the_continuation(base_url, page, screenshot_dir):
    if MODEL not in catalogue.scan():
        pytest.skip(f"models/{MODEL}.safetensors is not shipped")
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{base_url}/generate?model={MODEL}&gen.n={N}&gen.seed=3")
    harness.wait_for_idle(page)
    tokens = page.locator(".generated-text span[data-p]")
    # On a loaded machine the page can look idle for a moment before its first run has drawn anything (this
    # failed once in a clean-clone CI while two models trained alongside): wait for the text itself.
    tokens.first.wait_for(timeout=120_000)
    harness.wait_for_idle(page)
    assert tokens.count() == N, "one shaded span per generated character"
    probs = [float(p) for p in tokens.evaluate_all("els => els.map(e => e.dataset.p)")]
    assert all(0 < p <= 1 for p in probs)
    assert page.locator(harness.EXCEPTION).count() == 0
    harness.full_page_screenshot(page, screenshot_dir / "generate.png")

    prompt = page.locator('[data-testid="stTextArea"] textarea').first.input_value()
    before = harness.runs(page)
    page.get_by_role("button", name="Unroll this continuation").click()
    harness.wait_for_rerun(page, before)
    text = page.locator('[data-testid="stTextArea"] textarea').first.input_value()
    assert text.startswith(prompt) and len(text) == len(prompt) + N, "prompt + continuation is the shared text"

    before = harness.runs(page)
    more = page.locator('[data-testid="stSidebarNavViewButton"]')
    if more.count() and "more" in more.inner_text():  # the navigation shows its first pages only
        more.click()
    page.locator('[data-testid="stSidebarNav"] a', has_text="Units").click()
    harness.wait_for_rerun(page, before)
    before = harness.runs(page)
    page.get_by_text("the text box's text").click()
    harness.wait_for_rerun(page, before)
    harness.wait_for_charts(page)
    coloured = page.locator(".unit-text").first.locator("span[data-v]")
    assert coloured.count() == len(text), "one coloured span per character of the continued text"
    shown = "".join(coloured.evaluate_all("els => els.map(e => e.textContent)")).replace("↵\n", "\n")
    assert shown == text
    values = [float(v) for v in coloured.evaluate_all("els => els.map(e => e.dataset.v)")]
    assert all(-1 <= v <= 1 for v in values) and len(set(values)) > 1
    assert page.locator(harness.EXCEPTION).count() == 0
    harness.full_page_screenshot(page, screenshot_dir / "units.png")
