"""Mixed precision for inference: float16 autocast on CUDA, nothing elsewhere."""
import contextlib
import warnings
from typing import ContextManager, Union

import torch


def inference_autocast(device: Union[str, torch.device], enabled: bool) -> ContextManager:
    """``torch.autocast('cuda', float16)`` when ``enabled`` on a CUDA device.

    On any other device AMP is ignored with a warning (CPU float16 is slow and bfloat16
    changes the masks), and the run goes on in float32.

    Args:
        device: Where the model runs.
        enabled: Whether AMP was asked for.

    Returns:
        A context manager to run the inference in.
    """
    device = torch.device(device)
    if not enabled:
        return contextlib.nullcontext()
    if device.type != 'cuda':
        warnings.warn(f'AMP is for CUDA only; ignored on {device} (running in float32)')
        return contextlib.nullcontext()
    return torch.autocast('cuda', dtype=torch.float16)
