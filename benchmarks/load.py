"""Many users at once: 1, 5 and 20 Chromium sessions on one server, one of them training. How long each waits
from applying a new sentence to seeing the Unroll page's charts redrawn, and whether any saw another's data.

One headless `streamlit run app.py` on loopback, one Chromium with a browser context per session (its own
cookies and storage, so its own Streamlit session). Each session opens the Unroll page with its own text and
hidden size in the link, then edits the text's last word a few times; a redraw is timed in the page, from the
Ctrl+Enter that applies the text to the moment both charts' titles name the new word. In every group of more
than one session, one session trains on the cue task meanwhile (it is not timed). At the end each session's
page must name its own words and settings and none of the others' (else the exit status is 1).

The browser runs on the same machine as the server, so on a small machine the times include Chromium's own
share of the CPU (loading Plotly into each new page, drawing every chart).

    .venv/bin/python benchmarks/load.py            # 1, 5 and 20 sessions
    .venv/bin/python benchmarks/load.py --quick    # 1 and 3 sessions, 2 edits each: a smoke run
    .venv/bin/python benchmarks/load.py --sessions 1 10 --edits 3 --json out.json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e import harness  # noqa: E402

HIDDEN_SIZES = (8, 16, 64, 128, 4, 256, 2)  # a different network for neighbouring sessions (32 is the default)
TEXTAREA = '[data-testid="stTextArea"] textarea'

# In-page timestamps: pressed at the Ctrl+Enter that applies the text, started when the app next reports its
# script running, seen when __rnnCharts chart titles name window.__rnnWant. Installed before the app's scripts.
WATCH_JS = """
window.__rnnWant = null; window.__rnnPressedAt = null; window.__rnnStartedAt = null; window.__rnnSeenAt = null;
window.__rnnCharts = 2;
document.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) window.__rnnPressedAt = performance.now();
}, true);
new MutationObserver((records) => {
  if (!window.__rnnWant || window.__rnnPressedAt === null || window.__rnnSeenAt !== null) return;
  if (window.__rnnStartedAt === null && records.some((r) => r.attributeName === 'data-test-script-state'
      && r.target.getAttribute('data-test-script-state') === 'running')) window.__rnnStartedAt = performance.now();
  let n = 0;
  for (const t of document.querySelectorAll('[data-testid="stPlotlyChart"] .gtitle, .rp-title, .rp-next b'))
    if (t.textContent.includes(window.__rnnWant)) n += 1;
  if (n >= window.__rnnCharts) window.__rnnSeenAt = performance.now();
}).observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
"""

# Everything a user could read in the page: its text (charts' SVG text included), the text boxes and the link.
PAGE_TEXT_JS = """
() => [document.body.textContent, ...[...document.querySelectorAll('textarea, input')].map((e) => e.value),
       location.href].join('\\n')
"""


def letters(i: int) -> str:
    return chr(97 + i // 26 % 26) + chr(97 + i % 26)


def root_word(session: int) -> str:
    """A made-up word of this session's own: no session's word is part of another's."""
    return f"zx{letters(session)}q"


def sentence(last_word: str) -> str:
    return f"the cat saw a {last_word}"


@dataclass
class Viewer:
    index: int
    hidden: int
    open_ms: float = math.nan  # from goto to the first drawn charts
    redraw_ms: list[float] = field(default_factory=list)
    start_ms: list[float] = field(default_factory=list)  # from the Ctrl+Enter until the server runs the script
    leaks: list[str] = field(default_factory=list)  # what of another session this one could read
    errors: list[str] = field(default_factory=list)


@dataclass
class Phase:
    sessions: int
    viewers: list[Viewer]
    training: dict | None  # what the training session reached while the others were timed
    health_ms: list[float]  # /_stcore/health answered while the sessions ran
    seconds: float

    @property
    def redraws(self) -> list[float]:
        return sorted(t for v in self.viewers for t in v.redraw_ms)

    @property
    def starts(self) -> list[float]:
        return sorted(t for v in self.viewers for t in v.start_ms)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else math.nan


