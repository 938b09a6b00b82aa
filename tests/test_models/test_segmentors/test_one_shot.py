"""OneShotCore: the one per-frame algorithm of the streaming API and stage-2 training."""
import os.path as osp
from collections import Counter

import numpy as np
import pytest
import torch
from mmengine.config import Config

from shls.apis import VideoSegmenter
from shls.models.segmentors import (FrameEncoder, OneShotCore, Refiner, Segmentation,
                                    SuperfeatureDescriber)
from shls.models.segmentors.refine_loss import frame_loss
from shls.models.utils import segment_mode
from shls.registry import MODELS
from shls.structures import VideoDataSample
from shls.utils import register_all_modules
from synthetic_clips import H, W, moving_squares

CONFIGS = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'fixtures',
                   'configs')
STEPS = ('write_annotation', 'start_refiner', 'query', 'presegment', 'rois', 'refine',
         'memorise')


@pytest.fixture(scope='module')
def model():
    register_all_modules(init_default_scope=False)
    torch.manual_seed(0)
    return MODELS.build(Config.fromfile(osp.join(CONFIGS, 'shls_tiny_refine.py')).model)


def _frames(num, seed=0):
    rng = np.random.default_rng(seed)
    return [moving_squares(t, rng, step=2, blue=True) for t in range(num)]


def _core(model, **kwargs):
    encoder = FrameEncoder(model, SuperfeatureDescriber(), with_maps=True)
    return OneShotCore(model.build_memory(), encoder, Refiner(model.decoder), **kwargs)


def _start(core, img, gt):
    """Encode an annotated frame and write it into the core; returns its context."""
    target = torch.from_numpy(gt.astype(np.int64))
    ctx = core.encode(img, gt)
    labels = segment_mode(ctx.superpixels, target, len(ctx.features), 256, 255)
    core.write_annotation(ctx.features, labels)
    core.start_refiner(ctx, target)
    return ctx


def _spy_steps(monkeypatch):
    """Count the calls of every per-frame method of OneShotCore."""
    calls = Counter()
    for name in STEPS:
        original = getattr(OneShotCore, name)

        def spy(self, *args, _name=name, _original=original, **kwargs):
            calls[_name] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(OneShotCore, name, spy)
    return calls


def test_the_memory_is_built_in_one_place(model, monkeypatch):
    a, b = model.build_memory(), model.build_memory()
    assert a is not b and type(a) is MODELS.get(model.memory_cfg['type'])
    built = []
    original = type(model).build_memory
    monkeypatch.setattr(type(model), 'build_memory',
                        lambda self: built.append(1) or original(self))
    VideoSegmenter(model)
    model.build_training_core()
    assert len(built) == 2


def test_streaming_and_training_run_the_same_core_steps(model, monkeypatch):
    calls = _spy_steps(monkeypatch)
    seg = VideoSegmenter(model)
    assert isinstance(seg.core, OneShotCore)
    for t, (img, gt) in enumerate(_frames(3)):
        seg.step(img, gt if t == 0 else None)
    streaming, calls = dict(calls), _spy_steps(monkeypatch)
    assert streaming == dict(write_annotation=1, start_refiner=1, query=2, presegment=2,
                             rois=2, refine=2, memorise=2)

    train_model = MODELS.build(Config.fromfile(osp.join(CONFIGS, 'shls_tiny_refine.py')).model)
    train_model.load_state_dict(model.state_dict())
    train_model.train()
    frames, masks = zip(*_frames(3))
    inputs = torch.from_numpy(np.stack(frames)).permute(0, 3, 1, 2).contiguous()
    sample = VideoDataSample(gt_masks=torch.from_numpy(np.stack(masks).astype(np.int64)))
    data = train_model.data_preprocessor(dict(inputs=[inputs], data_samples=[sample]), True)
    loss = train_model(**data, mode='loss')['loss_refine']
    assert torch.isfinite(loss)
    # frames 1 and 2 refined; the last frame is not memorised
    assert dict(calls) == dict(write_annotation=1, start_refiner=1, query=2, presegment=2,
                               rois=2, refine=2, memorise=1)


