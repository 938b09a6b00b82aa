"""The int8 backbone in PyTorch (shls.deployment.int8): quantization, choice, cache."""
import os.path as osp

import numpy as np
import pytest
import torch
from torch import nn

from shls.apis import VideoSegmenter, build_model
from shls.apis.backbone_setup import prepare_backbone
from shls.deployment import int8 as int8_module
from shls.deployment.fold_bn import fold_batchnorm
from shls.deployment.int8 import (Int8Probe, Int8SlimResNet, QuantizedBackbone, attach_int8,
                                  choose_int8, int8_attached, plain_copy, quantize_backbone)
from shls.models.backbones import SlimResNet
from shls.utils.errors import ConfigError, InputNotFoundError

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY = osp.join(REPO, 'tests', 'fixtures', 'configs', 'shls_tiny.py')
needs_x86 = pytest.mark.skipif('x86' not in torch.backends.quantized.supported_engines,
                               reason='PyTorch without the x86 quantized engine')


def tiny_model(seed: int = 0):
    torch.manual_seed(seed)
    with pytest.warns(UserWarning, match='random weights'):
        return build_model(TINY)


def images(count: int = 3, size=(48, 64)):
    g = torch.Generator().manual_seed(1)
    return [torch.randn(1, 3, *size, generator=g).numpy() for _ in range(count)]


def probed_model(monkeypatch, int8_faster: bool):
    """The tiny model, calibrated on random images, with a probe that finds int8 faster
    or slower."""
    monkeypatch.setattr('shls.deployment.engine.calibration_images',
                        lambda m, c=None: images())
    probe = Int8Probe(2.0, 1.0) if int8_faster else Int8Probe(1.0, 2.0)
    monkeypatch.setattr(int8_module, '_probe', lambda *a: probe)
    return tiny_model().eval()


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch):
    monkeypatch.setattr(int8_module, '_QUANTIZED', {})
    monkeypatch.setattr(int8_module, '_PROBES', {})


@needs_x86
def test_calibration_runs_on_one_thread_and_restores_the_count(monkeypatch):
    # the observed ranges must not depend on torch's thread count (float convolutions
    # round differently with more threads), so the same weights give the same int8 graph
    from torch.ao.quantization import quantize_fx
    seen, prepare = [], quantize_fx.prepare_fx

    def spy(*args, **kwargs):  # the observed graph, recording the count it runs with
        prepared = prepare(*args, **kwargs)
        prepared.register_forward_pre_hook(lambda *_: seen.append(torch.get_num_threads()))
        return prepared

    monkeypatch.setattr(quantize_fx, 'prepare_fx', spy)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        quantize_backbone(tiny_model().backbone.eval(), images(), scale=1.0)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    assert seen == [1] * len(images())


@needs_x86
def test_int8_maps_are_close_to_float32_and_the_module_stays_trainable():
    model = tiny_model()
    backbone = model.backbone.eval()
    keys = list(backbone.state_dict())
    quantized = quantize_backbone(backbone, images(), scale=1.0)
    # the int8 graph stays out of the state dict; its identity is a hash buffer
    assert list(quantized.state_dict()) == ['int8_sha256']
    assert sum(p.numel() for p in quantized.parameters()) == 0
    x = torch.from_numpy(images(1)[0])
    with torch.no_grad():
        want = backbone(x)
        attach_int8(backbone, quantized)
        got = backbone(x)
    assert type(backbone) is Int8SlimResNet and int8_attached(backbone)
    assert list(backbone.state_dict()) == keys
    for a, b in zip(got, want):
        assert a.shape == b.shape and a.dtype == torch.float32
        assert 0 < float((a - b).norm() / b.norm()) < 0.2  # int8, close
    # with gradients or in train mode: the float layers, as before
    for a, b in zip(backbone(x), want):
        torch.testing.assert_close(a, b)
    backbone.train()
    backbone(x)[1].sum().backward()
    assert backbone.stem[0].weight.grad is not None


@needs_x86
def test_a_folded_winograd_backbone_is_quantized_from_a_plain_copy():
    model = tiny_model().eval()
    fold_batchnorm(model.backbone)
    copy = plain_copy(model.backbone)
    assert {type(m) for m in copy.modules() if isinstance(m, nn.Conv2d)} == {nn.Conv2d}
    assert {type(m) for m in copy.modules()
            if isinstance(m, nn.BatchNorm2d)} == {nn.BatchNorm2d}
    x = torch.randn(1, 3, 32, 48)
    with torch.no_grad():  # the copy computes what the folded original does
        for a, b in zip(copy(x), model.backbone(x)):
            torch.testing.assert_close(a, b, atol=1e-4, rtol=1e-4)
    assert quantize_backbone(model.backbone, images()) is not None


