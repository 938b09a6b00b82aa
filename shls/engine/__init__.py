from .distributed import prepare_cpu_distributed
from .hooks import IterationSeedHook
from .vos_test_loop import VOSTestLoop, video_list_collate

__all__ = ['IterationSeedHook', 'VOSTestLoop', 'prepare_cpu_distributed', 'video_list_collate']
