"""The shipped model on real DAVIS frames: ONNX Runtime float32 = PyTorch, int8 ~ PyTorch,
Winograd = oneDNN.

Runs the bundled clip (demo/davis, blackswan 854x480) through the shipped checkpoint
with the PyTorch float32 backbone, the float32 ONNX export and the int8 export.
"""
import os.path as osp

import numpy as np
import pytest

from shls.apis import init_segmenter, segment_video
from shls.deployment import EngineOptions
from shls.deployment.winograd import nnpack_available
from shls.evaluation.metrics.davis_metric import (evaluate_video, global_statistics,
                                                  per_object_statistics)

from shls.utils.shipped import DEMO_ANNOTATIONS as GT
from shls.utils.shipped import DEMO_FRAMES as FRAMES
from shls.utils.shipped import SHIPPED_CHECKPOINT as CHECKPOINT
from shls.utils.shipped import SHIPPED_CONFIG as CONFIG
PARITY_FRAMES = 10


def frame_paths(count=None):
    import glob
    return sorted(glob.glob(osp.join(FRAMES, '*.jpg')))[:count]


def run(backend: str, cache: str, int8: bool = False, count=None,
        **test_cfg) -> np.ndarray:
    # the float32 reference: no bfloat16, and no int8 backbone in PyTorch either (the
    # config's int8='auto_float32' would quantize it wherever int8 is faster)
    options = dict(autocast=False, int8=False, **test_cfg)
    seg = init_segmenter(CONFIG, CHECKPOINT, backend=backend,
                         engine=EngineOptions(cache_dir=cache, int8=int8), **options)
    return np.stack(list(segment_video(seg, frame_paths(count), osp.join(GT, '00000.png'))))


def clip_jf(masks: np.ndarray) -> float:
    paths = sorted(osp.join(GT, n) for n in __import__('os').listdir(GT))
    j, f = evaluate_video('blackswan', paths, lambda stem: masks[int(stem)])
    return 100.0 * global_statistics(per_object_statistics(
        [dict(seq_name='blackswan', J=j, F=f)]))['J&F-Mean']


@pytest.fixture(autouse=True, scope='module')
def single_thread():
    """Both cores here (overrides the suite's one thread): 50 frames at 480p."""
    import torch
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope='module')
def cache(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp('onnx_cache'))


@pytest.fixture(scope='module')
def pytorch_masks() -> np.ndarray:
    return run('pytorch', '')


def test_float32_engine_gives_the_pytorch_masks(pytorch_masks, cache):
    ort = run('onnxruntime', cache, count=PARITY_FRAMES)
    agree = (ort == pytorch_masks[:PARITY_FRAMES]).mean()
    assert agree >= 0.995, agree


def test_int8_engine_keeps_the_clip_jf(pytorch_masks, cache):
    reference = clip_jf(pytorch_masks)
    int8 = clip_jf(run('onnxruntime', cache, int8=True))
    assert reference > 80
    assert abs(int8 - reference) <= 1.0, (int8, reference)


@pytest.mark.skipif(not nnpack_available(), reason='PyTorch without NNPACK')
def test_winograd_gives_the_onednn_masks(pytorch_masks):
    """The default float32 CPU path (Winograd where faster) against oneDNN alone."""
    onednn = run('pytorch', '', count=PARITY_FRAMES, winograd=False)
    agree = (onednn == pytorch_masks[:PARITY_FRAMES]).mean()
    assert agree >= 0.999, agree
