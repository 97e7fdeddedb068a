"""The one runner for long work: two at once and the others wait (the page says so), progress from the start, stop,
errors kept, and a job that answers a request is replaced when the request changes."""

from __future__ import annotations

import threading

from streamlit.testing.v1 import AppTest

from explorer import jobs

GATE = threading.Event()  # the blocking work below runs until this is set


def blocking(job: jobs.Job) -> str:
    job.report(0.5, "half way")
    while not GATE.wait(0.01):
        job.check()
    return "done"


def test_at_most_two_compute_at_once_and_the_others_wait():
    GATE.clear()
    started = [jobs.Job(f"j{i}", f"job {i}", blocking).start() for i in range(jobs.MAX_CONCURRENT + 1)]
    try:
        for _ in range(500):  # until the first ones hold their slots
            if sum(not j.waiting for j in started) == jobs.MAX_CONCURRENT:
                break
            threading.Event().wait(0.01)
        assert sum(not j.waiting for j in started) == jobs.MAX_CONCURRENT
        assert sum(j.waiting for j in started) == 1
    finally:
        GATE.set()
    for job in started:
        jobs.wait(job, 10)
        assert job.done and job.result == "done" and job.fraction == 1.0 and job.seconds is not None


def test_stop_ends_the_work_between_two_steps_and_an_error_is_kept():
    GATE.clear()
    job = jobs.Job("s", "stoppable", blocking).start()
    job.stop.set()
    jobs.wait(job, 10)
    assert job.done and job.stopped and job.result is None and job.error is None

    def failing(job: jobs.Job) -> None:
        raise ValueError("no such word")

    failed = jobs.wait(jobs.Job("f", "failing", failing).start(), 10)
    assert failed.error == "ValueError: no such word" and not failed.stopped


SCRIPT = """
import threading
import streamlit as st
from explorer import jobs
from tests.explorer.test_jobs import blocking

request = st.session_state.get("request", "a")
job = jobs.for_data("k", request, "Computing " + request, blocking, grace=0)
st.session_state.setdefault("seen", []).append(job)
jobs.progress(job)
"""


def test_the_page_shows_the_wait_then_the_progress_and_a_new_request_replaces_the_job():
    GATE.clear()
    for _ in range(jobs.MAX_CONCURRENT):  # every slot busy: the page's job must wait
        jobs._SLOTS.acquire()
    at = AppTest.from_string(SCRIPT, default_timeout=30).run()
    try:
        first = at.session_state["seen"][-1]
        assert first.waiting and "Computing a: waiting for a free core" in at.info[0].value
        assert at.button(key="k.stop").label == "Stop"
    finally:
        for _ in range(jobs.MAX_CONCURRENT):
            jobs._SLOTS.release()
    for _ in range(500):
        if first.message:
            break
        threading.Event().wait(0.01)
    at.run()
    assert at.session_state["seen"][-1] is first, "the same request: the same job"
    assert "Computing a: half way" in at.get("progress")[0].proto.text
    at.session_state["request"] = "b"
    at.run()
    second = at.session_state["seen"][-1]
    assert second is not first and first.stop.is_set(), "another request stops the old job and starts a new one"
    assert jobs.wait(first, 10).stopped
    GATE.set()
    assert jobs.wait(second, 10).result == "done"
