"""SHLS stage 2: refinement loss through the memory, frozen submodules, decoder maps."""
import numpy as np
import pytest
import torch
from mmengine.optim import OptimWrapper

from shls.models.utils import segment_meta
from shls.registry import MODELS
from shls.structures import VideoDataSample
from shls.utils import register_all_modules

TINY_DECODER = dict(type='RefineDecoder', l1_channels=8 + 3, l4_channels=16 + 3,
                    modulator_channels=8, deep_channels=16, skip_channels=8)


def _model(**kwargs):
    register_all_modules(init_default_scope=False)
    torch.manual_seed(0)
    cfg = dict(type='SHLS',
               backbone=dict(type='SlimResNet', stem_channels=8, stage_channels=(8, 16, 16, 16),
                             stage_blocks=(1, 1, 1, 1)),
               head=dict(type='SuperfeatureHead', l1_channels=8, l4_channels=16),
               loss=dict(type='NTXentLoss'), decoder=TINY_DECODER,
               superpixels=dict(type='SLICSuperpixels', n_segments=40, max_num_iter=5),
               memory=dict(type='MemoryBank', kmeans=dict(num_iters=10, num_restarts=1)),
               self_check=False)
    cfg.update(kwargs)
    return MODELS.build(cfg)


def _clip(size=48, num_frames=3, objects=True):
    """Two coloured squares moving over a dark noisy background (ids 1 and 2)."""
    rng = np.random.default_rng(0)
    frames = np.zeros((num_frames, size, size, 3), np.uint8)
    masks = np.zeros((num_frames, size, size), np.int64)
    frames[:] = rng.integers(0, 60, (1, size, size, 3))
    for t in range(num_frames if objects else 0):
        x = 6 + 3 * t
        frames[t, 8:24, x:x + 14] = (220, 40, 40)
        masks[t, 8:24, x:x + 14] = 1
        frames[t, 30:44, 26 - t:40 - t] = (40, 60, 220)
        masks[t, 30:44, 26 - t:40 - t] = 2
    masks[-1, :2] = 255  # a void strip is ignored
    inputs = torch.from_numpy(frames).permute(0, 3, 1, 2).contiguous()
    return dict(inputs=[inputs],
                data_samples=[VideoDataSample(gt_masks=torch.from_numpy(masks))])


def _snapshot(module):
    return {k: v.clone() for k, v in module.state_dict().items()}


def test_stage2_step_changes_only_the_decoder():
    model = _model(loss=None, frozen=('backbone', 'head'))
    model.train()
    assert not model.backbone.training and not model.head.training and model.decoder.training
    assert not any(p.requires_grad for p in model.backbone.parameters())
    frozen_before = {'backbone': _snapshot(model.backbone), 'head': _snapshot(model.head)}
    decoder_before = _snapshot(model.decoder)
    wrapper = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-3))
    log = model.train_step(_clip(), wrapper)
    assert set(log) == {'loss', 'loss_refine'} and torch.isfinite(log['loss_refine'])
    for name, before in frozen_before.items():  # weights and BN running statistics
        after = getattr(model, name).state_dict()
        assert all(torch.equal(before[k], after[k]) for k in before), name
    after = model.decoder.state_dict()
    changed = [k for k in decoder_before if not torch.equal(decoder_before[k], after[k])]
    assert any(k.endswith('weight') for k in changed)


def test_loss_refine_decreases_on_a_clip():
    model = _model(loss=None, frozen=('backbone', 'head')).train()
    optim = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=3e-3)
    data = model.data_preprocessor(_clip(), True)
    losses = []
    for _ in range(6):
        loss = model(**data, mode='loss')['loss_refine']
        optim.zero_grad()
        loss.backward()
        optim.step()
        losses.append(loss.item())
    assert np.isfinite(losses).all()
    assert np.mean(losses[-2:]) < 0.5 * losses[0]


@pytest.mark.parametrize('train_cfg', [dict(roi_from_prediction=True, roi_margin=0.3),
                                       dict(roi_jitter=0.3),
                                       dict(roi_from_prediction=True, false_blob_prob=1.0)])
def test_test_like_and_jittered_rois_train(train_cfg, monkeypatch):
    from shls.models.segmentors import refine_loss
    seen = []
    original = refine_loss.jitter_boxes

    def spy(boxes, *args):
        out = original(boxes, *args)
        seen.append((boxes.clone(), out.clone()))
        return out

    monkeypatch.setattr(refine_loss, 'jitter_boxes', spy)
    planted = []
    plant = refine_loss.plant_false_blobs

    def plant_spy(*args):
        planted.append(1)
        return plant(*args)

    monkeypatch.setattr(refine_loss, 'plant_false_blobs', plant_spy)
    model = _model(loss=None, frozen=('backbone', 'head'), train_cfg=train_cfg).train()
    before = _snapshot(model.decoder)
    log = model.train_step(_clip(), OptimWrapper(torch.optim.Adam(model.parameters(), 1e-3)))
    assert torch.isfinite(log['loss_refine'])
    assert any(not torch.equal(before[k], v) for k, v in model.decoder.state_dict().items())
    assert len(seen) == 2  # frames 1 and 2
    if train_cfg.get('false_blob_prob'):
        assert len(planted) == 2  # frames 1 and 2 each got a blob
    if train_cfg.get('roi_jitter'):
        assert any(not torch.equal(a, b) for a, b in seen)
    else:  # boxes from the pre-segmentation: never smaller than the frame-0 ROI
        assert all(torch.equal(a, b) for a, b in seen)


