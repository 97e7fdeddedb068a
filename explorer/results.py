"""The tables cached under results/ by the reproductions' own code, as the pages read them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

FOLDER = Path(__file__).resolve().parents[1] / "results"


@st.cache_data(max_entries=32, show_spinner=False)
def _read(path: str, modified: float) -> pd.DataFrame:  # modified: a rewritten file is read again
    return pd.read_csv(path)


def read(path: Path) -> pd.DataFrame | None:
    """The CSV at `path`, parsed once per version of the file; None while it has not been written."""
    try:
        modified = path.stat().st_mtime
    except FileNotFoundError:
        return None
    return _read(str(path), modified)
