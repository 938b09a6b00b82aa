"""Hooks registered in ``shls.registry.HOOKS``."""
from .atomic_checkpoint_hook import AtomicCheckpointHook, AtomicLocalBackend
from .iteration_seed_hook import IterationSeedHook, iteration_seed

__all__ = ['AtomicCheckpointHook', 'AtomicLocalBackend', 'IterationSeedHook', 'iteration_seed']
