"""fold_batchnorm: the same outputs and state dict with the batch norms merged into convs."""
import copy

import pytest
import torch
from torch import nn

from shls.deployment.fold_bn import FoldedBatchNorm2d, FoldedConv2d, fold_batchnorm
from shls.deployment.winograd import nnpack_available, use_winograd
from shls.models.backbones import SlimResNet


def _net(seed: int = 0) -> SlimResNet:
    torch.manual_seed(seed)
    net = SlimResNet(stem_channels=8, stage_channels=(8, 16, 16, 16))
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.normal_()
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.normal_()
            m.bias.data.normal_()
    return net.eval()


def _close(a, b) -> None:
    for ref, out in zip(a, b):
        torch.testing.assert_close(out, ref, rtol=1e-4, atol=1e-4 * ref.abs().max().item())


def test_outputs_and_state_dict_are_kept_and_folding_is_idempotent():
    net = _net()
    folded = copy.deepcopy(net)
    norms = sum(isinstance(m, nn.BatchNorm2d) for m in net.modules())
    assert fold_batchnorm(folded) == norms  # stem, every block, the projections
    assert fold_batchnorm(folded) == 0
    assert sum(isinstance(m, FoldedBatchNorm2d) for m in folded.modules()) == norms
    state, ref_state = folded.state_dict(), net.state_dict()
    assert list(state) == list(ref_state)
    assert all(torch.equal(state[k], ref_state[k]) for k in state)
    x = torch.randn(2, 3, 40, 56)
    with torch.no_grad():
        _close(net(x), folded(x))
    assert isinstance(folded.stem[0], FoldedConv2d) and folded.stem[0].folding_active() is False


def test_training_gradients_and_new_weights_use_the_unfolded_layers():
    net, folded = _net(), _net()
    fold_batchnorm(folded)
    x = torch.randn(2, 3, 32, 48)
    _close(net(x), folded(x))  # gradients enabled: batch norms applied as usual
    net.train(), folded.train()
    with torch.no_grad():
        _close(net(x), folded(x))  # training: batch statistics
    net.eval(), folded.eval()
    other = _net(seed=1)
    folded.load_state_dict(other.state_dict())  # the cached merged weights are renewed
    with torch.no_grad():
        _close(other(x), folded(x))


@pytest.mark.skipif(not nnpack_available(), reason='this PyTorch has no NNPACK')
def test_winograd_convolutions_apply_the_folded_norm():
    net, folded = _net(), _net()
    fold_batchnorm(folded)
    assert use_winograd(folded) > 0
    x = torch.randn(1, 3, 40, 56)
    with torch.no_grad():
        _close(net(x), folded(x))


def test_unknown_orders_are_left_alone():
    class NormFirst(nn.Module):  # its forward applies bn before conv: must not be folded
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(4, 4, 3, padding=1)
            self.bn = nn.BatchNorm2d(4)

        def forward(self, x):
            return self.conv(self.bn(x))

    module = NormFirst().eval()
    assert fold_batchnorm(module) == 0 and type(module.bn) is nn.BatchNorm2d
