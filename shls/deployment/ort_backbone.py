"""An ONNX Runtime session standing in for the backbone of a model."""
import hashlib
from typing import Optional, Tuple

import numpy as np
import torch
from torch import Tensor, nn

from shls.utils.errors import InputError
from .onnx_export import INPUT_NAME, OUTPUT_NAMES


def ort_session(path: str, threads: Optional[int] = None):
    """A CPU ``onnxruntime.InferenceSession`` of ``path`` with ``threads`` intra-op
    threads (default: torch's thread count), graph optimisations on."""
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or torch.get_num_threads()
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # no spinning after a run: the torch stages that follow need the cores
    options.add_session_config_entry('session.intra_op.allow_spinning', '0')
    try:
        return ort.InferenceSession(path, options, providers=['CPUExecutionProvider'])
    except Exception as err:  # onnxruntime raises its own Fail / InvalidGraph types
        raise InputError(f'cannot load ONNX model {path}: {str(err).splitlines()[0]}') \
            from err


class OnnxRuntimeBackbone(nn.Module):
    """Runs an exported backbone graph in ONNX Runtime; same contract as the backbone.

    ``forward(x)`` returns what the torch backbone returns (``(l1, l4)``): the graph's
    outputs, passed through the original backbone's ``finish`` (the L1 upsampling of
    :class:`~shls.models.backbones.SlimResNet`) when it has one. The module has no
    parameters; its buffer ``engine_sha256`` (the file's hash) puts the engine into the
    model's state dict, so run fingerprints tell engines apart. Frames go to the CPU
    and the maps come back on ``x``'s device.

    Args:
        path: The ``.onnx`` file (from :func:`~shls.deployment.export_backbone_onnx`,
            float32 or int8).
        finish: ``finish(outputs, (H, W))`` applied to the graph's outputs, or ``None``.
        threads: Intra-op threads (default: torch's).
    """

    def __init__(self, path: str, finish=None, threads: Optional[int] = None) -> None:
        super().__init__()
        self.path = path
        self.session = ort_session(path, threads)
        self._finish = finish
        with open(path, 'rb') as f:
            digest = hashlib.sha256(f.read()).digest()
        self.register_buffer('engine_sha256', torch.tensor(list(digest), dtype=torch.uint8))
        names = [o.name for o in self.session.get_outputs()]
        if tuple(names) != OUTPUT_NAMES:
            raise InputError(f'{path}: outputs {names}, expected {list(OUTPUT_NAMES)} (not '
                             'a backbone exported by tools/deployment/export_onnx.py?)')

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        image = np.ascontiguousarray(x.detach().float().cpu().numpy())
        outputs = self.session.run(None, {INPUT_NAME: image})
        maps = tuple(torch.from_numpy(o).to(x.device) for o in outputs)
        if self._finish is not None:
            maps = self._finish(maps, x.shape[-2:])
        return maps

    def extra_repr(self) -> str:
        return f'path={self.path!r}'
