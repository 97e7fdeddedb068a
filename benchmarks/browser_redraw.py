"""How long a student waits, in real Chromium, from picking a new target token to seeing the chart redrawn."""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e import harness  # noqa: E402

# In-page timestamps: t0 when Enter picks the option, t1 at the last DOM change inside a chart: a Plotly chart or
# an in-browser view (the Elman network's curve is drawn by the coloured text).
# The keyboard is used, not the mouse, so that no hover over the chart counts as a redraw.
_WATCH_JS = """
window.__rnnChartChangedAt = null;
new MutationObserver((records) => {
  if (records.some((r) => r.target.closest && r.target.closest('[data-testid="stPlotlyChart"], [data-rnn-chart]')))
    window.__rnnChartChangedAt = performance.now();
}).observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') window.__rnnPressedAt = performance.now();
}, true);
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--changes", type=int, default=10, help="how many times to change the target token")
    parser.add_argument("--url-path", default="gradients", help="the page to open")
    parser.add_argument("--label", default="Target word (the word being predicted)",
                        help="label of the select box to change")
    args = parser.parse_args()
    if not Path(harness.CHROMIUM).exists():
        print(f"browser_redraw: skipped, {harness.CHROMIUM} is missing (apt-get install chromium)")
        return 0

    from playwright.sync_api import sync_playwright

    times_ms: list[float] = []
    with harness.streamlit_server() as base, sync_playwright() as p:
        browser = harness.launch_chromium(p)
        page = harness.new_page(browser)
        harness.warm_up(page, base)
        page.goto(f"{base}/{args.url_path}")
        harness.wait_for_idle(page)
        harness.wait_for_charts(page)
        page.evaluate(_WATCH_JS)
        box = page.get_by_role("combobox", name=args.label)
        for i in range(args.changes):
            box.click()
            texts = page.get_by_role("listbox", name=args.label).get_by_role("option").all_inner_texts()
            at_end = texts.index(box.input_value()) == len(texts) - 1
            page.keyboard.press("ArrowUp" if at_end else "ArrowDown")
            page.evaluate("window.__rnnChartChangedAt = null")
            before = harness.runs(page)
            page.keyboard.press("Enter")
            harness.wait_for_rerun(page, before)
            harness.wait_for_charts(page)
            t0, t1 = page.evaluate("[window.__rnnPressedAt, window.__rnnChartChangedAt]")
            if t1 is None:
                raise SystemExit(f"change {i + 1}: the chart did not change after picking a new target")
            times_ms.append(t1 - t0)
        browser.close()

    ordered = sorted(times_ms)
    p95 = ordered[math.ceil(0.95 * len(ordered)) - 1]
    print(
        f"redraw after target change: median {statistics.median(ordered):.0f} ms, "
        f"p95 {p95:.0f} ms over {len(ordered)} changes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
