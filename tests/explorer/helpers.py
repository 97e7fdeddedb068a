"""Small helpers shared by the figure tests."""

from __future__ import annotations

import base64
import json

import numpy as np
import torch

import core

DANCING = core.lecture.DANCING


def spec(fig) -> dict:
    """The figure as Streamlit receives it: Plotly's JSON, parsed back (also proves that it serialises),
    with the typed arrays Plotly packs numpy data into ({"dtype", "bdata", "shape"}) unpacked to lists."""
    return _unpack(json.loads(fig.to_json()))


def _unpack(node):
    if isinstance(node, dict):
        if "bdata" in node and "dtype" in node:
            values = np.frombuffer(base64.b64decode(node["bdata"]), dtype=node["dtype"])
            shape = node.get("shape")
            if isinstance(shape, str):
                shape = [int(n) for n in shape.split(",")]
            return values.reshape(shape if shape else -1).tolist()
        return {k: _unpack(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_unpack(v) for v in node]
    return node


def long_text(tokens: int) -> str:
    """The dancing passage repeated until it has at least `tokens` word tokens."""
    return " ".join([DANCING] * (tokens // 70 + 1))


def nan_frame(frame, rows: dict[int, float]):
    """A copy of a gradient frame with some norms replaced (0, inf, NaN), and the columns core would derive."""
    out = frame.copy()
    for i, v in rows.items():
        out.loc[i, "grad_norm"] = v
        out.loc[i, "log10_grad_norm"] = float(torch.log10(torch.tensor(v, dtype=torch.float64)))
        out.loc[i, "status"] = "nan" if v != v else "overflow" if v == float("inf") else "zero" if v == 0 else "ok"
    return out
