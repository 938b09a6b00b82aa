"""Compatibility shims: full unpickling of trusted checkpoints only where shls loads them;
nothing patched at ``import shls``."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader, load_from_local

from shls.utils.compat import full_checkpoint_loading, load_local_checkpoint

REPO = Path(__file__).resolve().parents[2]
TORCH_WEIGHTS_ONLY = tuple(int(v) for v in torch.__version__.split('.')[:2]) >= (2, 6)


@pytest.fixture
def mmengine_checkpoint(tmp_path) -> str:
    """A checkpoint like mmengine's: it pickles a HistoryBuffer of the message hub."""
    path = tmp_path / 'iter_1.pth'
    torch.save(dict(state_dict={'w': torch.ones(2)},
                    message_hub=dict(log_scalars={'loss': HistoryBuffer([1.0], [1])})), path)
    return str(path)


def test_import_shls_patches_nothing():
    """mmengine's checkpoint loader stays; neither mmseg nor the mmcv._ext stand-in is
    imported (only building an MMSegBackbone does)."""
    code = ('import sys\n'
            'import shls, shls.apis, shls.engine, shls.utils, shls.models, shls.datasets\n'
            'from mmengine.runner.checkpoint import CheckpointLoader, load_from_local\n'
            "assert CheckpointLoader._schemes[''] is load_from_local, "
            "CheckpointLoader._schemes['']\n"
            "assert 'mmseg' not in sys.modules and 'mmcv._ext' not in sys.modules\n")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, '-c', code], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_the_loader_is_replaced_only_inside_the_block():
    assert CheckpointLoader._schemes[''] is load_from_local
    with full_checkpoint_loading():
        assert CheckpointLoader._schemes[''] is load_local_checkpoint
    assert CheckpointLoader._schemes[''] is load_from_local
    with pytest.raises(RuntimeError):
        with full_checkpoint_loading():
            raise RuntimeError('a failed load')
    assert CheckpointLoader._schemes[''] is load_from_local


@pytest.mark.skipif(not TORCH_WEIGHTS_ONLY, reason='torch < 2.6 loads everything anyway')
def test_mmengine_checkpoints_load_inside_the_block_only(mmengine_checkpoint):
    with pytest.raises(Exception, match='[Ww]eights only load failed'):
        CheckpointLoader.load_checkpoint(mmengine_checkpoint, map_location='cpu')
    with full_checkpoint_loading():
        ckpt = CheckpointLoader.load_checkpoint(mmengine_checkpoint, map_location='cpu')
    assert isinstance(ckpt['message_hub']['log_scalars']['loss'], HistoryBuffer)


def test_shls_reads_its_checkpoints_without_touching_mmengine(mmengine_checkpoint):
    from shls.apis.checkpoint import read_checkpoint
    assert torch.equal(read_checkpoint(mmengine_checkpoint)['state_dict']['w'], torch.ones(2))
    assert CheckpointLoader._schemes[''] is load_from_local


def test_the_runner_loads_with_the_full_loader_then_restores(mmengine_checkpoint,
                                                             monkeypatch):
    from mmengine.runner import Runner

    from shls.engine import SHLSRunner
    seen = []

    def load_checkpoint(self, filename, *args, **kwargs):
        seen.append(CheckpointLoader._schemes[''])
        return CheckpointLoader.load_checkpoint(filename, map_location='cpu')

    monkeypatch.setattr(Runner, 'load_checkpoint', load_checkpoint)
    runner = SHLSRunner.__new__(SHLSRunner)  # the override alone, without a whole Runner
    ckpt = runner.load_checkpoint(mmengine_checkpoint)
    assert seen == [load_local_checkpoint] and 'message_hub' in ckpt
    assert CheckpointLoader._schemes[''] is load_from_local
