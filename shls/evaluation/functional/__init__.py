"""Functional (stateless) evaluation measures."""
from .davis_measures import (BOUND_TH, boundary_f_measure, boundary_tolerance, measure_statistics,
                             object_measures, region_similarity, seg2bmap)
from .mask_shift import shift_objects

__all__ = [
    'BOUND_TH', 'boundary_f_measure', 'boundary_tolerance', 'measure_statistics', 'object_measures',
    'region_similarity', 'seg2bmap', 'shift_objects'
]
