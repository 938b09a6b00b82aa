"""SLIC on a 3-channel float image: scikit-image's labels, from a compiled loop if built.

``pip install -e .`` compiles ``_slic_core.c`` (optional: where no C compiler is found the
install goes on and :func:`slic_labels` calls ``skimage.segmentation.slic``, which gives
the same labels 2-4x slower; :data:`BACKEND` says which one runs). The environment
variable ``SHLS_COMPILED_SLIC=0`` runs scikit-image's loop even where the compiled one is
built (to compare them).
"""
import os
from typing import Tuple

import numpy as np
from skimage.segmentation import slic
from skimage.util import regular_grid

if os.environ.get('SHLS_COMPILED_SLIC', '1') == '0':
    _slic_core = None
    _IMPORT_ERROR = 'turned off by SHLS_COMPILED_SLIC=0'
else:
    try:
        from . import _slic_core
    except ImportError as error:  # not compiled (no C compiler at install time)
        _slic_core = None
        _IMPORT_ERROR = str(error)
    else:
        _IMPORT_ERROR = ''

#: ``'compiled'`` where the extension is importable, else ``'scikit-image'``.
BACKEND = 'compiled' if _slic_core is not None else 'scikit-image'

_MIN_SIZE_FACTOR = 0.5  # scikit-image's defaults for the connectivity pass
_MAX_SIZE_FACTOR = 3.0


def slic_labels(image: np.ndarray, n_segments: int, compactness: float,
                max_num_iter: int = 10, enforce_connectivity: bool = True) -> np.ndarray:
    """``skimage.segmentation.slic(image, ..., sigma=0, convert2lab=False, start_label=0)``.

    The compiled loop runs the same arithmetic in the same order as scikit-image's, so the
    labels are identical (tested against scikit-image on video frames and noise).

    Args:
        image: ``(H, W, 3)`` float64 image (SLIC's colour space, e.g. Lab), finite; other
            shapes and dtypes go to scikit-image's loop.
        n_segments: Approximate number of superpixels (the seeds of a regular grid).
        compactness: Colour/space trade-off, on the scale of the image rescaled to [0, 1].
        max_num_iter: k-means iterations.
        enforce_connectivity: Merge small disconnected fragments into a neighbour.

    Returns:
        ``(H, W)`` int64 labels starting at 0.
    """
    # the compiled loop computes in float64, as scikit-image does for a float64 image only
    if (_slic_core is None or image.ndim != 3 or image.shape[2] != 3
            or image.dtype != np.float64):
        return slic(image, n_segments=n_segments, compactness=compactness, sigma=0,
                    max_num_iter=max_num_iter, convert2lab=False,
                    enforce_connectivity=enforce_connectivity, start_label=0,
                    channel_axis=-1)
    height, width = image.shape[:2]
    scaled, centers, step = _prepare(image, n_segments, compactness)
    _, step_y, step_x = _steps((1, height, width), len(centers))
    labels = np.empty((height, width), np.int64)
    _slic_core.kmeans(scaled, height, width, centers, step_y, step_x, step,
                      int(max_num_iter), labels)
    if not enforce_connectivity:
        return labels
    segment_size = height * width / len(centers)
    out = np.empty_like(labels)
    _slic_core.connectivity(labels, height, width, int(_MIN_SIZE_FACTOR * segment_size),
                            int(_MAX_SIZE_FACTOR * segment_size), out)
    return out


def _prepare(image: np.ndarray, n_segments: int,
             compactness: float) -> Tuple[np.ndarray, np.ndarray, float]:
    """scikit-image's rescaling to [0, 1], colour scaling and grid of seeds."""
    scaled = image.astype(np.float64, copy=True)
    lo, hi = scaled.min(), scaled.max()
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError('SLIC needs a finite image (NaN or infinite values found)')
    scaled -= lo
    if hi != lo:
        scaled /= hi - lo
    scaled = np.ascontiguousarray(scaled * (1.0 / compactness))
    height, width = image.shape[:2]
    slices = regular_grid((1, height, width), n_segments)
    rows, cols = np.meshgrid(np.arange(height)[slices[1]], np.arange(width)[slices[2]],
                             indexing='ij')
    centers = np.zeros((rows.size, 5))
    centers[:, 0] = rows.ravel()
    centers[:, 1] = cols.ravel()
    step = max(float(s.step) if s.step is not None else 1.0 for s in slices)
    return scaled, centers, step


def _steps(shape: Tuple[int, int, int], n_centers: int) -> Tuple[int, int, int]:
    """The window half-sizes / 2 scikit-image derives from the number of seeds."""
    return tuple(int(s.step if s.step is not None else 1)
                 for s in regular_grid(shape, n_centers))


def describe_backend() -> str:
    """One line for logs: which SLIC loop runs, and why not the compiled one."""
    if _slic_core is not None:
        return f'SLIC: compiled loop ({_slic_core.ISA})'
    if _IMPORT_ERROR.startswith('turned off'):
        return f'SLIC: scikit-image (compiled loop {_IMPORT_ERROR})'
    return f'SLIC: scikit-image (compiled loop not built: {_IMPORT_ERROR})'


__all__ = ['BACKEND', 'slic_labels', 'describe_backend']
