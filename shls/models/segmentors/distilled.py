"""SHLS trained to match the superfeatures of a trained (wider) teacher."""
import os.path as osp
from typing import Dict, Optional

import torch
from mmengine.config import Config
from torch import Tensor, nn

from shls.registry import MODELS
from shls.utils.errors import ConfigError
from shls.utils.shipped import REPO_ROOT
from .shls import SHLS, Embedding


def _find(path: str, what: str) -> str:
    """``path`` as given (absolute or from the working directory), else from the
    repository root; a one-line error when neither exists."""
    for candidate in (path, osp.join(REPO_ROOT, path)):
        if osp.isfile(candidate):
            return candidate
    raise ConfigError(f'teacher {what} not found: {path} (nor under {REPO_ROOT})')


def build_teacher(config: str, checkpoint: str) -> nn.Module:
    """A trained SHLS model, frozen and in eval mode, from a config and its weights."""
    from shls.apis.checkpoint import load_weights  # one-line errors naming the file
    path = _find(config, 'config')
    try:  # mmengine directly: shls.utils.config registers shls.models (an import cycle)
        cfg = Config.fromfile(path)
    except Exception as err:  # mmengine raises many types for a bad file
        raise ConfigError(f'cannot load teacher config {path}: {type(err).__name__}: '
                          f'{str(err).strip().splitlines()[0] if str(err).strip() else ""}'
                          ) from err
    teacher = MODELS.build(cfg.model)
    load_weights(teacher, _find(checkpoint, 'checkpoint'))
    return teacher.eval().requires_grad_(False)


@MODELS.register_module()
class DistilledSHLS(SHLS):
    """SHLS whose superfeatures also learn the superfeatures of a trained teacher.

    Stage 1 as :class:`SHLS` (the contrastive loss on pseudo-videos), plus
    ``loss_distill``: the ``distill_loss`` (e.g. ``SuperfeatureDistillLoss``) between the
    student's superfeatures and the teacher's on the same frames and superpixels. The
    teacher (e.g. the shipped half-width model) is loaded at the first training step,
    never at inference, and is not part of the state dict: a checkpoint of this model
    loads into a plain ``SHLS`` of the same backbone and head, so a trained student is
    tested and published like any stage-1 model.

    Args:
        teacher: ``dict(config=..., checkpoint=...)`` of a trained SHLS model whose
            superfeatures have this model's size and whose preprocessor normalises frames
            as this model's does. Paths are taken from the working directory, else from
            the repository root.
        distill_loss: Config of the loss ``(student (N, S), teacher (N, S)) -> scalar``.
        **kwargs: :class:`SHLS` arguments.
    """

    def __init__(self, teacher: dict, distill_loss: Optional[dict] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        unknown = set(teacher) - {'config', 'checkpoint'}
        if unknown or 'config' not in teacher or 'checkpoint' not in teacher:
            raise ConfigError(f'teacher must be dict(config=..., checkpoint=...), got keys '
                              f'{sorted(teacher)}')
        self.teacher_cfg = dict(teacher)
        self.distill_loss = MODELS.build(distill_loss or dict(type='SuperfeatureDistillLoss'))
        self._teacher = None  # a plain attribute: not in state_dict(), not trained

    def teacher(self, device: torch.device) -> nn.Module:
        """The frozen teacher on ``device`` (built at the first call)."""
        if self._teacher is None:
            teacher = build_teacher(**self.teacher_cfg)
            self._check_teacher(teacher)
            object.__setattr__(self, '_teacher', teacher)  # not registered as a child
        return self._teacher.to(device)

    def _check_teacher(self, teacher: nn.Module) -> None:
        mine, theirs = self.data_preprocessor, teacher.data_preprocessor
        for name in ('mean', 'std'):
            if not torch.equal(getattr(mine, name).cpu(), getattr(theirs, name).cpu()):
                raise ConfigError(f'the teacher normalises frames with another {name} '
                                  f'than this model')
        sizes = [m.head.proj_l1[0].out_features for m in (teacher, self)]
        if sizes[0] != sizes[1]:
            raise ConfigError(f'teacher superfeatures have {sizes[0]} channels, this '
                              f'model {sizes[1]}')

    def extra_losses(self, emb: Embedding, inputs: Tensor) -> Dict[str, Tensor]:
        """``loss_distill`` on the superfeatures of the batch."""
        teacher = self.teacher(inputs.device)
        with torch.no_grad():
            target, counts = teacher.extract_superfeatures(inputs.flatten(0, 1),
                                                           emb.superpixels)
        if not torch.equal(counts.cpu(), emb.counts.cpu()):
            raise RuntimeError('teacher and student pooled different superpixels')
        return {'loss_distill': self.distill_loss(emb.features, target)}
