"""Synthetic pseudo-videos made from still images and object masks."""
from .color import ColorJitter
from .objects import ObjectAugmenter, ObjectPaster, ObjectPatch, crop_object
from .synthesizer import PseudoVideoSynthesizer, SourceSampler
from .template import TemplateAugmenter

__all__ = ['ColorJitter', 'ObjectAugmenter', 'ObjectPaster', 'ObjectPatch',
           'PseudoVideoSynthesizer', 'SourceSampler', 'TemplateAugmenter', 'crop_object']
