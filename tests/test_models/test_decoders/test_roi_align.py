import math

import pytest
import torch
import torch.nn.functional as F

from shls.models.decoders import crop_resize, roi_align


def _bilinear(feat, y, x):
    """torchvision's RoIAlign bilinear read of one point of a (C, H, W) map."""
    _, h, w = feat.shape
    if y < -1.0 or y > h or x < -1.0 or x > w:
        return feat.new_zeros(feat.shape[0])
    y, x = max(y, 0.0), max(x, 0.0)
    y0, x0 = int(y), int(x)
    if y0 >= h - 1:
        y0 = y1 = h - 1
        y = float(y0)
    else:
        y1 = y0 + 1
    if x0 >= w - 1:
        x0 = x1 = w - 1
        x = float(x0)
    else:
        x1 = x0 + 1
    ly, lx = y - y0, x - x0
    return ((1 - ly) * (1 - lx) * feat[:, y0, x0] + (1 - ly) * lx * feat[:, y0, x1]
            + ly * (1 - lx) * feat[:, y1, x0] + ly * lx * feat[:, y1, x1])


def naive_roi_align(features, boxes, out_size, scale, ratio, aligned):
    oh, ow = out_size
    out = features.new_zeros(len(boxes), features.shape[1], oh, ow)
    off = 0.5 if aligned else 0.0
    for k, box in enumerate(boxes.tolist()):
        feat = features[int(box[0])]
        x1, y1, x2, y2 = (v * scale - off for v in box[1:])
        rw, rh = x2 - x1, y2 - y1
        if not aligned:
            rw, rh = max(rw, 1.0), max(rh, 1.0)
        bw, bh = rw / ow, rh / oh
        gy = ratio if ratio > 0 else max(math.ceil(rh / oh), 1)
        gx = ratio if ratio > 0 else max(math.ceil(rw / ow), 1)
        for ph in range(oh):
            for pw in range(ow):
                acc = features.new_zeros(features.shape[1])
                for iy in range(gy):
                    for ix in range(gx):
                        y = y1 + ph * bh + (iy + 0.5) * bh / gy
                        x = x1 + pw * bw + (ix + 0.5) * bw / gx
                        acc = acc + _bilinear(feat, y, x)
                out[k, :, ph, pw] = acc / (gy * gx)
    return out


BOXES = [[0, 3.2, 5.7, 40.1, 30.0], [1, -6.0, -3.0, 20.0, 12.5], [0, 0.0, 0.0, 64.0, 48.0],
         [1, 50.5, 30.0, 70.0, 52.0], [0, 10.0, 10.0, 10.6, 11.0]]


@pytest.mark.parametrize('scale', [1.0, 0.5, 0.25])
@pytest.mark.parametrize('aligned', [True, False])
@pytest.mark.parametrize('ratio', [2, 0])
def test_matches_naive_reference(scale, aligned, ratio):
    g = torch.Generator().manual_seed(0)
    feats = torch.rand(2, 3, int(48 * scale), int(64 * scale), generator=g,
                       dtype=torch.float64)
    boxes = torch.tensor(BOXES, dtype=torch.float64)
    got = roi_align(feats, boxes, (3, 4), scale, ratio, aligned)
    ref = naive_roi_align(feats, boxes, (3, 4), scale, ratio, aligned)
    torch.testing.assert_close(got, ref, atol=1e-10, rtol=0)
    got32 = roi_align(feats.float(), boxes.float(), (3, 4), scale, ratio, aligned)
    assert (got32.double() - ref).abs().max() < 1e-5


def test_gradient_flows_to_features():
    feats = torch.rand(1, 2, 16, 16, requires_grad=True)
    roi_align(feats, torch.tensor([[0, 2.0, 2.0, 12.0, 10.0]]), 4, 1.0).sum().backward()
    assert feats.grad.abs().sum() > 0


def test_crop_of_box_size_is_a_plain_crop():
    maps = torch.rand(2, 3, 20, 30)
    boxes = torch.tensor([[1, 4, 2, 16, 18], [0, 0, 0, 30, 20]], dtype=torch.float32)
    out = crop_resize(maps, boxes, (16, 12))
    torch.testing.assert_close(out[0], maps[1, :, 2:18, 4:16])
    mask = (maps[:, :1] > 0.5).float()
    out = crop_resize(mask, boxes[:1], (16, 12), mode='nearest')
    assert torch.equal(out[0], mask[1, :, 2:18, 4:16])


@pytest.mark.parametrize('size', [(7, 11), (40, 45)])
def test_whole_frame_crop_equals_interpolate(size):
    maps = torch.rand(1, 3, 20, 30)
    out = crop_resize(maps, torch.tensor([[0, 0, 0, 30, 20]]), size)
    ref = F.interpolate(maps, size=size, mode='bilinear', align_corners=False)
    torch.testing.assert_close(out, ref, atol=1e-5, rtol=0)


def test_nearest_resize_keeps_mask_values_and_pads_with_zeros():
    mask = torch.zeros(1, 1, 12, 12)
    mask[..., 3:9, 3:9] = 1
    out = crop_resize(mask, torch.tensor([[0, 2, 2, 10, 10]]), (21, 13), mode='nearest')
    assert set(out.unique().tolist()) <= {0.0, 1.0} and out.sum() > 0
    ref = F.interpolate(mask[..., 2:10, 2:10], size=(21, 13), mode='nearest-exact')
    assert (out != ref).float().mean() < 0.05
    pad = crop_resize(torch.ones(1, 1, 6, 6), torch.tensor([[0, 0, 0, 8, 8]]), 8)
    assert pad[0, 0, :6, :6].eq(1).all() and pad[0, 0, 6:].eq(0).all()
    assert pad[0, 0, :, 6:].eq(0).all()
