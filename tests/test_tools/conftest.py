"""Helpers to run the command-line tools as a user would (a subprocess each)."""
import os
import random
import subprocess
import sys
from typing import List

import pytest

CPU_CONFIG = 'configs/shls/shls_r18-w32_slic_1xb1-2k_saliency-256.py'
# A tiny but real run: 64x64 clips, ~100 superpixels, no dataloader workers.
TINY_OPTIONS = [
    'train_dataloader.dataset.frame_size=(64,64)', 'val_dataloader.dataset.frame_size=(64,64)',
    'train_dataloader.dataset.holdout=2', 'val_dataloader.dataset.holdout=2',
    'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
    'val_dataloader.num_workers=0', 'model.superpixels.segment_area=40',
    'default_hooks.logger.interval=1',
]


def run_tool(repo_root: str, args: List[str], env: dict = None,
             timeout: int = 300) -> subprocess.CompletedProcess:
    """Run ``python <args>`` from the repository root and capture its output."""
    full_env = dict(os.environ, PYTHONPATH=repo_root, OMP_NUM_THREADS='1',
                    PYTHON=sys.executable)
    full_env.update(env or {})
    cmd = args if args[0] == 'bash' else [sys.executable] + args
    return subprocess.run(cmd, cwd=repo_root, env=full_env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture
def free_port() -> str:
    return str(random.randint(20000, 40000))
