"""Presenter mode on a 1280×720 projector, and Lecture mode walked in Chromium with one click per step."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from explorer.lecture_path import STEP_KEY, STEPS
from explorer.navigation import PAGES
from tests.e2e import harness

PROJECTOR = {"width": 1280, "height": 720}
LAPTOP = {"width": 1400, "height": 1000}  # presenter mode's text is largest here: sidebar entries must still wrap
DEFAULT = next(spec for spec in PAGES if spec.default)

# Every visible label that is cut: a button's text (download buttons once read "C." and "HT…"), a sidebar entry,
# a metric's label (or one running into its neighbour's). Each entry: what it is, its text, and two widths.
CUT_LABELS_JS = """
() => {
  const shown = (el) => el.offsetParent !== null && el.clientWidth > 0;
  const cut = (el) => el.scrollWidth > el.clientWidth + 1;
  const out = [];
  for (const b of document.querySelectorAll('button')) {
    if (!shown(b)) continue;
    const label = b.querySelector('[data-testid="stMarkdownContainer"]');
    for (const el of [b, label]) {
      if (el && shown(el) && cut(el)) out.push(['button', b.innerText, el.scrollWidth, el.clientWidth]);
    }
  }
  const icon = '[data-testid="stIconMaterial"]';
  const labels = `[data-testid="stSidebarNav"] a span:not(:has(${icon})):not(${icon}), [data-testid="stMetricLabel"] p`;
  const side = document.querySelector('[data-testid="stSidebar"]');
  const edge = side ? side.getBoundingClientRect().right : Infinity;  // text running past the sidebar is cut too
  for (const el of document.querySelectorAll(labels)) {
    const past = el.closest('[data-testid="stSidebar"]') && el.getBoundingClientRect().right > edge;
    if (shown(el) && (cut(el) || past)) out.push(['label', el.innerText, el.scrollWidth, el.clientWidth]);
  }
  for (const p of document.querySelectorAll('[data-testid="stMetricLabel"] p')) {  // one label running into the next
    const box = p.closest('[data-testid="stMetric"]');
    const text = document.createRange();
    text.selectNodeContents(p);
    const right = text.getBoundingClientRect().right;
    if (box && box.offsetParent !== null && right > box.getBoundingClientRect().right + 1)
      out.push(['metric', p.innerText, Math.round(right), Math.round(box.getBoundingClientRect().right)]);
  }
  return out;
}
"""
# The page's first chart: a Plotly chart, the Unroll page's in-browser step player or the Gradients page's coloured
# text with its curve, whichever comes first.
MAIN_CHART_TOP_JS = """
() => {
  const c = document.querySelector('[data-testid="stMain"] [data-testid="stPlotlyChart"], [data-testid="stMain"] '
                                   + '.st-key-u-player, [data-testid="stMain"] .st-key-g-strip');
  return c ? c.getBoundingClientRect().top : null;
}
"""
# Gradients and Deeper move their secondary controls, metrics and notes below the chart in presenter mode.
FITS = ["unroll", "hidden-states", "gradients", "backprop", "bptt", "fixed-window", "deeper", "lstm-gru"]


def url_of(url_path: str) -> str:
    return "" if url_path == DEFAULT.url_path else url_path  # the default page is served at "/" only


@pytest.mark.e2e
@pytest.mark.parametrize("viewport", [PROJECTOR, LAPTOP], ids=lambda v: f"{v['width']}x{v['height']}")
@pytest.mark.parametrize("url_path", FITS)
def test_presenter_mode_fits_the_screen(url_path, viewport, base_url, page, screenshot_dir):
    """The page's first chart starts on the first screen, and no button, sidebar entry or metric label is cut."""
    page.set_viewport_size(viewport)
    page.goto(f"{base_url}/{url_of(url_path)}?presenter=1")
    harness.wait_for_idle(page)
    harness.wait_for_charts(page)
    page.screenshot(path=str(screenshot_dir / f"presenter-{viewport['width']}x{viewport['height']}-{url_path}.png"))
    assert page.locator(harness.EXCEPTION).count() == 0
    assert page.locator('[data-testid="stDownloadButton"] button').count() >= 2, "the chart's downloads are shown"
    assert page.evaluate(CUT_LABELS_JS) == []
    top = page.evaluate(MAIN_CHART_TOP_JS)
    assert top is not None and 0 <= top < viewport["height"] - 100, f"the main chart starts at {top}px"


def next_button(page):
    """The banner's Next (Streamlit also draws a nameless copy of a button with a tooltip, for measuring)."""
    return page.locator(".st-key-lecture_next").get_by_role("button", name=re.compile(r"^Next"))


def banner_step(page) -> int | None:
    box = page.locator(".st-key-lecture_row")
    if not box.count():
        return None
    text = box.inner_text()
    assert f" of {len(STEPS)}:" in text, text
    return int(text.split("step ", 1)[1].split(" ", 1)[0])


@pytest.mark.e2e
def test_lecture_mode_one_click_per_step(base_url, page, screenshot_dir):
    """Start, then Next alone: every click lands on the step's page, with the step in the URL and its banner."""
    page.set_viewport_size(PROJECTOR)
    page.goto(f"{base_url}/lecture?hidden=16")
    harness.wait_for_idle(page)
    assert banner_step(page) is None
    page.get_by_role("button", name="Start the lecture").click()
    for i, step in enumerate(STEPS, start=1):
        if i > 1:
            before = harness.runs(page)
            next_button(page).click()
            harness.wait_for_rerun(page, before)
        harness.wait_for_idle(page)
        page.wait_for_function("(n) => { const r = document.querySelectorAll('.st-key-lecture_row');"  # one banner
                               " return r.length === 1 && r[0].innerText.includes('step ' + n + ' of'); }",
                               arg=i, timeout=60_000)
        harness.wait_for_idle(page)
        assert banner_step(page) == i
        where = urlsplit(page.url)
        assert where.path == f"/{url_of(step.page)}", (step.key, page.url)
        assert parse_qs(where.query)[STEP_KEY] == [str(i)]
        assert page.locator(harness.EXCEPTION).count() == 0, step.key
        assert step.look[:40] in page.locator(".st-key-lecture_banner").inner_text()
        if step.key in ("backprop", "deeper"):
            harness.wait_for_charts(page)
            page.screenshot(path=str(screenshot_dir / f"lecture-step-{i}-{step.key}.png"))
    assert next_button(page).is_disabled(), "Next stops at the last step"
