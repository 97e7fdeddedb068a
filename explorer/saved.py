"""Models trained in the browser, kept on the server's disk so that nothing is lost.

A run writes its checkpoint while it trains (every SAVE_EVERY_SECONDS, each time atomically: write, then
rename), so a crash or a killed server leaves the last completed checkpoint loadable; the finished model
overwrites it. After a restart the Train page lists the folder again.

Privacy: the folder belongs to the server, so every session's Train page lists what is saved there (on a
teacher's laptop, that is how a class reopens yesterday's model). A saved model enters a session's sidebar
only when that session opens it; training in one session never changes what another session's pages show.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from core import checkpoint

from . import catalogue

ROOT = Path(__file__).resolve().parents[1]
SAVE_EVERY_SECONDS = 15.0


def folder() -> Path:
    """saved_models/ beside the app, or $RNN_EXPLORER_SAVED (tests and servers that keep models elsewhere)."""
    return Path(os.environ.get("RNN_EXPLORER_SAVED") or ROOT / "saved_models")


def new_path() -> Path:
    """A fresh file name for one run: its start time, then a random suffix so two runs never share one."""
    return folder() / f"run-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}.safetensors"


def save(data: bytes, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    checkpoint.write(data, path)


@dataclass(frozen=True)
class Saved:
    """One file in the folder: readable (meta) or not (error says why)."""

    path: Path
    modified: float
    meta: dict = field(default_factory=dict)
    error: str | None = None
    digest: str = ""  # sha256 of the file's bytes: names the model in links (?model=mine-<first 10>)

    @property
    def status(self) -> str:
        """How the run that wrote it ended: finished, or interrupted at its last saved step."""
        if self.error:
            return f"unreadable: {self.error}"
        steps = self.meta.get("steps", "?")
        if self.meta.get("complete"):
            return f"finished after {steps} steps ({self.meta.get('stopped', '')})"
        return f"interrupted: last saved at step {steps}"


def listing(where: Path | None = None) -> list[Saved]:
    """Every checkpoint in the folder, newest first (temporary files of a write in progress are skipped)."""
    where = where or folder()
    out = []
    for path in where.glob("*.safetensors"):
        try:
            modified = path.stat().st_mtime
        except OSError:  # removed since the glob
            continue
        out.append(_read(str(path), modified))
    return sorted(out, key=lambda s: s.modified, reverse=True)


@lru_cache(maxsize=512)
def _read(path: str, modified: float) -> Saved:
    """One file, checked by loading it; read again only when it is rewritten (a new modification time)."""
    try:
        ckpt = checkpoint.load(path)
        return Saved(Path(path), modified, ckpt.meta, digest=ckpt.digest)
    except checkpoint.CheckpointError as err:
        return Saved(Path(path), modified, error=str(err))


def key_of(digest: str) -> str:
    """A session's name for a model trained in the browser, in the sidebar and in links."""
    return f"mine-{digest[:10]}"


def find(key: str, where: Path | None = None) -> catalogue.Entry | None:
    """The saved model a link names (?model=mine-...), opened for this session; None if no file here has it."""
    for item in listing(where):
        if not item.error and key_of(item.digest) == key:
            return open_saved(item.path)
    return None


def open_saved(path: Path) -> catalogue.Entry:
    """Register a saved checkpoint for this server and return the entry a session may list."""
    ckpt = catalogue.register(path.read_bytes())  # its bytes: a later save to the same path changes nothing here
    label = ckpt.meta.get("label") or path.stem
    return catalogue.entry(ckpt, key_of(ckpt.digest), f"Saved: {label}")
