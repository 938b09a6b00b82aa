from .slim_resnet import SlimResNet

__all__ = ['SlimResNet']
