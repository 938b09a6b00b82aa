import math

import pytest
import torch

from shls.models.losses import ContrastiveLoss, NTXentLoss, SupConLoss

T = 0.5
# Five 2-d superfeatures of one frame: object 0 has three, object 1 two.
FEATS = torch.tensor([[1.0, 0.0], [0.6, 0.8], [0.8, 0.6], [0.0, 1.0], [-0.6, 0.8]])
LABELS = torch.tensor([0, 0, 0, 1, 1])


def _expected(feats, labels, groups, temperature, per_anchor_terms=False):
    """SupCon L_out with explicit loops: per-anchor mean over its positives, then the mean
    over the anchors that have one; partners only within the anchor's group.
    ``per_anchor_terms``: return ``{anchor: term}`` instead."""
    feats = torch.nn.functional.normalize(feats.double(), dim=1)
    n = len(labels)
    per_anchor = {}
    for i in range(n):
        others = [a for a in range(n) if a != i and groups[a] == groups[i]]
        pos = [p for p in others if labels[p] == labels[i]]
        if not pos:
            continue
        den = sum(math.exp(float(feats[i] @ feats[a]) / temperature) for a in others)
        terms = [-math.log(math.exp(float(feats[i] @ feats[p]) / temperature) / den)
                 for p in pos]
        per_anchor[i] = sum(terms) / len(terms)
    if per_anchor_terms:
        return per_anchor
    return sum(per_anchor.values()) / len(per_anchor)


def test_matches_hand_computation():
    loss = SupConLoss(temperature=T)(FEATS, LABELS)
    assert loss.item() == pytest.approx(_expected(FEATS, LABELS, [0] * 5, T), rel=1e-5)
    terms = _expected(FEATS, LABELS, [0] * 5, T, per_anchor_terms=True)
    # anchor 3: cos(3,4)=0.8 (its positive), cos(3,0)=0, cos(3,1)=0.8, cos(3,2)=0.6
    den = math.exp(1.6) + 1 + math.exp(1.6) + math.exp(1.2)
    assert terms[3] == pytest.approx(math.log(den) - 1.6)
    assert terms[3] == pytest.approx(1.0551, abs=1e-4)
    # anchor 0: positives 1 (cos 0.6) and 2 (0.8); others add 3 (0) and 4 (-0.6)
    den = math.exp(1.2) + math.exp(1.6) + 1 + math.exp(-1.2)
    assert terms[0] == pytest.approx(math.log(den) - (1.2 + 1.6) / 2)


def test_weighs_anchors_not_pairs():
    # Anchors of object 0 have 2 positives each, of object 1 one: SupCon averages per
    # anchor first, the all-pairs NT-Xent over the 8 pairs, so the two differ here.
    supcon = SupConLoss(temperature=T)(FEATS, LABELS)
    pairs = NTXentLoss(temperature=T, partners_per_anchor=None)(FEATS, LABELS)
    assert not torch.isclose(supcon, pairs)
    # with one positive per anchor they coincide
    two_pairs = torch.tensor([0, 0, 1, 1, 2])
    assert torch.isclose(SupConLoss(temperature=T)(FEATS, two_pairs),
                         NTXentLoss(temperature=T, partners_per_anchor=None)(FEATS, two_pairs))


def test_gradient_flows():
    feats = FEATS.clone().requires_grad_(True)
    loss = SupConLoss(temperature=T)(feats, LABELS)
    loss.backward()
    assert torch.isfinite(feats.grad).all()
    assert (feats.grad.abs().sum(dim=1) > 0).all()
    # a step against the gradient lowers the loss
    with torch.no_grad():
        stepped = feats - 0.05 * feats.grad
    assert SupConLoss(temperature=T)(stepped, LABELS) < loss


def test_anchors_without_positives_are_skipped_but_stay_negatives():
    labels = torch.tensor([0, 0, 0, 1, 2])  # 3 and 4 are alone in their label
    loss = SupConLoss(temperature=T)(FEATS, labels)
    assert loss.item() == pytest.approx(_expected(FEATS, labels, [0] * 5, T), rel=1e-5)
    # 3 and 4 still sit in the denominators of anchors 0..2: ignoring them changes the loss
    dropped = SupConLoss(temperature=T)(FEATS, torch.tensor([0, 0, 0, 255, 255]))
    assert dropped < loss
    # no anchor with a positive: zero, finite gradient, no NaN
    feats = FEATS.clone().requires_grad_(True)
    zero = SupConLoss(temperature=T)(feats, torch.arange(5))
    zero.backward()
    assert zero.item() == 0.0 and torch.equal(feats.grad, torch.zeros_like(feats))


