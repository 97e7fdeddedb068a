"""Gradients through time, four ways that agree: autograd, the all-pairs chain, by hand, and theory."""

from .autograd import (
    QUANTITIES,
    TargetGradients,
    gradient_frame,
    gradient_vs_distance,
    input_reach_map,
    loss_reach_map,
    target_gradients,
    w_hh_contributions,
    w_hh_gradient,
)
from .bptt import Derivation, Factor, bptt_by_hand
from .chain import Steps, extend_log_norms, jacobian_log_norms, jacobian_norms, row_log_norms, step_factors
from .mitigation import DECAY_STEPS, LEARNING_RATE, clip_contributions, clip_scale, weight_decay_shrink
from .numeric import safe_norm
from .state_chain import DenseSteps, state_bptt_by_hand, state_steps
from .theory import BoundLine, Spectrum, Verdict, bound_line, decay_rate, spectrum, verdict

__all__ = [
    "QUANTITIES", "TargetGradients", "gradient_vs_distance", "input_reach_map", "loss_reach_map", "target_gradients",
    "w_hh_contributions", "w_hh_gradient", "Derivation", "Factor", "bptt_by_hand", "Steps", "jacobian_log_norms",
    "jacobian_norms", "extend_log_norms", "row_log_norms", "step_factors", "safe_norm", "BoundLine", "Spectrum",
    "Verdict", "bound_line",
    "decay_rate", "spectrum", "verdict", "DenseSteps", "state_bptt_by_hand", "state_steps", "gradient_frame",
    "DECAY_STEPS", "LEARNING_RATE", "clip_contributions", "clip_scale", "weight_decay_shrink",
]
