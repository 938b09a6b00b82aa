"""VideoSegmenter: streaming with a bounded memory, objects added, lost and found."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from shls.apis import FrameContext, Segmentation, VideoSegmenter, init_segmenter
from shls.registry import MODELS
from shls.utils import register_all_modules
from synthetic_clips import H, W, iou, moving_squares

TINY_CONFIG = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'fixtures',
                       'configs',
                       'shls_tiny.py')
make_frame = moving_squares


def build_model():
    register_all_modules(init_default_scope=False)
    torch.manual_seed(0)
    return MODELS.build(Config.fromfile(TINY_CONFIG).model)


@pytest.fixture(scope='module')
def model():
    return build_model()



def test_200_frames_stay_within_the_memory_cap(model):
    seg = VideoSegmenter(model)
    rng = np.random.default_rng(0)
    cap = seg.memory.cap_factor
    scores, grew = [], False
    for t in range(200):
        img, gt = make_frame(t, rng)
        out = seg.step(img, gt if t == 0 else None)
        assert out.shape == (H, W) and out.dtype == np.uint8
        for c, n in seg.memory.num_entries.items():
            assert n <= cap * seg.memory.pool(c).num_first
            grew |= n > seg.memory.pool(c).num_first
        if t:
            scores.append(iou(out, gt, 1))
    assert grew  # confident superfeatures were memorised
    assert seg.frame_index == 200 and seg.objects == [1]
    assert np.mean(scores) > 0.6
    first_total = sum(seg.memory.pool(c).num_first for c in seg.memory.num_entries)
    assert seg.memory.total_entries <= cap * first_total


def test_object_added_mid_video_with_objects(model):
    seg = VideoSegmenter(model)
    rng = np.random.default_rng(1)
    for t in range(16):
        img, gt = make_frame(t, rng, blue=t >= 8)
        if t == 0:
            out = seg.step(img, gt)
        elif t == 8:  # annotate only the new object; object 1 keeps being predicted
            new = np.where(gt == 2, 2, 0).astype(np.uint8)
            out = seg.step(img, new, objects=[2])
            assert ((out == 2) == (gt == 2)).all()
            assert iou(out, gt, 1) > 0.5
            assert seg.objects == [1, 2]
        else:
            out = seg.step(img)
        if t > 8:
            assert iou(out, gt, 1) > 0.5 and iou(out, gt, 2) > 0.5


def test_object_that_leaves_and_returns_keeps_its_id(model):
    seg = VideoSegmenter(model)
    rng = np.random.default_rng(2)
    for t in range(40):
        present = not 10 <= t < 25
        img, gt = make_frame(t, rng, red=present)
        out = seg.step(img, gt if t == 0 else None)
        if not present:
            assert (out == 1).sum() < 0.1 * 400, t
        elif t >= 25:
            assert iou(out, gt, 1) > 0.5, t
    assert seg.objects == [1]


def test_ids_that_skip_numbers_and_a_complete_later_annotation(model):
    seg = VideoSegmenter(model)
    rng = np.random.default_rng(7)
    for t in range(8):
        img, gt = make_frame(t, rng, blue=t >= 4)
        gt = np.select([gt == 1, gt == 2], [3, 5], 0).astype(np.uint8)
        out = seg.step(img, gt if t in (0, 4) else None)  # frame 4: every object annotated
        assert set(np.unique(out)) <= {0, 3, 5}
        if t > 4:
            assert iou(out, gt, 3) > 0.5 and iou(out, gt, 5) > 0.5
    assert seg.objects == [3, 5]


def test_void_is_ignored_and_empty_first_mask(model):
    rng = np.random.default_rng(3)
    img, gt = make_frame(0, rng)
    gt[:, :30] = 255
    seg = VideoSegmenter(model)
    out = seg.step(img, gt)
    assert (out[:, :30] == 0).all() and (out[gt == 1] == 1).all()
    spx = seg.encode(img, torch.from_numpy(gt.astype(np.int64))).superpixels.numpy()
    labelled = np.unique(spx[gt != 255]).size
    assert seg.memory.total_entries == labelled  # void superpixels never enter memory

    seg.reset()  # a first mask without object: background only, objects added later
    assert (seg.step(img, np.zeros((H, W), np.uint8)) == 0).all()
    assert seg.objects == [] and (seg.step(img) == 0).all()
    img, gt = make_frame(2, rng)
    seg.step(img, gt, objects=[1])
    assert seg.objects == [1]
    img, gt = make_frame(3, rng)
    assert iou(seg.step(img), gt, 1) > 0.5


def test_tensor_frames_vote_mode_and_seam(model):
    rng = np.random.default_rng(4)
    frames = [make_frame(t, rng) for t in range(6)]
    a, b = VideoSegmenter(model), VideoSegmenter(model)
    for t, (img, gt) in enumerate(frames):
        mask = gt if t == 0 else None
        chw = torch.from_numpy(img).permute(2, 0, 1)
        np.testing.assert_array_equal(a.step(img, mask), b.step(chw, mask))

    vote = VideoSegmenter(model, presegmentation='vote')
    for t, (img, gt) in enumerate(frames):
        out = vote.step(img, gt if t == 0 else None)
    assert iou(out, frames[-1][1], 1) > 0.5

    class Everything(VideoSegmenter):  # the refinement module's override point
        def segment(self, ctx: FrameContext) -> Segmentation:
            seg = super().segment(ctx)
            assert seg.probs.shape == (len(ctx.features), 2)
            assert torch.allclose(seg.probs.sum(1), torch.ones(len(ctx.features)))
            return seg._replace(mask=torch.ones_like(seg.mask))

    custom = Everything(model)
    custom.step(*frames[0])
    assert (custom.step(frames[1][0]) == 1).all()


def test_bad_inputs(model):
    seg = VideoSegmenter(model)
    rng = np.random.default_rng(5)
    img, gt = make_frame(0, rng)
    with pytest.raises(RuntimeError, match='first frame needs a mask'):
        seg.step(img)
    with pytest.raises(ValueError, match='mask shape'):
        seg.step(img, gt[:-1])
    with pytest.raises(ValueError, match='no pixel'):
        seg.step(img, np.full((H, W), 255, np.uint8))
    with pytest.raises(ValueError, match='absent from the mask'):
        seg.step(img, gt, objects=[3])
    with pytest.raises(ValueError, match='ids must be in'):
        seg.step(img, gt.astype(np.int32) * 300)
    seg.step(img, gt)
    with pytest.raises(ValueError, match='video started at 96x64'):
        seg.step(img[:32])
    with pytest.raises(ValueError, match="did you mean 'presegmentation'"):
        VideoSegmenter(model, presegmentaton='vote')
    with pytest.raises(ValueError, match='must be one of'):
        VideoSegmenter(model, presegmentation='knn')


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_cuda_matches_cpu():
    rng = np.random.default_rng(6)
    frames = [make_frame(t, rng) for t in range(5)]
    cpu, gpu = VideoSegmenter(build_model()), VideoSegmenter(build_model(), device='cuda')
    assert gpu.device.type == 'cuda'
    agree = []
    for t, (img, gt) in enumerate(frames):
        mask = gt if t == 0 else None
        agree.append((cpu.step(img, mask) == gpu.step(img, mask)).mean())
    assert min(agree) > 0.99


def test_no_learning_variant_skips_the_backbone():
    """learned_weight=0 + colour block: the backbone never runs, masks still come out."""
    model = build_model()
    calls = []
    model.backbone.register_forward_hook(lambda *a: calls.append(1))
    seg = VideoSegmenter(model, handcrafted=dict(type='SuperpixelColourStats'),
                         learned_weight=0.0)
    assert not seg.uses_backbone
    rng = np.random.default_rng(0)
    for t in range(3):
        img, gt = make_frame(t, rng)
        out = seg.step(img, gt if t == 0 else None)
        assert out.shape == gt.shape
    assert calls == []
    assert VideoSegmenter(model, handcrafted=dict(type='SuperpixelColourStats')).uses_backbone


def test_flow_in_a_second_thread_gives_the_sequential_warp():
    # encode() computes the flow beside the superpixels; ctx.warped_mask must be what
    # the warper gives when called on its own
    torch.manual_seed(0)
    with pytest.warns(UserWarning, match='random weights'):
        seg = init_segmenter(TINY_CONFIG, device='cpu', presegmentation='eq4',
                             flow_prior=dict(weight=1.0, scale=0.5))
    rng = np.random.default_rng(0)
    frames = [(90 + rng.integers(0, 20, (48, 64, 3))).astype(np.uint8) for _ in range(3)]
    for t, img in enumerate(frames):
        img[10:26, 8 + 3 * t:24 + 3 * t] = (220, 30, 30)
    first = np.zeros((48, 64), np.uint8)
    first[10:26, 8:24] = 1
    seg.reset()
    seg.step(frames[0], mask=first)
    prev = seg._prev_mask.to(torch.uint8).numpy()
    expected = seg.flow_warper(prev, frames[0], frames[1])
    ctx = seg.encode(frames[1])
    assert np.array_equal(ctx.warped_mask.numpy(), expected)
    assert seg.encode(frames[1]).superpixels.shape == (48, 64)
