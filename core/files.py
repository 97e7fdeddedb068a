"""Atomic writes: every file the project saves (checkpoints, results/ tables) appears whole or not at all."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

import pandas as pd


def write_atomically(data: bytes, path: str | Path) -> str:
    """A temporary file in the same folder, fsync'd, then renamed over `path`, so a crash or a full disk never
    leaves a half-written file (nor touches an existing one). Returns the sha256 digest of `data`."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, as for any new file
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return hashlib.sha256(data).hexdigest()


def write_csv(frame: pd.DataFrame, path: str | Path, float_format: str | None = None) -> None:
    """A results/ table, written atomically (a page reading it meanwhile sees the old one or the new one).
    float_format as in DataFrame.to_csv ("%.6g": float32's precision, no longer digits than the numbers have)."""
    write_atomically(frame.to_csv(index=False, float_format=float_format).encode(), path)
