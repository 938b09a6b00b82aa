import pytest
import torch

from shls.models.utils import (batch_offsets, downsample_labels, paint, segment_mean,
                               segment_meta, segment_mode)


def _labels():
    a = torch.tensor([[0, 0, 1], [2, 2, 1]])
    b = torch.tensor([[0, 1, 1], [0, 1, 1]])
    return torch.stack([a, b])


def test_batch_offsets_unique_ids():
    glob, counts = batch_offsets(_labels())
    assert counts.tolist() == [3, 2]
    assert glob[1].min() == 3 and glob.max() == 4


def test_segment_mean_equals_naive_loop():
    torch.manual_seed(0)
    labels, counts = batch_offsets(_labels())
    x = torch.randn(2, 4, 2, 3)
    out = segment_mean(x, labels, int(counts.sum()))
    for seg in range(int(counts.sum())):
        b, r, c = torch.nonzero(labels == seg, as_tuple=True)
        naive = torch.stack([x[bb, :, rr, cc] for bb, rr, cc in zip(b, r, c)]).mean(0)
        assert torch.allclose(out[seg], naive, atol=1e-6)


@pytest.mark.parametrize('dtype', [torch.float32, torch.bfloat16])
def test_segment_mean_same_for_channels_last_maps(dtype):
    # backbone maps often come channels-last (oneDNN, the int8 graph): the row-wise sums
    # must give the channels-first result to the bit, batch included
    torch.manual_seed(0)
    labels, counts = batch_offsets(torch.randint(0, 7, (2, 9, 11)))
    x = torch.randn(2, 5, 9, 11).to(dtype)
    channels_last = x.contiguous(memory_format=torch.channels_last)
    assert not channels_last.is_contiguous()
    expected = segment_mean(x, labels, int(counts.sum()))
    out = segment_mean(channels_last, labels, int(counts.sum()))
    assert out.shape == expected.shape and out.dtype == expected.dtype
    assert torch.equal(out, expected)


def test_segment_mean_empty_segment_is_zero():
    labels = torch.zeros(1, 2, 2, dtype=torch.long)
    out = segment_mean(torch.ones(1, 3, 2, 2), labels, 2)
    assert torch.equal(out[1], torch.zeros(3))


def test_segment_meta_values():
    labels, counts = batch_offsets(_labels())
    meta = segment_meta(labels, int(counts.sum()))
    # frame 0, segment 1 = pixels (0,2), (1,2): area 2/6, mean row 0.5/1, mean col 2/2
    assert torch.allclose(meta[1], torch.tensor([2 / 6, 0.5, 1.0]))
    # frame 1, segment 0 = column 0: area 2/6, row 0.5, col 0
    assert torch.allclose(meta[3], torch.tensor([2 / 6, 0.5, 0.0]))


def test_segment_mode_with_void():
    labels = torch.tensor([[0, 0, 1, 1]])
    mask = torch.tensor([[3, 255, 255, 255]])
    assert segment_mode(labels, mask, 2, 256).tolist() == [3, 255]


def test_downsample_and_paint():
    labels = torch.arange(16).view(1, 4, 4)
    small = downsample_labels(labels, (2, 2))
    assert small.tolist() == [[[0, 2], [8, 10]]]
    values = torch.arange(16) * 10
    assert torch.equal(paint(values, small), small * 10)
