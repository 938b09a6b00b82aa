"""Deployment: the per-frame encoder exported to ONNX and run in ONNX Runtime."""
from .engine import (BACKENDS, EngineOptions, cached_engine_file, calibration_images,
                     check_backend, engine_options, use_onnxruntime, weights_digest)
from .onnx_export import export_backbone_onnx, quantize_onnx_int8
from .ort_backbone import OnnxRuntimeBackbone, ort_session

__all__ = [
    'BACKENDS', 'EngineOptions', 'OnnxRuntimeBackbone', 'cached_engine_file', 'calibration_images',
    'check_backend', 'engine_options', 'export_backbone_onnx', 'ort_session', 'quantize_onnx_int8',
    'use_onnxruntime', 'weights_digest'
]
