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
