"""Registries: shls components resolve by name under the 'shls' scope; plugins add theirs."""
import pytest
from mmengine.registry import DefaultScope

from shls.registry import DATASETS, LOOPS, METRICS, MODELS, TRANSFORMS
from shls.utils import register_all_modules


@pytest.mark.parametrize('registry, name', [
    (MODELS, 'SHLS'), (MODELS, 'SlimResNet'), (MODELS, 'SuperfeatureHead'),
    (MODELS, 'NTXentLoss'), (MODELS, 'SupConLoss'), (MODELS, 'SLICSuperpixels'),
    (MODELS, 'ISECSuperpixels'), (MODELS, 'MemoryBank'), (MODELS, 'RefineDecoder'),
    (MODELS, 'VideoDataPreprocessor'),
    (DATASETS, 'PseudoVideoDataset'), (DATASETS, 'DAVISDataset'),
    (TRANSFORMS, 'PackVideoInputs'), (TRANSFORMS, 'ComputeSuperpixels'),
    (METRICS, 'KNNAccuracy'), (METRICS, 'DAVISMetric'),
])
def test_component_is_registered(registry, name):
    register_all_modules()
    assert registry.get(name) is not None


def test_a_new_module_registers_without_touching_shls():
    @MODELS.register_module(name='_TestOnlyGenerator', force=True)
    class Generator:
        def __call__(self, image):
            return image[..., 0] * 0

    with DefaultScope.overwrite_default_scope('shls'):
        assert isinstance(MODELS.build(dict(type='_TestOnlyGenerator')), Generator)
    assert LOOPS.scope == 'shls'


def test_build_component_gives_one_line_config_errors():
    import pytest

    from shls.models.segmentors import SuperfeatureDescriber
    from shls.registry import build_component
    from shls.utils.errors import ConfigError, UnknownNameError

    built = build_component(dict(type='SuperpixelColourStats'), 'handcrafted', 'x')
    assert type(built).__name__ == 'SuperpixelColourStats'
    with pytest.raises(UnknownNameError, match='handcrafted: unknown type'):
        SuperfeatureDescriber.build(dict(type='SuperpixelColourStat'))
    with pytest.raises(ConfigError, match='handcrafted: .*unexpected keyword'):
        SuperfeatureDescriber.build(dict(type='SuperpixelColourStats', foo=1))
    with pytest.raises(ConfigError, match="must be a dict with a 'type'"):
        build_component('SuperpixelColourStats', 'handcrafted', 'x')
