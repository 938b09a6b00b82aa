"""Distributed training without GPUs (gloo on the CPU)."""
import os

import torch
import torch.distributed as dist
from mmengine.config import Config


def prepare_cpu_distributed(cfg: Config) -> bool:
    """Let mmengine's Runner train with several CPU processes.

    mmengine assumes a GPU per process (it calls ``torch.cuda.set_device`` and gives DDP
    ``device_ids``). Without CUDA this initialises the gloo process group from the
    torchrun environment and makes DDP wrap the CPU model with ``device_ids=None``. It does
    nothing when CUDA is available or the launcher is ``none``.

    Args:
        cfg: The training config; ``cfg.launcher`` must be set.

    Returns:
        True when the CPU path was taken.
    """
    if cfg.get('launcher', 'none') == 'none' or torch.cuda.is_available():
        return False
    env_cfg = cfg.setdefault('env_cfg', {})
    dist_cfg = env_cfg.setdefault('dist_cfg', {})
    dist_cfg['backend'] = 'gloo'
    if not dist.is_initialized():
        if cfg.launcher == 'slurm':
            _export_slurm_env(cfg.env_cfg.get('dist_cfg', {}).get('port'))
        dist.init_process_group(backend='gloo')
    wrapper = cfg.get('model_wrapper_cfg') or dict(type='MMDistributedDataParallel')
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    return True


def _export_slurm_env(port=None) -> None:
    """Translate SLURM variables into the ones ``init_process_group`` reads."""
    import subprocess
    os.environ.setdefault('RANK', os.environ['SLURM_PROCID'])
    os.environ.setdefault('WORLD_SIZE', os.environ['SLURM_NTASKS'])
    os.environ.setdefault('LOCAL_RANK', os.environ.get('SLURM_LOCALID', '0'))
    if 'MASTER_ADDR' not in os.environ:
        nodes = os.environ['SLURM_NODELIST']
        os.environ['MASTER_ADDR'] = subprocess.getoutput(
            f'scontrol show hostname {nodes} | head -n1')
    os.environ.setdefault('MASTER_PORT', str(port or 29500))


def finish_distributed() -> None:
    """After a successful run: wait for every process, then destroy the process group.

    Without it, gloo's threads can still be running when the interpreter exits and a
    process aborts ("terminate called without an active exception"), failing the whole
    torchrun job although the work is done. No-op outside distributed runs.
    """
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
