"""Tests of shls.datasets.synthesis.synthesizer on synthetic and real templates."""
from pathlib import Path

import numpy as np
import pytest

from shls.datasets.image_mask_folder import ImageMaskFolder
from shls.datasets.synthesis import ObjectPatch, PseudoVideoSynthesizer, crop_object


def _template(num_objects=1, shape=(80, 100)):
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (*shape, 3), dtype=np.uint8)
    labels = np.zeros(shape, np.int32)
    for k in range(num_objects):
        labels[5 + 12 * k:15 + 12 * k, 10:40 + 5 * k] = k + 1
    return image, labels


def _sampler(counter=None, size=(30, 20)):
    def sample(rng):
        if counter is not None:
            counter.append(1)
        colour = rng.integers(0, 256, 3).astype(np.uint8)
        return ObjectPatch(np.broadcast_to(colour, (*size, 3)).copy(), np.ones(size, np.uint8))

    return sample


def _check_clip(out, num_frames, size, max_objects):
    assert len(out['frames']) == len(out['masks']) == num_frames
    k = out['num_objects']
    assert 0 <= k <= max_objects
    assert set(np.unique(out['masks'][0])) == set(range(k + 1))
    for frame, mask in zip(out['frames'], out['masks']):
        assert frame.shape == (*size, 3) and frame.dtype == np.uint8
        assert mask.shape == size and mask.dtype == np.uint8
        assert mask.max() <= k


@pytest.mark.parametrize('num_template', [0, 1, 2, 3, 5])
def test_shapes_dtypes_and_object_count(num_template):
    syn = PseudoVideoSynthesizer(num_frames=4, frame_size=(48, 64))
    image, labels = _template(num_template)
    for seed in range(5):
        out = syn(image, labels, _sampler(), np.random.default_rng(seed))
        _check_clip(out, 4, (48, 64), 3)
        assert out['num_objects'] >= 1
        assert out['num_template_objects'] == min(num_template, 3)


def test_template_cap_keeps_largest_objects():
    image, labels = _template(5)
    syn = PseudoVideoSynthesizer(num_frames=1, frame_size=(80, 100), max_objects=2)
    out = syn(image, labels, _sampler(), np.random.default_rng(0))
    # Objects 4 and 5 are the widest: they become labels 1 and 2, the rest background.
    np.testing.assert_array_equal(out['masks'][0], np.select([labels == 5, labels == 4],
                                                             [1, 2], 0))


def test_no_source_and_empty_template_gives_no_object():
    syn = PseudoVideoSynthesizer(frame_size=(32, 32))
    image, labels = _template(0)
    out = syn(image, labels, lambda rng: None, np.random.default_rng(0))
    assert out['num_objects'] == 0 and all((m == 0).all() for m in out['masks'])


def test_deterministic_given_the_generator():
    syn = PseudoVideoSynthesizer(frame_size=(48, 48))
    image, labels = _template(1)
    a = syn(image, labels, _sampler(), np.random.default_rng([0, 7]))
    b = syn(image, labels, _sampler(), np.random.default_rng([0, 7]))
    c = syn(image, labels, _sampler(), np.random.default_rng([0, 8]))
    for x, y in zip(a['frames'] + a['masks'], b['frames'] + b['masks']):
        np.testing.assert_array_equal(x, y)
    assert any(not np.array_equal(x, y) for x, y in zip(a['frames'], c['frames']))


def test_clones_reuse_the_previous_source():
    image, labels = _template(0)
    calls = []
    syn = PseudoVideoSynthesizer(frame_size=(64, 64), clone_prob=1.0, min_objects=3)
    out = syn(image, labels, _sampler(calls), np.random.default_rng(0))
    assert len(calls) == 1 and out['num_inserted'] >= 1


def test_disappearance_can_occur():
    """A small frame crowded with big objects: some paste fails after frame 0."""
    syn = PseudoVideoSynthesizer(num_frames=5, frame_size=(32, 32), min_objects=3,
                                 object_short_side=(0.5, 0.6))
    image, labels = _template(1)
    vanished = 0
    for seed in range(30):
        out = syn(image, labels, _sampler(), np.random.default_rng(seed))
        present0 = set(np.unique(out['masks'][0])) - {0}
        vanished += any(present0 - set(np.unique(m)) for m in out['masks'][1:])
    assert vanished > 0


def test_real_fixtures_have_objects(saliency_root):
    root = Path(saliency_root)
    folder = ImageMaskFolder(str(root / 'images'), str(root / 'masks'))
    syn = PseudoVideoSynthesizer(frame_size=(128, 128))

    def sample(rng):
        image, labels = folder.load(int(rng.integers(len(folder))))
        return crop_object(image, labels, 1)

    for i in range(len(folder)):
        out = syn(*folder.load(i), sample, np.random.default_rng([0, i]))
        _check_clip(out, 3, (128, 128), 3)
        assert out['num_objects'] >= 1 and out['num_template_objects'] == 1
        assert all((m > 0).mean() > 0.01 for m in out['masks'])


def test_invalid_arguments():
    with pytest.raises(ValueError):
        PseudoVideoSynthesizer(num_frames=0)
    with pytest.raises(ValueError):
        PseudoVideoSynthesizer(min_objects=4, max_objects=3)
