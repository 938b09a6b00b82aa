"""Cutting first-frame superpixels along a given mask (SHLS code, method.md §2.3)."""
import cv2
import numpy as np

from shls.structures.ids import VOID_ID
from .base import relabel_contiguous


def superpixel_mode(superpixels: np.ndarray, mask: np.ndarray,
                    ignore_index: int = VOID_ID) -> np.ndarray:
    """Most frequent mask label inside each superpixel (vectorised with bincount).

    Args:
        superpixels: ``(H, W)`` contiguous ids ``0..N-1``.
        mask: ``(H, W)`` integer labels; ``ignore_index`` pixels do not vote.
        ignore_index: Label that never wins (DAVIS void); a superpixel made only of it
            gets ``ignore_index``.

    Returns:
        ``(N,)`` int64 mode label per superpixel (ties go to the smaller label).
    """
    spx = superpixels.ravel().astype(np.int64)
    lab = mask.ravel().astype(np.int64)
    n = int(spx.max()) + 1
    valid = lab != ignore_index
    num_labels = int(lab[valid].max()) + 1 if valid.any() else 1
    hist = np.bincount(spx[valid] * num_labels + lab[valid],
                       minlength=n * num_labels).reshape(n, num_labels)
    mode = hist.argmax(axis=1)
    mode[hist.sum(axis=1) == 0] = ignore_index
    return mode


def cut_superpixels_by_mask(superpixels: np.ndarray, mask: np.ndarray,
                            ignore_index: int = VOID_ID) -> np.ndarray:
    """Split superpixels so that none straddles two mask labels.

    Each superpixel keeps the pixels that carry its mode label; every remaining pixel
    (a minority label inside some superpixel) joins a new superpixel, one per
    4-connected component of (original superpixel, label) pairs. Ids are renumbered
    contiguously. After this, every superpixel has exactly one mask label.

    Args:
        superpixels: ``(H, W)`` contiguous ids ``0..N-1``.
        mask: ``(H, W)`` integer label map of the same size.
        ignore_index: Void label, treated as a label of its own for cutting.

    Returns:
        ``(H, W)`` ``int32`` contiguous superpixel ids.
    """
    if superpixels.shape != mask.shape:
        raise ValueError(f'superpixels {superpixels.shape} and mask {mask.shape} differ in '
                         'size')
    superpixels = relabel_contiguous(superpixels)
    mode = superpixel_mode(superpixels, mask, ignore_index=-1)
    stray = mode[superpixels] != mask
    if not stray.any():
        return superpixels
    # Key every stray pixel by (superpixel, label); each 4-connected component of equal
    # keys becomes a new superpixel.
    key = superpixels.astype(np.int64) * (int(mask.max()) + 1) + mask.astype(np.int64)
    comp = _components_of_equal_keys(key, stray)
    out = np.where(stray, int(superpixels.max()) + 1 + comp, superpixels)
    return relabel_contiguous(out)


def _components_of_equal_keys(keys: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """4-connected components of ``valid`` pixels, where neighbours join only if their
    ``keys`` are equal. Returns ids ``0..C-1`` (arbitrary values outside ``valid``)."""
    h, w = keys.shape
    # Split the grid at key changes by upsampling 2x: a pixel becomes a 2x2 block and the
    # gap pixels between two neighbours are set only when both sides share a key.
    big = np.zeros((2 * h - 1, 2 * w - 1), np.uint8)
    big[::2, ::2] = valid
    same_h = valid[:, :-1] & valid[:, 1:] & (keys[:, :-1] == keys[:, 1:])
    same_v = valid[:-1, :] & valid[1:, :] & (keys[:-1, :] == keys[1:, :])
    big[::2, 1::2] = same_h
    big[1::2, ::2] = same_v
    _, comp = cv2.connectedComponents(big, connectivity=4, ltype=cv2.CV_32S)
    comp = comp[::2, ::2].astype(np.int64)
    return np.where(valid, comp - 1, 0)
