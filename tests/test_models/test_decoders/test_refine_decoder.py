import pytest
import torch

from shls.models.decoders import (FeatureModulator, FrameInputs, ObjectInputs, RefineDecoder,
                                  crop_object_inputs, foreground_probs, quarter_size,
                                  soft_aggregation_logits)
from shls.registry import MODELS

C1, C4 = 35, 131  # slim backbone (32 / 128) + 3 meta channels
SLIM = dict(l1_channels=C1, l4_channels=C4, deep_channels=32, skip_channels=16)


def _object_inputs(k, h, w, c1=C1, c4=C4):
    h4, w4 = quarter_size((h, w))
    full = [(c1, h, w), (c4, h4, w4), (1, h, w), (1, h, w), (c1, h, w), (c4, h4, w4),
            (4, h, w), (c1, h, w), (c4, h4, w4), (4, h, w)]
    return ObjectInputs(*(torch.rand(k, *shape) for shape in full))


def _frame(k, h, w, boxes, with_map=True, seed=0):
    g = torch.Generator().manual_seed(seed)
    h4, w4 = quarter_size((h, w))
    obj_map = (torch.rand(k, 1, h, w, generator=g) > 0.5).float() if with_map else None
    return FrameInputs(torch.rand(1, C1, h, w, generator=g),
                       torch.rand(1, C4, h4, w4, generator=g), torch.tensor(boxes),
                       torch.rand(k, 4, h, w, generator=g), obj_map)


def test_built_from_registry_and_parameter_count():
    full = MODELS.build(dict(type='RefineDecoder'))
    n_full = sum(p.numel() for p in full.parameters())
    assert 8.7e6 < n_full < 8.9e6  # method.md: whole model 13.9 M - backbone 5.1 M
    n_slim = sum(p.numel() for p in RefineDecoder(**SLIM).parameters())
    assert n_slim < 0.3e6


@pytest.mark.parametrize('size', [(13, 21), (16, 24), (9, 7)])
@pytest.mark.parametrize('k', [1, 3])
def test_output_shape_odd_sizes_and_k_objects(size, k):
    dec = RefineDecoder(**SLIM)
    out = dec(**_object_inputs(k, *size).to_kwargs())
    assert out.shape == (k, 2) + size


def test_gradients_reach_every_parameter():
    dec = RefineDecoder(**SLIM)
    dec.init_weights()
    inputs = _object_inputs(2, 12, 20)
    dec(**inputs.to_kwargs()).logsumexp(1).mean().backward()
    for name, p in dec.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_modulator_rejects_mismatched_l4():
    mod = FeatureModulator(C1, C4)
    with pytest.raises(ValueError):
        mod(torch.rand(1, C1, 16, 16), torch.rand(1, 4, 16, 16), torch.rand(1, C4, 5, 5))
    assert mod(torch.rand(2, C1, 13, 13), torch.rand(2, 4, 13, 13),
               torch.rand(2, C4, 4, 4)).shape == (2, C4, 4, 4)


def test_forward_frames_groups_crops_and_pastes():
    h, w = 30, 42
    cur_boxes = [[4, 2, 20, 14], [20, 10, 40, 30], [0, 0, 16, 12]]
    first = _frame(3, h, w, [[0, 0, 20, 16], [18, 8, 42, 30], [2, 2, 10, 10]], seed=1)
    prev = _frame(3, h, w, [[4, 4, 20, 16], [20, 8, 40, 28], [0, 0, 12, 12]], seed=2)
    cur = _frame(3, h, w, cur_boxes, with_map=False, seed=3)
    dec = RefineDecoder(**SLIM).eval()
    with torch.no_grad():
        canvas = dec.forward_frames(first, prev, cur)
        assert canvas.shape == (3, 2, h, w)
        for i, (x1, y1, x2, y2) in enumerate(cur_boxes):
            idx = torch.tensor([i])
            inputs = crop_object_inputs(first.select(idx), prev.select(idx), cur.select(idx),
                                        (y2 - y1, x2 - x1))
            torch.testing.assert_close(canvas[i, :, y1:y2, x1:x2], dec(**inputs.to_kwargs())[0])
            fg = canvas[i].softmax(0)[1]
            fg[y1:y2, x1:x2] = 0
            assert fg.max() == 0
        fixed = dec.forward_frames(first, prev, cur, roi_size=(8, 8))
    assert fixed.shape == (3, 2, h, w)


def test_crop_object_inputs_needs_maps():
    first = _frame(1, 16, 16, [[0, 0, 8, 8]], with_map=False)
    with pytest.raises(ValueError):
        crop_object_inputs(first, first, first, (8, 8))


