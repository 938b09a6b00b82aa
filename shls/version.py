"""Version of the shls package."""
__version__ = '0.1.0'
