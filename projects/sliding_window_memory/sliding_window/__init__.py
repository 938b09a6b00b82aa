"""Example shls plugin: a sliding-window superfeature memory (imported via custom_imports)."""
from .sliding_window_bank import SlidingWindowMemoryBank

__all__ = ['SlidingWindowMemoryBank']
