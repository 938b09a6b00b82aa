"""A finer partition along the objects' boundaries (test_cfg.boundary_partition)."""
import numpy as np
import pytest
import torch

from shls.apis import VideoSegmenter
from shls.models.segmentors.boundary_band import (BoundaryBand, band_mask,
                                                   build_boundary_band, max_filter,
                                                   max_pool_filter, mix_in_band,
                                                   object_band, object_band_and_inside)
from shls.models.superpixels import ShiftedSuperpixels, SLICSuperpixels
from shls.utils.errors import ConfigError, UnknownNameError
from partition_kit import FINER, eq4_only_option, squares_clip, tiny_model

SLIC = dict(type='SLICSuperpixels', n_segments=60, max_num_iter=5)


def test_the_band_rings_each_large_enough_object():
    columns = torch.zeros(40, 40, dtype=torch.int64)
    columns[10:30, 10:30] = 1  # 400 px
    columns[2:5, 35:38] = 2    # 9 px
    band = band_mask(columns, torch.tensor([1, 2]), width=2, min_area=50)
    # boundary pixels on both sides (rows / columns 9-10 and 29-30), grown by 2
    ring = torch.zeros(40, 40, dtype=torch.bool)
    ring[7:33, 7:33] = True
    ring[13:27, 13:27] = False
    ring[[7, 7, 32, 32], [7, 32, 7, 32]] = False  # 3 px from the nearest boundary pixel
    assert torch.equal(band, ring)  # the small object has none
    both = band_mask(columns, torch.tensor([1, 2]), width=2, min_area=0)
    rows, cols = (both & ~band).nonzero().T
    assert both[2:5, 35:38].all() and rows.max() <= 7 and cols.min() >= 32
    assert not band_mask(torch.zeros(8, 8, dtype=torch.int64), torch.tensor([1]), 2, 0).any()
    assert not band_mask(columns, torch.tensor([], dtype=torch.int64), 2, 0).any()


def test_the_inside_is_the_rest_of_the_large_objects():
    classes = torch.tensor([0, 4, 7])  # background, two objects (ids, not columns)
    probs = torch.full((3, 40, 40), 0.1)
    probs[0] = 0.8
    probs[:, 10:30, 10:30] = torch.tensor([0.1, 0.8, 0.1])[:, None, None]  # 400 px
    probs[:, 2:5, 35:38] = torch.tensor([0.1, 0.1, 0.8])[:, None, None]    # 9 px
    for maps in (probs, probs[:2]):  # the last class implied or given
        band, inside = object_band_and_inside(maps, classes, 2, 50)
        assert torch.equal(band, object_band(maps, classes, 2, 50))
        expected = torch.zeros(40, 40, dtype=torch.bool)
        expected[13:27, 13:27] = True  # more than 2 px inside the large one's boundary
        assert torch.equal(inside, expected)  # the small object has neither
    _, none = object_band_and_inside(probs[:1].clone().fill_(0.9), classes, 2, 0)
    assert not none.any()


def test_the_max_filter_is_the_same_on_every_path():
    mask = torch.rand(37, 53, generator=torch.Generator().manual_seed(0)) > 0.97
    for width in (1, 4):
        assert torch.equal(max_filter(mask, width), max_pool_filter(mask, width))


def test_mixing_happens_only_in_the_band():
    maps = torch.full((1, 4, 4), 0.2)
    painted = torch.full((1, 4, 4), 1.0)
    band = torch.zeros(4, 4, dtype=torch.bool)
    band[1, 1] = True
    out = mix_in_band(maps, band, painted, partitions=2)
    assert out[0, 1, 1].item() == pytest.approx((2 * 0.2 + 1.0) / 3)
    assert torch.equal(out[0][~band], maps[0][~band])
    shared = mix_in_band(maps, band, painted, partitions=2, share=0.75)
    assert shared[0, 1, 1].item() == pytest.approx(0.25 * 0.2 + 0.75 * 1.0)
    assert torch.equal(shared[0][~band], maps[0][~band])


def test_build_boundary_band():
    assert build_boundary_band(None) is None
    built = build_boundary_band(dict(generator=SLIC))
    assert isinstance(built, BoundaryBand) and isinstance(built.generator, SLICSuperpixels)
    assert (built.width, built.min_object_side, built.share) == (12, 5.0, None)
    assert build_boundary_band(dict(generator=SLIC, share=1)).share == 1.0
    for bad, match in ((SLIC, 'must be None or a dict with a generator'),
                       (dict(generator=SLIC, widht=3), "did you mean 'width'"),
                       (dict(generator=SLIC, width=0), 'width must be an int >= 1'),
                       (dict(generator=SLIC, width=2.5), 'width must be an int >= 1'),
                       (dict(generator=SLIC, min_object_side=-1), 'must be >= 0'),
                       (dict(generator=SLIC, share=0), 'share must be None or in'),
                       (dict(generator=SLIC, share=1.5), 'share must be None or in'),
                       (dict(generator=SLIC, share=True), 'share must be None or in')):
        with pytest.raises(ConfigError, match=match):
            build_boundary_band(bad)
    with pytest.raises(UnknownNameError, match='boundary_partition.generator: unknown'):
        build_boundary_band(dict(generator=dict(type='NoSuchSuperpixels')))


def _run(seg, frames):
    return [seg.step(img, gt if t == 0 else None) for t, (img, gt) in enumerate(frames)]


@pytest.mark.parametrize('edge_aware', [None, dict(type='GuidedFilterMask', scale=1.0)])
def test_a_copy_of_the_main_partition_changes_nothing(edge_aware):
    # in the band the copy's probabilities are the main partition's: the same average
    model = tiny_model()
    plain, banded = (VideoSegmenter(model, refine=False, edge_aware=edge_aware,
                                    boundary_partition=cfg)
                     for cfg in (None, dict(FINER, generator=SLIC)))
    frames = squares_clip()
    for a, b in zip(_run(plain, frames), _run(banded, frames)):
        np.testing.assert_array_equal(a, b)
    assert plain.memory.num_entries == banded.memory.num_entries


def test_only_the_band_is_scored_and_the_memory_keeps_the_main_partition():
    model = tiny_model()
    plain = VideoSegmenter(model, refine=False)
    seg = VideoSegmenter(model, refine=False, boundary_partition=FINER,
                         extra_partitions=[dict(type='ShiftedSuperpixels', shift=3,
                                                generator=SLIC)])
    assert isinstance(seg.core.encoder.extra_partitions[0], ShiftedSuperpixels)
    frames = squares_clip()
    queried = []
    query = seg.core.memory.query
    seg.core.memory.query = lambda features: queried.append(len(features)) or query(features)
    outs = [_run(s, frames) for s in (plain, seg)]
    assert plain.memory.num_entries == seg.memory.num_entries
    assert any(not np.array_equal(a, b) for a, b in zip(*outs))
    # per predicted frame: main, shifted, then the finer partition's superpixels in the band
    ctx = seg.encode(frames[1][0])
    assert len(ctx.extra) == 1 and ctx.boundary is not None
    total = int(ctx.boundary.superpixels.max()) + 1
    assert len(queried) == 3 * (len(frames) - 1) and 0 < queried[2] < total
    # an annotated frame has neither
    ctx = seg.encode(frames[0][0], torch.from_numpy(frames[0][1]).long())
    assert ctx.extra == [] and ctx.boundary is None


def test_boundary_partition_needs_eq4_and_is_a_config_option():
    seg = eq4_only_option('boundary_partition', FINER)
    assert isinstance(seg.core.encoder.boundary_partition, SLICSuperpixels)
    assert seg.core.boundary_band.width == 3
