"""Compatibility shims for the OpenMMLab stack, applied once at ``import shls``.

Two problems of the pinned stack are patched here and nowhere else:

* ``mmcv-lite`` has no compiled ``mmcv._ext``; mmsegmentation imports it at module
  level. A stand-in module is registered whose attributes raise a clear error only when a
  compiled op is actually called.
* mmengine calls ``torch.load`` without ``weights_only``; torch >= 2.6 then refuses
  mmengine's own checkpoints (they pickle a ``HistoryBuffer``). The local-file scheme of
  ``CheckpointLoader`` is replaced by one that loads trusted local checkpoints fully.
"""
import importlib.machinery
import importlib.util
import os.path as osp
import sys
import types


def install_mmcv_ext_shim() -> None:
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
            raise RuntimeError(f'mmcv compiled op {name!r} is unavailable with mmcv-lite; '
                               'shls does not use compiled mmcv ops.')

        return _missing

    ext.__getattr__ = __getattr__
    # A spec without loader: mmengine's ``mmcv_full_available()`` then reports False.
    ext.__spec__ = importlib.machinery.ModuleSpec('mmcv._ext', loader=None)
    sys.modules['mmcv._ext'] = ext


def install_checkpoint_loader() -> None:
    """Make mmengine load local checkpoints with ``weights_only=False``."""
    import torch
    from mmengine.runner.checkpoint import CheckpointLoader

    @CheckpointLoader.register_scheme(prefixes='', force=True)
    def load_from_local(filename: str, map_location=None):
        filename = osp.expanduser(filename)
        if not osp.isfile(filename):
            raise FileNotFoundError(f'checkpoint {filename} can not be found.')
        return torch.load(filename, map_location=map_location, weights_only=False)
