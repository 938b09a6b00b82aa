"""Hooks registered in ``shls.registry.HOOKS``."""
from .iteration_seed_hook import IterationSeedHook, iteration_seed

__all__ = ['IterationSeedHook', 'iteration_seed']
