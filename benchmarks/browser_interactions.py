"""What a student waits for, in real Chromium, on the dancing passage: medians over repeated tries of stepping
through time on Unroll, Play's rate, a new text, a new target word, hovering and clicking a word of the coloured
text, a page switch, a new session on a warm server and a cold server start, each timed in the page from the input
event to the last change the user sees.

    .venv/bin/python benchmarks/browser_interactions.py           # 10 tries of each (a few minutes)
    .venv/bin/python benchmarks/browser_interactions.py --quick   # 3 tries of each: a smoke run
    .venv/bin/python benchmarks/browser_interactions.py --json out.json
    .venv/bin/python benchmarks/browser_interactions.py --only words target   # some of them

"Shown" is the first frame that draws the new step; "settled" is the last DOM change in the page's main area
after the input (so a rerun's redraw of every other element counts). Not counted: the marks Streamlit puts on an
element while a rerun that may replace it is in flight (data-stale and its class): they fade it only after 0.5 s
(opacity 1s ease-in 0.5s), so a rerun that is over sooner and brings back what is shown changes nothing on
screen. Server and Chromium share this machine's CPUs, so the figures include the browser's own work.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e import harness  # noqa: E402

TEXTAREA = '[data-testid="stTextArea"] textarea'
TARGET_LABEL = "Target word (the word being predicted)"

# Installed before the app's own scripts. __rnnPressedAt: the last pointerdown, Enter or choice in a drop-down
# list; __rnnLastChange: the last DOM change inside the main area (but the stale marks, see above); __rnnShown:
# the step the Unroll diagram shows and when it first showed it (a [data-rnn-step] element, else the Plotly
# diagram's title "... step k reads ..."); __rnnFirstChartAt: when the first chart drew (ms since navigation
# start); __rnnHoverAt: the last mouseover of a word of the coloured text; __rnnCurve: the target whose gradient
# curve the strip draws, and when it first drew it.
WATCH_JS = """
window.__rnnPressedAt = null; window.__rnnLastChange = null; window.__rnnFirstChartAt = null;
window.__rnnShown = {step: null, at: null}; window.__rnnHoverAt = null; window.__rnnCurve = {t: null, at: null};
const press = () => { window.__rnnPressedAt = performance.now(); };
document.addEventListener('mouseover', (e) => {
  if (e.target.closest && e.target.closest('.rs-t')) window.__rnnHoverAt = performance.now();
}, true);
document.addEventListener('pointerdown', press, true);
document.addEventListener('keydown', (e) => { if (e.key === 'Enter') press(); }, true);
document.addEventListener('input', (e) => { if (e.target.tagName === 'SELECT') press(); }, true);
const staleMark = (r) => r.type === 'attributes' && r.target.getAttribute('data-testid') === 'stElementContainer'
  && (r.attributeName === 'data-stale' || r.attributeName === 'class');
