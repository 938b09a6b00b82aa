from pathlib import Path

import cv2
import numpy as np
import pytest
from scipy import ndimage
from skimage.color import rgb2lab
from skimage.segmentation import slic

from shls.models.superpixels import SLICSuperpixels
from shls.models.superpixels.base import relabel_contiguous
from shls.models.superpixels.slic import smoothed_lab

FRAMES = Path(__file__).parents[2] / 'fixtures' / 'davis' / 'JPEGImages' / '480p'


def _frame(scale: float = 0.5) -> np.ndarray:
    path = sorted(FRAMES.glob('*/*.jpg'))[0]
    image = cv2.imread(str(path))[:, :, ::-1]
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def _skimage_lab(image: np.ndarray, sigma: float) -> np.ndarray:
    x = image.astype(np.float64) / 255.0
    if x.max() > x.min():
        x = (x - x.min()) / (x.max() - x.min())
    lab = rgb2lab(x)
    if sigma > 0:
        lab = ndimage.gaussian_filter(lab, (sigma, sigma, 0), mode='reflect', truncate=4.0)
    return lab


@pytest.mark.parametrize('sigma', [0.0, 1.0, 2.5])
def test_smoothed_lab_matches_scikit_image(sigma):
    image = _frame()
    np.testing.assert_allclose(smoothed_lab(image, sigma), _skimage_lab(image, sigma),
                               rtol=0, atol=1e-9)


@pytest.mark.parametrize('shape', [(3, 5, 3), (1, 1, 3)])
def test_smoothed_lab_on_tiny_and_flat_images(shape):
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, shape, dtype=np.uint8)
    np.testing.assert_allclose(smoothed_lab(image, 1.0), _skimage_lab(image, 1.0), atol=1e-9)
    flat = np.full((8, 8, 3), 77, np.uint8)
    np.testing.assert_allclose(smoothed_lab(flat, 1.0), _skimage_lab(flat, 1.0), atol=1e-9)


def test_labels_equal_scikit_image_slic_on_a_real_frame():
    """The faster Lab path gives scikit-image's own segmentation, label for label."""
    image = _frame()
    n = round(image.shape[0] * image.shape[1] / 100)
    ours = SLICSuperpixels(segment_area=100, compactness=20)(image)
    theirs = slic(image, n_segments=n, compactness=20, sigma=1, convert2lab=True,
                  start_label=0, channel_axis=-1)
    assert np.array_equal(ours, relabel_contiguous(theirs))
    assert 0.7 * n < ours.max() + 1 < 1.3 * n


def test_flat_image_gives_a_valid_label_map():
    labels = SLICSuperpixels(n_segments=16)(np.full((40, 40, 3), 200, np.uint8))
    assert labels.dtype == np.int32 and labels.shape == (40, 40)
    assert labels.min() == 0
