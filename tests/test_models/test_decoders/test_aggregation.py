import torch

from shls.models.decoders import (aggregate_mask, paste_logits, soft_aggregation,
                                  soft_aggregation_logits)


def test_eq5_sums_to_one_and_is_normalised_odds():
    p = torch.rand(3, 5, 7)
    probs = soft_aggregation(p)
    assert probs.shape == (4, 5, 7)
    torch.testing.assert_close(probs.sum(0), torch.ones(5, 7))
    full = torch.cat([torch.prod(1 - p, 0, keepdim=True), p]).clamp(1e-7, 1 - 1e-7)
    odds = full / (1 - full)
    torch.testing.assert_close(probs, odds / odds.sum(0, keepdim=True))


def test_single_object():
    p = torch.rand(1, 6, 6)
    probs = soft_aggregation(p)
    # Eq. 5 with K = 1 gives p^2 / (p^2 + (1-p)^2): the same decision as p, sharper
    torch.testing.assert_close(probs[1], p[0] ** 2 / (p[0] ** 2 + (1 - p[0]) ** 2))
    assert torch.equal(aggregate_mask(p), (p[0] > 0.5).long())
    logits = soft_aggregation_logits(p)
    torch.testing.assert_close(logits[1], -logits[0])


def test_object_dim_and_argmax():
    p = torch.zeros(2, 3, 4, 4)
    p[:, 0, :2] = 0.9
    p[:, 2, 2:] = 0.8
    mask = aggregate_mask(p, dim=1)
    assert mask.shape == (2, 4, 4)
    assert (mask[:, :2] == 1).all() and (mask[:, 2:] == 3).all()
    assert (aggregate_mask(torch.full((2, 3, 3), 0.1)) == 0).all()


def test_paste_back_places_logits():
    logits = torch.randn(2, 2, 8, 4, requires_grad=True)
    boxes = torch.tensor([[3, 2, 7, 10], [10, 8, 14, 16]])  # second overhangs a 12 x 12 frame
    canvas = paste_logits(logits, boxes, (12, 12))
    assert canvas.shape == (2, 2, 12, 12)
    torch.testing.assert_close(canvas[0, :, 2:10, 3:7], logits[0])
    torch.testing.assert_close(canvas[1, :, 8:12, 10:12], logits[1, :, :4, :2])
    outside = torch.ones(12, 12, dtype=torch.bool)
    outside[2:10, 3:7] = False
    assert (canvas[0, 0][outside] == 1e7).all() and (canvas[0, 1][outside] == 0).all()
    assert canvas.softmax(1)[0, 1][outside].max() == 0
    canvas.sum().backward()
    assert logits.grad[0].eq(1).all() and logits.grad[1, :, 4:].eq(0).all()


def test_paste_back_resizes_fixed_size_logits():
    logits = torch.ones(1, 2, 4, 4)
    canvas = paste_logits(logits, torch.tensor([[0, 0, 8, 8]]), (10, 10))
    assert canvas[0, 1, :8, :8].eq(1).all() and canvas[0, 1, 8:].eq(0).all()
