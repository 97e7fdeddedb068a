"""The page list, in one place: app.py builds st.navigation from it and the browser test visits each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    path: str  # script, relative to the repository root
    title: str
    url_path: str  # the page's address: http://host/<url_path>
    icon: str
    section: str = "Explore"  # the group it is listed under in the navigation
    default: bool = False  # served at "/"


PAGES = [
    PageSpec("pages/0_Lecture_mode.py", "Lecture mode", "lecture", ":material/school:", "Lecture"),
    PageSpec("pages/1_Unroll.py", "Unroll", "unroll", ":material/view_week:", default=True),
    PageSpec("pages/2_Hidden_states.py", "Hidden states", "hidden-states", ":material/grid_on:"),
    PageSpec("pages/3_Gradients_through_time.py", "Gradients through time", "gradients", ":material/trending_down:"),
    PageSpec("pages/14_Backprop_review.py", "Backprop review", "backprop", ":material/hub:"),
    PageSpec("pages/4_BPTT_by_hand.py", "BPTT by hand", "bptt", ":material/functions:"),
    PageSpec("pages/5_Fixed_window_vs_RNN.py", "Fixed window vs RNN", "fixed-window", ":material/crop_free:"),
    PageSpec("pages/6_Deeper_and_bidirectional.py", "Deeper and both ways", "deeper", ":material/layers:"),
    PageSpec("pages/7_LSTM_and_GRU.py", "LSTM and GRU", "lstm-gru", ":material/memory:"),
    PageSpec("pages/14_Generate.py", "Generate", "generate", ":material/edit_note:"),
    PageSpec("pages/15_Units.py", "Units", "units", ":material/highlight:"),
    PageSpec("pages/8_Train.py", "Train a network", "train", ":material/model_training:", "Train and probe"),
    PageSpec("pages/9_Long_range_probes.py", "Long-range probes", "probes", ":material/manage_search:",
             "Train and probe"),
    PageSpec("pages/10_Elman_1990.py", "Elman 1990: structure in time", "elman-1990", ":material/account_tree:",
             "Reproductions"),
    PageSpec("pages/11_Pascanu_2013.py", "Pascanu 2013: exploding and vanishing", "pascanu-2013",
             ":material/content_cut:", "Reproductions"),
    PageSpec("pages/12_Bengio_2003.py", "Bengio 2003: window against recurrence", "bengio-2003",
             ":material/crop_free:", "Reproductions"),
    PageSpec("pages/13_Long_time_lags.py", "Long time lags", "long-lags", ":material/hourglass_empty:",
             "Reproductions"),
]


def sections() -> dict[str, list[PageSpec]]:
    """PAGES grouped for st.navigation, in order of first appearance."""
    out: dict[str, list[PageSpec]] = {}
    for spec in PAGES:
        out.setdefault(spec.section, []).append(spec)
    return out
