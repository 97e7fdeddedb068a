"""A freshly started server: the first visitor may arrive by a link to any page, and finds it."""

from __future__ import annotations

import pytest

from tests.e2e import harness


@pytest.mark.e2e
def test_a_link_to_a_page_works_as_the_first_visit_to_a_new_server(browser):
    """Streamlit learns st.navigation's pages on its first run of the app; explorer.serve has it run the app as
    soon as the server is up, and app.py builds the navigation before its slow imports, so a lecture slide's link
    to the Gradients page opens that page, with no "Page not found" dialog."""
    with harness.streamlit_server() as base:
        page = harness.new_page(browser)
        try:
            page.goto(f"{base}/gradients?target=5")
            harness.wait_for_idle(page)
            assert not page.get_by_text("Page not found").count(), "the deep link was refused"
            heading = page.locator(f"{harness.MAIN} h1").first
            assert heading.inner_text().startswith("Gradients through time")
            assert "target=5" in page.url, "the link's settings are kept"
        finally:
            page.context.close()
