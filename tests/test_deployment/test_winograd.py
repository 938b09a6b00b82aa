"""Winograd convolutions through NNPACK (shls.deployment.winograd)."""
import pytest
import torch
from torch import nn

from shls.deployment import winograd
from shls.deployment.winograd import WinogradConv2d, nnpack_available, use_winograd
from shls.models.backbones import SlimResNet

needs_nnpack = pytest.mark.skipif(not nnpack_available(), reason='PyTorch without NNPACK')


def net() -> SlimResNet:
    torch.manual_seed(0)
    return SlimResNet(stem_channels=8, stage_channels=(8, 16, 32, 32)).eval()


@needs_nnpack
def test_only_stride1_3x3_convolutions_switch_and_keys_stay():
    model = net()
    keys = list(model.state_dict())
    count = use_winograd(model)
    switched = [m for m in model.modules() if type(m) is WinogradConv2d]
    assert count == len(switched) == 15  # 16 stride-1 3x3 of 16 blocks, minus one stride 2
    assert all(m.kernel_size == (3, 3) and m.stride == (1, 1) for m in switched)
    assert type(model.stem[0]) is nn.Conv2d  # 7x7 stride 2 stays
    assert list(model.state_dict()) == keys


@needs_nnpack
@pytest.mark.parametrize('nnpack_faster', [True, False])
def test_same_maps_whichever_kernel_is_chosen(monkeypatch, nnpack_faster):
    x = torch.randn(1, 3, 40, 56)
    ref = net()
    model = net()
    use_winograd(model)
    monkeypatch.setattr(winograd, '_FASTER', {})
    monkeypatch.setattr(winograd, 'interleaved_best_ms',
                        lambda calls, repeats: [2.0, 1.0] if nnpack_faster else [1.0, 2.0])
    with torch.no_grad():
        for a, b in zip(model(x), ref(x)):
            assert (a - b).norm() / b.norm() < 1e-4
    assert set(winograd._FASTER.values()) == {nnpack_faster}


@needs_nnpack
def test_falls_back_for_gradients_and_autocast(monkeypatch):
    model = net()
    use_winograd(model)
    monkeypatch.setattr(torch, '_nnpack_spatial_convolution',
                        lambda *a: pytest.fail('NNPACK must not run here'))
    x = torch.randn(1, 3, 24, 24)
    model.train()
    model(x)[1].sum().backward()  # training: gradients
    with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16):
        model.eval()(x)


def test_without_nnpack_nothing_changes(monkeypatch):
    monkeypatch.setattr(winograd, 'nnpack_available', lambda: False)
    model = net()
    assert use_winograd(model) == 0
    assert not any(type(m) is WinogradConv2d for m in model.modules())


def test_test_cfg_switch_is_checked():
    from shls.apis.video_segmenter import VideoSegmenter
    with pytest.raises(ValueError, match='winograd must be True or False'):
        VideoSegmenter.merge_test_cfg({}, dict(winograd='yes'))


def _layout_is(model: nn.Module, winograd_on: bool) -> bool:
    fmt = torch.contiguous_format if winograd_on else torch.channels_last
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    switched = [m for m in convs if type(m) is WinogradConv2d]
    return (len(switched) == (15 if winograd_on else 0)
            and all(m.weight.is_contiguous(memory_format=fmt) for m in convs))


@needs_nnpack
@pytest.mark.parametrize('winograd_faster', [True, False])
def test_choose_winograd_keeps_the_faster_layout(monkeypatch, winograd_faster):
    monkeypatch.setattr(winograd, '_LAYOUT_PROBES', {})
    probe = winograd.LayoutProbe(1.0, 2.0) if winograd_faster else winograd.LayoutProbe(2.0, 1.0)
    monkeypatch.setattr(winograd, '_probe_layouts', lambda backbone, convs: probe)
    model, ref = net(), net()
    assert winograd.choose_winograd(model) is winograd_faster
    assert _layout_is(model, winograd_faster)
    x = torch.randn(1, 3, 40, 56)
    if not winograd_faster:
        x = x.contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        for a, b in zip(model(x), ref(x)):
            assert (a - b).norm() / b.norm() < 1e-4


@needs_nnpack
def test_choose_winograd_times_both_layouts_once_per_shape(monkeypatch):
    monkeypatch.setattr(winograd, '_LAYOUT_PROBES', {})
    monkeypatch.setattr(winograd, 'LAYOUT_PROBE_SIZE', (48, 64))
    model = net()
    chosen = winograd.choose_winograd(model)
    (probe,) = winograd._LAYOUT_PROBES.values()
    assert 0 < probe.winograd_ms < 1e4 and 0 < probe.channels_last_ms < 1e4
    assert chosen is probe.winograd_faster and _layout_is(model, chosen)
    monkeypatch.setattr(winograd, '_probe_layouts', lambda *a: pytest.fail('timed twice'))
    assert winograd.choose_winograd(net()) is chosen  # same shapes: the cached choice


def test_choose_winograd_without_nnpack_changes_nothing(monkeypatch):
    monkeypatch.setattr(winograd, 'nnpack_available', lambda: False)
    model = net()
    assert winograd.choose_winograd(model) is False
    assert not any(type(m) is WinogradConv2d for m in model.modules())
