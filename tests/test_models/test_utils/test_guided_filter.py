"""The guided filter: box means, a direct per-pixel reference, and its edge behaviour."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from shls.models.utils.guided_filter import box_mean, guided_filter


@pytest.mark.parametrize('radius', [1, 3, 7])
def test_box_mean_equals_clipped_average_pool(radius):
    x = torch.rand(2, 3, 23, 31, dtype=torch.float64)
    expected = F.avg_pool2d(x, 2 * radius + 1, 1, radius, count_include_pad=False)
    assert torch.allclose(box_mean(x, radius), expected, atol=1e-12)


def _reference(guide, src, radius, eps):
    """Per-pixel least squares in every window (He et al.), written plainly."""
    _, height, width = guide.shape
    a = np.zeros((height, width, 3, src.shape[0]))
    b = np.zeros((height, width, src.shape[0]))
    for y in range(height):
        for x in range(width):
            rows = slice(max(0, y - radius), y + radius + 1)
            cols = slice(max(0, x - radius), x + radius + 1)
            g = guide[:, rows, cols].reshape(3, -1)
            p = src[:, rows, cols].reshape(src.shape[0], -1)
            mean_g, mean_p = g.mean(1), p.mean(1)
            sigma = np.cov(g, bias=True) + eps * np.eye(3)
            cov = (g - mean_g[:, None]) @ (p - mean_p[:, None]).T / g.shape[1]
            a[y, x] = np.linalg.solve(sigma, cov)
            b[y, x] = mean_p - a[y, x].T @ mean_g
    out = np.zeros_like(src)
    for y in range(height):
        for x in range(width):
            rows = slice(max(0, y - radius), y + radius + 1)
            cols = slice(max(0, x - radius), x + radius + 1)
            mean_a = a[rows, cols].mean((0, 1))
            mean_b = b[rows, cols].mean((0, 1))
            out[:, y, x] = mean_a.T @ guide[:, y, x] + mean_b
    return out


def test_guided_filter_matches_the_per_window_least_squares():
    rng = np.random.default_rng(0)
    guide = rng.random((3, 9, 11))
    src = rng.random((2, 9, 11))
    expected = _reference(guide, src, 2, 0.05)
    got = guided_filter(torch.from_numpy(guide)[None], torch.from_numpy(src)[None], 2, 0.05)
    assert np.allclose(got[0].numpy(), expected, atol=1e-9)


def test_guided_filter_keeps_edges_of_the_guide_and_constants():
    guide = torch.zeros(1, 3, 32, 48)
    guide[..., 24:] = 1.0                        # a vertical colour edge at x = 24
    src = torch.zeros(1, 1, 32, 48)
    src[..., 20:] = 1.0                          # the map's edge is 4 px off
    out = guided_filter(guide, src, 6, 1e-3)[0, 0]
    steps = out[:, 1:] - out[:, :-1]
    assert (steps[:, 23] > 0.3).all()            # a sharp step on the guide's edge ...
    assert (steps.abs()[:, :23] < 0.1).all()     # ... the map's own step smoothed away
    assert (out[:, 24:] > 0.99).all()
    flat = torch.full((1, 2, 32, 48), 0.3)
    assert torch.allclose(guided_filter(torch.rand(1, 3, 32, 48), flat, 4, 0.1), flat,
                          atol=1e-5)


def test_fast_guided_filter_is_close_to_the_full_one():
    torch.manual_seed(0)
    guide = F.interpolate(torch.rand(1, 3, 12, 16), size=(96, 128), mode='bilinear')
    src = F.interpolate(torch.rand(1, 2, 12, 16), size=(96, 128), mode='bilinear')
    full = guided_filter(guide, src, 8, 0.05)
    fast = guided_filter(guide, src, 8, 0.05, scale=0.5)
    assert fast.shape == full.shape
    assert (fast - full).abs().mean() < 0.02
