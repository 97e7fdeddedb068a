"""Figure builders: results already computed by core in, plotly Figures out (no streamlit, no model runs).

Every figure has a plain-words title, axis titles, hover boxes with the token and the exact value, a
colour-blind-safe palette, no template of its own (Streamlit's light or dark theme applies), and marks
zeros, overflows and NaNs instead of dropping them.
"""

from .backprop import network_diagram
from .bptt import factor_norms, matrix_heatmap
from .compare import gate_activations, gate_heatmap, influence_by_distance, parameter_counts
from .gradients import gradient_vs_distance
from .states import hidden_heatmap, pca_trajectory, state_norms
from .training import probe_curves, training_curves

__all__ = [
    "hidden_heatmap", "state_norms", "pca_trajectory", "gradient_vs_distance", "factor_norms",
    "matrix_heatmap", "influence_by_distance", "parameter_counts", "gate_activations", "gate_heatmap",
    "training_curves", "probe_curves", "network_diagram",
]
