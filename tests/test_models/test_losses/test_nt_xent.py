import math

import pytest
import torch

from shls.models.losses import NTXentLoss

T = 0.5
FEATS = torch.tensor([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0], [-0.6, 0.8]])
LABELS = torch.tensor([0, 0, 1, 1])


def _cos(i, j):
    a, b = FEATS[i], FEATS[j]
    return float(a @ b / (a.norm() * b.norm()))


def test_sampled_form_matches_hand_computation():
    # With enough partners every anchor takes its only positive and both negatives.
    loss = NTXentLoss(temperature=T, partners_per_anchor=16)(FEATS, LABELS)
    pos = {0: 1, 1: 0, 2: 3, 3: 2}
    terms = []
    for a, p in pos.items():
        negs = [n for n in range(4) if LABELS[n] != LABELS[a]]
        num = math.exp(_cos(a, p) / T)
        den = num + sum(math.exp(_cos(a, n) / T) for n in negs)
        terms.append(-math.log(num / den))
    assert loss.item() == pytest.approx(sum(terms) / 4, rel=1e-5)
    # anchor 0: cos(0,1)=0.6, cos(0,2)=0, cos(0,3)=-0.6 -> -log(e^1.2/(e^1.2+1+e^-1.2))
    assert terms[0] == pytest.approx(-math.log(math.exp(1.2) / (math.exp(1.2) + 1 +
                                                                math.exp(-1.2))))


def test_simclr_form_uses_all_others_in_denominator():
    loss = NTXentLoss(temperature=T, partners_per_anchor=None)(FEATS, LABELS)
    pos = {0: 1, 1: 0, 2: 3, 3: 2}
    terms = []
    for a, p in pos.items():
        den = sum(math.exp(_cos(a, k) / T) for k in range(4) if k != a)
        terms.append(-math.log(math.exp(_cos(a, p) / T) / den))
    assert loss.item() == pytest.approx(sum(terms) / 4, rel=1e-5)


def test_pairs_never_cross_groups():
    # Same features split into two frames: anchors of frame 0 have no negative there.
    groups = torch.tensor([0, 0, 1, 1])
    labels = torch.tensor([0, 0, 0, 1])
    loss = NTXentLoss(temperature=T)(FEATS, labels, groups)
    assert loss.item() == 0.0


def test_ignore_index_and_grad():
    feats = FEATS.clone().requires_grad_(True)
    loss = NTXentLoss(temperature=T)(feats, torch.tensor([0, 0, 1, 255]))
    loss.backward()
    assert feats.grad[3].abs().sum() == 0 and feats.grad[0].abs().sum() > 0


def test_fewer_partners_sampled_reproducibly():
    torch.manual_seed(0)
    feats = torch.randn(40, 8)
    labels = torch.arange(40) % 3
    loss_fn = NTXentLoss(partners_per_anchor=2)
    a = loss_fn(feats, labels, generator=torch.Generator().manual_seed(1))
    b = loss_fn(feats, labels, generator=torch.Generator().manual_seed(1))
    assert torch.equal(a, b) and torch.isfinite(a)


def test_bad_arguments():
    with pytest.raises(ValueError, match='temperature'):
        NTXentLoss(temperature=0)
    with pytest.raises(ValueError, match='partners_per_anchor'):
        NTXentLoss(partners_per_anchor=0)


def test_nt_xent_is_a_contrastive_loss_found_by_name():
    from shls.models.losses import ContrastiveLoss
    from shls.registry import MODELS
    from shls.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    assert issubclass(NTXentLoss, ContrastiveLoss)
    assert isinstance(MODELS.build(dict(type='NTXentLoss')), ContrastiveLoss)
    with pytest.raises(TypeError):
        ContrastiveLoss()
