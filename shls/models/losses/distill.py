"""Matching a trained teacher's superfeatures (knowledge distillation)."""
from torch import Tensor, nn

from shls.registry import MODELS
from shls.utils.errors import ConfigError


@MODELS.register_module()
class SuperfeatureDistillLoss(nn.Module):
    """Relative squared error between student and teacher superfeatures.

    ``loss_weight * sum ||s_i - t_i||^2 / sum ||t_i||^2`` over the superpixels of a batch:
    scale-free (0 = the teacher's superfeatures exactly, 1 = all zeros), and it matches
    the vectors themselves, not only their directions, because the test-time
    descriptors standardise each dimension by the first frame's statistics before the
    memory compares them by cosine.

    Args:
        loss_weight: Multiplier of the loss.
    """

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        if loss_weight < 0:
            raise ConfigError(f'loss_weight must be >= 0, got {loss_weight}')
        self.loss_weight = loss_weight

    def forward(self, student: Tensor, teacher: Tensor) -> Tensor:
        """The loss of ``(N, S)`` student and ``(N, S)`` teacher superfeatures."""
        if student.shape != teacher.shape:
            raise ValueError(f'student {tuple(student.shape)} and teacher '
                             f'{tuple(teacher.shape)} superfeatures differ in shape')
        teacher = teacher.detach().to(student.dtype)
        energy = teacher.square().sum().clamp_min(1e-12)
        return self.loss_weight * (student - teacher).square().sum() / energy
