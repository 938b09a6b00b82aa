import cv2
import numpy as np
import torch

from shls.models.heads import SuperpixelColourStats


def test_matches_naive_statistics():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
    spx = np.zeros((6, 8), np.int64)
    spx[:, 4:] = 1
    spx[4:, :2] = 2
    out = SuperpixelColourStats()(img, spx)
    lab = cv2.cvtColor(img, cv2.COLOR_RGB2LAB).astype(np.float64) / 255
    for s in range(3):
        m = spx == s
        rows, cols = np.nonzero(m)
        expect = np.concatenate([lab[m].mean(0), lab[m].std(0),
                                 [rows.mean() / 5, cols.mean() / 7]])
        assert np.allclose(out[s].numpy(), expect, atol=1e-4)


def test_channels_options():
    img = np.zeros((4, 4, 3), np.uint8)
    spx = np.zeros((4, 4), np.int64)
    gen = SuperpixelColourStats(use_std=False, use_position=False)
    assert gen(img, spx).shape == (1, 3) == (1, gen.channels)
    assert torch.isfinite(SuperpixelColourStats()(img, spx)).all()
