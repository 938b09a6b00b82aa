"""SaliencyMaskRefiner and its morphology helpers."""
import numpy as np
import pytest

from shls.models.saliency import SaliencyMaskRefiner
from shls.models.saliency.refine import fill_holes, keep_large_components

YY, XX = np.mgrid[:80, :100]


def _disc_map(noise: float = 0.0) -> np.ndarray:
    disc = ((YY - 40) ** 2 + (XX - 50) ** 2 < 20 ** 2).astype(np.float32)
    rng = np.random.default_rng(0)
    return np.clip(0.8 * disc + 0.1 + rng.normal(0, noise, disc.shape), 0, 1).astype(
        np.float32)


def _rgb_of(saliency: np.ndarray) -> np.ndarray:
    return np.repeat((saliency * 255).astype(np.uint8)[..., None], 3, 2)


@pytest.mark.parametrize('threshold', ['otsu', 'mean', 0.5])
@pytest.mark.parametrize('grabcut_iters', [0, 2])
def test_disc_is_recovered(threshold, grabcut_iters):
    saliency = _disc_map(noise=0.05)
    refiner = SaliencyMaskRefiner(threshold=threshold, grabcut_iters=grabcut_iters,
                                  mean_factor=1.5)
    mask = refiner(_rgb_of(saliency), saliency)
    truth = (YY - 40) ** 2 + (XX - 50) ** 2 < 20 ** 2
    assert mask.dtype == bool and mask.shape == truth.shape
    assert (mask & truth).sum() / (mask | truth).sum() > 0.9


def test_flat_or_faint_map_gives_empty_mask():
    refiner = SaliencyMaskRefiner()
    flat = np.full((30, 40), 0.7, np.float32)
    assert not refiner(_rgb_of(flat), flat).any()
    faint = _disc_map() * 0.08  # range 0.064 but everything below min_threshold
    assert not refiner(_rgb_of(faint), faint).any()
    assert refiner(np.zeros((0, 0, 3), np.uint8), np.zeros((0, 0), np.float32)).shape == (0, 0)


def test_small_components_dropped_and_holes_filled():
    mask = np.zeros((50, 50), bool)
    mask[5:30, 5:30] = True
    mask[12:18, 12:18] = False  # hole
    mask[40:42, 40:42] = True  # speck
    kept = fill_holes(keep_large_components(mask, keep_ratio=0.2, min_area=0.0))
    assert kept[15, 15] and not kept[41, 41] and kept[5:30, 5:30].all()
    assert not keep_large_components(np.zeros((5, 5), bool), 0.2, 0.0).any()


def test_bad_arguments():
    with pytest.raises(ValueError, match='threshold'):
        SaliencyMaskRefiner(threshold='median')
    with pytest.raises(ValueError, match='grabcut_iters'):
        SaliencyMaskRefiner(grabcut_iters=-1)
