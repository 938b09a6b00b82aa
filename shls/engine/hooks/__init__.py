"""Hooks registered in ``shls.registry.HOOKS``."""