async def wait_idle(page, timeout_ms: float, settle_ms: int = 300) -> None:
    await page.evaluate("window.__rnnIdleSince = null")
    await page.wait_for_function(harness._IDLE_JS, arg=settle_ms, timeout=timeout_ms, polling=50)


async def wait_charts(page, timeout_ms: float) -> None:
    await page.wait_for_function(harness._CHARTS_DRAWN_JS, timeout=timeout_ms, polling=50)


async def new_page(browser):
    context = await browser.new_context(viewport=harness.VIEWPORT)
    await context.add_init_script(WATCH_JS)
    return context, await context.new_page()


async def meet(barrier: asyncio.Barrier, deadline: float) -> None:
    """Wait until every session of the group is here, or the deadline passes."""
    with contextlib.suppress(TimeoutError, asyncio.BrokenBarrierError):
        await asyncio.wait_for(barrier.wait(), max(0.0, deadline - time.monotonic()))


def remaining_ms(deadline: float) -> float:
    left = (deadline - time.monotonic()) * 1000
    if left <= 0:
        raise TimeoutError("the overall time limit ran out")
    return left


async def run_viewer(browser, base: str, v: Viewer, others: list[str], edits: int, loaded: asyncio.Barrier,
                     deadline: float) -> None:
    """Open the Unroll page with this session's text and hidden size, then edit its last word `edits` times."""
    context = page = None
    root = root_word(v.index)
    try:
        context, page = await new_page(browser)
        query = {"model": "untrained", "hidden": v.hidden, "preset": "custom", "text": sentence(root)}
        t0 = time.perf_counter()
        await page.goto(f"{base}/?{urlencode(query)}", timeout=remaining_ms(deadline))
        await wait_idle(page, remaining_ms(deadline))
        await wait_charts(page, remaining_ms(deadline))
        v.open_ms = (time.perf_counter() - t0) * 1000
    except Exception as err:  # counted and reported; the other sessions go on
        v.errors.append(f"open: {type(err).__name__}: {str(err).splitlines()[0]}")
    await meet(loaded, deadline)  # every session has its page before any edit is timed
    try:
        if v.errors:
            return
        word = root
        for edit in range(edits):
            word = root + letters(edit)
            await page.evaluate("(w) => { window.__rnnWant = w; window.__rnnPressedAt = null; "
                                "window.__rnnStartedAt = null; window.__rnnSeenAt = null; }", word)
            box = page.locator(TEXTAREA).first
            await box.fill(sentence(word), timeout=remaining_ms(deadline))
            await box.press("Control+Enter", timeout=remaining_ms(deadline))
            await page.wait_for_function("() => window.__rnnSeenAt !== null", timeout=remaining_ms(deadline),
                                         polling=50)
            pressed, started, seen = await page.evaluate(
                "[window.__rnnPressedAt, window.__rnnStartedAt, window.__rnnSeenAt]")
            v.redraw_ms.append(seen - pressed)
            if started is not None:
                v.start_ms.append(started - pressed)
            await wait_idle(page, remaining_ms(deadline))
        text = await page.evaluate(PAGE_TEXT_JS)
        if word not in text:
            v.leaks.append(f"its own word {word!r} is missing")
        if f"hidden={v.hidden}" not in page.url:
            v.leaks.append(f"its link {page.url} lost hidden={v.hidden}")
        v.leaks += [f"shows {other!r}" for other in others if other in text]
    except Exception as err:
        v.errors.append(f"edit {len(v.redraw_ms) + 1}: {type(err).__name__}: {str(err).splitlines()[0]}")
    finally:
        if context is not None:
            await context.close()


