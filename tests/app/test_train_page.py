"""The Train page headless: a short cue-task run end to end (start, finish, use it on every page), its saved
copy listed and reopened in a new session, and the caps on what one run may ask."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from explorer import jobs, saved
from explorer import train_runs as tr
from tests.app.conftest import ROOT, plotly_figures, session_job, settle

PAGE = "pages/8_Train.py"
SHORT = {"tr.data": "cue", "tr.lag": "4", "tr.steps": "20", "tr.hidden": "8", "tr.embed": "8", "tr.batch": "8"}


def page(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=120)
    at.query_params.update(query or {})
    return at.run()


def titles(at: AppTest) -> list[str]:
    return [f["layout"]["title"]["text"] for f in plotly_figures(at)]


def test_a_short_run_trains_end_to_end_and_is_offered_to_every_page():
    at = page(SHORT)
    at.button[0].click().run()  # Start training
    job = session_job(at, "train.job")
    assert job.running or job.done, "the run is under way, in the background"
    settle(at)
    run: tr.Run = job.data
    assert job.error is None and job.result.reason == "steps" and run.result is job.result
    assert not at.exception, at.exception[0].message
    assert "used all its steps" in at.success[0].value and "validation accuracy" in at.success[0].value
    assert "Learning curves" in titles(at)
    assert "How far back the gradient reaches, as training goes on" in titles(at)
    assert run.entry.key in at.session_state["my_models"]
    next(b for b in at.button if b.label == "Use this model on every page").click().run()
    assert at.session_state["model"] == run.entry.key, "the sidebar's Model box now points at it"
    assert any(run.path.name in c.value for c in at.caption), "the page says where it was saved"
    assert run.path in [s.path for s in saved.listing()]


def test_a_saved_model_is_listed_and_can_be_opened_in_a_new_session():
    at = page(SHORT)
    at.button[0].click().run()
    job = jobs.wait(session_job(at, "train.job"), timeout=120)
    path = job.data.path
    fresh = page()  # another browser, or the same one after a restart
    assert "my_models" not in fresh.session_state or not fresh.session_state["my_models"]
    index = [s.path for s in saved.listing()].index(path)
    fresh.button(key=f"tr.saved.{index}").click().run()
    assert not fresh.exception, fresh.exception[0].message
    assert "Opened and selected in the sidebar" in fresh.success[0].value
    (key,) = fresh.session_state["my_models"]
    assert fresh.session_state["model"] == key


def test_the_caps_are_shown_where_they_apply():
    at = page({"tr.steps": "999999", "tr.hidden": "100000"})
    assert not at.exception, at.exception[0].message
    assert (at.session_state["tr.steps"], at.session_state["tr.hidden"]) == (500, 64), "refused: the defaults"
    messages = " ".join(at.session_state["_url_messages"])
    assert f"999999 is outside 10..{tr.MAX_STEPS}" in messages
    assert f"`100000` is not one of 8, 16, 32, 64, 128, {tr.MAX_HIDDEN}" in messages, "the slider's sizes only"
    steps = at.number_input(key="w.tr.steps")
    assert steps.max == tr.MAX_STEPS and f"{tr.MAX_SECONDS // 60} minutes" in steps.help


def test_a_run_shows_its_progress_and_stops_when_asked_keeping_what_it_learned():
    at = page({**SHORT, "tr.steps": str(tr.MAX_STEPS)})
    at.button[0].click().run()
    (bar,) = at.get("progress")
    assert bar.proto.text.startswith("Elman RNN · words, H = 8, on Cue task: "), "progress from the first run"
    job = session_job(at, "train.job")
    deadline = time.monotonic() + 120
    while not job.data.rows and job.running and time.monotonic() < deadline:  # until its first steps are done
        time.sleep(0.05)
    assert job.data.rows, "no training step in 120 s"
    at.button(key="train.job.stop").click().run()
    settle(at)
    run = session_job(at, "train.job").data
    assert run.result.reason == "stopped" and run.result.history["step"].max() < tr.MAX_STEPS
    assert "The run was stopped." in at.success[0].value and run.entry.key in at.session_state["my_models"]


def test_with_every_core_busy_the_run_waits_and_the_page_names_the_wait():
    for _ in range(jobs.MAX_CONCURRENT):  # two jobs of other sessions hold the slots
        jobs._SLOTS.acquire()
    try:
        at = page(SHORT)
        at.button[0].click().run()
        job = session_job(at, "train.job")
        assert job.waiting and not at.get("progress")
        (line,) = [i.value for i in at.info if "waiting for a free core" in i.value]
        assert line.startswith(job.label) and f"{jobs.MAX_CONCURRENT} jobs are computing" in line
    finally:
        for _ in range(jobs.MAX_CONCURRENT):
            jobs._SLOTS.release()
    settle(at)
    assert job.result.reason == "steps" and "used all its steps" in at.success[0].value
