"""The page list, in one place: app.py builds st.navigation from it, the lecture path reads each page's settings
from it, and the browser test visits each."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class PageSpec:
    path: str  # the thin entry script st.navigation runs, relative to the repository root
    view: str  # the module under explorer/views that holds the page (its main() and SETTINGS)
    title: str
    url_path: str  # the page's address: http://host/<url_path>
    icon: str
    section: str = "Explore"  # the group it is listed under in the navigation
    default: bool = False  # served at "/"


PAGES = [
    PageSpec("pages/0_Lecture_mode.py", "lecture_mode", "Lecture mode", "lecture", ":material/school:", "Lecture"),
    PageSpec("pages/1_Unroll.py", "unroll", "Unroll", "unroll", ":material/view_week:", default=True),
    PageSpec("pages/2_Hidden_states.py", "hidden_states", "Hidden states", "hidden-states", ":material/grid_on:"),
    PageSpec("pages/3_Gradients_through_time.py", "gradients", "Gradients through time", "gradients",
             ":material/trending_down:"),
    PageSpec("pages/14_Backprop_review.py", "backprop", "Backprop review", "backprop", ":material/hub:"),
    PageSpec("pages/4_BPTT_by_hand.py", "bptt", "BPTT by hand", "bptt", ":material/functions:"),
    PageSpec("pages/5_Fixed_window_vs_RNN.py", "fixed_window", "Fixed window vs RNN", "fixed-window",
             ":material/crop_free:"),
    PageSpec("pages/6_Deeper_and_bidirectional.py", "deeper", "Deeper and both ways", "deeper", ":material/layers:"),
    PageSpec("pages/7_LSTM_and_GRU.py", "lstm_gru", "LSTM and GRU", "lstm-gru", ":material/memory:"),
    PageSpec("pages/14_Generate.py", "generate", "Generate", "generate", ":material/edit_note:"),
    PageSpec("pages/15_Units.py", "units", "Units", "units", ":material/highlight:"),
    PageSpec("pages/8_Train.py", "train", "Train a network", "train", ":material/model_training:", "Train and probe"),
    PageSpec("pages/9_Long_range_probes.py", "probes", "Long-range probes", "probes", ":material/manage_search:",
             "Train and probe"),
    PageSpec("pages/10_Elman_1990.py", "elman1990", "Elman 1990: structure in time", "elman-1990",
             ":material/account_tree:", "Reproductions"),
    PageSpec("pages/11_Pascanu_2013.py", "pascanu", "Pascanu 2013: exploding and vanishing", "pascanu-2013",
             ":material/content_cut:", "Reproductions"),
    PageSpec("pages/12_Bengio_2003.py", "bengio", "Bengio 2003: window against recurrence", "bengio-2003",
             ":material/crop_free:", "Reproductions"),
    PageSpec("pages/13_Long_time_lags.py", "long_lags", "Long time lags", "long-lags", ":material/hourglass_empty:",
             "Reproductions"),
]


def sections() -> dict[str, list[PageSpec]]:
    """PAGES grouped for st.navigation, in order of first appearance."""
    out: dict[str, list[PageSpec]] = {}
    for spec in PAGES:
        out.setdefault(spec.section, []).append(spec)
    return out


def view(spec: PageSpec) -> ModuleType:
    """The page's view module, imported on first use (importing it draws nothing)."""
    return importlib.import_module(f"explorer.views.{spec.view}")
