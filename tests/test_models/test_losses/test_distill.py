import pytest
import torch

from shls.models.losses import SuperfeatureDistillLoss
from shls.utils.errors import ConfigError


def test_zero_at_the_teacher_and_one_at_zero():
    teacher = torch.rand(50, 32)
    loss = SuperfeatureDistillLoss(loss_weight=2.0)
    assert loss(teacher.clone(), teacher).item() == pytest.approx(0.0)
    assert loss(torch.zeros_like(teacher), teacher).item() == pytest.approx(2.0)


def test_scale_free_and_gradient_only_to_the_student():
    teacher = torch.rand(20, 8, requires_grad=True)
    student = torch.rand(20, 8, requires_grad=True)
    loss = SuperfeatureDistillLoss()
    value = loss(student, teacher)
    assert loss(10 * student, 10 * teacher).item() == pytest.approx(value.item(), rel=1e-5)
    value.backward()
    assert student.grad is not None and teacher.grad is None


def test_bad_arguments():
    with pytest.raises(ConfigError, match='loss_weight'):
        SuperfeatureDistillLoss(loss_weight=-1)
    with pytest.raises(ValueError, match='differ in shape'):
        SuperfeatureDistillLoss()(torch.rand(3, 4), torch.rand(3, 5))
