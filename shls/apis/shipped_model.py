"""Which shipped model the tools use by default on this machine.

Two models ship (README, "Results"):

- ``accurate``: the half-width model (``SHIPPED_CONFIG``). Its backbone runs in
  bfloat16 where the CPU has fast bfloat16, else in int8 where a start-up probe measures
  that faster than float32 (``test_cfg.int8='auto_float32'``), else in float32. On 2 AMD
  EPYC cores (AVX-512 BF16, no AMX) J&F 75.66 / 78.30 on ``../shared/data/davis`` /
  ``davis_train`` at ~2.2 frames/s at 480p (int8 there: 75.51 / 78.31 at ~2.8), and
  75.55 / 78.39 restricted to AVX2 (int8) at ~2.0-2.3; on 2 Intel Xeon cores (AMX) in
  bfloat16 75.40 / 78.26 at ~2.3-2.7;
- ``fast``: the quarter-width model (``FAST_CONFIG``), its backbone in int8 where faster
  (``test_cfg.int8='auto'``): J&F 65.82 / 71.36 on 2 AVX2 cores at ~5.7 frames/s, 67.15 /
  71.80 natively at ~7.4; its box prompts are weaker (first-frame J of a box 60.9
  against 67.2 on ``davis``).

``auto`` takes the accurate model where its backbone runs faster than in float32: on
CUDA, or on a CPU whose bfloat16 or int8 the start-up probes measure faster
(:func:`shls.apis.backbone_setup.prepare_backbone`; the probes are cached, so the
segmenter built next reuses them); elsewhere (e.g. a CPU without a quantized engine) the
fast one.
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
            ``auto`` takes the fast model there (``'auto'`` may still pick PyTorch).

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
    return SHIPPED_MODELS['accurate' if _accurate_at_full_speed() else 'fast']


def _accurate_at_full_speed() -> bool:
    """Whether the accurate model's backbone runs in bfloat16 or int8 on this CPU (the
    start-up probes of its own ``test_cfg`` find either faster than float32)."""
    from shls.apis.backbone_setup import prepare_backbone
    from shls.apis.inference import build_model
    from shls.apis.test_cfg import merge_test_cfg
    model = build_model(SHIPPED_CONFIG, SHIPPED_CHECKPOINT)
    test_cfg = merge_test_cfg(model.test_cfg or {}, {})
    setup = prepare_backbone(model, torch.device('cpu'), test_cfg['autocast'],
                             test_cfg['winograd'], test_cfg['int8'])
    return setup.autocast_dtype is not None or setup.int8
