"""The ONNX export, the ONNX Runtime backbone, its cache and option checks (tiny model)."""
import os
import os.path as osp

import numpy as np
import pytest
import torch

from shls.apis import build_model, init_segmenter, segment_video
from shls.deployment import (EngineOptions, OnnxRuntimeBackbone, cached_engine_file,
                             engine_options, export_backbone_onnx, use_onnxruntime,
                             weights_digest)
from shls.deployment import engine as engine_module

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY = osp.join(REPO, 'tests', 'fixtures', 'configs', 'shls_tiny.py')


def tiny_model(seed: int = 0):
    torch.manual_seed(seed)
    with pytest.warns(UserWarning, match='random weights'):
        return build_model(TINY)


def test_exported_backbone_gives_the_torch_maps_at_any_size(tmp_path):
    model = tiny_model()
    path = export_backbone_onnx(model.backbone, str(tmp_path / 'b.onnx'))
    engine = OnnxRuntimeBackbone(path, model.backbone.finish)
    assert sum(p.numel() for p in engine.parameters()) == 0
    for size in ((48, 64), (61, 93)):  # odd sizes: dynamic axes, same rounding
        x = torch.randn(1, 3, *size)
        with torch.no_grad():
            want = model.backbone(x)
        got = engine(x)
        for a, b in zip(got, want):
            assert a.shape == b.shape
            torch.testing.assert_close(a, b, atol=1e-4, rtol=1e-4)
    assert os.listdir(tmp_path) == ['b.onnx']  # no temporary file left


def test_cache_exports_once_and_keys_on_the_weights(tmp_path, monkeypatch):
    calls = []
    real = engine_module.export_backbone_onnx
    monkeypatch.setattr(engine_module, 'export_backbone_onnx',
                        lambda backbone, path: calls.append(path) or real(backbone, path))
    model = tiny_model(0)
    first = cached_engine_file(model, str(tmp_path))
    assert cached_engine_file(model, str(tmp_path)) == first and len(calls) == 1
    other = tiny_model(1)
    assert weights_digest(other.backbone) != weights_digest(model.backbone)
    assert cached_engine_file(other, str(tmp_path)) != first and len(calls) == 2


def test_int8_export_is_calibrated_on_real_frames_and_cached(tmp_path, davis_root):
    model = tiny_model()
    frames = osp.join(davis_root, 'JPEGImages', '480p', 'blackswan')
    path = cached_engine_file(model, str(tmp_path), int8=True, calibration=frames)
    assert path.endswith('-int8.onnx') and osp.isfile(path)
    assert cached_engine_file(model, str(tmp_path), int8=True, calibration=frames) == path
    x = torch.randn(1, 3, 48, 64)
    with torch.no_grad():
        want = model.backbone(x)[1]
    got = OnnxRuntimeBackbone(path, model.backbone.finish)(x)[1]
    assert torch.corrcoef(torch.stack([got.flatten(), want.flatten()]))[0, 1] > 0.95


def test_segmenter_on_onnxruntime_matches_pytorch(tmp_path, davis_root):
    frames = osp.join(davis_root, 'JPEGImages', '480p', 'blackswan')
    first = osp.join(davis_root, 'Annotations', '480p', 'blackswan', '00000.png')
    masks = {}
    for backend in ('pytorch', 'onnxruntime'):
        torch.manual_seed(0)
        with pytest.warns(UserWarning, match='random weights'):
            seg = init_segmenter(TINY, backend=backend,
                                 engine=EngineOptions(cache_dir=str(tmp_path)))
        masks[backend] = np.stack(list(segment_video(seg, frames, first)))
    assert isinstance(seg.model.backbone, OnnxRuntimeBackbone)
    assert seg.autocast_dtype is None  # nothing heavy left in torch: float32
    assert (masks['pytorch'] == masks['onnxruntime']).mean() >= 0.995


def test_engine_is_in_the_state_dict(tmp_path):
    """Run fingerprints (resume) tell engines apart through ``engine_sha256``."""
    model = tiny_model()
    use_onnxruntime(model, cache_dir=str(tmp_path))
    assert model.state_dict()['backbone.engine_sha256'].shape == (32, )
    with pytest.raises(ValueError, match='already runs its backbone in onnxruntime'):
        use_onnxruntime(model, cache_dir=str(tmp_path))


