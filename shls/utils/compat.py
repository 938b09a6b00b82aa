"""Compatibility shims for the OpenMMLab stack, each applied only where it is needed.

Two problems of the pinned stack are handled here and nowhere else; ``import shls`` applies
neither:

* ``mmcv-lite`` has no compiled ``mmcv._ext``; mmsegmentation imports it at module
  level. :func:`mmseg_models`, the one way shls imports mmsegmentation, first registers a
  stand-in module whose attributes raise a clear error only when a compiled op is
  actually called.
* mmengine calls ``torch.load`` without ``weights_only``; torch >= 2.6 then refuses
  mmengine's own checkpoints (they pickle a ``HistoryBuffer``). shls reads the checkpoints
  it is given with :func:`load_local_checkpoint`, and the Runner's ``load_from`` /
  ``resume`` run inside :func:`full_checkpoint_loading`; mmengine's loader is left as it
  is everywhere else.
"""
import contextlib
import importlib.machinery
import importlib.util
import os.path as osp
import sys
import types
from typing import Iterator

from .errors import InputNotFoundError


def _install_mmcv_ext_shim() -> None:
    """Register a placeholder ``mmcv._ext`` when mmcv has no compiled ops."""
    if importlib.util.find_spec('mmcv') is None or 'mmcv._ext' in sys.modules:
        return
    try:
        import mmcv._ext  # noqa: F401
        return
    except ImportError:
        pass
    ext = types.ModuleType('mmcv._ext')

    def __getattr__(name: str):
        if name.startswith('__'):
            raise AttributeError(name)

        def _missing(*args, **kwargs):
            raise RuntimeError(f'mmcv compiled op {name!r} is unavailable with mmcv-lite '
                               '(choose an mmsegmentation module without compiled ops, or '
                               'install the full mmcv)')

        return _missing

    ext.__getattr__ = __getattr__
    # A spec without loader: mmengine's ``mmcv_full_available()`` then reports False.
    ext.__spec__ = importlib.machinery.ModuleSpec('mmcv._ext', loader=None)
    sys.modules['mmcv._ext'] = ext


def mmseg_models():
    """mmsegmentation's model registry, with its modules registered.

    The only place shls imports mmsegmentation (see
    :class:`shls.models.backbones.MMSegBackbone`); the ``mmcv._ext`` stand-in is installed
    just before.
    """
    _install_mmcv_ext_shim()
    import mmseg.models  # noqa: F401  (registers mmsegmentation's models)
    from mmseg.registry import MODELS
    return MODELS


def load_local_checkpoint(filename: str, map_location=None):
    """``torch.load`` of a trusted local checkpoint, pickled objects included.

    mmengine checkpoints pickle a ``HistoryBuffer`` (message hub) and numpy values, which
    torch >= 2.6 refuses with its default ``weights_only=True``. Only files the user gave
    shls (a checkpoint to test, resume from or publish) are loaded this way.

    Raises:
        InputNotFoundError: No such file (a ``FileNotFoundError``).
    """
    import torch
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise InputNotFoundError(f'checkpoint {filename} can not be found.')
    return torch.load(filename, map_location=map_location, weights_only=False)


@contextlib.contextmanager
def full_checkpoint_loading() -> Iterator[None]:
    """Within the block, mmengine's ``CheckpointLoader`` reads local files with
    :func:`load_local_checkpoint`; its own loader is back in place afterwards.

    shls enters it only where it loads a checkpoint through mmengine (the Runner's
    ``load_from`` / ``resume``, see :class:`shls.engine.SHLSRunner`); ``import shls``
    leaves mmengine untouched.
    """
    from mmengine.runner.checkpoint import CheckpointLoader
    previous = CheckpointLoader._schemes.get('')
    CheckpointLoader.register_scheme(prefixes='', loader=load_local_checkpoint, force=True)
    try:
        yield
    finally:  # registering rebuilds the table: restore the entry in the current one
        if previous is None:
            CheckpointLoader._schemes.pop('', None)
        else:
            CheckpointLoader._schemes[''] = previous
