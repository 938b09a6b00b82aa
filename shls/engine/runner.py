"""The Runner of shls: mmengine's, loading checkpoints that torch >= 2.6 would refuse."""
from mmengine.runner import Runner

from shls.registry import RUNNERS
from shls.utils.compat import full_checkpoint_loading


@RUNNERS.register_module()
class SHLSRunner(Runner):
    """:class:`~mmengine.runner.Runner` whose ``load_from`` / ``resume`` read mmengine
    checkpoints (they pickle a ``HistoryBuffer``, which torch >= 2.6 refuses to unpickle
    by default) with :func:`~shls.utils.compat.full_checkpoint_loading`, for the load
    only: mmengine's checkpoint loader is left as it is for the rest of the process.

    The configs name it (``runner_type = 'SHLSRunner'`` in
    ``configs/_base_/default_runtime.py``); :func:`build_runner` builds it.
    """

    def load_checkpoint(self, filename: str, *args, **kwargs) -> dict:
        """:meth:`Runner.load_checkpoint` (also what :meth:`Runner.resume` calls) with
        trusted local checkpoints loaded fully."""
        with full_checkpoint_loading():
            return super().load_checkpoint(filename, *args, **kwargs)


def build_runner(cfg) -> Runner:
    """The Runner of a config: its ``runner_type`` (a name in shls's ``RUNNERS`` or a
    parent's), else :class:`SHLSRunner`."""
    if cfg.get('runner_type'):
        return RUNNERS.build(cfg)
    return SHLSRunner.from_cfg(cfg)
