"""Tests of shls.datasets.transforms.formatting.PackVideoInputs."""
import numpy as np
import pytest
import torch

from shls.datasets.transforms import PackVideoInputs
from shls.structures import VideoDataSample


def _results(num_frames=3, size=(8, 10)):
    rng = np.random.default_rng(0)
    return dict(frames=[rng.integers(0, 256, (*size, 3), dtype=np.uint8)
                        for _ in range(num_frames)],
                masks=[np.full(size, t, np.uint8) for t in range(num_frames)],
                superpixels=[np.arange(size[0] * size[1], dtype=np.int32).reshape(size)
                             for _ in range(num_frames)],
                seq_name='clip', seed=3, unrelated='dropped')


def test_pack_types_and_shapes():
    results = _results()
    packed = PackVideoInputs()(results)
    inputs, sample = packed['inputs'], packed['data_samples']
    assert inputs.dtype == torch.uint8 and inputs.shape == (3, 3, 8, 10)
    np.testing.assert_array_equal(inputs[1].permute(1, 2, 0).numpy(), results['frames'][1])
    assert isinstance(sample, VideoDataSample)
    assert sample.gt_masks.dtype == torch.int64 and sample.gt_masks.shape == (3, 8, 10)
    assert sample.superpixels.dtype == torch.int64 and sample.superpixels.shape == (3, 8, 10)
    assert sample.gt_masks[2].unique().tolist() == [2]
    assert sample.seq_name == 'clip' and sample.seed == 3
    assert sample.num_frames == 3 and sample.img_shape == (8, 10)
    assert 'unrelated' not in sample.metainfo_keys()


def test_pack_without_annotations_and_array_frames():
    frames = np.zeros((2, 4, 5, 3), np.uint8)
    sample = PackVideoInputs(meta_keys=())(dict(frames=frames))['data_samples']
    assert 'gt_masks' not in sample and 'superpixels' not in sample


def test_pack_checks_shapes():
    results = _results()
    results['masks'] = results['masks'][:2]
    with pytest.raises(ValueError, match='masks'):
        PackVideoInputs()(results)
    with pytest.raises(ValueError, match='uint8'):
        PackVideoInputs()(dict(frames=[np.zeros((4, 4, 3), np.float32)]))
