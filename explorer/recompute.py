"""The "Recompute" button of a reproduction page: the experiment runs through explorer.jobs (progress, Stop, two
at once), and its table replaces the cached one for the rest of the session.

`work(on_progress)` is a core experiment taking an on_progress(share done) callback; the callback given to it
reports to the job and calls job.check(), so Stop takes effect at the experiment's next step.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from . import jobs

Experiment = Callable[[Callable[[float], None]], pd.DataFrame]
_KEPT = "_recomputed"  # session_state: job key -> (table, where it came from), the latest finished run of each


def button(key: str, label: str, what: str, work: Experiment, note: str = "", help: str | None = None) -> None:
    """Draw the button (key: also the job's) and, while its job runs, the progress bar with Stop; pressed, start
    `work`.
    what: the progress line's label ("Training the network for word boundaries"); note: added to the table's
    source once it is done (" (quick settings)")."""
    job = jobs.get(key)
    running = job is not None and job.running
    if st.button(label, key=key, icon=":material/refresh:", help=help, disabled=running):
        job = jobs.submit(key, what, lambda job: (work(_reporter(job)), note))
        running = True
    if running:
        jobs.progress(job)
    elif job is not None:
        _keep(job)


def _reporter(job: jobs.Job) -> Callable[[float], None]:
    """The experiment's on_progress: reports to the job and stops it when asked. Until the first report the line
    says what comes before the first step (drawing the data, building and first scoring the network)."""
    job.report(0.0, "preparing the data and the network")

    def report(done: float) -> None:
        job.check()
        job.report(done, f"{min(done, 1.0):.0%}")
    return report


def _keep(job: jobs.Job) -> None:
    """A finished job's table becomes the session's (until a later run of the same key finishes); a failed or
    stopped one says so and leaves the table shown before."""
    if job.error is not None:
        st.error(f"The recomputation failed: {job.error}", icon=":material/error:")
    elif job.stopped:
        st.info("Stopped: the table below is the one shown before.", icon=":material/stop_circle:")
    elif job.result is not None:
        frame, note = job.result
        st.session_state.setdefault(_KEPT, {})[job.key] = (frame, f"recomputed here in {job.seconds:.1f} s{note}")


def table(key: str, cached: pd.DataFrame | None, source: str) -> tuple[pd.DataFrame | None, str]:
    """This session's recomputed table of job `key` if there is one, else the cached table; and where it came
    from."""
    return st.session_state.get(_KEPT, {}).get(key) or ((None, "") if cached is None else (cached, source))