new MutationObserver((records) => {
  if (records.some((r) => {
    const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
    return el && el.closest && el.closest('[data-testid="stMain"]') && !staleMark(r);
  })) window.__rnnLastChange = performance.now();
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
const currentStep = () => {
  const own = document.querySelector('[data-rnn-step]');
  if (own) return Number(own.getAttribute('data-rnn-step'));
  for (const t of document.querySelectorAll('[data-testid="stPlotlyChart"] .gtitle')) {
    const m = /step (\\d+) reads/.exec(t.textContent);
    if (m) return Number(m[1]);
  }
  return null;
};
const frame = () => {
  const step = currentStep();
  if (step !== window.__rnnShown.step) window.__rnnShown = {step, at: performance.now()};
  const curve = document.querySelector('svg[data-rnn-curve]');
  const t = curve && curve.getAttribute('data-rnn-curve');
  if (t !== window.__rnnCurve.t) window.__rnnCurve = {t, at: performance.now()};
  if (window.__rnnFirstChartAt === null
      && document.querySelector('.js-plotly-plot .main-svg, [data-rnn-chart] svg')) {
    window.__rnnFirstChartAt = performance.now();
  }
  requestAnimationFrame(frame);
};
requestAnimationFrame(frame);
"""


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


TIMEOUT_MS = 180_000  # a busy machine can take long; a slow try is measured, not dropped


def new_page(browser):
    page = harness.new_page(browser)
    page.context.add_init_script(WATCH_JS)
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    return page


def settle(page, runs_before: int, rerun_expected: bool) -> None:
    """Wait for the rerun the input caused (if the app does one), then until the page is idle and drawn."""
    if rerun_expected:
        harness.wait_for_rerun(page, runs_before, timeout_ms=TIMEOUT_MS)
    else:
        harness.wait_for_idle(page, timeout_ms=TIMEOUT_MS)
    harness.wait_for_charts(page, timeout_ms=TIMEOUT_MS)
    page.wait_for_timeout(150)  # a last late redraw still counts


def settled_ms(page) -> float:
    t0, t1 = page.evaluate("[window.__rnnPressedAt, window.__rnnLastChange]")
    return max(0.0, (t1 or t0) - t0)


def button(page, name: str):
    return page.get_by_role("button", name=re.compile(rf"\b{name}\b")).first


def reruns_soon(page, before: int, wait_ms: int = 400) -> bool:
    """Whether a script run starts (or has finished) within wait_ms of the input."""
    state = "document.querySelector('[data-testid=\"stApp\"]').getAttribute('data-test-script-state')"
    deadline = time.monotonic() + wait_ms / 1000
    while time.monotonic() < deadline:
        if harness.runs(page) > before or page.evaluate(state) == "running":
            return True
        page.wait_for_timeout(20)
    return False


def step_presses(page, base: str, tries: int) -> dict[str, list[float]]:
    """Back `tries` times, then Step `tries` times, from the last step of the dancing passage."""
    page.goto(f"{base}/")  # Unroll, the default page, lives at "/" only
    settle(page, 0, False)
    out = {"step shown": [], "step settled": [], "step reran": []}
    for name, delta in (("Back", -1), ("Step", +1)):
        for _ in range(tries):
            want = page.evaluate("window.__rnnShown.step") + delta
            before = harness.runs(page)
            button(page, name).click()
            page.wait_for_function("(w) => window.__rnnShown.step === w && window.__rnnShown.at > "
                                   "window.__rnnPressedAt", arg=want, timeout=TIMEOUT_MS, polling=20)
            settle(page, before, False)
            reran = harness.runs(page) > before
            out["step shown"].append(page.evaluate("window.__rnnShown.at - window.__rnnPressedAt"))
            out["step settled"].append(settled_ms(page))
            out["step reran"].append(float(reran))
    return out


def play_rate(page, base: str, steps: int) -> dict[str, list[float]]:
    """Reset, Play, and the time between successive steps drawn."""
    page.goto(f"{base}/")  # Unroll, the default page, lives at "/" only
    settle(page, 0, False)
    before = harness.runs(page)
    button(page, "Reset").click()
    page.wait_for_function("window.__rnnShown.step === 0", timeout=TIMEOUT_MS, polling=20)
    settle(page, before, reruns_soon(page, before))
    button(page, "Play").click()
    seen = []
    for want in range(1, steps + 2):
        page.wait_for_function("(w) => window.__rnnShown.step >= w", arg=want, timeout=TIMEOUT_MS, polling=10)
        seen.append(page.evaluate("window.__rnnShown.at"))
    before = harness.runs(page)
    button(page, "Pause").click()
    settle(page, before, reruns_soon(page, before))
    return {"play interval": [b - a for a, b in zip(seen, seen[1:])]}


def new_texts(page, base: str, url_path: str, tries: int) -> list[float]:
    """Apply a new text (Ctrl+Enter) and wait for every chart to redraw; two texts in turn."""
    page.goto(f"{base}/{url_path}")
    settle(page, 0, False)
    box = page.locator(TEXTAREA).first
    original = box.input_value()
    out = []
    for i in range(tries):
        box.fill(original + (" They danced again." if i % 2 == 0 else " The night was long."))
        before = harness.runs(page)
        box.press("Control+Enter")
        settle(page, before, True)
        out.append(settled_ms(page))
    return out


def new_targets(page, base: str, tries: int) -> list[float]:
    """Pick the next (or previous) target word from the picker's list; wait for the redraw and the rerun. The
    picker is the strip's own drop-down list (a <select>) where the browser draws the panel, else Streamlit's
    select box (driven with the keyboard), as in the app before the panel moved to the browser."""
    page.goto(f"{base}/gradients")
    settle(page, 0, False)
    box = page.get_by_role("combobox", name=TARGET_LABEL)
    native = box.evaluate("e => e.tagName") == "SELECT"
    out = []
    for _ in range(tries):
        before = harness.runs(page)
        if native:
            values = box.locator("option").evaluate_all("os => os.map((o) => o.value)")
            at = values.index(box.input_value())
            box.select_option(values[at - 1 if at == len(values) - 1 else at + 1])
        else:
            box.click()
            texts = page.get_by_role("listbox", name=TARGET_LABEL).get_by_role("option").all_inner_texts()
            at_end = texts.index(box.input_value()) == len(texts) - 1
            page.keyboard.press("ArrowUp" if at_end else "ArrowDown")
            before = harness.runs(page)
            page.keyboard.press("Enter")
        settle(page, before, reruns_soon(page, before, 1000))
        out.append(settled_ms(page))
    return out


def picked_words(page, base: str, tries: int) -> dict[str, list[float]]:
    """Hover a word of the coloured text (its curve drawn), then click it (the target, after the rerun)."""
    page.goto(f"{base}/gradients")
    settle(page, 0, False)
    strip = page.locator("[data-rnn-shown]")
    out = {"hover a word, curve shown": [], "click a word, settled": []}
    for i in range(tries):
        t = 20 + 3 * i
        word = strip.locator(f".rs-t[data-t='{t}']")
        word.scroll_into_view_if_needed()
        page.mouse.move(0, 0)
        page.wait_for_timeout(100)
        word.hover()
        page.wait_for_function("(t) => window.__rnnCurve.t === String(t) && window.__rnnCurve.at >= "
                               "window.__rnnHoverAt", arg=t, timeout=TIMEOUT_MS, polling=20)
        out["hover a word, curve shown"].append(page.evaluate("window.__rnnCurve.at - window.__rnnHoverAt"))
        before = harness.runs(page)
        word.click()
        settle(page, before, True)
        out["click a word, settled"].append(settled_ms(page))
    return out


def page_switches(page, base: str, tries: int) -> dict[str, list[float]]:
    """Between Unroll and Gradients through time, both visited once first: every switch, and each direction."""
    page.goto(f"{base}/gradients")
    settle(page, 0, False)
    out = {"switch visited pages": [], "switch to Unroll": [], "switch to Gradients": []}
    for i in range(tries + 1):
        title = "Unroll" if i % 2 == 0 else "Gradients through time"
        before = harness.runs(page)
        page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
        settle(page, before, True)
        if i:  # the first visit to Unroll is not a revisit
            ms = settled_ms(page)
            out["switch visited pages"].append(ms)
            out["switch to Unroll" if title == "Unroll" else "switch to Gradients"].append(ms)
    return out


def first_chart_ms(browser, url: str) -> float:
    page = new_page(browser)
    try:
        page.goto(url)
        page.wait_for_function("window.__rnnFirstChartAt !== null", timeout=TIMEOUT_MS, polling=20)
        return page.evaluate("window.__rnnFirstChartAt")
    finally:
        page.context.close()


def cold_starts(browser, tries: int) -> list[float]:
    out = []
    for _ in range(tries):
        t0 = time.monotonic()
        with harness.streamlit_server(timeout=TIMEOUT_MS / 1000) as base:
            started = time.monotonic()
            out.append((started - t0) * 1000 + first_chart_ms(browser, f"{base}/"))
    return out


PARTS = ("step", "play", "text", "target", "words", "switch", "session", "start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 tries of each (a smoke run)")
    parser.add_argument("--tries", type=int, default=None, help="tries of each interaction (default 10)")
    parser.add_argument("--json", type=Path, help="also write every measurement here")
    parser.add_argument("--only", nargs="+", choices=PARTS, default=PARTS, help="which interactions (default: all)")
    args = parser.parse_args()
    tries = args.tries or (3 if args.quick else 10)
    if not Path(harness.CHROMIUM).exists():
        print(f"browser_interactions: skipped, {harness.CHROMIUM} is missing (apt-get install chromium)")
        return 0

    from playwright.sync_api import sync_playwright

    results: dict[str, list[float]] = {}

    def record(found: dict[str, list[float]]) -> None:
        """Print each measurement as soon as it is done (and save them all so far): a long run keeps what it got."""
        for name, xs in found.items():
            results[name] = xs
            if name == "step reran":
                print(f"{'step reran':<28}  {sum(xs):.0f} of {len(xs)} presses started a script run", flush=True)
            elif xs:
                print(f"{name:<28}  median {median(xs):7.0f} ms  min {min(xs):7.0f}  max {max(xs):7.0f}  (n={len(xs)})",
                      flush=True)
        if args.json:
            args.json.write_text(json.dumps(results, indent=1))

    with sync_playwright() as p:
        browser = harness.launch_chromium(p)
        with harness.streamlit_server(timeout=TIMEOUT_MS / 1000) as base:
            page = new_page(browser)
            page.goto(f"{base}/")  # the frontend's first load is not what the first interaction costs
            settle(page, 0, False)
            only = set(args.only)
            if "step" in only:
                record(step_presses(page, base, tries))
            if "play" in only:
                record(play_rate(page, base, tries))
            if "text" in only:
                record({"new text, Unroll": new_texts(page, base, "", tries)})
                record({"new text, Gradients": new_texts(page, base, "gradients", tries)})
            if "target" in only:
                record({"new target word": new_targets(page, base, tries)})
            if "words" in only:
                record(picked_words(page, base, tries))
            if "switch" in only:
                record(page_switches(page, base, tries))
            page.context.close()
            if "session" in only:
                record({"new session, first chart": [first_chart_ms(browser, f"{base}/") for _ in range(tries)]})
        if "start" in only:
            record({"server start to first chart": cold_starts(browser, tries)})
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
