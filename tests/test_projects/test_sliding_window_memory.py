"""The example plugin in projects/sliding_window_memory, built through its own config."""
import os.path as osp

import numpy as np
import pytest
import torch

from shls.apis import init_segmenter

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'projects', 'sliding_window_memory', 'configs',
                  'shls_r18-w32_sliding-window-5_davis.py')


def test_config_builds_and_streams_with_the_plugin_memory(monkeypatch):
    monkeypatch.syspath_prepend(REPO)  # `projects.` imports resolve from the repo root
    torch.manual_seed(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with pytest.warns(UserWarning, match='random weights'):
            seg = init_segmenter(CONFIG, cfg_options=['model.memory.window=2'])
        assert type(seg.memory).__name__ == 'SlidingWindowMemoryBank'
        assert seg.memory.window == 2
        rng = np.random.default_rng(0)
        starts = []  # first insertion id of each frame's additions
        for t in range(6):
            img = (90 + rng.integers(0, 20, (64, 96, 3))).astype(np.uint8)
            img[16:40, 10 + 4 * t:34 + 4 * t] = (220, 30, 30)
            mask = np.zeros((64, 96), np.uint8)
            mask[16:40, 10:34] = 1
            if t:
                starts.append(1 + max(int(seg.memory.pool(c).ids.max())
                                      for c in seg.memory.num_entries))
            out = seg.step(img, mask if t == 0 else None)
            assert out.shape == (64, 96)
            oldest = starts[-2:][0] if starts else 0
            for c in seg.memory.num_entries:  # frame 0 + the last 2 frames, nothing older
                pool = seg.memory.pool(c)
                assert bool((pool.ids[pool.num_first:] >= oldest).all())
        assert seg.memory.total_entries > sum(
            seg.memory.pool(c).num_first for c in seg.memory.num_entries)
    finally:
        torch.set_num_threads(threads)