async def run_trainer(browser, base: str, loaded: asyncio.Barrier, done: asyncio.Event, deadline: float) -> dict:
    """Start a long cue-task run, keep its live page open while the others are timed, then stop it.

    The run is sized to outlast the timed sessions (about 5 steps a second here, so the run's 10-minute limit
    comes first); its one training thread keeps a core busy throughout.
    """
    context = page = None
    out: dict = {"started": False}
    try:
        context, page = await new_page(browser)
        query = {"model": "untrained", "tr.data": "cue", "tr.lag": 100, "tr.steps": 5000, "tr.hidden": 128,
                 "tr.batch": 64}
        await page.goto(f"{base}/train?{urlencode(query)}", timeout=remaining_ms(deadline))
        await wait_idle(page, remaining_ms(deadline))
        await page.get_by_role("button", name="Start training").click(timeout=remaining_ms(deadline))
        await page.get_by_role("button", name="Stop training").wait_for(timeout=remaining_ms(deadline))
        out["started"] = True
    except Exception as err:
        out["error"] = f"{type(err).__name__}: {str(err).splitlines()[0]}"
    await meet(loaded, deadline)
    try:
        await done.wait()
        if out["started"]:
            stop = page.get_by_role("button", name="Stop training")
            out["throughout"] = await stop.count() > 0  # still training when the last timed session finished
            if out["throughout"]:
                out["progress"] = (await page.locator('[data-testid="stProgress"]').inner_text(timeout=10_000)).strip()
                await stop.click(timeout=10_000)
            else:
                alert = page.locator('[data-testid="stAlert"]').first
                out["progress"] = "ended early: " + ((await alert.inner_text(timeout=10_000)).strip()
                                                     if await alert.count() else "?")
    except Exception as err:
        out.setdefault("error", f"{type(err).__name__}: {str(err).splitlines()[0]}")
    finally:
        if context is not None:
            await context.close()
    return out


async def probe_health(base: str, done: asyncio.Event, out: list[float]) -> None:
    """Ask the server's health endpoint twice a second: it must keep answering while the sessions work."""
    def ask() -> float:
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=30) as r:
                r.read()
        except OSError:
            return math.inf
        return (time.perf_counter() - t0) * 1000

    while not done.is_set():
        out.append(await asyncio.to_thread(ask))
        try:
            await asyncio.wait_for(done.wait(), timeout=0.5)
        except TimeoutError:
            pass


async def run_phase(browser, base: str, sessions: int, edits: int, deadline: float) -> Phase:
    training = sessions > 1
    viewers = [Viewer(i, HIDDEN_SIZES[i % len(HIDDEN_SIZES)]) for i in range(sessions - training)]
    roots = [root_word(v.index) for v in viewers]
    loaded = asyncio.Barrier(sessions)
    done = asyncio.Event()
    health: list[float] = []
    t0 = time.monotonic()
    trainer = asyncio.create_task(run_trainer(browser, base, loaded, done, deadline)) if training else None
    prober = asyncio.create_task(probe_health(base, done, health))
    try:
        await asyncio.gather(*(run_viewer(browser, base, v, [r for r in roots if r != roots[v.index]], edits, loaded,
                                          deadline) for v in viewers))
    finally:
        done.set()
        result = await trainer if trainer else None
        await prober
    return Phase(sessions, viewers, result, health, time.monotonic() - t0)


async def warm_up(browser, base: str) -> None:
    context, page = await new_page(browser)
    await page.goto(f"{base}/")
    await wait_idle(page, 120_000)
    await context.close()


async def measure(counts: tuple[int, ...], edits: int, time_limit: float) -> list[Phase]:
    from playwright.async_api import async_playwright

    deadline = time.monotonic() + time_limit
    phases = []
    with harness.streamlit_server() as base:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=harness.CHROMIUM, headless=True,
                                              args=harness.CHROMIUM_ARGS)
            try:
                await warm_up(browser, base)
                for n in counts:
                    phases.append(await run_phase(browser, base, n, edits, deadline))
                    print(f"  {n:>2} sessions: done in {phases[-1].seconds:.0f} s", file=sys.stderr, flush=True)
            finally:
                await browser.close()
    return phases


