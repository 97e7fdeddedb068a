"""Fixtures for the real-browser tests: one Streamlit server and one Chromium per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e import harness


@pytest.fixture(scope="session")
def browser():
    if not Path(harness.CHROMIUM).exists():
        reason = f"{harness.CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; the browser test must not be skipped in CI")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = harness.launch_chromium(p)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def base_url(browser) -> str:
    """The app's URL, served by one server (started as `make run` does) for the whole session, warmed up once."""
    with harness.streamlit_server() as url:
        page = harness.new_page(browser)
        harness.warm_up(page, url)
        page.context.close()
        yield url


@pytest.fixture
def page(browser):
    page = harness.new_page(browser)
    yield page
    page.context.close()


@pytest.fixture
def screenshot_dir(tmp_path) -> Path:
    """RNN_EXPLORER_SCREENSHOTS (to refresh docs/ images) or a fresh temporary folder."""
    return Path(os.environ.get("RNN_EXPLORER_SCREENSHOTS") or tmp_path)
