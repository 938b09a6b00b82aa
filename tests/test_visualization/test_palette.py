"""The derived DAVIS palette and the mask overlay."""
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from shls.visualization import DAVIS_PALETTE, make_davis_palette, overlay

TENNIS = osp.join(osp.dirname(osp.dirname(__file__)), 'fixtures', 'davis2017', 'Annotations',
                  '480p', 'tennis', '00000.png')


def test_palette_known_entries_and_unique():
    assert DAVIS_PALETTE.shape == (256, 3) and DAVIS_PALETTE.dtype == np.uint8
    assert DAVIS_PALETTE[:5].tolist() == [[0, 0, 0], [128, 0, 0], [0, 128, 0], [128, 128, 0],
                                          [0, 0, 128]]
    assert DAVIS_PALETTE[255].tolist() == [224, 224, 192]
    assert len({tuple(c) for c in DAVIS_PALETTE.tolist()}) == 256
    np.testing.assert_array_equal(make_davis_palette(8), DAVIS_PALETTE[:8])
    with pytest.raises(ValueError):
        DAVIS_PALETTE[0, 0] = 1  # read-only


def test_palette_equals_official_annotation_palette():
    with Image.open(TENNIS) as img:
        official = np.array(img.getpalette()).reshape(-1, 3)
    np.testing.assert_array_equal(official, DAVIS_PALETTE)


def test_overlay():
    image = np.full((4, 5, 3), 100, np.uint8)
    mask = np.zeros((4, 5), np.uint8)
    mask[0, 0], mask[1, 1], mask[2, 2] = 1, 2, 255
    out = overlay(image, mask, alpha=0.5)
    assert out.dtype == np.uint8 and out.shape == image.shape
    assert out[0, 0].tolist() == [114, 50, 50]  # (100 + (128, 0, 0)) / 2
    assert out[1, 1].tolist() == [50, 114, 50]
    assert out[2, 2].tolist() == [100, 100, 100]  # void and background untouched
    assert out[3, 4].tolist() == [100, 100, 100]
    np.testing.assert_array_equal(overlay(image, mask, alpha=0.0), image)
    assert overlay(image, mask, alpha=1.0)[0, 0].tolist() == [128, 0, 0]
    with pytest.raises(ValueError):
        overlay(image, mask[:3])
    with pytest.raises(ValueError):
        overlay(image, mask, alpha=2)


def _float_overlay(image, mask, alpha, palette, ignore=(0, 255)):
    out = image.astype(np.float64)
    coloured = ~np.isin(mask, ignore)
    colours = palette.astype(np.float64)[mask.astype(np.int64)]
    out[coloured] = (1 - alpha) * out[coloured] + alpha * colours[coloured]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


@pytest.mark.parametrize('alpha', [0.3, 0.5, 0.75])
def test_overlay_equals_the_float_blend(alpha):
    """The look-up-table path gives the rounded float blend, pixel for pixel."""
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (48, 85, 3), dtype=np.uint8)
    mask = rng.integers(0, 5, (48, 85)).astype(np.uint8)
    mask[mask == 4] = 255
    expected = _float_overlay(image, mask, alpha, DAVIS_PALETTE)
    assert np.abs(overlay(image, mask, alpha).astype(int) - expected).max() <= 1
    assert (overlay(image, mask, alpha) == expected).mean() > 0.99
    big = np.concatenate([DAVIS_PALETTE, DAVIS_PALETTE[:50]])  # ids beyond 255 too
    wide = mask.astype(np.int32)
    wide[0, :5] = 300
    out = overlay(image, wide, alpha, big)
    assert np.abs(out.astype(int) - _float_overlay(image, wide, alpha, big)).max() <= 1