def summary(phases: list[Phase]) -> dict:
    rows = []
    for ph in phases:
        r = ph.redraws
        finite_health = [h for h in ph.health_ms if math.isfinite(h)]
        rows.append({
            "sessions": ph.sessions, "timed_sessions": len(ph.viewers), "redraws": len(r),
            "median_ms": statistics.median(r) if r else math.nan, "p95_ms": percentile(r, 0.95),
            "max_ms": max(r) if r else math.nan,
            "run_start_median_ms": statistics.median(ph.starts) if ph.starts else math.nan,
            "run_start_p95_ms": percentile(ph.starts, 0.95),
            "open_median_ms": statistics.median([v.open_ms for v in ph.viewers if math.isfinite(v.open_ms)] or
                                                [math.nan]),
            "health_p95_ms": percentile(finite_health, 0.95), "health_failures": len(ph.health_ms) - len(finite_health),
            "training": ph.training, "seconds": round(ph.seconds, 1),
            "leaks": {v.index: v.leaks for v in ph.viewers if v.leaks},
            "errors": {v.index: v.errors for v in ph.viewers if v.errors},
        })
    base = rows[0]["median_ms"] if rows else math.nan
    for row in rows:
        row["median_over_1"] = row["median_ms"] / base
        row["p95_over_1"] = row["p95_ms"] / base
    return {"rows": rows, "phases": [asdict(ph) for ph in phases]}


def report(result: dict) -> str:
    lines = [f"{'sessions':>8} {'redraws':>7} {'median ms':>10} {'p95 ms':>8} {'median/median(1)':>16} "
             f"{'p95/median(1)':>14} {'run starts p95 ms':>17} {'first load ms':>14} {'health p95 ms':>14}  "
             "training session"]
    for r in result["rows"]:
        t = r["training"]
        training = "-" if t is None else t.get("progress") or t.get("error") or "started"
        lines.append(f"{r['sessions']:>8} {r['redraws']:>7} {r['median_ms']:>10.0f} {r['p95_ms']:>8.0f} "
                     f"{r['median_over_1']:>16.1f} {r['p95_over_1']:>14.1f} {r['run_start_p95_ms']:>17.0f} "
                     f"{r['open_median_ms']:>14.0f} {r['health_p95_ms']:>14.0f}  {training}")
    lines += ["redraw: from the Ctrl+Enter that applies a new last word until both Unroll charts name it;",
              "run starts: from that Ctrl+Enter until the server runs the script (its share of the wait);",
              "first load: median time to open the page with its charts, all sessions opening at once;",
              "health: the server's /_stcore/health answering twice a second meanwhile."]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, nargs="+", help="session counts to run (default 1 5 20)")
    parser.add_argument("--edits", type=int, help="text edits timed per session (default 4)")
    parser.add_argument("--quick", action="store_true", help="1 and 3 sessions, 2 edits each")
    parser.add_argument("--timeout", type=float, help="overall limit in seconds (default 1500, quick 300)")
    parser.add_argument("--json", type=Path, help="also write every measurement to this file")
    args = parser.parse_args()
    counts = tuple(args.sessions or ((1, 3) if args.quick else (1, 5, 20)))
    if not 1 <= max(counts) <= 40 or min(counts) < 1:
        parser.error("session counts must lie in 1..40")
    edits = args.edits or (2 if args.quick else 4)
    time_limit = args.timeout or (300 if args.quick else 1500)
    if not Path(harness.CHROMIUM).exists():
        print(f"load: skipped, {harness.CHROMIUM} is missing (apt-get install chromium)")
        return 0

    with tempfile.TemporaryDirectory() as saved:
        os.environ["RNN_EXPLORER_SAVED"] = saved  # models trained here stay out of the repository
        try:
            phases = asyncio.run(asyncio.wait_for(measure(counts, edits, time_limit), time_limit + 60))
        except TimeoutError:
            print(f"load: gave up after the overall limit of {time_limit:.0f} s", file=sys.stderr)
            return 2
    result = summary(phases)
    print(report(result))
    problems = [f"{r['sessions']} sessions, session {i}: {msg}" for r in result["rows"]
                for key in ("leaks", "errors") for i, msgs in r[key].items() for msg in msgs]
    problems += [f"{r['sessions']} sessions: training session: {r['training']['error']}" for r in result["rows"]
                 if r["training"] and r["training"].get("error")]
    for line in problems:
        print("PROBLEM:", line)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, default=str))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
