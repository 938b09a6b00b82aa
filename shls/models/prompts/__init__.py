"""Prompts instead of masks: components that make a first mask from boxes or strokes."""
from .base import BasePromptToMask, paint_objects
from .box import BoxPromptToMask
from .boxes import boxes_of_ids, check_boxes, parse_box, tight_box
from .scribble import ScribblePromptToMask, read_scribble

__all__ = ['BasePromptToMask', 'BoxPromptToMask', 'ScribblePromptToMask', 'boxes_of_ids',
           'check_boxes', 'paint_objects', 'parse_box', 'read_scribble', 'tight_box']
