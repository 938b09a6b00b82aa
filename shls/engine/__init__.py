from .distributed import prepare_cpu_distributed
from .vos_test_loop import VOSTestLoop, video_list_collate

__all__ = ['VOSTestLoop', 'prepare_cpu_distributed', 'video_list_collate']
