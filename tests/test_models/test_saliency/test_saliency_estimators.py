"""Saliency estimators: a valid 0/255 mask for real images and edge cases."""
import pickle
from pathlib import Path

import cv2
import numpy as np
import pytest

from shls.datasets import read_rgb
from shls.models.saliency import (BaseSaliencyEstimator, CentrePriorSaliency,
                                  ContrastSaliency, EnsembleSaliency, MBDSaliency,
                                  RBDSaliency)
from shls.registry import MODELS

FIXTURES = Path(__file__).resolve().parents[2] / 'fixtures' / 'saliency'


def mbd_contrast_ensemble() -> EnsembleSaliency:
    return EnsembleSaliency([MBDSaliency(), ContrastSaliency()])


ESTIMATORS = [MBDSaliency, RBDSaliency, ContrastSaliency, CentrePriorSaliency,
              mbd_contrast_ensemble]


def _fixture(index: int = 0):
    images = sorted((FIXTURES / 'images').iterdir())
    image = read_rgb(str(images[index]))
    truth = cv2.imread(str(FIXTURES / 'masks' / (images[index].stem + '.png')), 0)
    return image, truth


def _check_mask(mask: np.ndarray, shape) -> None:
    assert mask.dtype == np.uint8 and mask.shape == tuple(shape)
    assert set(np.unique(mask)) <= {0, 255}


@pytest.mark.parametrize('cls', ESTIMATORS)
def test_real_image_gives_valid_mask_and_map(cls):
    image, _ = _fixture(1)
    estimator = cls()
    mask = estimator(image)
    _check_mask(mask, image.shape[:2])
    assert 0.01 < (mask > 0).mean() < 0.99
    soft = estimator.saliency_map(image)
    assert soft.dtype == np.float32 and soft.shape == image.shape[:2]
    assert 0.0 <= soft.min() and soft.max() <= 1.0
    np.testing.assert_array_equal(mask, estimator(image))  # deterministic


@pytest.mark.parametrize('cls', ESTIMATORS)
@pytest.mark.parametrize('value', [0, 128, 255])
def test_uniform_image_gives_empty_mask(cls, value):
    image = np.full((60, 80, 3), value, np.uint8)
    mask = cls()(image)
    _check_mask(mask, (60, 80))
    assert not mask.any()
    noisy = np.clip(image + np.random.default_rng(0).normal(0, 0.3, image.shape), 0, 255)
    assert not cls()(noisy.astype(np.uint8)).any()


@pytest.mark.parametrize('cls', ESTIMATORS)
@pytest.mark.parametrize('shape', [(1, 1, 3), (3, 3, 3), (2, 7, 3), (5, 40, 3)])
def test_tiny_images(cls, shape):
    image = np.random.default_rng(1).integers(0, 256, shape, dtype=np.uint8)
    _check_mask(cls()(image), shape[:2])


@pytest.mark.parametrize('cls', [MBDSaliency, RBDSaliency])
def test_grayscale_rgba_and_float_inputs(cls):
    image, _ = _fixture(2)
    estimator = cls()
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    _check_mask(estimator(gray), gray.shape)
    np.testing.assert_array_equal(estimator(gray), estimator(np.repeat(gray[..., None], 3, 2)))
    rgba = np.concatenate([image, np.zeros_like(image[..., :1])], 2)
    np.testing.assert_array_equal(estimator(rgba), estimator(image))
    np.testing.assert_array_equal(estimator(image.astype(np.float32) / 255.0),
                                  estimator(image))
    with pytest.raises(ValueError, match='image'):
        estimator(np.zeros((4, 4, 2), np.uint8))


def test_large_image_is_processed_at_max_side():
    image, _ = _fixture(0)
    big = cv2.resize(image, None, fx=2, fy=2)
    estimator = MBDSaliency(max_side=120)
    small, soft = estimator.working_map(big)
    assert max(small.shape[:2]) == 120 and soft.shape == small.shape[:2]
    _check_mask(estimator(big), big.shape[:2])


def test_registry_repr_and_pickle():
    estimator = MODELS.build(dict(type='MBDSaliency', passes=2,
                                  refiner=dict(grabcut_iters=1)))
    assert isinstance(estimator, BaseSaliencyEstimator)
    assert estimator.refiner.grabcut_iters == 1
    assert 'passes=2' in repr(estimator) and 'grabcut_iters=1' in repr(estimator)
    assert repr(estimator) != repr(MBDSaliency())
    clone = pickle.loads(pickle.dumps(estimator))
    image, _ = _fixture(3)
    np.testing.assert_array_equal(clone(image), estimator(image))
    with pytest.raises(ValueError):
        MBDSaliency(passes=0)
    with pytest.raises(TypeError):
        MBDSaliency(refiner=3)


def test_ensemble_averages_member_maps():
    image, _ = _fixture(4)
    members = [dict(type='MBDSaliency'), dict(type='ContrastSaliency')]
    only_first = MODELS.build(dict(type='EnsembleSaliency', members=members, weights=[1, 0]))
    np.testing.assert_allclose(only_first.working_map(image)[1],
                               MBDSaliency().working_map(image)[1], atol=1e-6)
    mean = EnsembleSaliency(members)
    expected = 0.5 * (MBDSaliency().working_map(image)[1]
                      + ContrastSaliency().working_map(image)[1])
    np.testing.assert_allclose(mean.working_map(image)[1], expected, atol=1e-6)
    _check_mask(mean(image), image.shape[:2])
    with pytest.raises(ValueError, match='weights'):
        EnsembleSaliency(members, weights=[1])
    with pytest.raises(TypeError):
        EnsembleSaliency([])


def test_default_estimator_finds_the_objects_of_most_fixtures():
    # MBDContrastSaliency: 0.49 mean IoU on the 325 shared images; on these 8 fixtures
    # 0.25-0.99 (mean 0.54). The GrabCut "unknown" band (128) is ignored.
    estimator = MODELS.build(dict(type='MBDContrastSaliency'))
    ious = []
    for index in range(8):
        image, truth = _fixture(index)
        mask = estimator(image) > 0
        valid = (truth == 0) | (truth == 255)
        obj = truth == 255
        ious.append((mask & obj & valid).sum() / ((mask | obj) & valid).sum())
    assert sum(iou > 0.4 for iou in ious) >= 5, np.round(ious, 3)
    assert np.mean(ious) > 0.45, np.round(ious, 3)
