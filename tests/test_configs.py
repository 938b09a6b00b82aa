"""Every shipped config loads, and its model and datasets build."""
import glob
import os.path as osp

import pytest

from shls.models.baselines import TrainingFreeModel
from shls.registry import MODELS
from shls.utils import ConfigError, load_config, register_all_modules

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
LEAF_CONFIGS = sorted(p for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                                           recursive=True) if '_base_' not in p)


@pytest.mark.parametrize('path', LEAF_CONFIGS, ids=lambda p: osp.relpath(p, ROOT))
def test_config_loads_and_builds_model(path):
    register_all_modules()
    cfg = load_config(path)
    assert cfg.default_scope == 'shls'
    model = MODELS.build(cfg.model)
    if isinstance(model, TrainingFreeModel):  # configs/baselines: no weights by design
        assert len(model.state_dict()) == 0
    else:
        assert sum(p.numel() for p in model.parameters()) > 0


def test_paper_recipe_values():
    cfg = load_config(osp.join(ROOT, 'configs', 'shls_r18.py'))
    assert cfg.train_dataloader.batch_size == 1
    assert cfg.optim_wrapper.optimizer.type == 'Adam'
    assert cfg.optim_wrapper.optimizer.lr == pytest.approx(8e-4)  # 1e-4 x 8 GPUs
    assert cfg.model.loss.temperature == pytest.approx(0.07)
    assert cfg.model.head.out_channels == 32
    assert cfg.train_dataloader.dataset.num_frames == 3


def test_cpu_table1_configs_test_the_shipped_model():
    # The Table-1 CPU configs restate the shipped model (three levels of _base_ are not
    # allowed): its decoder and test settings must not drift apart from them.
    shipped = load_config(osp.join(
        ROOT, 'configs', 'shls', 'shls_r18-w32_slic_1xb1-1k_saliency-256_cpu_refine-stage2.py'))
    table1 = load_config(osp.join(
        ROOT, 'configs', 'ablations', 'shls_r18-w32-cpu_davis_table1-preseg-only.py'))
    assert table1.model.decoder == shipped.model.decoder
    def settings(cfg):  # refine is what the Table-1 configs switch (test_cfg.segmenter_cfg)
        return {k: v for k, v in cfg.model.test_cfg.items() if k != 'refine'}

    assert settings(table1) == settings(shipped)


def test_cpu_supcon_config_changes_only_the_loss():
    # It restates the _cpu config on the _cpu config's own base (three levels of _base_
    # are not allowed): everything but model.loss must stay equal to it.
    cpu = load_config(osp.join(
        ROOT, 'configs', 'shls', 'shls_r18-w32_slic_1xb1-1k_saliency-256_cpu.py')).to_dict()
    supcon = load_config(osp.join(
        ROOT, 'configs', 'shls', 'shls_r18-w32_slic_1xb1-1k_saliency-256_cpu_supcon.py')
    ).to_dict()
    assert supcon['model'].pop('loss') == dict(type='SupConLoss', temperature=0.07,
                                               loss_weight=1.0)
    assert cpu['model'].pop('loss')['type'] == 'NTXentLoss'
    assert supcon == cpu


def test_override_of_constructor_argument_is_allowed():
    # 'seed' is an argument of PseudoVideoDataset even if a config does not set it
    cfg = load_config(osp.join(ROOT, 'configs', 'shls_r18.py'),
                      ['train_dataloader.dataset.ann_file=stems.txt', 'model.loss.loss_weight=2'])
    assert cfg.train_dataloader.dataset.ann_file == 'stems.txt'
    with pytest.raises(ConfigError, match='did you mean'):
        load_config(osp.join(ROOT, 'configs', 'shls_r18.py'), ['model.loss.temperatur=1'])
    with pytest.raises(ConfigError, match='KEY=VALUE'):
        load_config(osp.join(ROOT, 'configs', 'shls_r18.py'), ['model.loss'])
    with pytest.raises(ConfigError, match="write a dict as"):  # not a RecursionError
        load_config(osp.join(ROOT, 'configs', 'shls_r18.py'),
                    ['model.test_cfg.flow_prior=dict(weight=1.0, scale=0.5)'])


def test_broken_config_file(tmp_path):
    bad = tmp_path / 'bad.py'
    bad.write_text('model = dict(type=\n')
    with pytest.raises(ConfigError, match='cannot load config'):
        load_config(str(bad))


def test_dict_literal_override():
    cfg = load_config(osp.join(ROOT, 'configs', 'shls_r18.py'),
                      ["model.test_cfg.handcrafted={'type': 'SuperpixelColourStats'}",
                       'train_cfg.max_iters=5'])
    assert cfg.model.test_cfg.handcrafted == {'type': 'SuperpixelColourStats'}
    assert cfg.train_cfg.max_iters == 5
    with pytest.raises(ConfigError, match='cannot parse'):
        load_config(osp.join(ROOT, 'configs', 'shls_r18.py'), ['model.test_cfg={oops'])
