"""The next frame's superpixels computed ahead: SuperpixelPrefetcher,
VideoSegmenter.prefetch and the stream loops' one-frame look-ahead."""
import glob
import os.path as osp
import threading

import numpy as np
import pytest
import torch

from shls.apis import ArrayFrames, init_segmenter, segment_video
from shls.apis.prefetch import SuperpixelPrefetcher
from shls.apis.streaming import with_next
from shls.utils.errors import InputError
from shls.utils.shipped import DEMO_FIRST_MASK, DEMO_FRAMES, SHIPPED_CHECKPOINT, SHIPPED_CONFIG

TINY_CONFIG = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'fixtures',
                       'configs', 'shls_tiny.py')


def _frames(n):
    return [np.full((2, 2, 3), i, np.uint8) for i in range(n)]


def test_prefetcher_takes_by_identity_and_drops_what_came_before():
    prefetcher = SuperpixelPrefetcher(lambda rgb: int(rgb.sum()), depth=2)
    a, b, c = _frames(3)
    prefetcher.submit(a, a)
    prefetcher.submit(b, b)
    assert prefetcher.take(b.copy()) is None and len(prefetcher) == 2  # equal, not same
    assert prefetcher.take(b).result() == 12 and len(prefetcher) == 0  # a dropped too
    for frame in (a, b, c):  # depth 2: the oldest goes
        prefetcher.submit(frame, frame)
    assert prefetcher.take(a) is None and len(prefetcher) == 2
    prefetcher.clear()
    assert len(prefetcher) == 0


def test_with_next_reads_ahead_only_where_frames_are_stable():
    frames = _frames(3)
    pairs = list(with_next(ArrayFrames(frames)))
    assert [(f[0, 0, 0], None if n is None else n[0, 0, 0]) for f, n in pairs] == [
        (0, 1), (1, 2), (2, None)]
    # a plain iterator may refill one buffer: never read ahead
    assert [n for _, n in with_next(ArrayFrames(iter(frames)))] == [None] * 3
    assert list(with_next(ArrayFrames([]))) == []


def _record_threads(segmenter):
    """Names of the threads that computed the test superpixels, in call order."""
    threads, compute = [], segmenter.model.compute_superpixels

    def recorded(frame, mask=None, test=False):
        threads.append(threading.current_thread().name)
        return compute(frame, mask, test=test)
    segmenter.model.compute_superpixels = recorded
    return threads


def test_prefetch_gives_the_same_masks_on_real_frames():
    frames = sorted(glob.glob(osp.join(DEMO_FRAMES, '*.jpg')))[:6]
    masks, threads = [], []
    for prefetch in (False, True):
        segmenter = init_segmenter(SHIPPED_CONFIG, SHIPPED_CHECKPOINT, autocast=False,
                                   prefetch=prefetch)
        threads.append(_record_threads(segmenter))
        masks.append(np.stack(list(segment_video(segmenter, frames, DEMO_FIRST_MASK))))
    assert np.array_equal(masks[0], masks[1])
    assert threads[0] == ['MainThread'] * 6
    # frame 0 is cut along its mask in the main thread, frames 1-5 came from the queue
    assert sorted(threads[1]) == ['MainThread'] + ['shls-superpixels_0'] * 5


@pytest.fixture(scope='module')
def tiny():
    torch.manual_seed(0)
    with pytest.warns(UserWarning, match='random weights'):
        return init_segmenter(TINY_CONFIG, device='cpu')


def test_step_uses_only_the_prefetch_of_its_own_frame(tiny):
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 255, (48, 64, 3), dtype=np.uint8) for _ in range(3)]
    first = np.zeros((48, 64), np.uint8)
    first[10:30, 10:30] = 1
    tiny.reset()
    reference = [tiny.step(frames[0], first), tiny.step(frames[1]), tiny.step(frames[2])]
    threads = _record_threads(tiny)
    tiny.reset()
    tiny.prefetch(frames[1])  # announced, but frame 0 comes with a mask: cut anew
    out = [tiny.step(frames[0], first)]
    tiny.prefetch(frames[0].copy())  # never stepped: left in the queue, then dropped
    out.append(tiny.step(frames[1]))
    out.append(tiny.step(frames[2]))  # not announced: computed in the step
    for got, want in zip(out, reference):
        np.testing.assert_array_equal(got, want)
    assert threads.count('MainThread') == 2
    tiny.prefetch(np.zeros((10, 10, 3), np.uint8))  # a frame step() will refuse
    with pytest.raises(InputError, match='frame 3 is 10x10 but the video started at 64x48'):
        tiny.step(np.zeros((10, 10, 3), np.uint8))
    del tiny.model.compute_superpixels  # the class's method again


def test_prefetch_off_computes_every_frame_in_the_step(tiny):
    threads = _record_threads(tiny)
    tiny.cfg['prefetch'] = False
    try:
        tiny.reset()
        tiny.prefetch(np.zeros((48, 64, 3), np.uint8))
        assert len(tiny._prefetcher) == 0 and threads == []
    finally:
        tiny.cfg['prefetch'] = True
        del tiny.model.compute_superpixels
