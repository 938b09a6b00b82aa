"""The output side of inference: mask writers, overlay videos, output folders that appear
whole, and the fingerprints and markers that let a run resume.

Reading masks back (and the format definitions) stays in :mod:`shls.datasets`
(:mod:`~shls.datasets.mask_io`, :mod:`~shls.datasets.mask_formats`).
"""
from .fingerprint import data_fingerprint, data_root_tag, run_fingerprint, video_fingerprint
from .folders import atomic_folder, check_replaceable, remove_leftovers
from .overlay import OverlayVideoWriter
from .resume import COMPLETE_MARKER, ResumeGuard, completion_record, is_complete
from .writers import (FORMATS, OUTPUT_SUFFIXES, WRITERS, CocoRleWriter, MaskWriter,
                      PaletteWriter, PerObjectWriter, writer_class)

__all__ = [
    'COMPLETE_MARKER', 'FORMATS', 'OUTPUT_SUFFIXES', 'WRITERS', 'CocoRleWriter', 'MaskWriter',
    'OverlayVideoWriter', 'PaletteWriter', 'PerObjectWriter', 'ResumeGuard', 'atomic_folder',
    'check_replaceable', 'completion_record', 'data_fingerprint', 'data_root_tag',
    'is_complete', 'remove_leftovers', 'run_fingerprint', 'video_fingerprint', 'writer_class'
]
