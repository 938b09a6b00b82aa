"""Export the per-frame encoder (the backbone) to ONNX, optionally quantized to int8.

The exported graph is the backbone's fixed tensor part: ``image (1, 3, H, W)`` ->
``(first, l4)`` with dynamic height and width. For a backbone with ``forward_stages`` /
``finish`` (:class:`~shls.models.backbones.SlimResNet`) the graph stops before the L1
upsampling, which :class:`~shls.deployment.OnnxRuntimeBackbone` does in torch exactly
as the PyTorch backbone does; any other backbone is exported whole.

Superpixels, pooling, the memory and the decoder stay in torch.
"""
import os
import os.path as osp
import tempfile
import warnings
from typing import Iterable, Optional

import numpy as np
import torch
from torch import Tensor, nn

INPUT_NAME = 'image'
OUTPUT_NAMES = ('first', 'l4')
OPSET = 17


class _StagesGraph(nn.Module):
    """Wraps a backbone so that ``forward`` is what the ONNX graph holds."""

    def __init__(self, backbone: nn.Module) -> None:
        super().__init__()
        self.backbone = backbone

    def forward(self, x: Tensor):
        if hasattr(self.backbone, 'forward_stages'):
            return self.backbone.forward_stages(x)
        return self.backbone(x)


def _replace(tmp: str, path: str) -> str:
    """Move a finished temporary file over ``path`` (readable like any other file)."""
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return path


def _temp_path(path: str) -> str:
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix='.tmp-', suffix='.onnx', dir=folder)
    os.close(fd)
    return tmp


def export_backbone_onnx(backbone: nn.Module, path: str, opset: int = OPSET,
                         example_size=(64, 96)) -> str:
    """Write ``backbone`` as an ONNX graph with dynamic height / width (atomically).

    Args:
        backbone: The backbone (eval mode is set for the export and restored).
        path: Output ``.onnx`` file.
        opset: ONNX opset.
        example_size: ``(H, W)`` of the tracing input.

    Returns:
        ``path``.
    """
    graph = _StagesGraph(backbone).cpu()
    was_training = backbone.training
    graph.eval()
    tmp = _temp_path(path)
    try:
        x = torch.zeros(1, 3, *example_size)
        dynamic = {INPUT_NAME: {2: 'height', 3: 'width'}}
        dynamic.update({name: {2: f'{name}_h', 3: f'{name}_w'} for name in OUTPUT_NAMES})
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter('ignore')  # the TorchScript exporter's deprecation notes
            torch.onnx.export(graph, (x, ), tmp, input_names=[INPUT_NAME],
                              output_names=list(OUTPUT_NAMES), dynamic_axes=dynamic,
                              opset_version=opset, dynamo=False)
        return _replace(tmp, path)
    finally:
        backbone.train(was_training)
        if osp.exists(tmp):
            os.remove(tmp)


class _FrameReader:
    """onnxruntime calibration reader over normalised ``(1, 3, H, W)`` frames."""

    def __init__(self, images: Iterable[np.ndarray]) -> None:
        self._it = iter(images)

    def get_next(self) -> Optional[dict]:
        image = next(self._it, None)
        return None if image is None else {INPUT_NAME: image.astype(np.float32)}


def quantize_onnx_int8(src: str, path: str, images: Iterable[np.ndarray]) -> str:
    """Static int8 quantization of an exported backbone, calibrated on real frames.

    QDQ format, per-channel signed weights with ``reduce_range`` (7-bit weights, so
    that the AVX2 / AVX-512 kernels without VNNI cannot saturate), unsigned
    activations, MinMax calibration.

    Args:
        src: The float32 ONNX file of :func:`export_backbone_onnx`.
        path: Output ``.onnx`` file (written atomically).
        images: Normalised ``(1, 3, H, W)`` float arrays (a few frames of real video).

    Returns:
        ``path``.
    """
    from onnxruntime.quantization import QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process
    tmp = _temp_path(path)
    pre = _temp_path(path)
    try:
        quant_pre_process(src, pre, skip_symbolic_shape=True)
        quantize_static(pre, tmp, _FrameReader(images), quant_format=QuantFormat.QDQ,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        per_channel=True, reduce_range=True)
        return _replace(tmp, path)
    finally:
        for name in (tmp, pre):
            if osp.exists(name):
                os.remove(name)