def test_training_path_backpropagates_through_aggregation():
    h, w = 24, 28
    first = _frame(2, h, w, [[0, 0, 16, 16], [8, 8, 28, 24]], seed=4)
    prev = _frame(2, h, w, [[0, 0, 16, 12], [12, 8, 28, 24]], seed=5)
    cur = _frame(2, h, w, [[2, 2, 18, 14], [12, 4, 28, 24]], with_map=False, seed=6)
    dec = RefineDecoder(**SLIM)
    fg = foreground_probs(dec.forward_frames(first, prev, cur))
    target = torch.randint(0, 3, (1, h, w))
    loss = torch.nn.functional.cross_entropy(soft_aggregation_logits(fg)[None], target)
    loss.backward()
    assert torch.isfinite(loss) and dec.predict.weight.grad.abs().sum() > 0
    assert dec.modulator.conv_att.weight.grad.abs().sum() > 0


def test_residual_prior_starts_at_the_presegmentation_and_learns():
    dec = RefineDecoder(**SLIM, prior_weight=10.0)
    dec.init_weights()
    inputs = _object_inputs(2, 12, 20)
    att = inputs.cur_att
    score = att[:, 0] - att[:, 1] + att[:, 2] - att[:, 3]
    logits = dec(**inputs.to_kwargs())
    assert torch.allclose(logits[:, 1] - logits[:, 0], 10.0 * score, atol=1e-5)
    logits.logsumexp(1).mean().backward()
    assert dec.predict.weight.grad.abs().sum() > 0
    assert dec.prior_scale.grad is not None and dec.prior_scale.grad.abs() > 0


def test_residual_prior_needs_two_classes():
    with pytest.raises(ValueError, match='prior_weight'):
        RefineDecoder(**SLIM, num_classes=3, prior_weight=1.0)


def _trained_like(dec):
    """Give the zero-initialised last conv random weights (a decoder after training)."""
    torch.manual_seed(1)
    torch.nn.init.normal_(dec.predict.weight, std=0.5)
    torch.nn.init.normal_(dec.predict.bias, std=2.0)
    return dec


def test_prune_only_never_raises_the_object_above_the_prior():
    dec = RefineDecoder(**SLIM, prior_weight=10.0, prune_only=True)
    dec.init_weights()
    start = dec(**_object_inputs(2, 12, 20).to_kwargs())
    start[:, 1].sum().backward()  # the correction's gradient is alive at initialisation
    assert dec.predict.weight.grad.abs().sum() > 0
    _trained_like(dec)
    inputs = _object_inputs(2, 12, 20)
    att = inputs.cur_att
    prior = 10.0 * (att[:, 0] - att[:, 1] + att[:, 2] - att[:, 3])
    logits = dec(**inputs.to_kwargs())
    delta = logits[:, 1] - logits[:, 0] - prior
    assert (delta <= 1e-5).all() and (delta < -1e-3).any()


def test_residual_band_keeps_corrections_near_the_prior_boundary():
    dec = RefineDecoder(**SLIM, prior_weight=10.0, residual_band=2)
    dec.init_weights()
    _trained_like(dec)
    inputs = _object_inputs(1, 24, 24)
    att = torch.zeros(1, 4, 24, 24)
    att[:, 0, 8:16, 8:16] = 1.0  # the prior's object: a square
    inputs.cur_att = att
    logits = dec(**inputs.to_kwargs())
    delta = logits[0, 1] - logits[0, 0] - 10.0 * att[0, 0]
    band = torch.zeros(24, 24, dtype=torch.bool)
    band[6:18, 6:18] = True
    band[10:14, 10:14] = False
    assert (delta[~band].abs() < 1e-5).all() and (delta[band].abs() > 1e-4).any()


@pytest.mark.parametrize('kwargs', [dict(prune_only=True), dict(residual_band=3),
                                    dict(prior_weight=1.0, residual_band=0)])
def test_residual_restrictions_need_the_prior(kwargs):
    with pytest.raises(ValueError, match='prior_weight|residual_band'):
        RefineDecoder(**SLIM, **kwargs)


def test_max_side_shrinks_large_rois_and_keeps_small_ones():
    boxes = torch.tensor([[0, 0, 400, 200], [10, 10, 50, 30]])
    groups = RefineDecoder._groups(boxes, None, max_side=100)
    sizes = {tuple(idx.tolist()): size for idx, size in groups}
    assert sizes[(0, )] == (52, 100)  # 50 rounded up to a multiple of 4
    assert sizes[(1, )] == (20, 40)


def test_max_side_output_is_pasted_at_the_box():
    dec = RefineDecoder(**SLIM).eval()
    cur = _frame(1, 48, 64, [[0, 0, 64, 48]])
    with torch.no_grad():
        out = dec.forward_frames(_frame(1, 48, 64, [[0, 0, 64, 48]]),
                                 _frame(1, 48, 64, [[0, 0, 64, 48]]), cur, max_side=32)
    assert out.shape == (1, 2, 48, 64)
