"""DistilledSHLS: a quarter-width student learning the shipped model's superfeatures."""
import pytest
import torch

from shls.registry import MODELS
from shls.utils.errors import ConfigError
from shls.utils.shipped import SHIPPED_CHECKPOINT, SHIPPED_CONFIG
from .test_shls import _clip

TEACHER = dict(config=SHIPPED_CONFIG, checkpoint=SHIPPED_CHECKPOINT)
ARCH = dict(backbone=dict(type='SlimResNet', stem_channels=16,
                          stage_channels=(16, 32, 64, 64), l1_at_input_size=False),
            head=dict(type='SuperfeatureHead', l1_channels=16, l4_channels=64),
            loss=dict(type='NTXentLoss'),
            superpixels=dict(type='SLICSuperpixels', segment_area=30))


def _student(**kwargs):
    return MODELS.build(dict(type='DistilledSHLS', **ARCH, **kwargs))


def test_distillation_lowers_its_loss_and_the_teacher_stays_out_of_the_weights():
    torch.manual_seed(0)
    model = _student(teacher=TEACHER, distill_loss=dict(type='SuperfeatureDistillLoss'))
    optim = torch.optim.Adam(model.parameters(), lr=1e-2)
    values = []
    for _ in range(20):
        losses = model(**model.data_preprocessor(_clip(), True), mode='loss')
        optim.zero_grad()
        losses['loss_distill'].backward()
        optim.step()
        values.append(losses['loss_distill'].item())
    assert min(values[-3:]) < 0.5 * values[0]
    teacher = model.teacher(torch.device('cpu'))
    assert not any(p.requires_grad for p in teacher.parameters()) and not teacher.training
    # the teacher is no child: the weights load into a plain SHLS of the same shape
    plain = MODELS.build(dict(type='SHLS', **ARCH))
    plain.load_state_dict(model.state_dict(), strict=True)


def test_bad_teachers_get_one_line_errors(tmp_path):
    with pytest.raises(ConfigError, match='teacher must be'):
        _student(teacher=dict(config=SHIPPED_CONFIG))
    model = _student(teacher=dict(config='configs/nope.py', checkpoint=SHIPPED_CHECKPOINT))
    with pytest.raises(ConfigError, match='teacher config not found: configs/nope.py'):
        model(**model.data_preprocessor(_clip(), True), mode='loss')
    wide = dict(ARCH, head=dict(type='SuperfeatureHead', l1_channels=16, l4_channels=64,
                                out_channels=16))
    model = MODELS.build(dict(type='DistilledSHLS', teacher=TEACHER, **wide))
    with pytest.raises(ConfigError, match='teacher superfeatures have 32 channels'):
        model(**model.data_preprocessor(_clip(), True), mode='loss')
