"""tools/misc/publish_model.py: weights only, fp16, loadable into the fp32 model."""
import os.path as osp

import torch
from mmengine.config import Config

from shls.apis.inference import load_weights
from shls.registry import MODELS
from shls.utils import register_all_modules

from .conftest import run_tool

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY_CONFIG = osp.join(REPO, 'tests', 'fixtures', 'configs', 'shls_tiny.py')


def test_publish_fp16_strips_the_optimizer_and_loads_back(tmp_path):
    register_all_modules(init_default_scope=False)
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(TINY_CONFIG).model)
    src, dst = tmp_path / 'iter_5.pth', tmp_path / 'release.pth'
    torch.save(dict(state_dict=model.state_dict(), optimizer={'state': {1: torch.ones(9)}},
                    meta=dict(iter=5)), src)
    proc = run_tool(REPO, ['tools/misc/publish_model.py', str(src), str(dst), '--fp16'])
    assert proc.returncode == 0, proc.stderr
    assert 'iteration 5' in proc.stdout
    ckpt = torch.load(dst, map_location='cpu', weights_only=False)
    assert set(ckpt) == {'state_dict', 'meta'}
    floats = [v for v in ckpt['state_dict'].values() if v.is_floating_point()]
    assert floats and all(v.dtype == torch.float16 for v in floats)
    fresh = MODELS.build(Config.fromfile(TINY_CONFIG).model)
    load_weights(fresh, str(dst))
    for key, value in model.state_dict().items():
        assert torch.allclose(fresh.state_dict()[key].float(), value.float(), atol=1e-2)


def test_publish_missing_input_is_one_line(tmp_path):
    proc = run_tool(REPO, ['tools/misc/publish_model.py', str(tmp_path / 'no.pth'),
                           str(tmp_path / 'out.pth')])
    assert proc.returncode != 0
    assert proc.stderr.strip().startswith('error:') and 'no.pth' in proc.stderr
    assert not (tmp_path / 'out.pth').exists()
