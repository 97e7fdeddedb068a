"""The Elman network's all-pairs maps of the last few texts, kept so that a text which extends (or shortens) one of
them costs only its new rows: a student adding a sentence waits for those, not for the whole map again."""

from __future__ import annotations

import threading
from collections import deque

import torch

from core.gradients import Steps, extend_log_norms, jacobian_log_norms

KEPT = 8  # maps per network: the texts a session or two went through lately
_MAPS: dict = {}  # key -> deque of (f'(u) of the text, its (T, T) Frobenius log-norm map)
_LOCK = threading.Lock()  # every session's script runs in its own thread


def frobenius_map(key, steps: Steps) -> torch.Tensor:
    """jacobian_log_norms(steps, "fro"), from the longest kept map whose factors f'(u_i) begin the same way.

    key names the network (its config, layer and direction): equal f' then means equal factors.
    """
    fprime = steps.fprime
    T = fprime.shape[0]
    with _LOCK:
        kept = list(_MAPS.get(key, ()))
    known = None
    for f, logmap in kept:
        n = min(f.shape[0], T)
        if (known is None or n > known.shape[0]) and torch.equal(f[:n], fprime[:n]):
            known = logmap[:n, :n]
    out = jacobian_log_norms(steps, "fro") if known is None else extend_log_norms(steps, known)
    with _LOCK:
        _MAPS.setdefault(key, deque(maxlen=KEPT)).append((fprime, out))
    return out
