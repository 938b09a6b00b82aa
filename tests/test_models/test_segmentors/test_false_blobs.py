"""Planted false-positive blobs of the stage-2 read-outs."""
import torch

from shls.models.memory.readout import MemoryReadout
from shls.models.segmentors.false_blobs import plant_false_blobs, superpixel_centroids


def _grid(n=8, cell=4):
    """``n x n`` square superpixels of ``cell`` pixels."""
    ids = torch.arange(n * n).view(n, n)
    return ids.repeat_interleave(cell, 0).repeat_interleave(cell, 1)


def _readout(m):
    return MemoryReadout(torch.rand(m, 2), torch.rand(m, 2), torch.tensor([0, 1]),
                         torch.zeros(m, dtype=torch.long))


def test_centroids_are_the_cell_centres():
    cent = superpixel_centroids(_grid(2, 4), 4)
    assert torch.allclose(cent, torch.tensor([[1.5, 1.5], [1.5, 5.5], [5.5, 1.5], [5.5, 5.5]]))


def test_blob_is_background_and_copies_object_scores():
    torch.manual_seed(0)
    spx = _grid()
    labels = torch.zeros(64, dtype=torch.long)
    labels[[27, 28, 35, 36]] = 1
    labels[0] = 255  # void stays untouched
    for _ in range(20):
        readout = _readout(64)
        out = plant_false_blobs(readout, spx, labels, max_radius=0.4)
        changed = (out.short != readout.short).any(1) | (out.long != readout.long).any(1)
        assert changed.any() and (labels[changed] == 0).all()
        donors = torch.cat([readout.short[[27, 28, 35, 36]], readout.long[[27, 28, 35, 36]]], 1)
        planted = torch.cat([out.short[changed], out.long[changed]], 1)
        assert (planted[:, None] == donors[None]).all(-1).any(1).all()
        assert torch.equal(readout.short[labels != 0], out.short[labels != 0])


def test_nothing_planted_without_background_or_object():
    spx = _grid(2, 4)
    readout = _readout(4)
    for labels in (torch.ones(4, dtype=torch.long), torch.zeros(4, dtype=torch.long)):
        assert plant_false_blobs(readout, spx, labels) is readout