def test_ignore_index_takes_no_part():
    feats = FEATS.clone().requires_grad_(True)
    labels = torch.tensor([0, 0, 0, 1, 255])
    loss = SupConLoss(temperature=T)(feats, labels)
    loss.backward()
    assert loss.item() == pytest.approx(_expected(FEATS[:4], labels[:4], [0] * 4, T), rel=1e-5)
    assert feats.grad[4].abs().sum() == 0 and feats.grad[3].abs().sum() > 0


def test_groups_are_respected():
    groups = torch.tensor([0, 0, 1, 1, 1])
    loss = SupConLoss(temperature=T)(FEATS, LABELS, groups)
    assert loss.item() == pytest.approx(_expected(FEATS, LABELS, groups.tolist(), T), rel=1e-5)
    assert not torch.isclose(loss, SupConLoss(temperature=T)(FEATS, LABELS))
    # = anchor-weighted mean of the groups computed apart (2 anchors in group 0, 2 in 1:
    # superfeature 2 has no same-label partner in its group)
    g0 = SupConLoss(temperature=T)(FEATS[:2], LABELS[:2])
    g1 = SupConLoss(temperature=T)(FEATS[2:], LABELS[2:])
    assert torch.isclose(loss, (2 * g0 + 2 * g1) / 4)
    # moving a superfeature of group 1 leaves the gradient of group 0 untouched
    feats = FEATS.clone().requires_grad_(True)
    SupConLoss(temperature=T)(feats, LABELS, groups).backward()
    moved = FEATS.clone()
    moved[3] = torch.tensor([0.3, -0.9])
    moved.requires_grad_(True)
    SupConLoss(temperature=T)(moved, LABELS, groups).backward()
    assert torch.allclose(feats.grad[:2], moved.grad[:2])
    assert not torch.allclose(feats.grad[2:], moved.grad[2:])


def test_invariant_to_permutation():
    torch.manual_seed(0)
    feats = torch.randn(60, 8)
    labels = torch.randint(0, 4, (60,))
    groups = torch.randint(0, 3, (60,))
    perm = torch.randperm(60)
    loss_fn = SupConLoss()
    a = loss_fn(feats, labels, groups)
    b = loss_fn(feats[perm], labels[perm], groups[perm])
    assert torch.isclose(a, b, rtol=1e-5)
    # group ids and label ids are names only
    c = loss_fn(feats, labels + 7, groups * 10 + 3)
    assert torch.isclose(a, c, rtol=1e-5)
    assert a.item() == pytest.approx(_expected(feats, labels, groups.tolist(), 0.07), rel=1e-4)


def test_temperature():
    assert SupConLoss().temperature == NTXentLoss().temperature == 0.07
    for t in (0.07, 1.0, 3.0):
        assert SupConLoss(temperature=t)(FEATS, LABELS).item() == pytest.approx(
            _expected(FEATS, LABELS, [0] * 5, t), rel=1e-5)
    # t -> infinity: all logits equal, each anchor gives log|A(i)| = log 4
    assert SupConLoss(temperature=1e6)(FEATS, LABELS).item() == pytest.approx(math.log(4),
                                                                             rel=1e-5)
    # a small temperature stays finite (log-sum-exp) where exp(1/t) = exp(1000) overflows
    tiny = SupConLoss(temperature=1e-3)(FEATS, LABELS)
    assert torch.isfinite(tiny)
    assert tiny.item() == pytest.approx(_expected_stable(FEATS, LABELS, 1e-3), rel=1e-4)
    with pytest.raises(ValueError, match='temperature'):
        SupConLoss(temperature=0)


def _expected_stable(feats, labels, temperature):
    """Loop reference shifted by the largest logit of each anchor (no overflow)."""
    feats = torch.nn.functional.normalize(feats.double(), dim=1)
    sims = (feats @ feats.t()).tolist()
    n = len(labels)
    per_anchor = []
    for i in range(n):
        others = [a for a in range(n) if a != i]
        pos = [p for p in others if labels[p] == labels[i]]
        if not pos:
            continue
        top = max(sims[i][a] for a in others) / temperature
        log_den = top + math.log(sum(math.exp(sims[i][a] / temperature - top) for a in others))
        per_anchor.append(sum(log_den - sims[i][p] / temperature for p in pos) / len(pos))
    return sum(per_anchor) / len(per_anchor)


def test_loss_weight_and_found_by_name():
    from shls.registry import MODELS
    from shls.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    built = MODELS.build(dict(type='SupConLoss', temperature=T, loss_weight=2.0))
    assert isinstance(built, SupConLoss) and isinstance(built, ContrastiveLoss)
    assert torch.isclose(built(FEATS, LABELS), 2 * SupConLoss(temperature=T)(FEATS, LABELS))