def test_unquantizable_backbones_and_settings_are_refused():
    with pytest.raises(ConfigError, match='cannot quantize'):
        quantize_backbone(nn.Conv2d(3, 3, 3), images())
    with pytest.raises(ConfigError, match='no calibration frame'):
        quantize_backbone(tiny_model().backbone, [])
    with pytest.raises(ValueError, match="int8 must be False, True, 'auto' or 'auto_float32'"):
        VideoSegmenter.merge_test_cfg({}, dict(int8='yes'))


@needs_x86
@pytest.mark.parametrize('int8_faster', [True, False])
def test_auto_keeps_int8_only_where_the_probe_says_it_is_faster(monkeypatch, int8_faster):
    model = probed_model(monkeypatch, int8_faster)
    chosen = choose_int8(model, 'auto', channels_last=True)
    assert (chosen is not None) is int8_faster
    assert choose_int8(model, False, channels_last=True) is None
    forced = choose_int8(model, True, channels_last=True)
    assert isinstance(forced, QuantizedBackbone)
    assert (chosen is forced) if int8_faster else chosen is None
    # quantized once per weights and calibration, probed once per setting
    monkeypatch.setattr(int8_module, 'quantize_backbone', lambda *a: pytest.fail('again'))
    monkeypatch.setattr(int8_module, '_probe', lambda *a: pytest.fail('probed again'))
    assert choose_int8(model, 'auto', channels_last=True) is chosen
    assert choose_int8(model, True, channels_last=True) is forced


@needs_x86
@pytest.mark.parametrize('int8_faster', [True, False])
def test_auto_float32_never_replaces_bfloat16(monkeypatch, int8_faster):
    model = probed_model(monkeypatch, int8_faster)
    auto = choose_int8(model, 'auto', channels_last=True)
    # in place of float32 it is 'auto'; beside bfloat16 it is False (no probe, no graph)
    assert choose_int8(model, 'auto_float32', channels_last=True) is auto
    monkeypatch.setattr(int8_module, 'quantize_backbone', lambda *a: pytest.fail('built'))
    monkeypatch.setattr(int8_module, '_probe', lambda *a: pytest.fail('probed'))
    assert choose_int8(model, 'auto_float32', True, dtype=torch.bfloat16) is None
    assert int8_module.int8_request('auto_float32', torch.bfloat16) is False
    assert int8_module.int8_request('auto_float32', None) == 'auto'
    assert int8_module.int8_request(True, torch.bfloat16) is True


@needs_x86
def test_real_probe_times_both_and_logs(monkeypatch):
    monkeypatch.setattr(int8_module, 'PROBE_SIZE', (48, 64))
    monkeypatch.setattr('shls.deployment.engine.calibration_images',
                        lambda m, c=None: images())
    model = tiny_model().eval()
    chosen = choose_int8(model, 'auto', channels_last=False)
    (probe,) = int8_module._PROBES.values()
    assert 0 < probe.float_ms < 1e4 and 0 < probe.int8_ms < 1e4
    assert (chosen is not None) is probe.int8_faster


@needs_x86
def test_auto_falls_back_to_float_when_quantization_fails(monkeypatch):
    monkeypatch.setattr('shls.deployment.engine.calibration_images',
                        lambda m, c=None: images())

    def broken(*args, **kwargs):
        raise RuntimeError('no kernel for this layer')
    monkeypatch.setattr(int8_module, 'quantize_backbone', broken)
    model = tiny_model().eval()
    assert choose_int8(model, 'auto', True) is None
    with pytest.raises(RuntimeError, match='no kernel'):
        choose_int8(model, True, True)


def test_missing_calibration_frames(tmp_path):
    model = tiny_model().eval()
    missing = str(tmp_path / 'nowhere')
    assert choose_int8(model, 'auto', True, calibration=missing) is None
    with pytest.raises(InputNotFoundError):
        choose_int8(model, True, True, calibration=missing)


@needs_x86
def test_segmenter_attaches_int8_on_the_cpu_and_a_new_setup_chooses_afresh(monkeypatch):
    monkeypatch.setattr('shls.deployment.engine.calibration_images',
                        lambda m, c=None: images())
    model = tiny_model()
    seg = VideoSegmenter(model, device='cpu', int8=True)
    assert seg.int8 and int8_attached(model.backbone)
    rgb = np.random.default_rng(0).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    mask = np.zeros((48, 64), np.uint8)
    mask[10:30, 20:40] = 1
    seg.step(rgb, mask)
    assert seg.step(rgb).shape == (48, 64)
    again = prepare_backbone(model, torch.device('cpu'), False, True, False)
    assert not again.int8 and type(model.backbone) is SlimResNet
    assert prepare_backbone(model, torch.device('cpu'), False, True, True).int8
    # training the model afterwards uses its float layers
    model.backbone.train()
    model.backbone(torch.randn(1, 3, 32, 32))[1].sum().backward()
