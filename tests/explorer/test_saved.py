"""Nothing lost: a run saves itself while it trains, a killed process leaves the last completed checkpoint
loadable, the folder is listed again by a new process, and a failing disk never stops training."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import torch

from core import ModelConfig, checkpoint
from core.training import TrainConfig
from explorer import jobs, saved
from explorer import train_runs as tr

ROOT = Path(__file__).resolve().parents[2]
RECIPE = tr.Recipe(ModelConfig(hidden_size=8, embed_dim=8), TrainConfig(steps=30, batch_size=8, eval_every=10),
                   "cue", lag=4)
TRAIN_FOREVER = """
import sys
from core import ModelConfig
from core.training import TrainConfig
from explorer import jobs, saved, train_runs as tr
saved.SAVE_EVERY_SECONDS = 0.02  # save after nearly every step, so the kill is likely to land mid-write
recipe = tr.Recipe(ModelConfig(hidden_size=16, embed_dim=8), TrainConfig(steps=5000, batch_size=8, eval_every=1000),
                   "cue", lag=5)
run = tr.Run(recipe, "killed run", tr.prepare(recipe))
job = jobs.Job("train", run.label, run.work, run).start()
print(run.path, flush=True)
jobs.wait(job)
"""


def run(recipe: tr.Recipe = RECIPE) -> tr.Run:
    """A run through the job runner, as the Train page starts it (outside a session: no page to draw)."""
    train_run = tr.Run(recipe, "test run", tr.prepare(recipe))
    job = jobs.wait(jobs.Job("train", train_run.label, train_run.work, train_run).start(), timeout=120)
    assert not job.running and job.error is None, job.error
    return train_run


def test_a_finished_run_is_saved_complete_and_listed(tmp_path, monkeypatch):
    monkeypatch.setenv("RNN_EXPLORER_SAVED", str(tmp_path))
    job = run()
    assert job.path.parent == tmp_path and job.save_error is None
    (item,) = saved.listing()
    assert item.path == job.path and item.meta["complete"] and item.meta["steps"] == 30
    assert item.status == "finished after 30 steps (steps)"
    assert job.path.read_bytes() == job.checkpoint, "the file on disk is the checkpoint the session uses"
    entry = saved.open_saved(job.path)
    assert entry.config == job.entry.config and entry.label == "Saved: test run"


def test_a_killed_run_leaves_its_last_checkpoint_loadable(tmp_path):
    env = {**os.environ, "RNN_EXPLORER_SAVED": str(tmp_path), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", TRAIN_FOREVER], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            text=True)
    try:
        path = Path(proc.stdout.readline().strip())
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # wait for a few saves, each one replacing the last
            if path.exists() and checkpoint.load(path).meta["steps"] >= 20:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the run saved nothing in 90 s")
        os.kill(proc.pid, signal.SIGKILL)  # no handler, no cleanup: as if the server died
        proc.wait(timeout=10)
    finally:
        proc.kill()
        proc.stdout.close()
    listed = saved.listing(tmp_path)  # a new reader, as after a restart
    assert [item.path for item in listed] == [path]
    (item,) = listed
    assert item.error is None and not item.meta["complete"] and item.meta["steps"] >= 20
    assert item.status.startswith("interrupted: last saved at step")
    model = checkpoint.load(path).model
    logits, _ = model(torch.tensor([[1, 2, 3]]))
    assert torch.isfinite(logits).all()


def test_a_corrupt_file_in_the_folder_is_listed_as_unreadable(tmp_path):
    (tmp_path / "broken.safetensors").write_bytes(b"\x00" * 5)
    (tmp_path / ".half-written.safetensors.abc.tmp").write_bytes(b"\x00")
    (item,) = saved.listing(tmp_path)
    assert item.error and item.status.startswith("unreadable: the file is truncated")


def test_a_disk_that_cannot_be_written_does_not_stop_training(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("RNN_EXPLORER_SAVED", str(blocker / "models"))
    job = run()
    assert job.result.reason == "steps" and job.entry is not None, "the model is still usable in the session"
    assert job.save_error.startswith(f"could not save to {blocker / 'models'}")