def test_joint_training_has_both_losses_and_reaches_the_backbone():
    model = _model(train_cfg=dict(roi=False, update_memory=False)).train()
    losses = model(**model.data_preprocessor(_clip(), True), mode='loss')
    assert set(losses) == {'loss_contrastive', 'loss_refine'}
    (losses['loss_contrastive'] + losses['loss_refine']).backward()
    assert model.backbone.stem[0].weight.grad.abs().sum() > 0
    assert model.decoder.predict.weight.grad.abs().sum() > 0


def test_clip_without_objects_gives_a_zero_loss_in_the_graph():
    model = _model(loss=None).train()
    loss = model(**model.data_preprocessor(_clip(objects=False), True), mode='loss')
    assert loss['loss_refine'].item() == 0 and loss['loss_refine'].requires_grad


def test_feature_maps_carry_painted_meta_channels():
    model = _model().eval()
    frames = torch.randn(2, 3, 24, 32)
    spx = (torch.arange(24)[:, None] // 6 * 4 + torch.arange(32)[None] // 8).expand(2, 24, 32)
    spx = spx.clone()
    spx[1] = spx[1].flip(0)
    with torch.no_grad():
        maps = model.extract_feature_maps(frames, spx)
        feats, counts = model.extract_superfeatures(frames, spx)
    torch.testing.assert_close(maps.features, feats)
    assert maps.l1.shape == (2, 8 + 3, 24, 32) and maps.l4.shape == (2, 16 + 3, 6, 8)
    meta = segment_meta(spx[1:], 16)
    torch.testing.assert_close(maps.l1[1, -3:], meta[spx[1]].permute(2, 0, 1))


@pytest.mark.parametrize('kwargs, error, pattern', [
    (dict(frozen=('backbone', 'neck')), ValueError, "no submodule 'neck'"),
    (dict(train_cfg=dict(roi_margn=0.5)), ValueError, "did you mean 'roi_margin'"),
    (dict(decoder=None, train_cfg=dict(refine=True)), ValueError, 'needs a decoder'),
    (dict(train_cfg=dict(false_blob_prob=1.5)), ValueError, r'false_blob_prob must be in'),
    (dict(train_cfg=dict(roi_jitter=-0.1)), ValueError, r'roi_jitter must be >= 0'),
])
def test_bad_arguments(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        _model(**kwargs)


def test_nothing_to_train_is_an_error():
    model = _model(loss=None, decoder=None)
    with pytest.raises(RuntimeError, match='nothing to train'):
        model(**model.data_preprocessor(_clip(), True), mode='loss')


def test_stage2_with_the_colour_block_trains_on_the_test_descriptors():
    model = _model(loss=None, frozen=('backbone', 'head'),
                   decoder=dict(TINY_DECODER, prior_weight=10.0),
                   train_cfg=dict(handcrafted=dict(type='SuperpixelColourStats')))
    model.decoder.init_weights()
    model.train()
    data = model.data_preprocessor(_clip(), True)
    seen = {}
    original = MODELS.get('MemoryBank').fit

    def spy(self, features, labels):
        seen['width'] = features.shape[1]
        return original(self, features, labels)

    MODELS.get('MemoryBank').fit = spy
    try:
        loss = model(**data, mode='loss')['loss_refine']
    finally:
        MODELS.get('MemoryBank').fit = original
    assert torch.isfinite(loss)
    learned = model.head.out_channels if hasattr(model.head, 'out_channels') else 32
    assert seen['width'] > learned  # learned block + colour block
    loss.backward()
    assert model.decoder.prior_scale.grad is not None


def test_stage2_colour_block_needs_inputs():
    model = _model(loss=None, frozen=('backbone', 'head'),
                   train_cfg=dict(handcrafted=dict(type='SuperpixelColourStats'))).train()
    data = model.data_preprocessor(_clip(), True)
    emb = model._embed(data['inputs'], data['data_samples'], with_maps=True)
    masks = torch.stack([ds.gt_masks for ds in data['data_samples']]).long()
    with pytest.raises(ValueError, match='input frames'):
        model.refine_loss(emb, masks)


def test_decoder_maps_do_not_depend_on_where_the_backbone_returns_l1():
    # l1_at_input_size=False: extract_superfeatures pools L1 at its own stride, but the
    # decoder's maps and their superfeatures are those of a full-size L1
    full = _model().eval()
    strided = _model().eval()
    strided.backbone.l1_at_input_size = False
    frames = torch.randn(1, 3, 48, 64)
    spx = torch.from_numpy(full.superpixel_generator(np.random.default_rng(0).integers(
        0, 255, (48, 64, 3), dtype=np.uint8))).long()[None]
    with torch.no_grad():
        a, b = full.extract_feature_maps(frames, spx), strided.extract_feature_maps(frames, spx)
        assert torch.equal(a.l1, b.l1) and torch.equal(a.l4, b.l4)
        assert torch.equal(a.features, b.features)
        pooled, _ = strided.extract_superfeatures(frames, spx)
    assert pooled.shape == a.features.shape
    assert not torch.equal(pooled, a.features)  # pooled at stride 2: close, not equal
    assert torch.nn.functional.cosine_similarity(pooled, a.features).mean() > 0.9
