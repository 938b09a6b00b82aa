"""How the backbone runs at inference: batch norms folded, precision, Winograd
convolutions, memory layout, int8."""
from typing import NamedTuple, Optional

import torch
from torch import nn

from shls.deployment.fold_bn import fold_batchnorm
from shls.deployment.int8 import Int8Setting, attach_int8, choose_int8, detach_int8
from shls.deployment.precision import PrecisionSetting, resolve_autocast
from shls.deployment.winograd import choose_winograd


class BackboneSetup(NamedTuple):
    """The run-time choices for a model's backbone.

    Attributes:
        autocast_dtype: The autocast dtype of ``test_cfg.autocast`` (``None`` = float32).
        winograd: Winograd convolutions (NNPACK) in the float32 CPU backbone (where
            the start-up probe measures them faster: ``choose_winograd``).
        channels_last: Frames enter the backbone channels-last (oneDNN's fast CPU
            layout), unless NNPACK runs its convolutions (it takes NCHW).
        int8: The backbone runs in int8 (``test_cfg.int8``:
            :func:`~shls.deployment.int8.choose_int8`), attached to it by
            :func:`~shls.deployment.int8.attach_int8` (eval mode without gradients only).
    """

    autocast_dtype: Optional[torch.dtype]
    winograd: bool
    channels_last: bool
    int8: bool = False


def _has_parameters(module: Optional[nn.Module]) -> bool:
    return module is not None and any(True for _ in module.parameters())


def prepare_backbone(model: nn.Module, device: torch.device, autocast: PrecisionSetting,
                     winograd: bool, int8: Int8Setting = False) -> BackboneSetup:
    """Choose the backbone's precision and layout and apply them (in place).

    Args:
        model: The model; its ``backbone`` (if any) is changed in place: batch norms
            folded into their convolutions when it is in eval mode
            (:func:`~shls.deployment.fold_bn.fold_batchnorm`), then Winograd
            convolutions (if :func:`~shls.deployment.winograd.choose_winograd` measures
            them faster) and the chosen memory format on a CPU; on a CPU, its int8
            graph attached when ``int8`` asks for it.
        device: Where the model runs.
        autocast: ``test_cfg.autocast`` (:func:`~shls.deployment.precision.resolve_autocast`).
        winograd: ``test_cfg.winograd``.
        int8: ``test_cfg.int8`` (CPU only; ``'auto'`` weighs int8 against the
            precision ``autocast`` resolves to; ignored on a GPU).

    Returns:
        :class:`BackboneSetup`.
    """
    backbone = getattr(model, 'backbone', None)
    if backbone is not None:
        detach_int8(backbone)  # a model prepared before: choose afresh
    if _has_parameters(backbone) and not backbone.training:
        fold_batchnorm(backbone)
    dtype = resolve_autocast(autocast, device, backbone)
    on_cpu = device.type == 'cpu' and _has_parameters(backbone)
    winograd = bool(on_cpu and dtype is None and winograd and choose_winograd(backbone))
    channels_last = on_cpu and not winograd
    if on_cpu:
        memory_format = torch.channels_last if channels_last else torch.contiguous_format
        backbone.to(memory_format=memory_format)
    quantized = None
    if on_cpu and not backbone.training:
        quantized = choose_int8(model, int8, channels_last, dtype)
    if quantized is not None:
        attach_int8(backbone, quantized)
    return BackboneSetup(dtype, winograd, channels_last, quantized is not None)