def test_missing_or_bad_onnx_files(tmp_path):
    with pytest.raises(FileNotFoundError, match='ONNX file not found'):
        use_onnxruntime(tiny_model(), onnx_file=str(tmp_path / 'nope.onnx'))
    bad = tmp_path / 'bad.onnx'
    bad.write_bytes(b'not a model')
    with pytest.raises(ValueError, match='cannot load ONNX model'):
        use_onnxruntime(tiny_model(), onnx_file=str(bad))


@pytest.mark.parametrize('kwargs, message', [
    (dict(backend='pytorch', onnx_file='x.onnx'), 'only apply to --backend onnxruntime'),
    (dict(backend='pytorch', int8=True), 'only apply .* model.test_cfg.int8=True'),
    (dict(backend='onnxruntime', calibration='frames/'), 'add --int8'),
    (dict(backend='onnxruntime', onnx_file='x.onnx', int8=True), 'drop --int8'),
    (dict(backend='tensorrt'), 'unknown backend'),
])
def test_engine_option_errors(kwargs, message):
    args = dict(backend='onnxruntime', onnx_file=None, int8=False, calibration=None,
                cache_dir=None)
    with pytest.raises(ValueError, match=message):
        engine_options(**dict(args, **kwargs))


def test_onnxruntime_runs_on_the_cpu_only():
    with pytest.raises(ValueError, match='runs on the CPU'), \
            pytest.warns(UserWarning, match='random weights'):
        init_segmenter(TINY, device='meta', backend='onnxruntime')


def test_auto_backend_times_once_and_remembers_the_choice(tmp_path, monkeypatch):
    from shls.deployment import choose_backend
    from shls.deployment import engine as eng
    model = tiny_model()
    options = EngineOptions(cache_dir=str(tmp_path))
    first = choose_backend(model, 'cpu', False, options)
    assert first in ('pytorch', 'onnxruntime')
    records = [n for n in os.listdir(tmp_path) if n.startswith('backend-')]
    assert len(records) == 1
    monkeypatch.setattr(eng, 'interleaved_best_ms', lambda *a, **k: pytest.fail('timed again'))
    assert choose_backend(model, 'cpu', False, options) == first
    assert choose_backend(model, 'cuda', False, options) == 'pytorch'  # no timing on CUDA


def test_auto_backend_picks_the_faster_engine(tmp_path, monkeypatch):
    from shls.deployment import choose_backend
    from shls.deployment import engine as eng
    times = [100.0, 50.0]  # pytorch, then onnxruntime
    monkeypatch.setattr(eng, 'interleaved_best_ms', lambda *a, **k: list(times))
    assert choose_backend(tiny_model(), 'cpu', False,
                          EngineOptions(cache_dir=str(tmp_path / 'a'))) == 'onnxruntime'
    times[:] = [100.0, 95.0]  # within the margin: keep pytorch
    assert choose_backend(tiny_model(), 'cpu', False,
                          EngineOptions(cache_dir=str(tmp_path / 'b'))) == 'pytorch'


@pytest.mark.skipif('x86' not in torch.backends.quantized.supported_engines,
                    reason='PyTorch without the x86 quantized engine')
@pytest.mark.parametrize('int8, pytorch', [(False, 'onnxruntime'), ('auto', 'pytorch'),
                                           (True, 'pytorch')])
def test_auto_backend_weighs_the_int8_backbone_too(tmp_path, monkeypatch, int8, pytorch):
    from shls.deployment import choose_backend
    from shls.deployment import engine as eng
    from shls.deployment import int8 as int8_module
    monkeypatch.setattr(int8_module, '_QUANTIZED', {})
    monkeypatch.setattr(eng, 'calibration_images', lambda m, c=None: [
        np.random.default_rng(i).standard_normal((1, 3, 48, 64)).astype(np.float32)
        for i in range(2)])
    timed = []
    # float32 100 ms, onnxruntime 50 ms, int8 (timed only when int8 is on) 30 ms
    monkeypatch.setattr(eng, 'interleaved_best_ms',
                        lambda calls, **k: timed.append(len(calls)) or [100.0, 50.0, 30.0][
                            :len(calls)])
    model = tiny_model()
    assert choose_backend(model, 'cpu', False, EngineOptions(cache_dir=str(tmp_path)),
                          int8) == pytorch
    assert timed == [2 if int8 is False else 3]
