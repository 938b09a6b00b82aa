"""Visualisation helpers: the DAVIS palette and mask overlays."""
from .palette import DAVIS_PALETTE, make_davis_palette, overlay

__all__ = ['DAVIS_PALETTE', 'make_davis_palette', 'overlay']
