"""The page list, in one place: app.py builds st.navigation from it and the browser test visits each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    path: str  # script, relative to the repository root
    title: str
    url_path: str  # the page's address: http://host/<url_path>
    icon: str
    default: bool = False  # served at "/"


PAGES = [
    PageSpec("pages/1_Unroll.py", "Unroll", "unroll", ":material/view_week:", default=True),
    PageSpec("pages/2_Hidden_states.py", "Hidden states", "hidden-states", ":material/grid_on:"),
    PageSpec("pages/3_Gradients_through_time.py", "Gradients through time", "gradients", ":material/trending_down:"),
    PageSpec("pages/4_BPTT_by_hand.py", "BPTT by hand", "bptt", ":material/functions:"),
    PageSpec("pages/5_Fixed_window_vs_RNN.py", "Fixed window vs RNN", "fixed-window", ":material/crop_free:"),
    PageSpec("pages/6_Deeper_and_bidirectional.py", "Deeper and both ways", "deeper", ":material/layers:"),
    PageSpec("pages/7_LSTM_and_GRU.py", "LSTM and GRU", "lstm-gru", ":material/memory:"),
]
