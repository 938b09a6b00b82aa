"""Visualisation helpers: the DAVIS palette, mask overlays and contact sheets."""
from .contact_sheet import contact_sheet, pick_evenly
from .palette import DAVIS_PALETTE, make_davis_palette, overlay

__all__ = ['DAVIS_PALETTE', 'contact_sheet', 'make_davis_palette', 'overlay', 'pick_evenly']
