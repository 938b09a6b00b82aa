"""Which shipped model the tools use by default on this machine.

Two models ship (README, "Results"):

- ``accurate``: the half-width model (``SHIPPED_CONFIG``), J&F 67.14 / 69.92 on
  ``../shared/data/davis`` / ``davis_train`` in bfloat16 (67.02 / 70.07 in float32),
  3.3 frames/s at 480p on 2 cores with native bfloat16 kernels, 2.9 in float32 on 2 AVX2
  cores;
- ``fast``: the quarter-width model (``FAST_CONFIG``), its backbone in int8 where faster
  (``test_cfg.int8='auto'``): J&F 64.16 / 68.67 on 2 AVX2 cores at ~6.9 frames/s, 65.62 /
  68.91 natively at ~7.6 (65.09 / 69.08 in float32); its box prompts are weaker
  (first-frame J of a box 60.9 against 67.2 on ``davis``).

``auto`` takes the accurate model where it runs at its full speed: on CUDA, or on a CPU
whose bfloat16 the start-up probe measures faster than float32
(:func:`shls.deployment.precision.probe_cpu_bfloat16`, cached, so the model built next
reuses it); on a float32-only CPU (most AVX2 laptops and VMs) the fast one.
"""
from typing import NamedTuple, Union

import torch

from shls.utils.errors import ConfigError
from shls.utils.shipped import (FAST_CHECKPOINT, FAST_CONFIG, SHIPPED_CHECKPOINT,
                                SHIPPED_CONFIG)


class ShippedModel(NamedTuple):
    """A shipped model: its name (``accurate`` / ``fast``), config and weights."""

    name: str
    config: str
    checkpoint: str


#: The shipped models by name.
SHIPPED_MODELS = {model.name: model for model in (
    ShippedModel('accurate', SHIPPED_CONFIG, SHIPPED_CHECKPOINT),
    ShippedModel('fast', FAST_CONFIG, FAST_CHECKPOINT))}
#: Accepted values of ``--model``.
MODEL_CHOICES = ('auto', *SHIPPED_MODELS)


def choose_shipped_model(choice: str = 'auto', device: Union[str, torch.device] = 'cpu',
                         backend: str = 'auto') -> ShippedModel:
    """The shipped model of ``choice`` (``auto``: the one for this machine, see above).

    Args:
        choice: ``'auto'``, ``'accurate'`` or ``'fast'``.
        device: Where the model will run.
        backend: The backbone's engine; ``'onnxruntime'`` runs float32 on a CPU, so
            ``auto`` takes the fast model there.

    Returns:
        The :class:`ShippedModel`.
    """
    if choice not in MODEL_CHOICES:
        raise ConfigError(f'model must be one of {", ".join(MODEL_CHOICES)}, got {choice!r}')
    if choice != 'auto':
        return SHIPPED_MODELS[choice]
    if torch.device(device).type == 'cuda':
        return SHIPPED_MODELS['accurate']
    if backend == 'onnxruntime':
        return SHIPPED_MODELS['fast']
    return SHIPPED_MODELS['accurate' if _bfloat16_fast() else 'fast']


def _bfloat16_fast() -> bool:
    """Whether the accurate model's backbone runs faster in bfloat16 on this CPU."""
    from shls.deployment.precision import probe_cpu_bfloat16
    from shls.registry import MODELS
    from shls.utils.config import load_config
    from shls.utils.setup_env import register_all_modules
    register_all_modules(init_default_scope=False)
    backbone = MODELS.build(load_config(SHIPPED_CONFIG).model.backbone)
    return probe_cpu_bfloat16(backbone.eval()).bfloat16_faster
