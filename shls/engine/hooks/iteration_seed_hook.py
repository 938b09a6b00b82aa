"""Seeding every training iteration, so that a resumed run repeats the uninterrupted one."""
import random

import numpy as np
import torch
from mmengine.dist import get_dist_info
from mmengine.hooks import Hook

from shls.registry import HOOKS


def iteration_seed(base_seed: int, iteration: int, rank: int) -> int:
    """A 32-bit seed derived from the run's seed, the iteration and the process rank."""
    return int(np.random.SeedSequence([base_seed, iteration, rank]).generate_state(1)[0])


@HOOKS.register_module()
class IterationSeedHook(Hook):
    """Seed Python, NumPy and torch (CUDA included) before every training iteration.

    mmengine's ``--resume`` restores weights, optimizer, scheduler and iteration, but not
    the random streams, and it replays the dataloader to skip the data already seen, which
    draws random numbers of its own. With the streams reseeded from ``(seed, iteration,
    rank)`` at the start of each iteration, everything random in an iteration (e.g. the
    loss's sampling) is the same whether or not the run was interrupted before it, so a
    resumed run under a fixed seed logs the same losses as an uninterrupted one.

    Args:
        seed: Base seed; default: the runner's seed (``randomness.seed``), or 0.
    """

    priority = 'VERY_HIGH'

    def __init__(self, seed=None) -> None:
        self.seed = seed

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        """Reseed all generators for iteration ``runner.iter``."""
        base = self.seed if self.seed is not None else (getattr(runner, 'seed', None) or 0)
        seed = iteration_seed(int(base), runner.iter, get_dist_info()[0])
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)  # seeds every CUDA device too
