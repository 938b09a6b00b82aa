from .distributed import finish_distributed, prepare_cpu_distributed
from .hooks import IterationSeedHook
from .runner import SHLSRunner, build_runner
from .vos_test_loop import VOSTestLoop, video_list_collate

__all__ = ['IterationSeedHook', 'SHLSRunner', 'build_runner', 'finish_distributed', 'VOSTestLoop',
           'prepare_cpu_distributed', 'video_list_collate']
