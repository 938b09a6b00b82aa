from .mmseg_backbone import MMSegBackbone
from .slim_resnet import SlimResNet

__all__ = ['MMSegBackbone', 'SlimResNet']
