"""Probes of what a trained network uses: interventions on its input, measured on its own predictions."""

from .ablation import INTERVENTIONS, ablation, ablation_gradients, default_target
from .context import ContextUse, context_use, effective_context, gradient_reach, sample_positions

__all__ = ["INTERVENTIONS", "ablation", "ablation_gradients", "default_target", "ContextUse", "context_use",
           "effective_context", "gradient_reach", "sample_positions"]
