"""Naming a position of a text: the default target (its last word) and how a picker lists a position. Pure, so
that both the server-drawn picker (explorer.targets) and the browser's (explorer.target_panel) use them."""

from __future__ import annotations

from collections.abc import Sequence


def default_target(tokens: Sequence[str]) -> int:
    """The last word (not punctuation) that has something before it: "dancing" in the dancing passage."""
    for pos in range(len(tokens) - 1, 0, -1):
        if any(ch.isalnum() for ch in tokens[pos]):
            return pos
    return len(tokens) - 1


def target_label(tokens: Sequence[str], position: int) -> str:
    token = tokens[position]
    shown = token if len(token) <= 24 else token[:23] + "…"
    return f"{position} · {shown}"
