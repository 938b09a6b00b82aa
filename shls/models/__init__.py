"""Models: importing this package registers every model component."""
from . import (backbones, baselines, decoders, heads, losses, memory, prompts, saliency,
               segmentors, superpixels)
from .data_preprocessor import VideoDataPreprocessor

__all__ = ['backbones', 'baselines', 'decoders', 'heads', 'losses', 'memory', 'prompts',
           'saliency', 'segmentors', 'superpixels', 'VideoDataPreprocessor']
