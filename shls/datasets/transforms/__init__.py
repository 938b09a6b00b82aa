"""Data transforms shared by pseudo-video and real-video pipelines."""
from .formatting import PackVideoInputs
from .superpixels import ComputeSuperpixels

__all__ = ['ComputeSuperpixels', 'PackVideoInputs']
