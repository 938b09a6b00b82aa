"""Every shipped config loads, and its model and datasets build."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

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


CPU_TEST_BASE = osp.join(ROOT, 'configs', '_base_', 'test_cfg', 'cpu.py')
#: The guided filter's ridge in the shared CPU settings and in the fast models.
SHIPPED_EPS = 0.0005
FAST_EPS = 0.001
#: The pixel classifier's share in the shared CPU settings and in the fast models.
SHIPPED_PIXEL_CLASSIFIER_WEIGHT = 0.6
SHIPPED_PIXEL_CLASSIFIER_INNER_WEIGHT = 0.5
FAST_PIXEL_CLASSIFIER_WEIGHT = 0.5
#: The flow prior's pixel weight in the shared CPU settings (the fast model keeps 0).
SHIPPED_PIXEL_WEIGHT = 0.35
#: The flow prior's scale in the shared CPU settings (the fast models keep half size).
SHIPPED_FLOW_SCALE = 1.0
#: The boundary partition's share in its band in the shared CPU settings.
SHIPPED_BOUNDARY_SHARE = 0.67
CPU_CONFIGS = [osp.join(ROOT, 'configs', *parts) for parts in (
    ('shls', 'shls_r18-w32_slic_1xb1-1k_saliency-256_cpu.py'),
    ('shls', 'shls_r18-w32_slic_1xb1-1k_saliency-256_cpu_refine-stage2.py'),
    ('ablations', 'shls_r18-w32-cpu_davis_table1-preseg-only.py'),
    ('shls', 'shls_r18-w16_slic_1xb1-1k_saliency-256_cpu.py'),
    ('shls', 'shls_r18-w16_slic_1xb1-1k_saliency-256_cpu_distill-w32.py'))]


def _without_delete(value):
    if isinstance(value, dict):
        return {k: _without_delete(v) for k, v in value.items() if k != '_delete_'}
    return value


@pytest.mark.parametrize('path', CPU_CONFIGS, ids=lambda p: osp.relpath(p, ROOT))
def test_cpu_configs_take_their_test_settings_from_the_shared_base(path):
    text = open(path).read()
    assert "'../_base_/test_cfg/cpu.py'" in text and '_base_.cpu_test_cfg' in text
    assert 'SuperpixelColourStats' not in text  # not restated
    shared = _without_delete(Config.fromfile(CPU_TEST_BASE).cpu_test_cfg.to_dict())
    test_cfg = load_config(path).model.test_cfg.to_dict()
    if 'w16_slic' in path:  # its documented changes
        assert test_cfg['superpixels']['generator'].pop('max_num_iter') == 7
        assert test_cfg['superpixels']['generator'].pop('compactness') == 20
        assert shared['superpixels']['generator'].pop('compactness') == 10
        assert test_cfg.pop('extra_partitions') is None
        assert test_cfg.pop('boundary_partition') is None
        shared = {k: v for k, v in shared.items()
                  if k not in ('extra_partitions', 'boundary_partition')}
        assert test_cfg['flow_prior'].pop('preset') == 'fast'
        assert test_cfg['flow_prior'].pop('occlusion_check') is False
        assert shared['flow_prior'].pop('occlusion_check') is True
        assert test_cfg['flow_prior'].pop('pixel_weight') == 0.0
        assert shared['flow_prior'].pop('pixel_weight') == SHIPPED_PIXEL_WEIGHT
        assert test_cfg['flow_prior'].pop('scale') == 0.5
        assert shared['flow_prior'].pop('scale') == SHIPPED_FLOW_SCALE
        assert test_cfg.pop('int8') == 'auto'  # also in place of bfloat16 (its own pin)
        assert shared.pop('int8') == 'auto_float32'  # only in place of float32
        assert test_cfg['edge_aware'].pop('eps') == FAST_EPS
        assert shared['edge_aware'].pop('eps') == SHIPPED_EPS
        assert test_cfg['pixel_classifier'].pop('weight') == FAST_PIXEL_CLASSIFIER_WEIGHT
        assert shared['pixel_classifier'].pop('weight') == SHIPPED_PIXEL_CLASSIFIER_WEIGHT
        assert test_cfg['pixel_classifier'].pop('inner_weight') == 0.0  # not measured
        assert (shared['pixel_classifier'].pop('inner_weight')
                == SHIPPED_PIXEL_CLASSIFIER_INNER_WEIGHT)
    assert {k: test_cfg[k] for k in shared} == shared


def test_the_shared_cpu_test_base_adds_no_level_of_base():
    assert '_base_' not in Config.fromfile(CPU_TEST_BASE)  # a leaf of every chain
    cfg = load_config(CPU_CONFIGS[0])
    assert 'cpu_test_cfg' not in cfg  # read by the configs, not a setting of its own
    with pytest.raises(ConfigError, match="unknown config key 'cpu_test_cfg.winograd'"):
        load_config(CPU_CONFIGS[0], ['cpu_test_cfg.winograd=False'])


def test_cpu_table1_configs_test_the_shipped_decoder():
    # The Table-1 CPU configs restate the shipped model's decoder (its chain would be too
    # deep to inherit): the two must not drift apart.
    shipped, table1 = (load_config(p) for p in CPU_CONFIGS[1:3])
    assert table1.model.decoder == shipped.model.decoder
    assert table1.model.backbone == shipped.model.backbone
    assert table1.model.test_cfg.roi_max_side == shipped.model.test_cfg.roi_max_side


def test_no_learning_config_is_the_shipped_pre_segmentation_without_learning():
    # The colour-only baseline is the shipped pre-segmentation with learned_weight=0:
    # every other test setting the same (README, "an honest baseline").
    preseg = load_config(CPU_CONFIGS[2]).model.test_cfg.to_dict()
    path = osp.join(ROOT, 'configs', 'ablations', 'shls_r18-w32-cpu_davis_no-learning.py')
    variant = load_config(path).model.test_cfg.to_dict()
    assert variant.pop('learned_weight') == 0.0 and preseg.pop('learned_weight', 1.0) != 0.0
    assert variant['edge_aware']['eps'] == SHIPPED_EPS
    assert variant == preseg


def _shls_config(name: str) -> dict:
    """A config of configs/shls as a plain dict."""
    return load_config(osp.join(ROOT, 'configs', 'shls', name)).to_dict()


def test_cpu_supcon_config_changes_only_the_loss():
    # It restates the _cpu config on the _cpu config's own base (three levels of _base_
    # are not allowed): everything but model.loss must stay equal to it.
    cpu = _shls_config('shls_r18-w32_slic_1xb1-1k_saliency-256_cpu.py')
    supcon = _shls_config('shls_r18-w32_slic_1xb1-1k_saliency-256_cpu_supcon.py')
    assert supcon['model'].pop('loss') == dict(type='SupConLoss', temperature=0.07,
                                               loss_weight=1.0)
    assert cpu['model'].pop('loss')['type'] == 'NTXentLoss'
    assert supcon == cpu


def test_cpu_w16_config_changes_only_the_widths_and_its_documented_knobs():
    # It restates the _cpu config on that config's own base, like the SupCon config.
    cpu = _shls_config('shls_r18-w32_slic_1xb1-1k_saliency-256_cpu.py')
    w16 = _shls_config('shls_r18-w16_slic_1xb1-1k_saliency-256_cpu.py')
    for cfg, widths in ((cpu, (32, (32, 64, 128, 128), 32, 128)),
                        (w16, (16, (16, 32, 64, 64), 16, 64))):
        backbone, head = cfg['model']['backbone'], cfg['model']['head']
        assert (backbone.pop('stem_channels'), tuple(backbone.pop('stage_channels')),
                head.pop('l1_channels'), head.pop('l4_channels')) == widths
    assert w16['model']['backbone'].pop('l1_at_input_size') is False
    slic = w16['model']['test_cfg']['superpixels']['generator']
    assert slic.pop('max_num_iter') == 7
    assert slic.pop('compactness') == 20  # the w32 model's 10 did not help it on both sets
    assert cpu['model']['test_cfg']['superpixels']['generator'].pop('compactness') == 10
    assert w16['model']['test_cfg'].pop('extra_partitions') is None
    assert cpu['model']['test_cfg'].pop('extra_partitions')[0]['generator']['shift'] == 5
    assert w16['model']['test_cfg'].pop('boundary_partition') is None
    boundary = cpu['model']['test_cfg'].pop('boundary_partition')
    assert (boundary['width'], boundary['share']) == (12, SHIPPED_BOUNDARY_SHARE)
    assert w16['model']['test_cfg']['flow_prior'].pop('preset') == 'fast'
    assert w16['model']['test_cfg']['flow_prior'].pop('occlusion_check') is False
    assert cpu['model']['test_cfg']['flow_prior'].pop('occlusion_check') is True
    assert w16['model']['test_cfg']['flow_prior'].pop('pixel_weight') == 0.0
    assert cpu['model']['test_cfg']['flow_prior'].pop('pixel_weight') == SHIPPED_PIXEL_WEIGHT
    assert w16['model']['test_cfg']['flow_prior'].pop('scale') == 0.5
    assert cpu['model']['test_cfg']['flow_prior'].pop('scale') == SHIPPED_FLOW_SCALE
    assert w16['model']['test_cfg']['edge_aware'].pop('eps') == FAST_EPS
    assert cpu['model']['test_cfg']['edge_aware'].pop('eps') == SHIPPED_EPS
    w16_pixels = w16['model']['test_cfg']['pixel_classifier']
    cpu_pixels = cpu['model']['test_cfg']['pixel_classifier']
    assert w16_pixels.pop('weight') == FAST_PIXEL_CLASSIFIER_WEIGHT
    assert cpu_pixels.pop('weight') == SHIPPED_PIXEL_CLASSIFIER_WEIGHT
    assert w16_pixels.pop('inner_weight') == 0.0
    assert cpu_pixels.pop('inner_weight') == SHIPPED_PIXEL_CLASSIFIER_INNER_WEIGHT
    assert w16['model']['test_cfg'].pop('int8') == 'auto'
    assert cpu['model']['test_cfg'].pop('int8') == 'auto_float32'
    assert w16 == cpu


def test_cpu_w16_distill_config_adds_only_the_teacher():
    # It restates the w16 config on that config's own base; the teacher is the shipped
    # model, whose files exist in a clone.
    w16 = _shls_config('shls_r18-w16_slic_1xb1-1k_saliency-256_cpu.py')
    distill = _shls_config('shls_r18-w16_slic_1xb1-1k_saliency-256_cpu_distill-w32.py')
    assert distill['model'].pop('type') == 'DistilledSHLS'
    assert distill['model'].pop('distill_loss')['type'] == 'SuperfeatureDistillLoss'
    teacher = distill['model'].pop('teacher')
    assert all(osp.isfile(osp.join(ROOT, path)) for path in teacher.values())
    assert w16['model'].pop('type') == 'SHLS'
    assert distill == w16


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


def test_dict_literal_for_an_argument_the_config_does_not_set():
    # the memory's KNN backend is a constructor default, absent from the config: the
    # literal becomes the value, and builds (no '_delete_' left for the class)
    cfg = load_config(osp.join(ROOT, 'configs', 'shls_r18.py'),
                      ["model.memory.backend={'type': 'TorchKNNBackend', "
                       "'cpu_chunk_elements': 4096}"])
    assert cfg.model.memory.backend == {'type': 'TorchKNNBackend', 'cpu_chunk_elements': 4096}
    register_all_modules()
    model = MODELS.build(cfg.model)
    assert model.build_memory().backend.cpu_chunk_elements == 4096
