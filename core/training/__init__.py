"""Training the lecture's models: BPTT (full or truncated) on torch's fused kernels, clipping, weight decay,
early stopping, and the gradient-vs-distance curve recorded as training goes."""

from .batches import StreamData, TaskData
from .config import OPTIMIZERS, TrainConfig
from .loop import Evaluation, Progress, TrainResult, clip_gradients, evaluate, train

__all__ = ["StreamData", "TaskData", "OPTIMIZERS", "TrainConfig", "Evaluation", "Progress", "TrainResult",
           "clip_gradients", "evaluate", "train"]
