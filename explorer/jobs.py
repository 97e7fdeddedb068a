"""The one runner for long work: training, every reproduction's "recompute", the Bengio retrain, lag sweeps and
probe runs. The only module that starts threads.

Each job runs in a background thread so the page keeps redrawing while it works. At most MAX_CONCURRENT jobs
compute at once on this server (one per core), across all sessions; later ones wait for a slot and the page
says so. A job reports its progress as a share of the work and a sentence, can be stopped between two of its
steps, and keeps its result (or its error) in the session that started it, under a key the page chooses.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

MAX_CONCURRENT = 2  # jobs that compute at once on this machine; the others wait
_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT)
_JOBS = "_jobs"  # session_state: key -> Job, this session's jobs, finished ones included


class Stopped(Exception):
    """Raised by Job.check inside the work when the user pressed Stop."""


@dataclass
class Job:
    """One piece of long work and what the page shows about it; only its own thread writes to it."""

    key: str
    label: str  # what it does, for the waiting and progress lines: "Training the network for section 2"
    work: Callable[[Job], Any]  # runs in the thread; calls job.report(...) and job.check() as it goes
    data: Any = None  # what the page gave it: the request it answers, or an object the work fills as it goes
    stop: threading.Event = field(default_factory=threading.Event)
    fraction: float = 0.0
    message: str = ""
    result: Any = None
    error: str | None = None
    stopped: bool = False
    waiting: bool = True  # for a free slot
    started: float = field(default_factory=time.time)
    seconds: float | None = None  # how long the work took, once it ended
    thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    @property
    def done(self) -> bool:
        return self.thread is not None and not self.thread.is_alive()

    def report(self, fraction: float, message: str = "") -> None:
        """Called by the work: how far it got (0..1) and, optionally, what it is doing."""
        self.fraction = min(max(float(fraction), 0.0), 1.0)
        if message:
            self.message = message

    def check(self) -> None:
        """Called by the work between steps: raises Stopped once the user asked to stop."""
        if self.stop.is_set():
            raise Stopped

    def start(self) -> Job:
        self.thread = threading.Thread(target=self._run, name=f"job {self.key}", daemon=True)
        self.thread.start()
        return self

    def _run(self) -> None:
        with _SLOTS:
            self.waiting = False
            began = time.perf_counter()
            try:
                self.check()
                self.result = self.work(self)
                self.fraction = 1.0
            except Stopped:
                self.stopped = True
            except Exception as err:  # shown on the page: a failed job must not take the session down
                self.error = f"{type(err).__name__}: {err}"
            finally:
                self.seconds = time.perf_counter() - began


def _session_jobs() -> dict[str, Job]:
    return st.session_state.setdefault(_JOBS, {})


def submit(key: str, label: str, work: Callable[[Job], Any], data: Any = None) -> Job:
    """Start `work` in the background under `key`, unless a job of that key is still running (then that one)."""
    current = _session_jobs().get(key)
    if current is not None and current.running:
        return current
    job = _session_jobs()[key] = Job(key, label, work, data).start()
    return job


def for_data(key: str, data: Any, label: str, work: Callable[[Job], Any], grace: float = 0.25) -> Job:
    """The job of `key` that answers `data` (a hashable request: model, text, target): the one already running
    or finished (or stopped) for it, else a fresh one, after stopping one that answers an older request. Waits up
    to `grace` seconds, so that a result computed before (a cache hit) shows at once, not after a progress bar."""
    current = _session_jobs().get(key)
    if current is not None and current.data == data:
        return current
    if current is not None:
        current.stop.set()
    job = _session_jobs()[key] = Job(key, label, work, data).start()
    return wait(job, grace)


def get(key: str) -> Job | None:
    """This session's job of that key, running or finished."""
    return _session_jobs().get(key)


def progress(job: Job, stop_label: str = "Stop", also: Callable[[], None] | None = None, **stop_args) -> None:
    """The job's waiting line or progress bar and its Stop button, redrawn every second while it runs; one full
    rerun when it ends, so the page shows the result. `also` draws what the work shows as it goes (a training
    run's curves) under it, every second; stop_args go to the Stop button (type=...)."""

    @st.fragment(run_every=1.0)
    def live() -> None:
        if job.running and job.waiting:
            st.info(f"{job.label}: waiting for a free core; {MAX_CONCURRENT} jobs are computing on this machine.",
                    icon=":material/hourglass_top:")
        elif job.running:
            elapsed = time.time() - job.started
            st.progress(job.fraction, text=f"{job.label}: {job.message or f'{job.fraction:.0%}'} · {elapsed:.0f} s")
        if job.running:
            st.button(stop_label, key=f"{job.key}.stop", on_click=job.stop.set, icon=":material/stop_circle:",
                      **stop_args)
        if also is not None:
            also()
        drawn = f"{job.key}.drawn_live"
        if not job.running and st.session_state.get(drawn):
            st.session_state.pop(drawn)
            st.rerun()
        st.session_state[drawn] = job.running

    live()


def said_why_not(job: Job, what: str, stopped: str) -> bool:
    """For a job that has ended: say why it has no result (its error, or that it was stopped) and return True;
    False when it has one. what: "Training" gives "Training failed: ..."."""
    if job.error:
        st.error(f"{what} failed: {job.error}", icon=":material/error:")
    elif job.stopped:
        st.info(stopped, icon=":material/stop_circle:")
    return bool(job.error or job.stopped)


def wait(job: Job, timeout: float | None = None) -> Job:
    """Block until the job ends, or for `timeout` seconds (tests, scripts, and for_data's short grace)."""
    if job.thread is not None:
        job.thread.join(timeout)
    return job