@torch.no_grad()
def test_one_frame_through_the_core(model):
    core = _core(model.eval())
    (img0, gt0), (img1, gt1) = _frames(2, seed=1)
    _start(core, img0, gt0)
    assert core.objects == [1, 2] and core.refiner.object_ids.tolist() == [1, 2]
    ctx = core.encode(img1, index=1)
    assert ctx.readout is None and ctx.l1.shape == (1, 8 + 3, H, W)
    readout = core.query(ctx)
    assert ctx.readout is readout and readout.classes.tolist() == [0, 1, 2]
    pre = core.presegment(ctx)
    assert pre.refined is None and pre.mask.shape == (H, W)
    torch.testing.assert_close(pre.probs.sum(1), torch.ones(len(ctx.features)))
    seg = core.refine(ctx, pre)
    assert isinstance(seg, Segmentation) and seg.labels is pre.labels
    assert seg.refined.logits.shape == (3, H, W)
    assert torch.equal(seg.refined.boxes, core.rois(pre.mask))  # test-time ROIs
    assert torch.equal(seg.mask, seg.refined.mask())
    torch.testing.assert_close(seg.probs.sum(1), torch.ones(len(ctx.features)))
    before = core.memory.total_entries
    core.memorise(ctx, seg)
    assert core.memory.total_entries >= before
    assert frame_loss(seg, torch.from_numpy(gt1.astype(np.int64))) > 0
    assert frame_loss(seg, torch.full((H, W), 255)) is None  # all void
    core.reset()
    assert core.objects == [] and not core.refiner.started


@torch.no_grad()
def test_later_annotations_add_and_update_classes(model):
    core = _core(model.eval())
    (img0, gt0), (img1, gt1) = _frames(2, seed=2)
    _start(core, img0, np.where(gt0 == 2, 0, gt0).astype(np.uint8))
    assert core.objects == [1]
    first = core.memory.num_entries[1]
    _start(core, img1, gt1)
    assert core.objects == [1, 2] and core.refiner.object_ids.tolist() == [1, 2]
    assert core.memory.num_entries[1] > first  # object 1 updated, object 2 added


@torch.no_grad()
def test_vote_presegmentation_and_priors(model):
    (img0, gt0), (img1, _) = _frames(2, seed=3)
    plain = _core(model.eval())
    prior = _core(model, presegmentation='vote', proximity_prior=dict(margin=0.5, weight=1.0))
    for core in (plain, prior):
        _start(core, img0, gt0)
    ctx = plain.encode(img1)
    ctx.prev_mask = torch.from_numpy(gt0.astype(np.int64))
    plain.query(ctx)
    a, b = plain.presegment(ctx), prior.presegment(ctx)
    assert set(b.mask.unique().tolist()) <= {0, 1, 2}
    assert not torch.allclose(a.probs, b.probs)  # the proximity prior moved the scores
    with pytest.raises(ValueError, match='must be one of'):
        _core(model, presegmentation='knn')


def test_describer_standardises_with_the_first_frame():
    assert not SuperfeatureDescriber().active
    feats = torch.randn(5, 3, requires_grad=True)
    assert SuperfeatureDescriber()(feats) is feats  # untouched, gradient included
    describer = SuperfeatureDescriber(standardize=True)
    first = describer(feats)
    assert not first.requires_grad
    torch.testing.assert_close(first.mean(0), torch.zeros(3))
    shifted = describer(feats + 1.0)  # the first frame's statistics are kept
    torch.testing.assert_close(shifted - first, torch.ones(5, 3) / first.new_tensor(
        ((feats - feats.mean(0)) ** 2).sum(1).mean().sqrt().item()))
    describer.reset()
    torch.testing.assert_close(describer(feats + 1.0), first)
    colour = SuperfeatureDescriber.build(dict(type='SuperpixelColourStats'))
    with pytest.raises(ValueError, match='needs the frame'):
        colour(feats)
    spx = torch.arange(4).repeat_interleave(4).view(4, 4)
    rgb = np.random.default_rng(0).integers(0, 255, (4, 4, 3), dtype=np.uint8)
    out = colour(feats[:4], rgb, spx)
    assert out.shape[0] == 4 and out.shape[1] > 3
