"""Several superpixel partitions per frame (test_cfg.extra_partitions)."""
import numpy as np
import pytest
import torch

from shls.apis import VideoSegmenter
from shls.models.segmentors import GuidedFilterMask
from shls.models.segmentors.partitions import build_extra_partitions, mean_painted
from shls.models.superpixels import ResizedSuperpixels, ShiftedSuperpixels
from shls.utils.errors import ConfigError, UnknownNameError
from partition_kit import FINER, eq4_only_option, squares_clip, tiny_model

SHIFTED = [dict(type='ShiftedSuperpixels', shift=3,
                generator=dict(type='SLICSuperpixels', n_segments=60, max_num_iter=5))]


def test_mean_painted_averages_the_painted_probabilities():
    a = torch.tensor([[0, 0], [1, 1]])
    b = torch.tensor([[0, 1], [0, 1]])
    probs_a = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    probs_b = torch.tensor([[0.5, 0.5], [0.0, 1.0]])
    out = mean_painted([(a, probs_a), (b, probs_b)])
    assert out.shape == (2, 2, 2) and out.dtype == torch.float32
    torch.testing.assert_close(out[1], torch.tensor([[0.25, 0.5], [0.75, 1.0]]))
    torch.testing.assert_close(mean_painted([(a, probs_a)]), probs_a.T[:, a])


def test_guided_filter_mask_with_extra_partitions():
    g = torch.Generator().manual_seed(0)
    image = torch.rand(1, 3, 40, 40, generator=g)
    main = (torch.arange(40)[:, None] // 10 * 4 + torch.arange(40)[None] // 10).long()
    probs = torch.softmax(3 * torch.randn(16, 2, generator=g), dim=1)
    filt = GuidedFilterMask(radius=0.5, eps=0.1, scale=1.0)
    alone = filt(image, main, probs)
    # the same partition twice is the same average
    assert torch.equal(filt(image, main, probs, extra=[(main, probs)]), alone)
    # a confident second partition that says class 1 everywhere outvotes the unsure pixels
    other = torch.zeros(40, 40, dtype=torch.int64)
    sure = torch.tensor([[0.0, 1.0]])
    both = filt(image, main, probs, extra=[(other, sure)])
    assert not alone.all() and (both >= alone).all() and both.sum() > alone.sum()


def test_build_extra_partitions():
    assert build_extra_partitions(None) == []
    built = build_extra_partitions([dict(type='ResizedSuperpixels', scale=0.5,
                                         generator=SHIFTED[0])])
    assert isinstance(built[0], ResizedSuperpixels)
    assert isinstance(built[0].generator, ShiftedSuperpixels)
    with pytest.raises(ConfigError, match='must be None or a list'):
        build_extra_partitions(SHIFTED[0])
    with pytest.raises(UnknownNameError, match=r'extra_partitions\[0\]: unknown type'):
        build_extra_partitions([dict(type='NoSuchSuperpixels')])


@pytest.mark.parametrize('edge_aware', [None, dict(type='GuidedFilterMask', scale=1.0)])
def test_a_copy_of_the_main_partition_changes_nothing(edge_aware):
    # the average of a partition with itself is itself: the same masks, labels and
    # confidences, so the same memory
    model = tiny_model()
    copy = [dict(type='SLICSuperpixels', n_segments=60, max_num_iter=5)]
    plain, multi = (VideoSegmenter(model, refine=False, edge_aware=edge_aware,
                                   extra_partitions=cfg) for cfg in (None, copy))
    frames = squares_clip()
    for t, (img, gt) in enumerate(frames):
        np.testing.assert_array_equal(plain.step(img, gt if t == 0 else None),
                                      multi.step(img, gt if t == 0 else None))
    assert plain.memory.num_entries == multi.memory.num_entries


def test_masks_use_every_partition_but_the_memory_only_the_main_one():
    model = tiny_model()
    plain, seg = (VideoSegmenter(model, refine=False, extra_partitions=cfg)
                  for cfg in (None, SHIFTED))
    assert seg.core.encoder.extra_partitions and not plain.core.encoder.extra_partitions
    frames = squares_clip()
    outs = [[s.step(img, gt if t == 0 else None) for t, (img, gt) in enumerate(frames)]
            for s in (plain, seg)]
    for a, b in zip(*outs):
        assert a.shape == b.shape and a.dtype == b.dtype
    assert plain.memory.num_entries == seg.memory.num_entries
    # an annotated frame has no extra partition; a predicted one has one per generator
    ctx = seg.encode(frames[0][0], torch.from_numpy(frames[0][1]).long())
    assert ctx.extra == []
    ctx = seg.encode(frames[1][0])
    assert len(ctx.extra) == 1 and ctx.extra[0].features.shape[1] == ctx.features.shape[1]


@pytest.mark.parametrize('options', [dict(extra_partitions=SHIFTED),
                                     dict(boundary_partition=FINER)],
                         ids=['extra_partitions', 'boundary_partition'])
def test_prefetched_partitions_give_the_same_masks(options):
    model = tiny_model()
    frames = squares_clip(3)
    outs = []
    for prefetch in (False, True):
        seg = VideoSegmenter(model, refine=False, prefetch=prefetch, **options)
        out = [seg.step(frames[0][0], frames[0][1])]
        for t in (1, 2):
            seg.prefetch(frames[t][0])
            out.append(seg.step(frames[t][0]))
        outs.append(out)
    for a, b in zip(*outs):
        np.testing.assert_array_equal(a, b)


def test_painted_masks_and_refinement_maps_take_extra_partitions_too():
    model = tiny_model()
    seg = VideoSegmenter(model, refine=False, extra_partitions=SHIFTED, edge_aware=None)
    frames = squares_clip(3)
    out = [seg.step(img, gt if t == 0 else None) for t, (img, gt) in enumerate(frames)]
    assert all(o.shape == frames[0][1].shape for o in out)
    spx = torch.from_numpy(model.compute_superpixels(frames[1][0], test=True)).long()
    image = model.data_preprocessor.normalize(
        torch.from_numpy(frames[1][0]).permute(2, 0, 1)[None])
    with torch.no_grad():
        maps = model.extract_feature_maps(image, spx[None], [spx[None]])
        multi = model.extract_superfeatures_multi(image, [spx[None], spx[None]])
    torch.testing.assert_close(maps.extra[0], maps.features)
    torch.testing.assert_close(multi[0], multi[1])


def test_extra_partitions_need_eq4_and_are_a_config_option():
    seg = eq4_only_option('extra_partitions', SHIFTED)
    assert len(seg.core.encoder.extra_partitions) == 1
