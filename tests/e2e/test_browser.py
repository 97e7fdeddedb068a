"""Every page loads in real Chromium, takes text input, draws its charts, and shows no exception."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from explorer.navigation import PAGES
from tests.e2e import harness

SENTENCE = "the starving cat chased the"
# st.navigation serves its default page (default=True, else the first) at "/" only; "/<url_path>" is unknown.
DEFAULT = next((spec for spec in PAGES if getattr(spec, "default", False)), PAGES[0])


def _is_benign(message) -> bool:
    """A deep link makes the frontend probe `/<page>/_stcore/...` before `/_stcore/...`: expected 404s."""
    url = message.location.get("url", "")
    return message.text.startswith("Failed to load resource") and "/_stcore/" in url


@pytest.mark.e2e
@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.url_path)
def test_page_in_browser(spec, base_url, page, screenshot_dir):
    dialogs: list[str] = []
    console_errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
    page.on("console", lambda m: m.type == "error" and not _is_benign(m) and console_errors.append(m.text))
    page.on("pageerror", lambda e: console_errors.append(f"uncaught: {e}"))

    url_path = "" if spec is DEFAULT else spec.url_path
    page.goto(f"{base_url}/{url_path}")
    harness.wait_for_idle(page)
    # The path only: pages may write their settings into the query string.
    assert urlsplit(page.url).path == f"/{url_path}", f"{spec.path} is not served at /{url_path}"

    harness.wait_for_jobs(page)  # views computed in the background (the probes page's ablation)
    harness.wait_for_charts(page)
    harness.full_page_screenshot(page, screenshot_dir / f"{spec.url_path}-default.png")  # the dancing passage

    text_areas = page.locator('[data-testid="stTextArea"] textarea')
    if text_areas.count() and text_areas.first.is_enabled():
        box = text_areas.first
        if box.input_value() != SENTENCE:
            before = harness.runs(page)
            box.fill(SENTENCE)
            box.press("Control+Enter")
            harness.wait_for_rerun(page, before)
        assert text_areas.first.input_value() == SENTENCE, "the typed sentence was applied"
        assert "text=the+starving" in page.url, "the text travels in the link"

    harness.wait_for_jobs(page)
    harness.wait_for_charts(page)
    exceptions = page.locator(harness.EXCEPTION)
    assert exceptions.count() == 0, exceptions.first.inner_text()
    harness.full_page_screenshot(page, screenshot_dir / f"{spec.url_path}.png")
    assert not dialogs, dialogs
    assert not console_errors, console_errors
