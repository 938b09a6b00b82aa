"""Stage-2 augmentation: false-positive blobs planted in a frame's memory read-out.

On synthetic clips the pre-segmentation mostly misses object parts, whereas on real
videos it also marks background that looks like the object (shadows, similar textures).
Planting such blobs in the training read-outs (in the spirit of MaskTrack's deformed
input masks) gives a pruning decoder (``RefineDecoder(prune_only=True)``) something to
learn to remove.
"""
import torch
from torch import Tensor

from ..memory import MemoryReadout
from ..utils import segment_mean


def superpixel_centroids(superpixels: Tensor, num_superpixels: int) -> Tensor:
    """``(M, 2)`` mean (row, column) of every superpixel, in pixels."""
    h, w = superpixels.shape
    rows = torch.arange(h, device=superpixels.device, dtype=torch.float32)
    cols = torch.arange(w, device=superpixels.device, dtype=torch.float32)
    grid = torch.stack(torch.meshgrid(rows, cols, indexing='ij'))[None]
    return segment_mean(grid, superpixels[None], num_superpixels)


def plant_false_blobs(readout: MemoryReadout, superpixels: Tensor, labels: Tensor,
                      max_radius: float = 0.15) -> MemoryReadout:
    """Give a random disc of background superpixels the scores of object superpixels.

    A background superpixel is drawn as the centre; every background superpixel whose
    centroid lies within ``r ~ U(0.03, max_radius)`` x the frame's longer side of it gets
    the score rows (short and long term) of a random superpixel of one random object.
    Randomness comes from torch's global generator.

    Args:
        readout: The frame's memory read-out.
        superpixels: ``(H, W)`` int64 superpixel ids ``0..M-1``.
        labels: ``(M,)`` ground-truth class of every superpixel (0 = background; other
            values that are not among ``readout.classes`` are left alone).
        max_radius: Largest blob radius relative to the frame's longer side.

    Returns:
        A read-out with the blob planted (the input when the frame has no background or
        no object superpixel).
    """
    background = labels == 0
    objects = readout.classes[readout.classes != 0]
    is_object = (labels[:, None] == objects.to(labels.device)[None]).any(dim=1)
    if not bool(background.any()) or not bool(is_object.any()):
        return readout
    centroids = superpixel_centroids(superpixels, len(labels))
    bg_index = torch.nonzero(background).squeeze(1)
    centre = centroids[bg_index[torch.randint(len(bg_index), (1, ))]]
    radius = (0.03 + torch.rand(()) * (max_radius - 0.03)) * max(superpixels.shape)
    blob = background & ((centroids - centre).norm(dim=1) <= radius)
    blob_index = torch.nonzero(blob).squeeze(1)
    obj_labels = labels[is_object]
    chosen = obj_labels[torch.randint(len(obj_labels), (1, ))]
    donors = torch.nonzero(labels == chosen).squeeze(1)
    source = donors[torch.randint(len(donors), (len(blob_index), ))]
    short, long = readout.short.clone(), readout.long.clone()
    short[blob_index] = short[source]
    long[blob_index] = long[source]
    return readout._replace(short=short, long=long)
