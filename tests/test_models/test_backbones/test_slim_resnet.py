import pytest
import torch

from shls.models.backbones import SlimResNet


def test_output_shapes_and_strides():
    net = SlimResNet()
    l1, l4 = net(torch.randn(1, 3, 64, 96))
    assert l1.shape == (1, 64, 64, 96)
    assert l4.shape == (1, 256, 16, 24)


def test_parameter_count_matches_method():
    # method.md §1: ~5.1 M parameters without BN (BN adds a few thousand)
    n = sum(p.numel() for p in SlimResNet().parameters())
    assert 5.0e6 < n < 5.3e6


def test_slim_width_for_cpu():
    net = SlimResNet(stem_channels=32, stage_channels=(32, 64, 128, 128))
    l1, l4 = net(torch.randn(2, 3, 32, 32))
    assert l1.shape == (2, 32, 32, 32) and l4.shape == (2, 128, 8, 8)


def test_input_scale_runs_on_the_resized_frame():
    torch.manual_seed(0)
    net = SlimResNet(stem_channels=8, stage_channels=(8, 16, 16, 16), input_scale=0.5).eval()
    x = torch.randn(1, 3, 64, 96)
    l1, l4 = net(x)
    assert l1.shape == (1, 8, 64, 96) and l4.shape == (1, 16, 8, 12)
    # the same as running the full-scale network on the 2x2-mean frame
    full = SlimResNet(stem_channels=8, stage_channels=(8, 16, 16, 16)).eval()
    full.load_state_dict(net.state_dict())
    _, ref = full(torch.nn.functional.avg_pool2d(x, 2))
    assert torch.allclose(l4, ref, atol=1e-5)


def test_l1_at_its_own_stride():
    net = SlimResNet(stem_channels=8, stage_channels=(8, 16, 16, 16), input_scale=0.5,
                     l1_at_input_size=False)
    l1, l4 = net(torch.randn(1, 3, 64, 96))
    assert l1.shape == (1, 8, 16, 24) and l4.shape == (1, 16, 8, 12)


@pytest.mark.parametrize('scale', [0, -0.5, 1.5])
def test_bad_input_scale(scale):
    with pytest.raises(ValueError, match='input_scale'):
        SlimResNet(input_scale=scale)
