"""Checkpoints that appear whole: a kill while saving never leaves a truncated file.

mmengine's :class:`~mmengine.hooks.CheckpointHook` hands the bytes of a checkpoint to a
file backend, whose local ``put`` writes the destination in place. Here the hook gets a
backend of its own (registered under the name ``shls_atomic_local``, used only where a
hook asks for it; mmengine's ``local`` backend is left as it is) whose ``put`` writes a
temporary file beside the destination and renames it over the destination
(``os.replace``). The ``last_checkpoint`` pointer is rewritten the same way.
"""
import os.path as osp
from pathlib import Path
from typing import Optional, Union

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend, register_backend
from mmengine.hooks import CheckpointHook

from shls.datasets.mask_io import atomic_write_bytes
from shls.registry import HOOKS

ATOMIC_BACKEND = 'shls_atomic_local'


class AtomicLocalBackend(LocalBackend):
    """The local file backend, except that ``put`` / ``put_text`` replace the file
    atomically (temporary file in the same folder, then ``os.replace``)."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        atomic_write_bytes(filepath, obj)

    def put_text(self, obj: str, filepath: Union[str, Path], encoding: str = 'utf-8') -> None:
        atomic_write_bytes(filepath, obj.encode(encoding))


register_backend(ATOMIC_BACKEND, AtomicLocalBackend, force=True)


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """:class:`~mmengine.hooks.CheckpointHook` whose checkpoints (``iter_*.pth``, the best
    one) are written atomically to the local disk.

    Takes the arguments of ``CheckpointHook``; without ``backend_args`` (and without the
    deprecated ``file_client_args``) the atomic local backend is used. Other backends
    (e.g. object stores, given with ``backend_args``) are used as given.
    """

    def __init__(self, *args, backend_args: Optional[dict] = None, **kwargs) -> None:
        if backend_args is None and kwargs.get('file_client_args') is None:
            backend_args = dict(backend=ATOMIC_BACKEND)
        super().__init__(*args, backend_args=backend_args, **kwargs)

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        super()._save_checkpoint_with_step(runner, step, meta)
        if is_main_process() and self.last_ckpt is not None:
            atomic_write_bytes(osp.join(runner.work_dir, 'last_checkpoint'),
                               str(self.last_ckpt).encode('utf-8'))
