from .superfeature_head import SuperfeatureHead

__all__ = ['SuperfeatureHead']
