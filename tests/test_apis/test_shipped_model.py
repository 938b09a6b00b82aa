"""Which shipped model the tools use by default (shls.apis.shipped_model)."""
import os.path as osp

import pytest

from shls.apis import shipped_model
from shls.apis.shipped_model import SHIPPED_MODELS, choose_shipped_model
from shls.utils.errors import ConfigError


def test_both_shipped_models_exist_in_a_clone():
    for model in SHIPPED_MODELS.values():
        assert osp.isfile(model.config) and osp.isfile(model.checkpoint), model


@pytest.mark.parametrize('full_speed, expected', [(True, 'accurate'), (False, 'fast')])
def test_auto_on_a_cpu_follows_the_backbone_probes(monkeypatch, full_speed, expected):
    monkeypatch.setattr(shipped_model, '_accurate_at_full_speed', lambda: full_speed)
    assert choose_shipped_model('auto', 'cpu').name == expected
    # float32 engines and CUDA decide without the probe
    assert choose_shipped_model('auto', 'cpu', backend='onnxruntime').name == 'fast'
    assert choose_shipped_model('auto', 'cuda').name == 'accurate'


def test_named_choices_and_a_bad_one(monkeypatch):
    monkeypatch.setattr(shipped_model, '_accurate_at_full_speed',
                        lambda: pytest.fail('probed'))
    assert choose_shipped_model('fast').name == 'fast'
    assert choose_shipped_model('accurate', 'cuda').name == 'accurate'
    with pytest.raises(ConfigError, match='model must be one of auto, accurate, fast'):
        choose_shipped_model('small')


def test_the_probes_run_on_the_accurate_backbone():
    # bfloat16 or int8 faster than float32: True on the CPUs measured (AVX-512 BF16 and
    # AVX2 alike); a segmenter of the accurate model then makes the same choice
    from shls.apis.inference import init_segmenter
    chosen = shipped_model._accurate_at_full_speed()
    assert isinstance(chosen, bool)
    accurate = SHIPPED_MODELS['accurate']
    segmenter = init_segmenter(accurate.config, accurate.checkpoint)
    assert chosen == (segmenter.autocast_dtype is not None or segmenter.int8)
